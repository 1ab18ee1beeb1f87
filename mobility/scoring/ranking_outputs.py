"""What the ranking writes: ``ranking.csv``, ``scores_long.csv``, ``sensitivity.csv`` and the
manifest, and the fixed number format they share.

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

import math
from pathlib import Path

import numpy as np

from mobility.scoring import normalise
from mobility.scoring import pejlemaerker as pm
from mobility.scoring.ranking import Ranking, SensitivityOutput
from mobility.scoring.ranking_inputs import DECISIONS, ImpactRow, ProjectInfo
from mobility.scoring.tables import RANKING_BASE, RANKING_SENSITIVITY, SCORES_LONG, SENSITIVITY

__all__ = [
    "ACCEPTABILITY_COLUMNS",
    "RANKING_COLUMNS",
    "SCORES_LONG_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "acceptability_rows",
    "fmt",
    "ranking_rows",
    "scores_long_rows",
    "sensitivity_cells",
    "unranked_rows",
    "write_outputs",
]

RANKING_COLUMNS = tuple(c.name for c in RANKING_BASE)
SCORES_LONG_COLUMNS = SCORES_LONG.names


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
