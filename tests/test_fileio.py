"""Atomic output: files and folders appear whole or not at all, even when the writer is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mobility.errors import InputError
from mobility.fileio import (
    atomic_output_dir,
    atomic_write_text,
    contained_path,
    csv_text,
    manifest,
    sha256_file,
)

WRITER = """
import sys, time
from mobility.fileio import atomic_output_dir
with atomic_output_dir(sys.argv[1]) as d:
    (d / "a.csv").write_text("new\\n")
    print("inside", flush=True)
    time.sleep(60)
"""


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if path.name in p.name)


def test_atomic_write_text_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    atomic_write_text(target, "one\n")
    atomic_write_text(target, "two\n")
    assert target.read_text() == "two\n"
    assert _siblings(target) == ["x.csv"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_output_dir_failure_keeps_previous(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with atomic_output_dir(out) as d:
        (d / "a.csv").write_text("old\n")
        (d / "manifest.json").write_text('{"mobility_version": "test"}')  # mobility's own
    with pytest.raises(RuntimeError), atomic_output_dir(out) as d:
        (d / "a.csv").write_text("new\n")
        raise RuntimeError("boom")
    assert (out / "a.csv").read_text() == "old\n"
    assert _siblings(out) == ["run"]


def test_output_dir_first_failure_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt), atomic_output_dir(out) as d:
        (d / "a.csv").write_text("new\n")
        raise KeyboardInterrupt
    assert _siblings(out) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_output_dir_killed_writer(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "run"
    with atomic_output_dir(out) as d:
        (d / "a.csv").write_text("old\n")
        (d / "manifest.json").write_text('{"mobility_version": "test"}')  # mobility's own
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "inside"
        assert any(n.endswith(".partial") for n in _siblings(out))
        proc.send_signal(sig)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(n.endswith(".partial") for n in _siblings(out)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _siblings(out) == ["run"]
    assert (out / "a.csv").read_text() == "old\n"


def test_contained_path_refuses_escape(tmp_path: Path) -> None:
    assert contained_path(tmp_path, "a/b.csv") == (tmp_path / "a" / "b.csv").resolve()
    with pytest.raises(InputError, match="leaves the output folder"):
        contained_path(tmp_path, "../x.csv")
    with pytest.raises(InputError):
        contained_path(tmp_path, "/etc/passwd")


def test_manifest_hashes_inputs(tmp_path: Path) -> None:
    f = tmp_path / "in.txt"
    f.write_bytes(b"abc")
    # sha256("abc") from FIPS 180-2, appendix B.1
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_file(f) == expected
    m = manifest(version="0", inputs={"x": f}, settings={"k": 1}, timings_s={"t": 1.23456})
    assert m["inputs"]["x"]["sha256"] == expected
    assert m["timings_s"]["t"] == 1.235


def test_csv_text_is_plain_lf() -> None:
    assert csv_text(["a", "b"], [[1, "x,y"]]) == 'a,b\n1,"x,y"\n'
    assert os.linesep not in csv_text(["a"], []).replace("\n", "") or os.linesep == "\n"
