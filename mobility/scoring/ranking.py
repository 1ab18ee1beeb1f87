"""From ``impacts.csv`` (+ ``projects.csv``) to a decision matrix, a ranking and ``ranking.csv``.

Inputs (issue 4): ``impacts.csv`` in long form ``project_id,name,subcriterion,indicator,value,
unit,basis`` and ``projects.csv`` (``id,name,kind,status,municipalities,opening_year,capex_mdkk,
opex_mdkk_per_year,construction_co2e_t,region_part``).

The decision matrix holds, per project, a 0-100 score for each of the twelve sub-criteria:
the indicator chosen by :func:`mobility.scoring.pejlemaerker.select_indicator`, normalised by
:mod:`mobility.scoring.normalise` (judged grades x 25; modelled values across the projects
scored on the same indicator by the scenario's method, winsorised min-max by default, or
percentile rank or plain min-max; a per-sub-criterion method, e.g. target-based, when the
weights file says so).
Pejlemærke scores are the within-criterion weighted means of the sub-criterion scores.

Outputs (see :func:`write_outputs`):

``ranking.csv``
    ``rank,project_id,name,score,pejlemaerke_1..6,judged_share,capex_mdkk,npv_mdkk,bcr,
    region_part`` and, with sensitivity, ``p_top_k,rank_mean,rank_p05,rank_p95,p_rank_stable,
    unstable,swap_with,swap_criterion,swap_weight_change``.
``scores_long.csv``
    One row per project and sub-criterion: the indicator and value used, its basis, the
    normalisation ``method``, the 0-100 ``sub_score`` and the sub-criterion's effective weight.
``sensitivity.csv``
    (with ``--sensitivity``) the rank acceptability matrix in long form.
``<ranking stem>.manifest.json``
    inputs with sha256, method, weights, settings; ``mobility compare`` reads the weights from it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mobility.errors import InputError, shown
from mobility.fileio import check_header, decimal_point
from mobility.impacts.tables import IMPACTS
from mobility.scoring import mcda, normalise
from mobility.scoring import pejlemaerker as pm
from mobility.scoring.sensitivity import (
    DEFAULT_CONCENTRATION,
    Acceptability,
    Swap,
    rank_acceptability,
    swap_numeric,
    swap_weighted_sum,
)
from mobility.scoring.tables import RANKING_BASE, RANKING_SENSITIVITY, SCORES_LONG, SENSITIVITY
from mobility.scoring.weights import NormalisationSpec, Weights, criterion_index
from mobility.tables import read_cells

#: The columns of ``impacts.csv`` the ranking needs (``noise_band`` is read when present).
IMPACTS_COLUMNS = IMPACTS.required
BASES = ("modelled", "judged")
#: ``projects.csv`` / ``ranking.csv`` ``decision``: a candidate is ranked; a decided project
#: (committed in the scenario) and one with nothing to model are listed, not ranked.
DECISIONS = ("candidate", "decided", "not_appraised")
RANKING_COLUMNS = tuple(c.name for c in RANKING_BASE)
SCORES_LONG_COLUMNS = SCORES_LONG.names


@dataclass(frozen=True)
class ImpactRow:
    """One row of ``impacts.csv`` (``line`` is the 1-based line in the file)."""

    project_id: str
    name: str
    subcriterion: str
    indicator: str
    value: float
    unit: str
    basis: str
    line: int
    #: the effect's measured noise band (impacts.csv ``noise_band``; None where not given)
    noise_band: float | None = None


@dataclass(frozen=True)
class ProjectInfo:
    """The columns of ``projects.csv`` the ranking uses (None where blank)."""

    id: str
    name: str
    capex_mdkk: float | None
    region_part: str
    opening_year: int | None
    construction_co2e_t: float | None
    #: one of :data:`DECISIONS` (``candidate`` where projects.csv has no such column)
    decision: str = "candidate"
    decision_reason: str = ""


def _read_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, dict]]]:
    """``(header, [(line, {column: cell}), ...])`` of a CSV file in either dialect
    (:func:`mobility.tables.read_cells`), names and cells stripped, decimal commas read as
    points, blank rows skipped; the ``required`` columns must be there."""
    header, raw, comma = read_cells(path)
    header = [h.strip() for h in header]
    check_header(header, file=path)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            line=1,
            expected="columns " + ",".join(required),
        )
    rows = []
    for line, row in raw:
        if all(not c.strip() for c in row):
            continue
        cells = [decimal_point(c.strip()) if comma else c.strip() for c in row]
        rows.append((line, dict(zip(header, cells, strict=True))))
    return header, rows


def _float(text: str, *, file: Path, field: str, line: int, blank_ok: bool = False) -> float | None:
    if text == "" and blank_ok:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"has value {shown(text)}", file=file, field=field, line=line, expected="a number"
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"has value {shown(text)}",
            file=file,
            field=field,
            line=line,
            expected="a finite number",
        )
    return value


def read_impacts(path: str | Path) -> list[ImpactRow]:
    """Read and validate ``impacts.csv``.

    Raises
    ------
    InputError
        For a missing column, a malformed row, an unknown sub-criterion or basis, a value that
        is not a finite number, a judged grade outside 0-4, or a duplicated
        (project, sub-criterion, indicator) row — naming file, line and field.
    """
    p = Path(path)
    _, rows = _read_rows(p, IMPACTS_COLUMNS)
    known_subs = pm.subcriterion_ids()
    out: list[ImpactRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, r in rows:
        pid = r["project_id"]
        if not pid:
            raise InputError(
                "is empty", file=p, field="project_id", line=line, expected="a project id"
            )
        sub = r["subcriterion"]
        if sub not in known_subs:
            raise InputError(
                f"has value {shown(sub)}",
                file=p,
                field="subcriterion",
                line=line,
                expected="1.1 ... 6.2",
            )
        basis = r["basis"]
        if basis not in BASES:
            raise InputError(
                f"has value {shown(basis)}",
                file=p,
                field="basis",
                line=line,
                expected="modelled or judged",
            )
        indicator = r["indicator"]
        if not indicator:
            raise InputError("is empty", file=p, field="indicator", line=line, expected="a name")
        value = _float(r["value"], file=p, field="value", line=line)
        assert value is not None
        if (
            basis == "judged" or indicator == pm.GRADE
        ) and not pm.GRADE_MIN <= value <= pm.GRADE_MAX:
            raise InputError(
                f"judged grade {value:g}", file=p, field="value", line=line, expected="a grade 0-4"
            )
        key = (pid, sub, indicator)
        if key in seen:
            raise InputError(
                f"duplicate row for project '{pid}', {sub}, {indicator} "
                f"(first on line {seen[key]})",
                file=p,
                line=line,
            )
        seen[key] = line
        band = _float(r.get("noise_band", ""), file=p, field="noise_band", line=line, blank_ok=True)
        if band is not None and band < 0:
            raise InputError(
                f"has value {band:g}", file=p, field="noise_band", line=line, expected=">= 0"
            )
        out.append(ImpactRow(pid, r["name"], sub, indicator, value, r["unit"], basis, line, band))
    if not out:
        raise InputError("has no data rows", file=p, expected="impacts rows")
    return out


def read_projects(path: str | Path) -> dict[str, ProjectInfo]:
    """Read ``projects.csv`` (id -> :class:`ProjectInfo`); blank numbers become None."""
    p = Path(path)
    _, rows = _read_rows(p, ("id", "name"))
    out: dict[str, ProjectInfo] = {}
    for line, r in rows:
        pid = r["id"]
        if not pid:
            raise InputError("is empty", file=p, field="id", line=line, expected="a project id")
        if pid in out:
            raise InputError(f"duplicate project id '{pid}'", file=p, field="id", line=line)
        capex = _float(
            r.get("capex_mdkk", ""), file=p, field="capex_mdkk", line=line, blank_ok=True
        )
        co2 = _float(
            r.get("construction_co2e_t", ""),
            file=p,
            field="construction_co2e_t",
            line=line,
            blank_ok=True,
        )
        year = _float(
            r.get("opening_year", ""), file=p, field="opening_year", line=line, blank_ok=True
        )
        decision = r.get("decision", "") or "candidate"
        if decision not in DECISIONS:
            raise InputError(
                f"has value '{decision}'",
                file=p,
                field="decision",
                line=line,
                expected=", ".join(DECISIONS),
            )
        out[pid] = ProjectInfo(
            pid,
            r["name"],
            capex,
            r.get("region_part", ""),
            int(year) if year is not None else None,
            co2,
            decision,
            r.get("decision_reason", ""),
        )
    return out


def is_candidate_row(row: Mapping[str, str]) -> bool:
    """Whether a ``ranking.csv`` row is a ranked candidate (``decision`` blank, absent or
    ``candidate``), not a decided or not-appraised project listed after the ranking."""
    return row.get("decision", "candidate") in ("", "candidate")


def split_candidates(
    rows: list[ImpactRow], projects: dict[str, ProjectInfo] | None
) -> tuple[list[ImpactRow], list[str]]:
    """The impacts rows of the candidates, and the ids of the other projects (decided or not
    appraised), in first-appearance order. Without ``projects`` every project is a candidate.

    Raises
    ------
    InputError
        If no candidate is left to rank.
    """
    if not projects:
        return rows, []
    keep, other = [], []
    for r in rows:
        info = projects.get(r.project_id)
        if info is None or info.decision == "candidate":
            keep.append(r)
        elif r.project_id not in other:
            other.append(r.project_id)
    if not keep:
        raise InputError(
            "lists no candidate to rank (every project is decided or not appraised)",
            field="decision",
            expected="at least one candidate",
        )
    return keep, other


def unranked_rows(
    rows: list[ImpactRow], ids: list[str], projects: dict[str, ProjectInfo]
) -> list[list[str]]:
    """``ranking.csv`` rows of projects that are listed but not ranked: decided first, then not
    appraised, each group in first-appearance order; blank rank and scores, the capex and the
    NPV and BCR of their appraisal."""
    cba: dict[tuple[str, str], float] = {
        (r.project_id, r.indicator): r.value
        for r in rows
        if r.subcriterion == "6.1" and r.indicator in ("npv_mdkk", "bcr", "nnk")
    }
    order = sorted(ids, key=lambda pid: DECISIONS.index(projects[pid].decision))
    n_crit = len(pm.criterion_ids())
    out = []
    for pid in order:
        info = projects[pid]
        out.append(
            [
                "",
                pid,
                info.name,
                "",
                *([""] * n_crit),
                "",
                fmt(info.capex_mdkk, 2),
                fmt(cba.get((pid, "npv_mdkk")), 2),
                fmt(cba.get((pid, "bcr")), 3),
                info.region_part,
                "",
                info.decision,
                fmt(cba.get((pid, "nnk")), 3),
            ]
        )
    return out


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


def check_projects(
    rows: list[ImpactRow], projects: dict[str, ProjectInfo], *, file: str | Path
) -> None:
    """Every project of ``impacts.csv`` must be listed in ``projects.csv``.

    Raises
    ------
    InputError
        Naming the first unknown id and its line in ``impacts.csv``.
    """
    for r in rows:
        if r.project_id not in projects:
            raise InputError(
                f"unknown project id '{r.project_id}' (impacts line {r.line}) "
                "is not in the projects file",
                file=file,
                field="id",
                expected="a row for every project in impacts.csv",
            )


def fmt(x: float | None, digits: int = 4) -> str:
    """Fixed-point text for a float; empty for None/NaN (deterministic, no locale)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = f"{float(x):.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def ranking_rows(ranking: Ranking, projects: dict[str, ProjectInfo] | None) -> list[list[str]]:
    """The rows of ``ranking.csv`` (without sensitivity columns), best first."""
    m = ranking.matrix
    rows = []
    for i in ranking.order:
        pid = m.project_ids[i]
        info = projects.get(pid) if projects else None
        rows.append(
            [
                str(int(ranking.rank[i])),
                pid,
                m.names[i],
                fmt(ranking.score[i]),
                *(fmt(v) for v in ranking.pejlemaerke[i]),
                fmt(ranking.judged_share[i]),
                fmt(info.capex_mdkk, 2) if info else "",
                fmt(m.npv_mdkk[i], 2),
                fmt(m.bcr[i], 3),
                info.region_part if info else "",
                ";".join(m.within_noise[i]) if m.within_noise else "",
                "candidate",
                fmt(m.nnk[i], 3) if m.nnk is not None else "",
            ]
        )
    return rows


