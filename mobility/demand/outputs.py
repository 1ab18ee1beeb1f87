"""The model's output files: ``indicators.csv``, ``link_flows.csv``, ``pt_lines.csv``,
``zones.csv``, ``committed.csv``, ``map.gpkg`` and ``manifest.json``.

Numbers are written with fixed decimals per column (:func:`fixed_decimals`, never a
negative zero), so the same inputs give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mobility.demand.parameters import default_parameters_path
from mobility.demand.results import ModelResult
from mobility.demand.timeofday import default_time_of_day_path
from mobility.impacts import congestion
from mobility.tables import Column, TableSchema

__all__ = [
    "COMMITTED",
    "COMMITTED_COLUMNS",
    "INDICATORS",
    "LINK_COLUMNS",
    "LINK_DIGITS",
    "LINK_FLOWS",
    "PT_LINES",
    "PT_LINE_COLUMNS",
    "ZONES",
    "fixed_decimals",
    "link_flow_rows",
    "link_table",
    "write_model_outputs",
]

#: ``indicators.csv``: the reference scenario's indicators (decimals per row:
#: :func:`_indicator_digits`).
INDICATORS = TableSchema(
    "indicators.csv",
    (Column("indicator"), Column("value", "float"), Column("unit")),
    key=("indicator",),
)
#: ``link_flows.csv``: one row per directed road link, numbers with fixed decimals.
LINK_FLOWS = TableSchema(
    "link_flows.csv",
    (
        Column("link_id", "id"),
        Column("from", "id"),
        Column("to", "id"),
        Column("name"),
        Column("road_class"),
        Column("volume_peak_hour", "float", 1),
        Column("adt", "float", 0),
        Column("capacity", "float", 1),
        Column("free_flow_time_min", "float", 4),
        Column("congested_time_min", "float", 4),
    ),
    key=("link_id",),
)
#: ``pt_lines.csv``: one row per transit line.
PT_LINES = TableSchema(
    "pt_lines.csv",
    (
        Column("line"),
        Column("mode"),
        Column("boardings_per_weekday", "float", 1),
        Column("passenger_km_per_weekday", "float", 0),
        Column("max_load_per_weekday", "float", 0),
    ),
    key=("line",),
)
#: ``zones.csv``: one row per zone, its data and its results.
ZONES = TableSchema(
    "zones.csv",
    (
        Column("zone_id", "int"),
        Column("name"),
        Column("kind"),
        Column("municipality_code", "int"),
        Column("residents", "float", 0),
        Column("jobs", "float", 0),
        Column("trips_produced", "float", 1),
        Column("mode_share_car", "float", 6),
        Column("mode_share_pt", "float", 6),
        Column("mode_share_bike", "float", 6),
        Column("mode_share_walk", "float", 6),
        Column("mean_commute_km", "float", 1),
        Column("jobs_within_45min_car", "float", 1),
        Column("jobs_within_45min_pt", "float", 1),
    ),
    key=("zone_id",),
)
#: ``committed.csv``: the decided projects the scenario holds, with their sources
#: (``in_network`` 1 when open in the scenario year, so part of this run's network).
COMMITTED = TableSchema(
    "committed.csv",
    (
        Column("id"),
        Column("name"),
        Column("status"),
        Column("opening_year", "int"),
        Column("in_network", "int"),
        Column("source"),
    ),
    key=("id",),
)
PT_LINE_COLUMNS = PT_LINES.names
LINK_COLUMNS = LINK_FLOWS.names
COMMITTED_COLUMNS = COMMITTED.names


def fixed_decimals(x: float, digits: int) -> str:
    """``x`` with ``digits`` decimals, never a negative zero (stable CSV bytes).

    Parameters
    ----------
    x
        The number.
    digits
        Decimals.

    Returns
    -------
    str
    """
    s = f"{float(x):.{digits}f}"
    return "0." + "0" * digits if s.startswith("-") and float(s) == 0.0 else s


def _num_or_blank(x: float, digits: int) -> str:
    return fixed_decimals(x, digits) if math.isfinite(x) else ""


def _indicator_digits(name: str) -> int:
    if name.startswith("assignment") or "change" in name:
        return 10  # gaps of 1e-6 and below stay readable without scientific notation
    if name.startswith("mode_share"):
        return 6
    return 3


def link_table(result: ModelResult) -> dict[str, Any]:
    """The road links of a result as columns of :data:`LINK_COLUMNS` (numbers as arrays).

    Small enough to send between processes (``mobility evaluate`` keeps one per run for the
    per-project link files).

    Parameters
    ----------
    result
        A model result.

    Returns
    -------
    dict
        Column -> list (ids, names) or array (numbers).
    """
    net = result.road_net
    flows = np.asarray(result.assignment.flows, dtype=np.float64)
    adt = result.link_adt
    if adt is None:  # a result without time-of-day periods: single-hour approximation
        adt = congestion.adt_from_peak_hour(flows, annualisation=result.scenario.annualisation)
    meta = net.meta
    return {
        "link_id": list(meta["link_id"]),
        "from": list(meta["from_node_id"]),
        "to": list(meta["to_node_id"]),
        "name": list(meta["name"]),
        "road_class": list(meta["road_class"]),
        "volume_peak_hour": flows,
        "adt": np.asarray(adt, dtype=np.float64),
        "capacity": np.asarray(net.capacity, dtype=np.float64),
        "free_flow_time_min": np.asarray(net.free_flow_time, dtype=np.float64),
        "congested_time_min": np.asarray(result.assignment.times, dtype=np.float64),
    }


#: Decimals of the numeric link columns in the CSV files.
LINK_DIGITS = LINK_FLOWS.digits


def link_flow_rows(table: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of ``link_flows.csv`` (:data:`LINK_COLUMNS`) from :func:`link_table` columns.

    Parameters
    ----------
    table
        :func:`link_table` columns.

    Returns
    -------
    list of tuple
        One row per link, numbers formatted with :data:`LINK_DIGITS` decimals.
    """
    return [
        tuple(
            fixed_decimals(table[c][k], LINK_DIGITS[c]) if c in LINK_DIGITS else table[c][k]
            for c in LINK_COLUMNS
        )
        for k in range(len(table["link_id"]))
    ]


