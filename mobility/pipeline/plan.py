"""The model runs an evaluation needs: the (reference, project) pair of jobs of every unit.

Every project (and every combination) of a catalogue is appraised against the reference
scenario in the scenario year and in each of its ``forecast_years``; :func:`_pairs` names
the two runs of each unit in one model year and adds the :class:`mobility.pipeline.runner.Job`
of each run once (runs shared by several units, such as the reference, are run once).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mobility.pipeline.runner import REFERENCE, Job


def _is_reference(key: str) -> bool:
    """Whether a job key is a reference run (of the scenario year or a forecast year)."""
    return key == REFERENCE or key.startswith(REFERENCE + "@")


def _pairs(
    units: Sequence[Any],
    scenario: Any,
    year: int,
    spath: str,
    rel_gap: float,
    tag: str,
    code: int,
    jobs: dict[str, Job],
) -> dict[str, tuple[str, str]]:
    """The (reference, project) job keys of every unit in model ``year``; adds the jobs.

    A unit is appraised the same way in every model year, as the scenario year decides:

    * a project the scenario holds in its own year (decided and open by then, e.g. V2/V3 in
      reference_2035) is the reference against the reference without it;
    * a decided project that opens between the scenario year and ``year`` (M5 stage 1, 2036)
      stays what it is in the scenario year, an addition: both runs leave its committed entry
      out and the project run adds the project file, so the two years appraise one project;
    * a project without network changes runs exactly as the reference, whose run is reused.

    ``tag`` suffixes the keys of a forecast year (``@2045``), ``code`` is its
    :attr:`Job.year`.
    """
    first = {c.id for c in scenario.committed if c.opening_year <= scenario.year}
    later = {c.id for c in scenario.committed if c.opening_year <= year} - first
    ref = REFERENCE + tag
    jobs.setdefault(ref, Job(ref, spath, (), rel_gap, year=code))
    pairs: dict[str, tuple[str, str]] = {}
    for unit in units:
        parts = getattr(unit, "parts", None) or [unit]
        drop = tuple(sorted(p.id for p in parts if p.id in first))
        late = tuple(sorted(p.id for p in parts if p.id in later))
        add = tuple(str(Path(p.path).resolve()) for p in parts if p.id not in first and p.changes)
        base_out = tuple(sorted((*drop, *late)))
        base_key = ref if not base_out else "__without__" + "+".join(base_out) + tag
        if base_out:
            jobs.setdefault(base_key, Job(base_key, spath, (), rel_gap, base_out, year=code))
        if add:
            proj_key = unit.id + tag
            jobs[proj_key] = Job(proj_key, spath, add, rel_gap, late, year=code)
        elif late:
            proj_key = "__without__" + "+".join(late) + tag
            jobs.setdefault(proj_key, Job(proj_key, spath, (), rel_gap, late, year=code))
        else:
            proj_key = ref
        pairs[unit.id] = (base_key, proj_key)
    return pairs
