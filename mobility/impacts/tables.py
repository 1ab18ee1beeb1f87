"""The appraisal's output tables (docs/outputs.md): ``impacts.csv``, ``projects.csv``,
``cba.csv``, ``judgements.csv`` and ``link_flows/<project_id>.csv``.

``mobility evaluate`` writes them (:mod:`mobility.pipeline.evaluation`); the ranking, the
portfolio and the report read them. Their schemas live here, on the floor of what they
describe, so that every reader above can import them (:mod:`mobility.tables`).
"""

from __future__ import annotations

from mobility.demand.outputs import LINK_FLOWS
from mobility.tables import Column, TableSchema

__all__ = [
    "CBA",
    "IMPACTS",
    "JUDGEMENTS",
    "PROJECTS",
    "PROJECT_LINK_FLOWS",
]

#: ``impacts.csv``: project x sub-criterion x indicator, long form; ``noise_band`` (the
#: value's change when both runs are solved ten times tighter) is read when present.
IMPACTS = TableSchema(
    "impacts.csv",
    (
        Column("project_id"),
        Column("name"),
        Column("subcriterion"),
        Column("indicator"),
        Column("value", "float"),
        Column("unit"),
        Column("basis"),
        Column("noise_band", "float", optional=True),
    ),
    key=("project_id", "subcriterion", "indicator"),
)
#: ``projects.csv``: one row per project; a file without ``decision`` is all candidates.
PROJECTS = TableSchema(
    "projects.csv",
    (
        Column("id"),
        Column("name"),
        Column("kind"),
        Column("status"),
        Column("municipalities"),
        Column("opening_year", "int"),
        Column("capex_mdkk", "float"),
        Column("opex_mdkk_per_year", "float"),
        Column("construction_co2e_t", "float"),
        Column("region_part"),
        Column("decision", optional=True),
        Column("decision_reason", optional=True),
    ),
    key=("id",),
)
#: ``cba.csv``: project x cost-benefit item x year (``all``, or a year with
#: ``--cba-years``); ``pv_noise_mdkk`` on the ``all`` rows.
CBA = TableSchema(
    "cba.csv",
    (
        Column("project_id"),
        Column("item"),
        Column("year"),
        Column("value_mdkk", "float"),
        Column("pv_mdkk", "float"),
        Column("pv_noise_mdkk", "float", optional=True),
    ),
    key=("project_id", "item", "year"),
)
#: ``judgements.csv``: every judged and rule-based grade with its rubric level and reason.
JUDGEMENTS = TableSchema(
    "judgements.csv",
    (
        Column("project_id"),
        Column("part"),
        Column("subcriterion"),
        Column("level"),
        Column("grade", "int"),
        Column("reason"),
        Column("level_text"),
    ),
    key=("project_id", "part", "subcriterion"),
)
#: ``link_flows/<project_id>.csv``: the columns of ``link_flows.csv`` for the run with the
#: project, then the base's volumes, the change and the link's status (added, removed).
PROJECT_LINK_FLOWS = TableSchema(
    "link_flows/<project_id>.csv",
    (
        *LINK_FLOWS.columns,
        Column("volume_peak_hour_base", "float", LINK_FLOWS.digits["volume_peak_hour"], True),
        Column("adt_base", "float", LINK_FLOWS.digits["adt"], True),
        Column("volume_peak_hour_change", "float", LINK_FLOWS.digits["volume_peak_hour"], True),
        Column("adt_change", "float", LINK_FLOWS.digits["adt"], True),
        Column("link_status", optional=True),
    ),
    key=("link_id",),
)
