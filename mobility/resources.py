"""Where the bundled scenarios, projects and weights are, installed or in a source checkout.

The canonical files live in the repository's top-level ``scenarios/``, ``projects/`` and
``weights/`` folders; the wheel installs them as ``mobility/_bundled/<kind>/`` (see
``pyproject.toml``), so ``mobility run`` works from any folder after ``pip install .``.
"""

from __future__ import annotations

from pathlib import Path

from mobility.errors import InputError

KINDS = ("scenarios", "projects", "weights")


def bundled_dir(kind: str) -> Path:
    """The folder of the bundled files of ``kind``: scenarios, projects or weights."""
    if kind not in KINDS:
        raise ValueError(f"unknown bundled kind {kind!r}")
    package = Path(__file__).resolve().parent
    installed = package / "_bundled" / kind
    if installed.is_dir():
        return installed
    checkout = package.parent / kind
    if checkout.is_dir():
        return checkout
    raise InputError(f"bundled folder '{kind}' not found next to the package", file=package)


def bundled_file(kind: str, name: str) -> Path:
    """Path of one bundled file, e.g. ``bundled_file("scenarios", "reference_2035.yaml")``."""
    path = bundled_dir(kind) / name
    if not path.is_file():
        raise InputError("bundled file not found", file=path)
    return path


def data_dir() -> Path:
    """The package's data folder (``mobility/data``)."""
    return Path(__file__).resolve().parent / "data"
