"""The scoring's output tables (docs/outputs.md): ``ranking.csv``, ``scores_long.csv``,
``sensitivity.csv``, ``portfolio.csv`` and ``frontier.csv``.

``mobility rank`` writes the first three (:mod:`mobility.scoring.ranking`), ``mobility
optimise`` the last two (:mod:`mobility.scoring.portfolio_outputs`); the portfolio and the
report read them with these schemas (:mod:`mobility.tables`).
"""

from __future__ import annotations

from mobility.scoring import pejlemaerker as pm
from mobility.tables import Column, TableSchema

__all__ = [
    "FRONTIER",
    "PORTFOLIO",
    "RANKING",
    "RANKING_BASE",
    "RANKING_SENSITIVITY",
    "SCORES_LONG",
    "SENSITIVITY",
]

#: The columns of ``ranking.csv`` every ranking writes (scores with 4 decimals, capex and
#: NPV with 2, BCR and NNK with 3).
RANKING_BASE: tuple[Column, ...] = (
    Column("rank", "int"),
    Column("project_id"),
    Column("name"),
    Column("score", "float", 4),
    *(Column(f"pejlemaerke_{c}", "float", 4) for c in pm.criterion_ids()),
    Column("judged_share", "float", 4),
    Column("capex_mdkk", "float", 2),
    Column("npv_mdkk", "float", 2),
    Column("bcr", "float", 3),
    Column("region_part"),
    Column("within_noise", optional=True),
    Column("decision", optional=True),
    Column("nnk", "float", 3, optional=True),
)
#: The columns ``--sensitivity N`` adds to ``ranking.csv``.
RANKING_SENSITIVITY: tuple[Column, ...] = (
    Column("p_top_k", "float", 4, optional=True),
    Column("rank_mean", "float", 3, optional=True),
    Column("rank_p05", "int", optional=True),
    Column("rank_p95", "int", optional=True),
    Column("p_rank_stable", "float", 4, optional=True),
    Column("unstable", "int", optional=True),
    Column("swap_with", optional=True),
    Column("swap_criterion", "id", optional=True),
    Column("swap_weight_change", "float", 4, optional=True),
)
#: ``ranking.csv``: one row per project, best first (``within_noise``, ``decision`` and
#: ``nnk`` are read when present: earlier rankings lack them).
RANKING = TableSchema("ranking.csv", (*RANKING_BASE, *RANKING_SENSITIVITY), key=("project_id",))
#: ``scores_long.csv``: project x sub-criterion, the indicator scored and its 0-100 score.
SCORES_LONG = TableSchema(
    "scores_long.csv",
    (
        Column("project_id"),
        Column("subcriterion"),
        Column("indicator"),
        Column("value", "float"),
        Column("unit"),
        Column("basis"),
        Column("method"),
        Column("sub_score", "float", 4),
        Column("weight", "float", 6),
    ),
    key=("project_id", "subcriterion"),
)
#: ``sensitivity.csv``: the rank acceptability matrix in long form, project x rank.
SENSITIVITY = TableSchema(
    "sensitivity.csv",
    (
        Column("project_id"),
        Column("rank", "int"),
        Column("probability", "float", 4),
        Column("cumulative", "float", 4),
    ),
    key=("project_id", "rank"),
)
#: ``portfolio.csv``: one row per project, ``selected`` 1/0.
PORTFOLIO = TableSchema(
    "portfolio.csv",
    (
        Column("project_id"),
        Column("name"),
        Column("selected", "int"),
        Column("start_year", "int"),
        Column("capex_mdkk", "float"),
        Column("score", "float"),
    ),
    key=("project_id",),
)
#: ``frontier.csv``: one row per budget level of ``--pareto``.
FRONTIER = TableSchema(
    "frontier.csv",
    (
        Column("budget_mdkk", "float"),
        Column("status"),
        Column("total_score", "float"),
        Column("total_capex_mdkk", "float"),
        Column("n_selected", "int"),
        Column("selected_ids"),
        Column("total_npv_mdkk", "float"),
    ),
    key=("budget_mdkk",),
)
