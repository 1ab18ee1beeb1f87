"""Every package of ``mobility`` is in pyproject.toml's explicit package list, so a plain
``pip install .`` (not editable) ships it; a package left out there installs without error and
fails only at import, as ``mobility.pipeline`` once did."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "mobility").rglob("__init__.py")
    }
    assert found - listed == set()
