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
from typing import Any

__all__ = ["KERNEL_MODULES", "first_run", "uncached_kernels"]

#: Modules whose ``@njit(cache=True)`` functions a model run uses.
KERNEL_MODULES = (
    "mobility.network._kernels",
    "mobility.network._pathbased",
    "mobility.network._transit_kernels",
)


def _public_kernels(modules: tuple[str, ...]) -> list[tuple[str, Any]]:
    """``(module name, dispatcher)`` of every public ``cache=True`` kernel of ``modules``.

    Private kernels (``_name``) are left out: they are called from other kernels, compiled
    into them and never get an index of their own."""
    import importlib

    out = []
    for name in modules:
        for value in vars(importlib.import_module(name)).values():
            cache = getattr(value, "_cache", None)
            if cache is None or not hasattr(cache, "_cache_file"):
                continue
            if not value.__name__.startswith("_"):
                out.append((name, value))
    return out


def uncached_kernels(modules: tuple[str, ...] = KERNEL_MODULES) -> list[str]:
    """Names (``module.function``) of the public cached kernels that have no cache index yet."""
    return sorted(
        f"{name}.{d.__name__}"
        for name, d in _public_kernels(modules)
        if not os.path.exists(d._cache._cache_file._index_path)
    )


def first_run(modules: tuple[str, ...] = KERNEL_MODULES) -> tuple[bool, int]:
    """Whether most public kernels are still uncompiled, and how many are."""
    total = len(_public_kernels(modules))
    missing = len(uncached_kernels(modules))
    return total > 0 and 2 * missing >= total, missing
