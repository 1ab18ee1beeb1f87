"""Reading a run folder for the report: its CSV tables, manifests, node coordinates and the
project files the run used.

:func:`load_run_folder` reads whatever of the run's CSV files exist into a :class:`RunData`
(typed cells; the columns of :data:`TEXT_COLUMNS` stay text) with a digest of the files read;
:func:`project_files` reads the project YAML files the run's manifest names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobility.demand.outputs import COMMITTED, INDICATORS, LINK_FLOWS, PT_LINES, ZONES
from mobility.errors import InputError
from mobility.fileio import sha256_file
from mobility.impacts.tables import CBA, IMPACTS, JUDGEMENTS, PROJECT_LINK_FLOWS, PROJECTS
from mobility.report.writers import read_table
from mobility.scoring.tables import FRONTIER, PORTFOLIO, RANKING, SCORES_LONG, SENSITIVITY
from mobility.tables import TableSchema, read_cells
from mobility.tables import read_table as read_schema_table

__all__ = [
    "OPTIONAL_TABLES",
    "RUN_TABLES",
    "SCHEMAS",
    "TEXT_COLUMNS",
    "RunData",
    "load_run_folder",
    "node_coords_from_graph",
    "project_files",
    "read_node_coords",
]


#: The issue-6 output tables a complete ``mobility run`` folder holds (file stem).
RUN_TABLES: tuple[str, ...] = (
    "indicators",
    "impacts",
    "cba",
    "ranking",
    "portfolio",
    "sensitivity",
)
#: Tables the report also uses when present (model link flows, project list, frontier).
OPTIONAL_TABLES: tuple[str, ...] = (
    "link_flows",
    "projects",
    "frontier",
    "judgements",
    "scores_long",
)

#: The schema of every table a run folder may hold, by file stem (``link_flows/<id>.csv``:
#: :data:`mobility.impacts.tables.PROJECT_LINK_FLOWS`).
SCHEMAS: dict[str, TableSchema] = {
    s.file.removesuffix(".csv"): s
    for s in (
        INDICATORS,
        LINK_FLOWS,
        PT_LINES,
        ZONES,
        COMMITTED,
        IMPACTS,
        PROJECTS,
        CBA,
        JUDGEMENTS,
        RANKING,
        SCORES_LONG,
        SENSITIVITY,
        PORTFOLIO,
        FRONTIER,
    )
}

#: Columns that hold identifiers or text and are never parsed as numbers (by
#: :func:`mobility.report.writers.convert_csv_dialect`).
TEXT_COLUMNS: frozenset[str] = frozenset(
    {
        "project_id",
        "name",
        "subcriterion",
        "indicator",
        "unit",
        "basis",
        "kind",
        "status",
        "municipalities",
        "region_part",
        "item",
        "year",
        "road_class",
        "project_ids",
        "selected_ids",
        "swap_with",
        "within_noise",
        "method",
        "line",
        "mode",
        "normalisation",
        "link_status",
        "decision",
        "decision_reason",
        "part",
        "level",
        "reason",
        "level_text",
    }
)


@dataclass
class RunData:
    """The tables of a run folder, as read by :func:`load_run_folder`.

    Attributes
    ----------
    tables
        File stem (``"ranking"``) -> ``(header, rows)`` with typed cells.
    missing
        Issue-6 output tables (:data:`RUN_TABLES`) that were not found.
    manifest
        The parsed ``manifest.json``, if present.
    manifest_sha256
        sha256 of ``manifest.json``'s bytes, if present.
    data_digest
        sha256 over the names and sha256 of every CSV file read (identifies the inputs).
    node_coords
        Node id -> ``(lon, lat)`` for the network maps (from a GMNS ``node.csv``).
    project_link_flows
        Project id -> ``(header, rows)`` of its ``link_flows.csv`` (for change maps).
    ranking_manifest
        The parsed ``ranking.manifest.json`` of ``mobility rank`` (weights, method), if present.
    folder
        The folder read, if any.
    """

    tables: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    manifest_sha256: str | None = None
    data_digest: str = ""
    node_coords: dict[Any, tuple[float, float]] = field(default_factory=dict)
    project_link_flows: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    folder: Path | None = None
    ranking_manifest: dict[str, Any] | None = None

    def records(self, name: str) -> list[dict[str, Any]]:
        """Rows of table ``name`` as dicts (empty list if the table is absent)."""
        if name not in self.tables:
            return []
        header, rows = self.tables[name]
        return [dict(zip(header, row, strict=True)) for row in rows]


def load_run_folder(
    folder: str | Path,
    *,
    nodes_csv: str | Path | None = None,
    link_flows_dir: str | Path | None = None,
) -> RunData:
    """Read the run's CSV files that exist in ``folder``.

    Parameters
    ----------
    folder
        A run output folder (``mobility run -o DIR``, or any folder with some of the files).
    nodes_csv
        A GMNS ``node.csv`` (``node_id``, ``x_coord`` = lon, ``y_coord`` = lat) giving node
        coordinates for the maps; default ``folder/node.csv`` if it exists (the lead can pass
        the bundled ``mobility/data/roads/node.csv``).
    link_flows_dir
        Folder of per-project link flows, ``<project_id>.csv`` in the ``link_flows.csv``
        format; default ``folder/link_flows/`` if it exists.

    Returns
    -------
    RunData
        Tables found, the list of missing issue-6 tables, manifest and digests.

    Raises
    ------
    InputError
        If ``folder`` is not a folder, or a CSV file is malformed.
    """
    base = Path(folder)
    if not base.is_dir():
        raise InputError("not a folder", file=base, expected="a run output folder")
    data = RunData(folder=base)
    digest = hashlib.sha256()
    for name in (*RUN_TABLES, *OPTIONAL_TABLES):
        path = base / f"{name}.csv"
        if path.is_file():
            if name == "sensitivity":
                header, rows = _read_sensitivity(path)
            else:
                header, rows = read_schema_table(path, SCHEMAS[name])
            if name == "projects":
                header[header.index("id")] = "project_id"  # issue 4 names it ``id``
            data.tables[name] = (header, rows)
            digest.update(f"{name}.csv {sha256_file(path)}\n".encode())
        elif name in RUN_TABLES:
            data.missing.append(f"{name}.csv")
    manifest_path = base / "manifest.json"
    if manifest_path.is_file():
        data.manifest = _read_json(manifest_path)
        data.manifest_sha256 = sha256_file(manifest_path)
    ranking_manifest = base / "ranking.manifest.json"
    if ranking_manifest.is_file():
        data.ranking_manifest = _read_json(ranking_manifest)
    nodes = Path(nodes_csv) if nodes_csv is not None else base / "node.csv"
    if nodes.is_file():
        data.node_coords = read_node_coords(nodes)
    flows_dir = Path(link_flows_dir) if link_flows_dir is not None else base / "link_flows"
    if flows_dir.is_dir():
        for path in sorted(flows_dir.glob("*.csv")):
            data.project_link_flows[path.stem] = read_schema_table(path, PROJECT_LINK_FLOWS)
            digest.update(f"link_flows/{path.name} {sha256_file(path)}\n".encode())
    data.data_digest = digest.hexdigest()
    return data


def _read_sensitivity(path: Path) -> tuple[list[str], list[list[Any]]]:
    """``sensitivity.csv`` in its schema's long form; a file with other columns (the wide
    form ``project_id,p_rank_1,p_rank_2,...`` of earlier versions) is read as it is, and the
    rank acceptability section says when it holds no rank probabilities."""
    header, _, _ = read_cells(path)
    if set(header) <= set(SENSITIVITY.names):
        return read_schema_table(path, SENSITIVITY)
    return read_table(path, text_columns=TEXT_COLUMNS)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    if not isinstance(obj, dict):
        raise InputError("not a JSON object", file=path, expected="a manifest object")
    return obj


def read_node_coords(path: str | Path) -> dict[Any, tuple[float, float]]:
    """Read node coordinates from a GMNS ``node.csv`` (``node_id``, ``x_coord``, ``y_coord``).

    ``x``/``y`` or ``lon``/``lat`` columns are accepted too.
    """
    header, rows = read_table(path)
    idx = {h: i for i, h in enumerate(header)}
    try:
        k = idx["node_id"]
        x = next(idx[c] for c in ("x_coord", "x", "lon") if c in idx)
        y = next(idx[c] for c in ("y_coord", "y", "lat") if c in idx)
    except (KeyError, StopIteration):
        raise InputError(
            "no node_id / x_coord / y_coord columns", file=path, expected="a GMNS node file"
        ) from None
    return {row[k]: (float(row[x]), float(row[y])) for row in rows}


def node_coords_from_graph(graph: Any) -> dict[Any, tuple[float, float]]:
    """Node id -> ``(lon, lat)`` from a networkx road graph with ``x``/``y`` node attributes."""
    return {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True) if "x" in d}


def project_files(data: RunData, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Project id -> its :class:`mobility.projects.Project`, read from the project files the
    run used: the manifest's ``project:<id>`` inputs, else ``settings["projects_dir"]``
    (as given, then beside the run folder). A file that no longer reads is left out (the
    report then shows what the CSV files hold)."""
    from mobility.projects import load_project

    paths: list[Path] = []
    inputs = (data.manifest or {}).get("inputs") or {}
    for key, entry in sorted(inputs.items()):
        if str(key).startswith("project:") and isinstance(entry, Mapping) and entry.get("path"):
            paths.append(Path(str(entry["path"])))
    if not paths and settings.get("projects_dir"):
        folder = Path(str(settings["projects_dir"]))
        for root in (folder, (data.folder or Path()) / folder):
            if root.is_dir():
                paths = sorted(root.glob("*.yaml"))
                break
    out: dict[str, Any] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            project = load_project(path)
        except (InputError, OSError, ValueError):
            continue
        out[project.id] = project
    return out
