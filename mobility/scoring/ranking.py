"""From the impacts rows to a decision matrix, a ranking and its sensitivity.

The decision matrix holds, per project, a 0-100 score for each of the twelve sub-criteria:
the indicator chosen by :func:`mobility.scoring.pejlemaerker.select_indicator`, normalised by
:mod:`mobility.scoring.normalise` (judged grades x 25; modelled values across the projects
scored on the same indicator by the scenario's method, winsorised min-max by default, or
percentile rank or plain min-max; a per-sub-criterion method, e.g. target-based, when the
weights file says so).
Pejlemærke scores are the within-criterion weighted means of the sub-criterion scores.

The inputs are read by :mod:`mobility.scoring.ranking_inputs`; the files ``ranking.csv``,
``scores_long.csv``, ``sensitivity.csv`` and the manifest are written by
:mod:`mobility.scoring.ranking_outputs`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mobility.errors import InputError
from mobility.scoring import mcda, normalise
from mobility.scoring import pejlemaerker as pm
from mobility.scoring.ranking_inputs import ImpactRow
from mobility.scoring.sensitivity import (
    DEFAULT_CONCENTRATION,
    Acceptability,
    Swap,
    rank_acceptability,
    swap_numeric,
    swap_weighted_sum,
)
from mobility.scoring.weights import NormalisationSpec, Weights, criterion_index

__all__ = [
    "DecisionMatrix",
    "Ranking",
    "SensitivityOutput",
    "build_matrix",
    "criterion_score_fn",
    "display_subweights",
    "normalisation_alternatives",
    "pejlemaerke_scores",
    "rank_projects",
    "run_sensitivity",
]


@dataclass
class DecisionMatrix:
    """Projects x sub-criteria scores and what they rest on.

    Attributes
    ----------
    project_ids, names
        In first-appearance order of ``impacts.csv``.
    sub_scores
        (n, 12) 0-100 scores.
    judged
        (n, 12) True where the score is a judged grade.
    choices
        [n][12] the :class:`~mobility.scoring.pejlemaerker.Choice` behind each score.
    methods
        [n][12] normalisation method name.
    npv_mdkk, bcr, nnk
        (n,) from the 6.1 rows when present, NaN otherwise.
    within_noise
        [n] the sub-criteria whose modelled indicator is no larger than its measured noise
        band: an effect not distinguishable from zero.
    """

    project_ids: list[str]
    names: list[str]
    sub_scores: np.ndarray
    judged: np.ndarray
    choices: list[list[pm.Choice]]
    methods: list[list[str]]
    npv_mdkk: np.ndarray
    bcr: np.ndarray
    within_noise: list[tuple[str, ...]] = field(default_factory=list)
    nnk: np.ndarray | None = None


def build_matrix(
    rows: list[ImpactRow],
    *,
    normalisation: dict[str, NormalisationSpec] | None = None,
    method: str = normalise.DEFAULT_METHOD,
    file: str | Path | None = None,
) -> DecisionMatrix:
    """Choose an indicator per project and sub-criterion and normalise it to 0-100.

    Parameters
    ----------
    rows
        The impacts rows of the projects to rank.
    normalisation
        Per-sub-criterion methods from the weights file; they override ``method``.
    method
        The normalisation of modelled values across the projects sharing an indicator, one of
        :data:`mobility.scoring.normalise.SCENARIO_METHODS` (the scenario's choice).
    file
        The impacts file, named in errors.

    Raises
    ------
    InputError
        If a project lacks rows for a sub-criterion or has only unknown modelled indicators.
    """
    normalisation = normalisation or {}
    if method not in normalise.SCENARIO_METHODS:
        raise InputError(
            f"unknown normalisation '{method}'",
            field="normalisation",
            expected=", ".join(normalise.SCENARIO_METHODS),
        )
    ids: list[str] = []
    names: dict[str, str] = {}
    grouped: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r.project_id not in names:
            ids.append(r.project_id)
            names[r.project_id] = r.name
        grouped.setdefault((r.project_id, r.subcriterion), []).append(
            {"indicator": r.indicator, "value": r.value, "unit": r.unit, "basis": r.basis}
        )
    subs = pm.subcriteria()
    n, m = len(ids), len(subs)
    fname = str(file) if file is not None else None
    choices = [
        [
            pm.select_indicator(s, grouped.get((pid, s.id), []), project_id=pid, file=fname)
            for s in subs
        ]
        for pid in ids
    ]
    scores = np.zeros((n, m))
    judged = np.zeros((n, m), dtype=bool)
    methods = [[""] * m for _ in range(n)]
    for j, s in enumerate(subs):
        spec = normalisation.get(s.id, NormalisationSpec(method))
        groups: dict[str, list[int]] = {}
        for i in range(n):
            c = choices[i][j]
            if c.judged:
                judged[i, j] = True
                scores[i, j] = float(normalise.grade(np.array([c.value]))[0])
                methods[i][j] = "grade"
            else:
                groups.setdefault(c.indicator, []).append(i)
        for indicator, members in list(groups.items()):
            # normalising a single project is meaningless: use its judged grade if it has one
            if len(members) == 1:
                i = members[0]
                alt = [r for r in grouped.get((ids[i], s.id), []) if r["basis"] == "judged"]
                if alt:
                    choices[i][j] = pm.select_indicator(s, alt, project_id=ids[i], file=fname)
                    judged[i, j] = True
                    scores[i, j] = float(normalise.grade(np.array([choices[i][j].value]))[0])
                    methods[i][j] = "grade"
                    del groups[indicator]
        for members in groups.values():
            vals = np.array([choices[i][j].value for i in members])
            direction = choices[members[0]][j].direction
            if spec.method == "target":
                assert spec.zero is not None and spec.target is not None
                sc = normalise.target(vals, zero=spec.zero, target=spec.target)
                label = f"target(zero={spec.zero:g},target={spec.target:g})"
            else:
                sc, label = normalise.across_projects(vals, method=spec.method, direction=direction)
            for i, v in zip(members, sc, strict=True):
                scores[i, j] = v
                methods[i][j] = label
    npv = np.full(n, np.nan)
    bcr = np.full(n, np.nan)
    nnk = np.full(n, np.nan)
    for i, pid in enumerate(ids):
        for cell in grouped.get((pid, "6.1"), []):
            if cell["indicator"] == "npv_mdkk":
                npv[i] = cell["value"]
            elif cell["indicator"] == "bcr":
                bcr[i] = cell["value"]
            elif cell["indicator"] == "nnk":
                nnk[i] = cell["value"]
    bands = {(r.project_id, r.subcriterion, r.indicator): r.noise_band for r in rows}
    within_noise = [
        tuple(
            s.id
            for j, s in enumerate(subs)
            if not judged[i, j]
            and _within_noise(choices[i][j], bands.get((pid, s.id, choices[i][j].indicator)))
        )
        for i, pid in enumerate(ids)
    ]
    return DecisionMatrix(
        ids, [names[i] for i in ids], scores, judged, choices, methods, npv, bcr, within_noise, nnk
    )


def _within_noise(choice: pm.Choice, band: float | None) -> bool:
    """Whether a modelled value cannot be told apart from zero: ``|value| <= band``."""
    return band is not None and abs(choice.value) <= band


def display_subweights(weights: Weights) -> np.ndarray:
    """(12,) within-criterion weights, equal where a criterion's sub-criteria all weigh 0."""
    cidx = criterion_index()
    sw = weights.subcriteria.copy()
    for c in range(6):
        cols = np.flatnonzero(cidx == c)
        if sw[cols].sum() <= 0:
            sw[cols] = 1.0 / len(cols)
    return sw


def pejlemaerke_scores(sub_scores: np.ndarray, weights: Weights) -> np.ndarray:
    """(n, 6) criterion scores: within-criterion weighted means of the sub-criterion scores.

    A criterion weighted 0 (whose sub-criteria may all weigh 0) shows the plain mean.
    """
    cidx = criterion_index()
    sw = display_subweights(weights)
    out = np.zeros((sub_scores.shape[0], 6))
    for c in range(6):
        cols = np.flatnonzero(cidx == c)
        out[:, c] = sub_scores[:, cols] @ sw[cols]
    return out


def criterion_score_fn(
    sub_scores: np.ndarray,
    weights: Weights,
    *,
    method: str,
    preference: str = "linear",
    p_threshold: float = 50.0,
) -> Callable[[np.ndarray], np.ndarray]:
    """Scores as a function of the six criterion weights ((6,) or (N, 6)), sub-weights fixed."""
    sw = display_subweights(weights)
    cidx = criterion_index()

    def score_fn(crit_w: np.ndarray) -> np.ndarray:
        eff = np.asarray(crit_w, dtype=np.float64)[..., cidx] * sw
        return mcda.scores(sub_scores, eff, method=method, preference=preference, p=p_threshold)

    return score_fn


@dataclass
class Ranking:
    """A ranking of the projects of a :class:`DecisionMatrix`.

    ``score`` is on a 0-100 scale for every method (see :func:`mcda.scores`); ``rank`` are
    competition ranks (ties share the lowest rank); ``order`` lists project indices best
    first (ties by project id).
    """

    matrix: DecisionMatrix
    weights: Weights
    method: str
    score: np.ndarray
    rank: np.ndarray
    pejlemaerke: np.ndarray
    judged_share: np.ndarray
    order: np.ndarray
    preference: str
    p_threshold: float


def rank_projects(
    matrix: DecisionMatrix,
    weights: Weights,
    *,
    method: str = "weighted_sum",
    preference: str = "linear",
    p_threshold: float = 50.0,
) -> Ranking:
    """Score and rank the projects.

    Parameters
    ----------
    matrix
        The decision matrix.
    weights
        Criterion and sub-criterion weights; the MCDA runs on the twelve sub-criteria with
        their effective weights (criterion weight x within-criterion weight).
    method
        ``weighted_sum``, ``topsis`` or ``promethee``.
    preference, p_threshold
        PROMETHEE preference function (``usual`` or ``linear``) and, for ``linear``, the score
        difference (0-100 points) from which one project is fully preferred.
    """
    if method not in mcda.METHODS:
        raise InputError(
            f"unknown method '{method}'", field="method", expected=", ".join(mcda.METHODS)
        )
    eff = weights.effective
    score = mcda.scores(matrix.sub_scores, eff, method=method, preference=preference, p=p_threshold)
    rank = mcda.rank_desc(score)
    contrib = matrix.sub_scores * eff
    total = contrib.sum(axis=1)
    judged_part = (contrib * matrix.judged).sum(axis=1)
    share = np.divide(judged_part, total, out=np.zeros_like(total), where=total > 0)
    order = np.array(
        sorted(range(len(rank)), key=lambda i: (rank[i], matrix.project_ids[i])), dtype=np.int64
    )
    return Ranking(
        matrix,
        weights,
        method,
        score,
        rank,
        pejlemaerke_scores(matrix.sub_scores, weights),
        share,
        order,
        preference,
        p_threshold,
    )


@dataclass
class SensitivityOutput:
    """Rank acceptability and neighbour swaps for a :class:`Ranking`.

    ``normalisations`` lists the methods the draws picked among (empty: the ranking's own
    normalisation in every draw).
    """

    acceptability: Acceptability
    swaps: dict[int, Swap]  # upper project index -> swap with the next project in the order
    normalisations: tuple[str, ...] = ()

    def settings(self) -> dict[str, object] | None:
        """The normalisation draws for a manifest (None when the normalisation was fixed)."""
        used = self.acceptability.alternative_draws
        if not self.normalisations or used is None:
            return None
        return {
            "methods": list(self.normalisations),
            "draws": {m: int(k) for m, k in zip(self.normalisations, used, strict=True)},
        }


def normalisation_alternatives(
    rows: list[ImpactRow],
    weights: Weights,
    *,
    methods: tuple[str, ...] = normalise.ROBUST_METHODS,
    file: str | Path | None = None,
) -> dict[str, np.ndarray]:
    """(n, 12) sub-criterion scores of the same projects under each normalisation method.

    The weights file's per-sub-criterion methods (e.g. ``target``) and the judged grades are
    the same in every alternative; only the other modelled sub-criteria change.
    """
    return {
        m: build_matrix(rows, normalisation=weights.normalisation, method=m, file=file).sub_scores
        for m in methods
    }


def run_sensitivity(
    ranking: Ranking,
    *,
    n_samples: int,
    top_k: int,
    seed: int = 0,
    concentration: float = DEFAULT_CONCENTRATION,
    alternatives: dict[str, np.ndarray] | None = None,
) -> SensitivityOutput:
    """Rank acceptability over ``n_samples`` Dirichlet weight draws, and neighbour swaps.

    With ``alternatives`` (method -> (n, 12) sub-criterion scores of the ranking's projects,
    :func:`normalisation_alternatives`) each draw also picks one normalisation uniformly
    (:func:`mobility.scoring.sensitivity.rank_acceptability`), so the acceptability reflects
    both; the base rank and the swaps stay those of the ranking's own normalisation. The swap
    of each project with the next one in the ranking uses the closed form for the weighted
    sum and the grid scan otherwise (:mod:`mobility.scoring.sensitivity`).
    """

    def score_fn(sub_scores: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        return criterion_score_fn(
            sub_scores,
            ranking.weights,
            method=ranking.method,
            preference=ranking.preference,
            p_threshold=ranking.p_threshold,
        )

    fn = score_fn(ranking.matrix.sub_scores)
    alts = alternatives or {}
    names = tuple(alts)
    for name, sub_scores in alts.items():
        if sub_scores.shape != ranking.matrix.sub_scores.shape:
            raise ValueError(f"alternative normalisation {name!r} has another shape")
    acc = rank_acceptability(
        fn,
        ranking.weights.criteria,
        n_samples=n_samples,
        top_k=top_k,
        concentration=concentration,
        seed=seed,
        alternatives=[score_fn(alts[m]) for m in names] or None,
    )
    order = [int(i) for i in ranking.order]
    pairs = list(itertools.pairwise(order))
    if ranking.method == "weighted_sum":
        swaps = [
            swap_weighted_sum(ranking.pejlemaerke, ranking.weights.criteria, a, b) for a, b in pairs
        ]
    else:
        swaps = swap_numeric(fn, ranking.weights.criteria, pairs)
    return SensitivityOutput(acc, {s.upper: s for s in swaps}, names)
