"""What every section of the report shares: the :class:`ReportContext` (the run's tables,
criterion names and weights, the language), the criterion weights and where they come from,
and the projects' names and order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mobility.errors import InputError
from mobility.report.i18n import Messages
from mobility.report.runfolder import RunData

__all__ = [
    "ReportContext",
    "criterion_weights",
    "default_criterion_names",
    "project_names",
    "ranking_order",
    "section_order",
    "subcriterion_names",
]


def default_criterion_names(lang: str = "da") -> dict[str, str]:
    """Names of the six pejlemærker in ``lang`` from :mod:`mobility.scoring.pejlemaerker`."""
    from mobility.scoring import pejlemaerker as pm

    return {c.id: c.name_da if lang == "da" else c.name_en for c in pm.CRITERIA}


def subcriterion_names(lang: str = "da") -> dict[str, str]:
    """Sub-criterion id -> name in ``lang`` from :mod:`mobility.scoring.pejlemaerker`."""
    from mobility.scoring import pejlemaerker as pm

    return {sc.id: sc.name_da if lang == "da" else sc.name_en for sc in pm.subcriteria()}


@dataclass
class ReportContext:
    """What the sections of one report share (built once by
    :func:`~mobility.report.html.render_report`).

    Attributes
    ----------
    data
        The run's tables.
    names
        Pejlemærke id (``"1"`` ... ``"6"``) -> its name in the report's language.
    weights
        The six criterion weights, normalised (:func:`criterion_weights`).
    weights_source
        Where the weights come from, as a phrase for the ranking section.
    method
        The ranking method (from the settings or the ranking's manifest), or ``""``.
    top_k
        The ``k`` of the ranking's top-k probability, if known.
    t
        The report's messages (language and number format).
    maps
        The maps' shared state (:mod:`mobility.report.maps`), False when there are no
        maps, None until computed.
    change_maps
        Project id -> its change map (:func:`mobility.report.maps.project_change_maps`),
        None until computed.
    project_files
        Project id -> its project file (:func:`mobility.report.runfolder.project_files`).
    """

    data: RunData
    names: dict[str, str]
    weights: np.ndarray
    weights_source: str
    method: str
    top_k: Any = None
    t: Messages = field(default_factory=Messages)
    maps: Any = None  # _MapState, or False when there are no maps (computed once)
    change_maps: dict[str, str] | None = None
    project_files: dict[str, Any] = field(default_factory=dict)


def criterion_weights(
    weights: Mapping[str, Any] | None,
    settings: Mapping[str, Any],
    ranking: Mapping[str, Any],
    t: Messages,
) -> tuple[np.ndarray, str]:
    """Criterion weights (normalised) and a phrase saying where they come from.

    Looks at, in order: the ``weights`` argument, the run settings, the ranking's manifest
    (``ranking.manifest.json`` of ``mobility rank``); a mapping with a ``criteria`` key (a
    weights file as ``mobility rank`` records it) is read through that key.

    Parameters
    ----------
    weights
        Weights given to the report, ``{"1": w, ...}``, or None.
    settings
        The run's settings (their ``weights``).
    ranking
        The settings of the ranking's manifest (their ``weights``).
    t
        The report's messages.

    Returns
    -------
    numpy.ndarray
        The six weights, summing to 1 (equal weights when none are found).
    str
        Where they come from.

    Raises
    ------
    InputError
        If the weights are negative, not finite or sum to zero.
    """
    candidates = (
        (weights, t("weights.given")),
        (settings.get("weights"), t("weights.settings")),
        (ranking.get("weights"), t("weights.rank")),
    )
    raw: Mapping[Any, Any] | None = None  # yaml keys may be int or str
    source = ""
    for cand, where in candidates:
        if isinstance(cand, Mapping) and isinstance(cand.get("criteria"), Mapping):
            name = cand.get("name")
            suffix = t("weights.profile", name=name) if name else ""
            raw, source = cand["criteria"], where + suffix
            break
        if isinstance(cand, Mapping) and cand:
            raw, source = cand, where
            break
    if raw is None:
        return np.full(6, 1.0 / 6.0), t("weights.equal")
    w = np.array([float(raw.get(str(k), raw.get(k, 0.0)) or 0.0) for k in range(1, 7)])
    if not np.all(np.isfinite(w)) or w.sum() <= 0 or (w < 0).any():
        raise InputError(
            "criterion weights must be non-negative with a positive sum", field="weights"
        )
    return w / w.sum(), source


def project_names(ctx: ReportContext) -> dict[str, str]:
    """Project id -> name, from projects.csv, then impacts.csv, then ranking.csv.

    Parameters
    ----------
    ctx
        The report's context.

    Returns
    -------
    dict
        The names of the projects that have one.
    """
    out: dict[str, str] = {}
    for table in ("projects", "impacts", "ranking"):
        for r in ctx.data.records(table):
            pid = r.get("project_id")
            if pid is not None and r.get("name") and pid not in out:
                out[pid] = str(r["name"])
    return out


def _rank_key(record: Mapping[str, Any]) -> float:
    """Sort key of a ranking record: its rank, unranked records last."""
    rank = record.get("rank")
    return 1e9 if rank is None else rank


def ranking_order(ctx: ReportContext) -> list[str]:
    """Project ids in ranking order (unranked last), else in the order of projects.csv and
    impacts.csv when there is no ranking.

    Parameters
    ----------
    ctx
        The report's context.

    Returns
    -------
    list of str
        The project ids.
    """
    ranking = ctx.data.records("ranking")
    if ranking:
        ranked = sorted(ranking, key=_rank_key)
        return [r["project_id"] for r in ranked]
    seen: list[str] = []
    for table in ("projects", "impacts"):
        for r in ctx.data.records(table):
            if r.get("project_id") not in seen and r.get("project_id") is not None:
                seen.append(r["project_id"])
    return seen


def section_order(ctx: ReportContext) -> list[str]:
    """The projects that get a section, in ranking order (then projects.csv, impacts.csv).

    Parameters
    ----------
    ctx
        The report's context.

    Returns
    -------
    list of str
        The project ids; empty when there is neither impacts.csv nor projects.csv.
    """
    if not ctx.data.records("impacts") and not ctx.data.records("projects"):
        return []
    order = ranking_order(ctx)
    for table in ("projects", "impacts"):
        for r in ctx.data.records(table):
            pid = r.get("project_id")
            if pid is not None and pid not in order:
                order.append(pid)
    return order