def scores_long_rows(ranking: Ranking) -> list[list[str]]:
    """The rows of ``scores_long.csv``, in ranking order then sub-criterion order."""
    m = ranking.matrix
    eff = ranking.weights.effective
    rows = []
    for i in ranking.order:
        for j, s in enumerate(pm.subcriteria()):
            c = m.choices[i][j]
            rows.append(
                [
                    m.project_ids[i],
                    s.id,
                    c.indicator,
                    normalise.plain(c.value),
                    c.unit,
                    "judged" if c.judged else "modelled",
                    m.methods[i][j],
                    fmt(m.sub_scores[i, j]),
                    fmt(eff[j], 6),
                ]
            )
    return rows


SENSITIVITY_COLUMNS = tuple(c.name for c in RANKING_SENSITIVITY)
ACCEPTABILITY_COLUMNS = SENSITIVITY.names


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


def sensitivity_cells(ranking: Ranking, sens: SensitivityOutput, i: int) -> list[str]:
    """The sensitivity columns of ``ranking.csv`` for project index ``i``."""
    a = sens.acceptability
    swap = sens.swaps.get(i)
    cells = [
        fmt(a.p_top_k[i]),
        fmt(a.rank_mean[i], 3),
        str(int(a.rank_p05[i])),
        str(int(a.rank_p95[i])),
        fmt(a.p_rank_stable[i]),
        "1" if a.unstable[i] else "0",
    ]
    if swap is None:
        cells += ["", "", ""]
    elif swap.criterion < 0:
        cells += [ranking.matrix.project_ids[swap.lower], "", ""]
    else:
        cells += [
            ranking.matrix.project_ids[swap.lower],
            pm.criterion_ids()[swap.criterion],
            fmt(swap.delta_weight),
        ]
    return cells