def write_model_outputs(result: ModelResult, folder: str | Path) -> dict[str, Path]:
    """Write the model's output files into ``folder`` (which must exist).

    Files: ``indicators.csv`` (indicator,value,unit), ``link_flows.csv`` (see
    :data:`LINK_COLUMNS`), ``pt_lines.csv`` (:data:`PT_LINE_COLUMNS`),
    ``zones.csv`` (zone results), ``committed.csv`` (:data:`COMMITTED_COLUMNS`),
    ``map.gpkg`` (:func:`mobility.gis.write_model_map`) and ``manifest.json``.

    Parameters
    ----------
    result
        A model result (:func:`mobility.demand.model.run_model`).
    folder
        The output folder.

    Returns
    -------
    dict
        Name -> path of each file written.
    """
    from mobility import __version__
    from mobility.fileio import contained_path, manifest, write_csv, write_json

    out: dict[str, Path] = {}
    ind_rows = [
        (name, fixed_decimals(v, _indicator_digits(name)), unit)
        for name, (v, unit) in result.indicators.items()
    ]
    out["indicators"] = write_csv(
        contained_path(folder, INDICATORS.file), INDICATORS.names, ind_rows
    )

    link_rows = link_flow_rows(link_table(result))
    out["link_flows"] = write_csv(contained_path(folder, LINK_FLOWS.file), LINK_COLUMNS, link_rows)

    pt_digits = PT_LINES.digits
    pt_rows = []
    for line in sorted(result.pt_boardings):
        load = result.pt_line_loads.get(line, {})
        pt_rows.append(
            (
                line,
                result.pt_line_mode[line],
                fixed_decimals(result.pt_boardings[line], pt_digits["boardings_per_weekday"]),
                _num_or_blank(
                    load.get("passenger_km", math.nan), pt_digits["passenger_km_per_weekday"]
                ),
                _num_or_blank(load.get("max_load", math.nan), pt_digits["max_load_per_weekday"]),
            )
        )
    out["pt_lines"] = write_csv(contained_path(folder, PT_LINES.file), PT_LINE_COLUMNS, pt_rows)

    zones = result.inputs.zones
    zi = result.zone_indicators
    zheader = ZONES.names
    zcols, zdigits = zheader[6:], ZONES.digits  # the results after the zones' own columns
    zrows = []
    for i in range(zones.n_zones):
        zrows.append(
            (
                int(zones.zone_id[i]),
                zones.name[i],
                zones.kind[i],
                int(zones.municipality_code[i]),
                fixed_decimals(zones.residents[i], zdigits["residents"]),
                fixed_decimals(zones.jobs[i], zdigits["jobs"]),
                *(fixed_decimals(zi[c][i], zdigits[c]) for c in zcols),
            )
        )
    out["zones"] = write_csv(contained_path(folder, ZONES.file), zheader, zrows)

    sc = result.scenario
    out["committed"] = write_csv(
        contained_path(folder, COMMITTED.file),
        COMMITTED_COLUMNS,
        [
            (
                c.id,
                c.name,
                c.status,
                c.opening_year,
                int(c.opening_year <= sc.year),
                " ".join(c.source.split()),
            )
            for c in sc.committed
        ],
    )

    from mobility.gis import write_model_map

    out["map"] = write_model_map(
        contained_path(folder, "map.gpkg"),
        links=(LINK_COLUMNS, link_rows),
        roads=result.inputs.roads,
        zones_table=(zheader, zrows),
        zones=zones,
        pt_lines=(PT_LINE_COLUMNS, pt_rows),
        transit=result.inputs.transit,
    )

    inputs: dict[str, Path] = {
        "demand_parameters": default_parameters_path(),
        "time_of_day": default_time_of_day_path(),
    }
    if result.scenario.path is not None:
        inputs["scenario"] = Path(result.scenario.path)
    inputs.update(result.scenario.region_files.files())
    settings = {
        "scenario": result.scenario.name,
        "year": result.scenario.year,
        "annualisation": result.annualisation,
        "feedback": result.feedback,
        "converged": result.converged,
        "feedback_tol": result.scenario.settings.feedback_tol,
        "rel_gap": result.scenario.settings.rel_gap,
        "committed_projects": [c.id for c in result.scenario.committed],
        "pt_route_choice": result.scenario.settings.pt_route_choice,
        "assignment": {
            "algorithm": getattr(result.assignment, "algorithm", ""),
            "rel_gap": float(result.assignment.rel_gap),
            "iterations": int(result.assignment.iterations),
        },
        "period_assignments": {
            name: {
                "hours_of_day": list(q.hours_of_day),
                "share_of_weekday_car_traffic": q.share,
                "rel_gap": float(r.rel_gap),
                "iterations": int(r.iterations),
            }
            for q, (name, r) in zip(
                result.time_of_day.periods if result.time_of_day else (),
                result.period_assignments.items(),
                strict=False,
            )
        },
    }
    out["manifest"] = write_json(
        contained_path(folder, "manifest.json"),
        manifest(
            version=__version__,
            inputs=inputs,
            settings=_json_safe(settings),
            timings_s=result.timings,
            outputs=dict(out),
        ),
    )
    return out


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj
