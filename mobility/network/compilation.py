"""Which numba kernels still have to be compiled in this installation.

The numerical kernels are compiled by numba on first use and cached next to their module
(``cache=True``; numba's ``FunctionCache``). The first run after installing therefore spends
about half a minute compiling (measured: `mobility model` 25-27 s on 2 cores against 2 s
warm, benchmarks/README.md). :func:`uncached_kernels` lists the kernels without a cache index,
so that a command can say once, before it starts, why the first run is slow: it does when at
least half of them are missing (:func:`first_run`; a kernel the run never calls, such as the
parallel all-or-nothing load, may stay uncompiled for good).
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["KERNEL_MODULES", "first_run", "uncached_kernels"]

#: Modules whose ``@njit(cache=True)`` functions a model run uses.
KERNEL_MODULES = (
    "mobility.network._kernels",
    "mobility.network._pathbased",
    "mobility.network.transit_assignment",
)


def _dispatchers(module: ModuleType) -> list[object]:
    out = []
    for value in vars(module).values():
        cache = getattr(value, "_cache", None)
        if cache is not None and hasattr(cache, "_cache_file"):
            out.append(value)
    return out


def uncached_kernels(modules: tuple[str, ...] = KERNEL_MODULES) -> list[str]:
    """Names (``module.function``) of the public cached kernels that have no cache index yet.

    Private kernels (``_name``) are left out: they are called from other kernels, compiled
    into them and never get an index of their own."""
    import importlib

    missing = []
    for name in modules:
        module = importlib.import_module(name)
        for dispatcher in _dispatchers(module):
            if dispatcher.__name__.startswith("_"):  # type: ignore[attr-defined]
                continue
            index = dispatcher._cache._cache_file._index_path  # type: ignore[attr-defined]
            if not os.path.exists(index):
                missing.append(f"{name}.{dispatcher.__name__}")  # type: ignore[attr-defined]
    return sorted(missing)


def first_run(modules: tuple[str, ...] = KERNEL_MODULES) -> tuple[bool, int]:
    """Whether most public kernels are still uncompiled, and how many are."""
    import importlib

    total = len(
        [
            d
            for name in modules
            for d in _dispatchers(importlib.import_module(name))
            if not d.__name__.startswith("_")  # type: ignore[attr-defined]
        ]
    )
    missing = len(uncached_kernels(modules))
    return total > 0 and 2 * missing >= total, missing
