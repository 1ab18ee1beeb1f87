"""Progress output on stderr: a thin tqdm wrapper and a step timer.

Every long step of a command reports progress on stderr (never stdout, so piped CSV output
stays clean); ``quiet=True`` (the CLI's ``--quiet``) silences all of it. Step timings are also
logged at INFO level (``mobility -v``) so they show in logs even when bars are off.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_LOG = logging.getLogger("mobility.progress")

#: Steps shorter than this (seconds) are not announced on stderr.
STEP_REPORT_S = 1.0
#: Set once the first-run compilation has been announced in this process.
_ANNOUNCED = False


def announce_compilation(*, quiet: bool = False) -> bool:
    """Say once per process, on stderr, that numba is compiling the numerical kernels when
    some have no cache yet (the first run after installing). Returns whether it said so."""
    global _ANNOUNCED
    if quiet or _ANNOUNCED:
        return False
    from mobility.network.compilation import first_run

    first, missing = first_run()
    _ANNOUNCED = True
    if not first:
        return False
    print(
        f"mobility: first run: compiling {missing} numerical kernels with numba "
        "(about 30 s on 2 cores, once; later runs load them from the cache)",
        file=sys.stderr,
        flush=True,
    )
    return True


def progress(
    iterable: Iterable[T],
    *,
    total: int | None = None,
    desc: str,
    quiet: bool = False,
) -> Iterator[T]:
    """Iterate over ``iterable`` with a progress bar on stderr.

    Parameters
    ----------
    iterable
        The items to iterate over.
    total
        Number of items, if ``iterable`` has no ``len`` (for the time-left estimate).
    desc
        Short label shown before the bar (``"projects"``).
    quiet
        If true, no bar is drawn and the items are yielded unchanged.

    Yields
    ------
    T
        The items of ``iterable``, in order.
    """
    if quiet:
        yield from iterable
        return
    from tqdm import tqdm

    with tqdm(
        iterable,
        total=total,
        desc=desc,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
        delay=1.0,  # nothing drawn for loops that finish within a second
    ) as bar:
        yield from bar


@contextlib.contextmanager
def step(desc: str, *, quiet: bool = False) -> Iterator[dict[str, float]]:
    """Time a step; announce it on stderr when it took longer than one second.

    Parameters
    ----------
    desc
        What the step does (``"assigning reference"``).
    quiet
        If true, nothing is written to stderr (the INFO log line is still emitted).

    Yields
    ------
    dict
        A dict that holds ``{"seconds": elapsed}`` once the step ends, so callers can put
        the timing into the run manifest.
    """
    timing: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield timing
    finally:
        elapsed = time.perf_counter() - start
        timing["seconds"] = elapsed
        _LOG.info("%s: %.1f s", desc, elapsed)
        if not quiet and elapsed > STEP_REPORT_S:
            print(f"mobility: {desc} ({elapsed:.1f} s)", file=sys.stderr, flush=True)
