"""Compare two ranked lists (two ``ranking.csv`` files from ``mobility rank``).

For each project in either list: its rank in A and in B and the shift (``rank_a - rank_b``,
positive = moved up in B), the scores, the change of each pejlemærke score, and the criterion
that drives the shift. Overall: Kendall's tau-b between the ranks of the projects in both
lists (:func:`scipy.stats.kendalltau`), and the overlap of the two top-k sets.

Driver of a shift. A criterion's contribution to a project's weighted-sum score is
``w_c * pejlemaerke_c`` (weights from ``<stem>.manifest.json`` written next to each ranking; if
a manifest is missing, equal weights are assumed and the output says so). What moves a project
past others is the change of its contribution minus the average change of the projects it
changed order with (or of all projects in both lists when it crossed none, e.g. a tie that
formed); the driver is the criterion with the largest such change in the direction of the
shift (up: largest gain; down: largest loss); ``driver_change`` is that change in score
points. This decomposition is exact for
the weighted sum and indicative for TOPSIS/PROMETHEE. So a change of weights, a change of
impacts, or both are all attributed to criteria.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mobility.errors import InputError
from mobility.scoring import pejlemaerker as pm
from mobility.scoring.ranking_inputs import is_candidate_row, read_rows
from mobility.scoring.ranking_outputs import fmt

CRIT_COLS = tuple(f"pejlemaerke_{c}" for c in pm.criterion_ids())
REQUIRED = ("rank", "project_id", "name", "score", *CRIT_COLS)
DIFF_COLUMNS = (
    "project_id",
    "name",
    "rank_a",
    "rank_b",
    "shift",
    "score_a",
    "score_b",
    *(f"delta_{c}" for c in CRIT_COLS),
    "driver",
    "driver_change",
)


@dataclass
class RankedList:
    """One ranking read back: per project rank, name, score, pejlemærke scores."""

    path: Path
    ids: list[str]
    names: dict[str, str]
    rank: dict[str, int]
    score: dict[str, float]
    crit: dict[str, np.ndarray]
    weights: np.ndarray
    weights_known: bool


def manifest_path(ranking_csv: str | Path) -> Path:
    """The manifest written next to a ranking: ``<stem>.manifest.json``."""
    p = Path(ranking_csv)
    return p.with_name(f"{p.stem}.manifest.json")


def read_ranking(path: str | Path) -> RankedList:
    """Read a ``ranking.csv`` (and its manifest's criterion weights if present).

    Raises
    ------
    InputError
        For missing columns, non-numeric values, duplicate project ids.
    """
    p = Path(path)
    _, rows = read_rows(p, REQUIRED)
    ids: list[str] = []
    names, rank, score, crit = {}, {}, {}, {}
    for line, r in rows:
        pid = r["project_id"]
        if not is_candidate_row(r):
            continue  # decided or not appraised: listed in the ranking, not ranked
        if not pid or pid in rank:
            raise InputError(
                f"empty or duplicate project id '{pid}'", file=p, field="project_id", line=line
            )
        try:
            rank[pid] = int(r["rank"])
        except ValueError:
            raise InputError(
                f"has value '{r['rank'][:40]}'",
                file=p,
                field="rank",
                line=line,
                expected="1, 2, ...",
            ) from None
        if rank[pid] < 1:
            raise InputError(
                f"has value {rank[pid]}", file=p, field="rank", line=line, expected=">= 1"
            )
        values = {}
        for col in ("score", *CRIT_COLS):
            try:
                values[col] = float(r[col])
            except ValueError:
                values[col] = math.nan
            if not math.isfinite(values[col]):
                raise InputError(
                    f"has value '{r[col][:40]}'",
                    file=p,
                    field=col,
                    line=line,
                    expected="a finite number",
                )
        score[pid] = values["score"]
        crit[pid] = np.array([values[c] for c in CRIT_COLS])
        ids.append(pid)
        names[pid] = r["name"]
    if not ids:
        raise InputError("has no data rows", file=p, expected="a ranking")
    weights, known = np.full(6, 1.0 / 6.0), False
    mp = manifest_path(p)
    if mp.is_file():
        try:
            data = json.loads(mp.read_text(encoding="utf-8"))
            cw = data["settings"]["weights"]["criteria"]
            weights = np.array([float(cw[c]) for c in pm.criterion_ids()])
            known = True
        except (ValueError, KeyError, TypeError):
            raise InputError(
                "cannot read criterion weights", file=mp, field="settings.weights"
            ) from None
    return RankedList(p, ids, names, rank, score, crit, weights, known)


@dataclass
class Comparison:
    """The result of :func:`compare`."""

    rows: list[list[str]]
    common: int
    only_a: list[str]
    only_b: list[str]
    tau: float
    tau_pvalue: float
    top_k: int
    top_k_overlap: int
    weights_known: bool


def _rank_of(rank: int | None) -> str:
    return "" if rank is None else str(rank)


def compare(a: RankedList, b: RankedList, *, top_k: int = 5) -> Comparison:
    """Compare two ranked lists (see module docstring)."""
    from scipy.stats import kendalltau

    common = [pid for pid in a.ids if pid in b.rank]
    only_a = [pid for pid in a.ids if pid not in b.rank]
    only_b = [pid for pid in b.ids if pid not in a.rank]
    ra = np.array([a.rank[p] for p in common], dtype=float)
    rb = np.array([b.rank[p] for p in common], dtype=float)
    tau, pval = float("nan"), float("nan")
    if len(common) >= 2 and np.ptp(ra) > 0 and np.ptp(rb) > 0:
        res = kendalltau(ra, rb)
        tau, pval = float(res.statistic), float(res.pvalue)
    top_a = {p for p in a.ids if a.rank[p] <= top_k}
    top_b = {p for p in b.ids if b.rank[p] <= top_k}
    overlap = len(top_a & top_b)

    contrib_change = {}
    if common:
        delta = np.array([b.weights * b.crit[p] - a.weights * a.crit[p] for p in common])
        for i, p in enumerate(common):
            # projects whose order relative to p differs between A and B
            crossed = [
                j
                for j, q in enumerate(common)
                if j != i and np.sign(a.rank[p] - a.rank[q]) != np.sign(b.rank[p] - b.rank[q])
            ]
            ref = delta[crossed].mean(axis=0) if crossed else delta.mean(axis=0)
            contrib_change[p] = delta[i] - ref

    rows = []
    for pid in common:
        shift = a.rank[pid] - b.rank[pid]
        driver, change = "", ""
        if shift != 0:
            signed = contrib_change[pid] * np.sign(shift)
            c = int(np.argmax(signed))
            if signed[c] > 0:
                driver, change = pm.criterion_ids()[c], fmt(float(contrib_change[pid][c]))
        rows.append(
            [
                pid,
                b.names[pid],
                str(a.rank[pid]),
                str(b.rank[pid]),
                str(shift),
                fmt(a.score[pid]),
                fmt(b.score[pid]),
                *(fmt(v) for v in b.crit[pid] - a.crit[pid]),
                driver,
                change,
            ]
        )
    rows.sort(key=lambda r: (-abs(int(r[4])), int(r[3]), r[0]))
    for pid in only_a:
        rows.append(
            [pid, a.names[pid], str(a.rank[pid]), "", "", fmt(a.score[pid]), "", *[""] * 6, "", ""]
        )
    for pid in only_b:
        rows.append(
            [pid, b.names[pid], "", str(b.rank[pid]), "", "", fmt(b.score[pid]), *[""] * 6, "", ""]
        )
    return Comparison(
        rows,
        len(common),
        only_a,
        only_b,
        tau,
        pval,
        top_k,
        overlap,
        a.weights_known and b.weights_known,
    )


def render_table(cmp: Comparison, *, a_name: str, b_name: str, limit: int = 20) -> str:
    """A readable plain-text summary and table of the largest shifts."""
    tau = "n/a (fewer than 2 ranked projects)" if math.isnan(cmp.tau) else f"{cmp.tau:.3f}"
    lines = [
        f"A: {a_name}",
        f"B: {b_name}",
        f"projects in both: {cmp.common}; only in A: {len(cmp.only_a)}; "
        f"only in B: {len(cmp.only_b)}",
        f"Kendall's tau-b: {tau}"
        + ("" if math.isnan(cmp.tau_pvalue) else f" (p = {cmp.tau_pvalue:.3g})"),
        f"top-{cmp.top_k} overlap: {cmp.top_k_overlap} of {cmp.top_k}",
    ]
    if not cmp.weights_known:
        lines.append("note: a manifest with weights is missing; drivers assume equal weights")
    header = ("project_id", "rank_a", "rank_b", "shift", "driver", "name")
    body = [(r[0], r[2], r[3], r[4], r[-2], r[1]) for r in cmp.rows[:limit]]
    widths = [
        max(len(h), *(len(row[i]) for row in body)) if body else len(h)
        for i, h in enumerate(header)
    ]
    lines.append("")
    lines.append("  ".join(h.ljust(wd) for h, wd in zip(header, widths, strict=True)).rstrip())
    for row in body:
        lines.append("  ".join(c.ljust(wd) for c, wd in zip(row, widths, strict=True)).rstrip())
    if len(cmp.rows) > limit:
        lines.append(f"... {len(cmp.rows) - limit} more rows in the CSV")
    return "\n".join(lines) + "\n"
