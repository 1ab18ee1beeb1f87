"""Output folders never replace what mobility did not write (issue 13, item 1).

Each case: exit code 2, one line on stderr naming the folder, no traceback, and the folder's
listing (names, sizes, sha256) the same before and after.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mobility.errors import InputError
from mobility.fileio import atomic_output_dir, check_output_dir
from mobility.resources import bundled_file


def listing(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mobility.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_folder_of_user_files_is_never_replaced(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me\n")
    before = listing(tmp_path)
    with (
        pytest.raises(InputError, match="not an earlier mobility output"),
        atomic_output_dir(user) as tmp,
    ):
        (tmp / "x.csv").write_text("a\n")
    assert listing(tmp_path) == before


def test_an_earlier_mobility_output_and_an_empty_folder_are_replaced(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({"mobility_version": "0.1.0"}))
    (old / "stale.csv").write_text("x\n")
    with atomic_output_dir(old) as tmp:
        (tmp / "new.csv").write_text("y\n")
    assert sorted(p.name for p in old.iterdir()) == ["new.csv"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_output_dir(empty) as tmp:
        (tmp / "new.csv").write_text("y\n")
    assert (empty / "new.csv").is_file()


def test_an_output_folder_never_holds_an_input(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"mobility_version": "0.1.0"}))
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\n")
    with pytest.raises(InputError, match="would replace the input"):
        check_output_dir(tmp_path, inputs=[scenario])
    with pytest.raises(InputError, match="would replace the input"):
        check_output_dir(tmp_path / "sub", inputs=[tmp_path / "sub"])
    parent_file = tmp_path / "f"
    parent_file.write_text("")
    with pytest.raises(InputError, match="parent is a file"):
        check_output_dir(parent_file / "out")


@pytest.mark.parametrize("name", ["..", "x/../..", "/tmp/elsewhere", "a\\\\b", "."])
def test_scenario_name_must_be_a_plain_name(tmp_path: Path, name: str) -> None:
    text = bundled_file("scenarios", "base.yaml").read_text(encoding="utf-8")
    lines = [
        f"name: {json.dumps(name)}" if ln.startswith("name:") else ln for ln in text.splitlines()
    ]
    scenario = tmp_path / "evil.yaml"
    scenario.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "keep.txt").write_text("keep\n")
    before = listing(tmp_path)
    res = run_cli("model", str(scenario), cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and "name" in err[0] and "plain name" in err[0]
    assert "Traceback" not in res.stderr
    assert listing(tmp_path) == before


def test_model_into_a_folder_of_user_files_fails_before_the_model(tmp_path: Path) -> None:
    """``mobility model ../scenario.yaml -o ..`` deleted the parent's files; now: one line,
    exit 2, before any computation, nothing changed."""
    work = tmp_path / "work"
    work.mkdir()
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(bundled_file("scenarios", "base.yaml").read_text(encoding="utf-8"))
    (tmp_path / "data.csv").write_text("precious\n")
    before = listing(tmp_path)
    res = run_cli("model", "../scenario.yaml", "-o", "..", cwd=work)
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and str(tmp_path) in err[0]
    assert listing(tmp_path) == before


def test_duplicate_yaml_keys_and_deep_nesting_get_one_line(tmp_path: Path) -> None:
    """A repeated key (the second ``trip_rate_factor: 5.0`` used to win silently) and a
    document nested too deeply (RecursionError) give one line, exit 2, nothing written."""
    text = bundled_file("scenarios", "base.yaml").read_text(encoding="utf-8")
    dup = text.replace(
        "demand:\n", "demand:\n  trip_rate_factor: 1.0\n  trip_rate_factor: 5.0\n", 1
    )
    assert dup != text
    (tmp_path / "dup.yaml").write_text(dup, encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("[" * 3000 + "]" * 3000, encoding="utf-8")
    before = listing(tmp_path)
    for name, words in (("dup.yaml", "duplicate key 'trip_rate_factor'"), ("deep.yaml", "nested")):
        res = run_cli("model", name, cwd=tmp_path)
        assert res.returncode == 2, res.stderr
        err = res.stderr.strip().splitlines()
        assert len(err) == 1 and name in err[0] and words in err[0], err
    assert listing(tmp_path) == before


def test_a_csv_column_named_twice_is_refused(tmp_path: Path) -> None:
    """``optimise`` took the second ``capex_mdkk`` (all projects "selected" at 0 kr.), and
    ``rank`` the second of any column: now one line naming the file and the column, exit 2."""
    ranking = tmp_path / "ranking.csv"
    ranking.write_text("rank,project_id,score,capex_mdkk,capex_mdkk\n1,a,50,100,0\n")
    impacts = tmp_path / "impacts.csv"
    impacts.write_text(
        "project_id,name,subcriterion,indicator,value,unit,basis,value\nP,n,1.1,x,1,u,modelled,2\n"
    )
    before = listing(tmp_path)
    for args in (
        ("optimise", "ranking.csv", "--budget-mdkk", "1000", "-o", "p.csv"),
        ("rank", "impacts.csv", "-o", "r.csv"),
    ):
        res = run_cli(*args, cwd=tmp_path)
        assert res.returncode == 2, res.stderr
        err = res.stderr.strip().splitlines()
        assert len(err) == 1 and args[1] in err[0] and "appears twice" in err[0], err
    assert listing(tmp_path) == before
