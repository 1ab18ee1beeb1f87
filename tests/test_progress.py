"""First-run compilation notice (issue 17, item 5)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mobility import progress
from mobility.network import compilation


def test_uncached_kernel_is_listed_until_compiled(tmp_path: Path, monkeypatch) -> None:
    """A fresh ``@njit(cache=True)`` function has no cache index; after its first call it
    has one, and the check no longer lists it."""
    (tmp_path / "fresh_kernels.py").write_text(
        "from numba import njit\n\n@njit(cache=True)\ndef twice(x):\n    return 2.0 * x\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    missing = compilation.uncached_kernels(("fresh_kernels",))
    assert missing == ["fresh_kernels.twice"]
    assert compilation.first_run(("fresh_kernels",)) == (True, 1)
    assert sys.modules["fresh_kernels"].twice(2.0) == 4.0
    assert compilation.uncached_kernels(("fresh_kernels",)) == []
    assert compilation.first_run(("fresh_kernels",)) == (False, 0)


def test_the_notice_is_said_once_and_not_when_quiet(monkeypatch, capsys) -> None:
    monkeypatch.setattr(progress, "_ANNOUNCED", False)
    monkeypatch.setattr(compilation, "first_run", lambda *a: (True, 2))
    assert progress.announce_compilation(quiet=True) is False
    assert capsys.readouterr().err == ""
    assert progress.announce_compilation() is True
    err = capsys.readouterr().err
    assert "compiling 2 numerical kernels" in err and "once" in err
    assert progress.announce_compilation() is False
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("state", [(False, 0), (False, 1)])
def test_no_notice_when_most_are_cached(monkeypatch, capsys, state) -> None:
    monkeypatch.setattr(progress, "_ANNOUNCED", False)
    monkeypatch.setattr(compilation, "first_run", lambda *a: state)
    assert progress.announce_compilation() is False
    assert capsys.readouterr().err == ""