def acceptability_rows(ranking: Ranking, sens: SensitivityOutput) -> list[list[str]]:
    """``sensitivity.csv`` in long form: every project (ranking order) x rank 1..n."""
    acc = sens.acceptability.acceptability
    rows = []
    for i in ranking.order:
        cum = np.cumsum(acc[i])
        for r in range(acc.shape[1]):
            rows.append(
                [ranking.matrix.project_ids[i], str(r + 1), fmt(acc[i, r]), fmt(min(cum[r], 1.0))]
            )
    return rows


def write_outputs(
    out: Path,
    ranking: Ranking,
    *,
    projects: dict[str, ProjectInfo] | None,
    sens: SensitivityOutput | None,
    manifest_info: dict[str, object],
    unranked: list[list[str]] | None = None,
) -> dict[str, Path]:
    """Write ``ranking.csv`` (at ``out``), ``scores_long.csv``, ``sensitivity.csv`` (with
    sensitivity) and ``<stem>.manifest.json`` next to it; all rendered before any is written.

    Returns
    -------
    dict
        Output name -> path.
    """
    from mobility import __version__
    from mobility.fileio import atomic_write_text, csv_text, manifest, write_json

    out = Path(out)
    folder = out.parent
    header = list(RANKING_COLUMNS)
    rows = ranking_rows(ranking, projects)
    if sens is not None:
        header += list(SENSITIVITY_COLUMNS)
        rows = [
            r + sensitivity_cells(ranking, sens, int(i))
            for r, i in zip(rows, ranking.order, strict=True)
        ]
    # decided and not-appraised projects: listed after the ranked ones, with blank cells
    rows += [r + [""] * (len(header) - len(r)) for r in unranked or []]
    # side files are named after the ranking (b.csv -> b_scores_long.csv), so that two rankings
    # in one folder keep theirs; ranking.csv keeps the plain names
    side = "" if out.stem == "ranking" else f"{out.stem}_"
    texts = {
        "ranking": (out, csv_text(header, rows)),
        "scores_long": (
            folder / f"{side}scores_long.csv",
            csv_text(SCORES_LONG_COLUMNS, scores_long_rows(ranking)),
        ),
    }
    if sens is not None:
        texts["sensitivity"] = (
            folder / f"{side}sensitivity.csv",
            csv_text(ACCEPTABILITY_COLUMNS, acceptability_rows(ranking, sens)),
        )
    paths = {}
    for name, (path, text) in texts.items():
        paths[name] = atomic_write_text(path, text)
    settings = dict(manifest_info.get("settings", {}))  # type: ignore[call-overload]
    settings["weights"] = ranking.weights.as_dict()
    inputs = manifest_info.get("inputs", {})
    doc = manifest(version=__version__, inputs=inputs, settings=settings, outputs=paths)  # type: ignore[arg-type]
    mpath = out.with_name(f"{out.stem}.manifest.json")
    write_json(mpath, doc)
    paths["manifest"] = mpath
    return paths
