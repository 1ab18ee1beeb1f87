"""The self-contained HTML report (``report.html``) of a run folder.

:func:`load_run_folder` reads whatever of the run's CSV files exist; :func:`render_report`
turns them into one HTML document with inline CSS, inline SVG figures (as ``data:`` URIs)
and one tiny inline script that records script and resource errors in a DOM marker
(``#report-status[data-errors]``) so that a headless-browser test can check the page loaded
cleanly. Nothing is fetched from the network: no CDN, no web fonts, no external scripts.

The report degrades gracefully: every section whose input file is absent says so instead
of failing. All text from the inputs is HTML-escaped. The same inputs give the same bytes
(no timestamps; the footer names the version, the manifest's sha256 and a digest of the
CSV files the report was built from).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from mobility.errors import InputError
from mobility.fileio import atomic_write_text, sha256_file
from mobility.report import plots
from mobility.report.writers import read_table

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
OPTIONAL_TABLES: tuple[str, ...] = ("link_flows", "projects", "frontier")

#: Columns that hold identifiers or text and are never parsed as numbers.
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
    }
)


def default_criterion_names() -> dict[str, str]:
    """English names of the six pejlemærker from :mod:`mobility.scoring.pejlemaerker`."""
    from mobility.scoring import pejlemaerker as pm

    return {c.id: c.name_en for c in pm.CRITERIA}


def subcriterion_names() -> dict[str, tuple[str, str]]:
    """Sub-criterion id -> (English, Danish) name from :mod:`mobility.scoring.pejlemaerker`."""
    from mobility.scoring import pejlemaerker as pm

    return {sc.id: (sc.name_en, sc.name_da) for sc in pm.subcriteria()}


#: Plain-language labels of the issue-3 indicators (unknown names show only the raw name).
INDICATOR_LABELS: dict[str, str] = {
    "car_delay_hours_per_year": "Car delay against free flow, all car users",
    "car_vehicle_km_per_year": "Car vehicle-kilometres",
    "road_co2e_t_per_year": "Road traffic CO2e",
    "pt_boardings_per_weekday": "Public transport boardings",
    "bike_trips_per_weekday": "Bicycle trips",
    "mode_share_car": "Mode share: car",
    "mode_share_pt": "Mode share: public transport",
    "mode_share_bike": "Mode share: bicycle",
    "mode_share_walk": "Mode share: walking",
    "mean_commute_km": "Mean commuting distance",
    "jobs_within_45min_car": "Jobs within 45 min by car (mean over residents)",
    "jobs_within_45min_pt": "Jobs within 45 min by public transport (mean over residents)",
}

_KPIS: tuple[tuple[str, str], ...] = (
    ("car_delay_hours_per_year", "car delay, hours per year"),
    ("road_co2e_t_per_year", "road CO2e, tonnes per year"),
    ("pt_boardings_per_weekday", "public transport boardings per weekday"),
    ("bike_trips_per_weekday", "bicycle trips per weekday"),
    ("mean_commute_km", "mean commute, km"),
)

_STATUS_SCRIPT = """
(function () {
  var errors = 0, last = "";
  function mark(loaded) {
    var el = document.getElementById("report-status");
    if (!el) { return; }
    el.setAttribute("data-errors", String(errors));
    if (last) { el.setAttribute("data-last-error", last); }
    if (loaded) { el.setAttribute("data-loaded", "yes"); }
  }
  window.addEventListener("error", function (e) {
    errors += 1;
    last = String(e.message || (e.target && e.target.tagName) || "error");
    mark(false);
  }, true);
  window.addEventListener("unhandledrejection", function () { errors += 1; mark(false); });
  window.addEventListener("load", function () { mark(true); });
})();
""".strip()


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


# --- loading -----------------------------------------------------------------------------


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
            header, rows = read_table(path, text_columns=TEXT_COLUMNS | {"id"})
            if name == "projects" and "id" in header and "project_id" not in header:
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
            data.project_link_flows[path.stem] = read_table(path, text_columns=TEXT_COLUMNS)
            digest.update(f"link_flows/{path.name} {sha256_file(path)}\n".encode())
    data.data_digest = digest.hexdigest()
    return data


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


# --- rendering ---------------------------------------------------------------------------


def render_report(
    data: RunData,
    *,
    title: str | None = None,
    criterion_names: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    version: str | None = None,
    notes: Sequence[str] = (),
    settings: Mapping[str, Any] | None = None,
) -> str:
    """Render the report as one self-contained HTML document.

    Parameters
    ----------
    data
        The run's tables (:func:`load_run_folder`).
    title
        Page title; default from the scenario name in the manifest.
    criterion_names
        Labels of pejlemærke ``"1"`` ... ``"6"`` (default :func:`default_criterion_names`, the
        English names of :mod:`mobility.scoring.pejlemaerker`).
    weights
        Criterion weights ``{"1": w, ...}`` for the ranking chart's contributions; default
        from ``manifest["settings"]["weights"]``, else equal weights (said in the caption).
    version
        mobility version for the footer; default the manifest's, else the package's.
    notes
        Extra run-specific notes for the "Approximations and sources" section.
    settings
        The run's settings (scenario, year, method, weights, budget ...) shown in the
        scenario summary; default ``manifest["settings"]``. ``mobility run`` passes the
        settings it is about to write into ``manifest.json`` (written after the report);
        then the footer does not quote the hash of a ``manifest.json`` already in the folder.

    Returns
    -------
    str
        The HTML document.
    """
    explicit_settings = settings
    if settings is None:
        settings = (data.manifest or {}).get("settings") or {}
    settings = dict(settings)
    names = {
        **default_criterion_names(),
        **{str(k): str(v) for k, v in (criterion_names or {}).items()},
    }
    scenario = str(settings.get("scenario") or "")
    page_title = title or (
        f"Mobility decision basis: {scenario}" if scenario else "Mobility decision basis"
    )
    ranking_settings = dict((data.ranking_manifest or {}).get("settings") or {})
    w, weights_source = _criterion_weights(weights, settings, ranking_settings)
    ctx = _Context(
        data=data,
        names=names,
        weights=w,
        weights_source=weights_source,
        method=str(settings.get("method") or ranking_settings.get("method") or ""),
        top_k=ranking_settings.get("top_k"),
    )

    sections = [
        ("summary", "Scenario", _section_summary(ctx, settings)),
        ("indicators", "Indicators", _section_indicators(ctx)),
        ("maps", "Network maps", _section_maps(ctx)),
        ("ranking", "Ranking", _section_ranking(ctx)),
        ("portfolio", "Portfolio", _section_portfolio(ctx, settings)),
        ("acceptability", "Robustness", _section_acceptability(ctx)),
        ("projects", "Projects", _section_projects(ctx)),
        ("notes", "Approximations and sources", _section_notes(ctx, settings, notes)),
    ]
    toc = "".join(f'<a href="#{sid}">{_e(label)}</a>' for sid, label, _ in sections)
    body = "".join(
        f'<section class="block" id="{sid}"><h2>{_e(label)}</h2>{content}</section>'
        for sid, label, content in sections
    )
    banner = ""
    if settings.get("synthetic_fixture"):
        banner = (
            '<div class="banner">SYNTHETIC TEST DATA: the numbers in this report are invented '
            "and must not be quoted.</div>"
        )
    body = re.sub(r"(<table[ >])", r'<div class="tablewrap">\1', body).replace(
        "</table>", "</table></div>"
    )
    css = resources.files("mobility.report").joinpath("templates/report.css").read_text("utf-8")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="mobility">\n'
        f"<title>{_e(page_title)}</title>\n"
        f"<style>\n{css}</style>\n"
        f"<script>\n{_STATUS_SCRIPT}\n</script>\n"
        "</head>\n<body>\n"
        '<div id="report-status" data-loaded="no" data-errors="0" hidden></div>\n'
        f"{banner}"
        f"{_hero(ctx, page_title, settings)}"
        f'<nav class="toc"><div class="wrap">{toc}</div></nav>\n'
        f'<main><div class="wrap">{body}</div></main>\n'
        f"{_footer(data, version, manifest_final=explicit_settings is None)}"
        "</body>\n</html>\n"
    )


def write_report(path: str | Path, data: RunData, **options: Any) -> Path:
    """Render the report (:func:`render_report`, same keyword options) and write it atomically."""
    return atomic_write_text(path, render_report(data, **options))


def build_report(
    folder: str | Path,
    *,
    output: str = "report.html",
    nodes_csv: str | Path | None = None,
    link_flows_dir: str | Path | None = None,
    **options: Any,
) -> Path:
    """Read ``folder`` (:func:`load_run_folder`) and write ``folder/output``; returns the path."""
    from mobility.fileio import contained_path

    data = load_run_folder(folder, nodes_csv=nodes_csv, link_flows_dir=link_flows_dir)
    return write_report(contained_path(folder, output), data, **options)


#: Every CSV file a ``mobility run`` folder may hold, in the order of the xlsx sheets.
RUN_CSV_FILES: tuple[str, ...] = (
    "indicators",
    "link_flows",
    "pt_lines",
    "zones",
    "impacts",
    "projects",
    "cba",
    "ranking",
    "scores_long",
    "sensitivity",
    "portfolio",
    "frontier",
)


def finalise_run_folder(
    folder: str | Path,
    *,
    dialect: str = "default",
    xlsx: bool = False,
    nodes_csv: str | Path | None = None,
    link_flows_dir: str | Path | None = None,
    report_name: str = "report.html",
    xlsx_name: str = "mobility.xlsx",
    **report_options: Any,
) -> dict[str, Path]:
    """Add the report (and the Excel variants) to a folder of default-dialect CSV files.

    Meant for the end of ``mobility run``, inside :func:`mobility.fileio.atomic_output_dir`
    after every CSV is written and before ``manifest.json`` (whose ``outputs`` then list the
    returned files). Steps: build ``report.html`` from the CSVs (:func:`build_report`); with
    ``xlsx``, write one workbook with a sheet per CSV; with ``dialect="excel-da"``, rewrite
    each CSV in place for Danish Excel (:func:`~mobility.report.writers.convert_csv_dialect`).

    Parameters
    ----------
    folder
        The (temporary) run folder holding the CSV files in the default dialect.
    dialect
        ``"default"`` or ``"excel-da"`` (``--csv-dialect``).
    xlsx
        Also write ``xlsx_name`` (``--xlsx``).
    nodes_csv
        GMNS node file for the maps; default ``folder/node.csv``, else the bundled
        ``mobility/data/roads/node.csv`` (the network the model's link ids refer to).
    link_flows_dir
        Per-project link flows (``<project_id>.csv``); default ``folder/link_flows/``.
    report_name, xlsx_name
        File names inside ``folder``.
    **report_options
        Passed to :func:`render_report` (``title``, ``weights``, ``notes``, ``version`` ...).

    Returns
    -------
    dict
        Output name -> path of every file written or rewritten (for the manifest).
    """
    from mobility.fileio import contained_path
    from mobility.report.writers import DIALECTS, convert_csv_dialect, write_xlsx

    if dialect not in DIALECTS:
        raise InputError(
            f"unknown CSV dialect '{dialect}'", field="csv-dialect", expected=" or ".join(DIALECTS)
        )
    base = Path(folder)
    if nodes_csv is None and not (base / "node.csv").is_file():
        from mobility.resources import data_dir

        bundled = data_dir() / "roads" / "node.csv"
        nodes_csv = bundled if bundled.is_file() else None
    written: dict[str, Path] = {}
    written[report_name] = build_report(
        base,
        output=report_name,
        nodes_csv=nodes_csv,
        link_flows_dir=link_flows_dir,
        **report_options,
    )
    present = [n for n in RUN_CSV_FILES if (base / f"{n}.csv").is_file()]
    if xlsx:
        tables = {n: read_table(base / f"{n}.csv", text_columns=TEXT_COLUMNS) for n in present}
        written[xlsx_name] = write_xlsx(base, tables, xlsx_name)
    if dialect != "default":
        names = [f"{n}.csv" for n in present]
        flows_dir = Path(link_flows_dir) if link_flows_dir is not None else base / "link_flows"
        if flows_dir.resolve().parent == base.resolve():
            names += [f"{flows_dir.name}/{p.name}" for p in sorted(flows_dir.glob("*.csv"))]
        for name in names:
            written[name] = convert_csv_dialect(
                contained_path(base, name), dialect=dialect, text_columns=TEXT_COLUMNS
            )
    return written


# --- internals ---------------------------------------------------------------------------


@dataclass
class _Context:
    data: RunData
    names: dict[str, str]
    weights: np.ndarray
    weights_source: str
    method: str
    top_k: Any = None


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _criterion_weights(
    weights: Mapping[str, Any] | None, settings: Mapping[str, Any], ranking: Mapping[str, Any]
) -> tuple[np.ndarray, str]:
    """Criterion weights (normalised) and a phrase saying where they come from.

    Looks at, in order: the ``weights`` argument, the run settings, the ranking's manifest
    (``ranking.manifest.json`` of ``mobility rank``); a mapping with a ``criteria`` key (a
    weights file as ``mobility rank`` records it) is read through that key.
    """
    candidates = (
        (weights, "as given"),
        (settings.get("weights"), "from the run's settings"),
        (ranking.get("weights"), "as recorded by mobility rank"),
    )
    raw: Mapping[str, Any] | None = None
    source = ""
    for cand, where in candidates:
        if isinstance(cand, Mapping) and isinstance(cand.get("criteria"), Mapping):
            name = cand.get("name")
            raw, source = cand["criteria"], where + (f", profile '{name}'" if name else "")
            break
        if isinstance(cand, Mapping) and cand:
            raw, source = cand, where
            break
    if raw is None:
        return np.full(6, 1.0 / 6.0), "equal weights assumed (none recorded in the run)"
    w = np.array([float(raw.get(str(k), raw.get(k, 0.0)) or 0.0) for k in range(1, 7)])
    if not np.all(np.isfinite(w)) or w.sum() <= 0 or (w < 0).any():
        raise InputError(
            "criterion weights must be non-negative with a positive sum", field="weights"
        )
    return w / w.sum(), source


def fmt(value: Any, unit: str = "") -> str:
    """Human-readable number for the report (thousands separators, shares as percent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer) and unit == "year":
        return str(int(value))
    share = unit.startswith(("share", "fraction"))
    if isinstance(value, int | np.integer) and not share:
        text = f"{int(value):,}"
        return "−" + text[1:] if text.startswith("-") else text
    if not isinstance(value, float | np.floating | int | np.integer):
        return str(value)
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if share:
        return f"{100 * x:.1f}\u00a0%"
    if unit == "year" and x.is_integer():
        return str(int(x))
    ax = abs(x)
    if ax >= 100:
        text = f"{x:,.0f}"
    elif ax >= 10:
        text = f"{x:,.1f}"
    elif ax >= 0.01 or ax == 0:
        text = f"{x:,.2f}"
    else:
        text = f"{x:.2g}"
    return text.replace("-", "−") if text.startswith("-") else text


def _compact(value: Any, unit: str = "") -> str:
    """Short number for headline cards (``33.4 million``)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return fmt(value, unit)
    x = float(value)
    if unit in ("share", "fraction"):
        return f"{100 * x:.0f}\u00a0%"
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            return f"{x / size:.1f} {word}"
    return fmt(value, unit)


def _num_class(value: Any) -> str:
    return "num" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _missing(text: str) -> str:
    return f'<p class="missing">{_e(text)}</p>'


def _figure(svg: str, alt: str, caption: str = "") -> str:
    cap = f'<div class="caption">{_e(caption)}</div>' if caption else ""
    return f'<div class="figure"><img src="{plots.svg_data_uri(svg)}" alt="{_e(alt)}">{cap}</div>'


def _table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, units: Sequence[str] = ()
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for j, v in enumerate(row):
            unit = units[j] if j < len(units) else ""
            cells.append(f'<td class="{_num_class(v)}">{_e(fmt(v, unit))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _col(header: Sequence[str], *candidates: str, prefix: str | None = None) -> int | None:
    for c in candidates:
        if c in header:
            return list(header).index(c)
    if prefix is not None:
        for i, h in enumerate(header):
            if h.startswith(prefix):
                return i
    return None


def _hero(ctx: _Context, page_title: str, settings: Mapping[str, Any]) -> str:
    values = {
        r.get("indicator"): (r.get("value"), r.get("unit") or "")
        for r in ctx.data.records("indicators")
    }
    cards = []
    for key, label in _KPIS:
        if key in values:
            v, unit = values[key]
            cards.append(
                f'<div class="card-kpi"><div class="v">{_e(_compact(v, unit))}</div>'
                f'<div class="l">{_e(label)}</div></div>'
            )
    shares = [(m, values.get(f"mode_share_{m}")) for m in ("car", "pt", "bike", "walk")]
    if all(s is not None for _, s in shares):
        text = " · ".join(f"{m} {_compact(s[0], 'share')}" for m, s in shares if s)
        cards.append(
            f'<div class="card-kpi wide"><div class="v small">{_e(text)}</div>'
            '<div class="l">mode shares (all trips)</div></div>'
        )
    ranking = ctx.data.records("ranking")
    lede = (
        "Reference model, project appraisal, ranking against the six pejlemærker "
        "and the best portfolio."
    )
    if ranking:
        top = min(ranking, key=lambda r: r.get("rank") or 1e9)
        lede = (
            f"{len(ranking)} projects appraised against the six pejlemærker; "
            f"ranked first: {top.get('name') or top.get('project_id')}."
        )
    kicker = "hovedstadsområdet · transport model and decision basis"
    year = settings.get("year")
    if year:
        kicker += f" · {year}"
    return (
        '<header class="hero"><div class="wrap">'
        f'<p class="kicker">{_e(kicker)}</p><h1>{_e(page_title)}</h1>'
        f'<p class="lede">{_e(lede)}</p>'
        f'<div class="cards">{"".join(cards)}</div>'
        "</div></header>\n"
    )


def _setting_text(key: str, value: Any, *, limit: int = 400, nested: bool = False) -> str:
    """One run setting as plain text (nested mappings in parentheses, long values shortened)."""
    if isinstance(value, Mapping):
        text = ("; " if not nested else ", ").join(
            f"{k}: {_setting_text(str(k), v, limit=limit, nested=True)}"
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            if v not in (None, "", {}, [])
        )
        text = f"({text})" if nested else text
    elif isinstance(value, list | tuple):
        text = ", ".join(_setting_text(key, v, limit=limit) for v in value)
    elif isinstance(value, bool) or value is None:
        text = str(value)
    elif isinstance(value, float):
        text = fmt(value) if abs(value) >= 0.01 or value == 0 else f"{value:g}"
    elif isinstance(value, int):
        text = fmt(value, "year" if "year" in key else "")
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section_summary(ctx: _Context, settings: Mapping[str, Any]) -> str:
    parts = ['<p class="sub">What was run and with which settings.</p>']
    if settings:
        items = [
            f"<dt>{_e(str(key).replace('_', ' '))}</dt>"
            f"<dd>{_e(_setting_text(str(key), value))}</dd>"
            for key, value in sorted(settings.items(), key=lambda kv: str(kv[0]))
        ]
        parts.append(f'<dl class="summary">{"".join(items)}</dl>')
    else:
        parts.append(_missing("No run settings given and no manifest.json in the folder."))
    present = sorted(f"{n}.csv" for n in ctx.data.tables)
    parts.append(f"<p>Tables in this report: {_e(', '.join(present) or 'none')}.</p>")
    if ctx.data.missing:
        parts.append(
            '<div class="note">Not in the run folder, so the matching sections are empty: '
            f"{_e(', '.join(ctx.data.missing))}.</div>"
        )
    return "".join(parts)


def _section_indicators(ctx: _Context) -> str:
    rows = ctx.data.records("indicators")
    if not rows:
        return _missing("indicators.csv is absent: no model indicators to show.")
    head = '<p class="sub">Reference scenario, whole model area (indicators.csv).</p>'
    table_rows = "".join(
        f"<tr><td>{_e(INDICATOR_LABELS.get(str(r.get('indicator')), ''))} "
        f"<code>{_e(r.get('indicator'))}</code></td>"
        f'<td class="num">{_e(fmt(r.get("value"), r.get("unit") or ""))}</td>'
        f"<td>{_e(r.get('unit') or '')}</td></tr>"
        for r in rows
    )
    return (
        head
        + '<table><thead><tr><th>indicator</th><th class="num">value</th><th>unit</th></tr></thead>'
        + f"<tbody>{table_rows}</tbody></table>"
    )


#: Road classes left out of the maps and the most-loaded table (not real roads).
MAP_SKIP_CLASSES: frozenset[str] = frozenset({"connector"})


def _link_arrays(
    header: Sequence[str], rows: Sequence[Sequence[Any]], coords: Mapping[Any, tuple[float, float]]
) -> dict[str, Any] | None:
    """Segments, ids, volume, capacity, names and classes of the drawable links.

    Links whose end nodes have no coordinates, and centroid connectors, are left out.
    """
    i_id = _col(header, "link_id")
    i_from = _col(header, "from", "from_node", "from_node_id", "a_node")
    i_to = _col(header, "to", "to_node", "to_node_id", "b_node")
    i_vol = _col(header, "volume_peak_hour", prefix="volume")
    i_cap = _col(header, "capacity", "capacity_vph", prefix="capacity")
    i_name = _col(header, "name")
    i_cls = _col(header, "road_class")
    i_change = _col(header, "volume_peak_hour_change")
    if i_id is None or i_from is None or i_to is None or i_vol is None or i_cap is None:
        return None
    seg, ids, vol, cap, names, classes, change = [], [], [], [], [], [], []
    for row in rows:
        cls = str(row[i_cls]) if i_cls is not None and row[i_cls] is not None else ""
        a, b = coords.get(row[i_from]), coords.get(row[i_to])
        if a is None or b is None or cls in MAP_SKIP_CLASSES:
            continue
        seg.append((*a, *b))
        ids.append(row[i_id])
        vol.append(_to_float(row[i_vol]))
        cap.append(_to_float(row[i_cap]))
        names.append(row[i_name] if i_name is not None else "")
        classes.append(cls)
        if i_change is not None:
            change.append(_to_float(row[i_change]))
    if not seg:
        return None
    return {
        "segments": np.array(seg, dtype=float),
        "ids": ids,
        "volume": np.array(vol),
        "capacity": np.array(cap),
        "names": names,
        "classes": classes,
        "change": np.array(change) if i_change is not None else None,
    }


def _vc(volume: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(capacity > 0, volume / capacity, np.nan)


def _widths(volume: np.ndarray) -> np.ndarray:
    top = float(np.nanmax(volume)) if np.isfinite(volume).any() else 0.0
    if top <= 0:
        return np.full(volume.shape, 1.0)
    return 0.5 + 3.0 * np.sqrt(np.clip(np.nan_to_num(volume), 0, None) / top)


def _map_extents(links: dict[str, Any]) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The map views: the region (ferries and far outliers clipped) and, for a large region,
    a zoom on the densest part (central Copenhagen in the bundled network)."""
    seg = links["segments"]
    keep = np.array([c != "ferry" for c in links["classes"]])
    pts = seg[keep] if keep.any() else seg
    xs = np.concatenate([pts[:, 0], pts[:, 2]])
    ys = np.concatenate([pts[:, 1], pts[:, 3]])
    x0, x1 = np.percentile(xs, [1, 99])
    y0, y1 = np.percentile(ys, [1, 99])
    px, py = 0.04 * max(x1 - x0, 1e-3), 0.04 * max(y1 - y0, 1e-3)
    views = [("whole network", (x0 - px, x1 + px, y0 - py, y1 + py))]
    if x1 - x0 > 0.6:  # a region-sized network: add a zoom on its densest part
        mid_x = (pts[:, 0] + pts[:, 2]) / 2
        mid_y = (pts[:, 1] + pts[:, 3]) / 2
        cx, cy = float(np.median(mid_x)), float(np.median(mid_y))
        views.append(("central area", (cx - 0.16, cx + 0.16, cy - 0.09, cy + 0.09)))
    return views


def _section_maps(ctx: _Context) -> str:
    data = ctx.data
    if "link_flows" not in data.tables:
        return _missing("link_flows.csv is absent: no network maps.")
    if not data.node_coords:
        return _missing(
            "No node coordinates (a GMNS node.csv) were given: the network maps are omitted."
        )
    header, rows = data.tables["link_flows"]
    ref = _link_arrays(header, rows, data.node_coords)
    if ref is None:
        return _missing("link_flows.csv has no links with known node coordinates: no map.")
    vc = _vc(ref["volume"], ref["capacity"])
    views = _map_extents(ref)
    parts = [
        '<p class="sub">Peak-hour car volume / capacity on every road link of the reference '
        "(centroid connectors left out); line width grows with volume. Red links run at or "
        "over capacity; ferry lines are clipped at the map edge.</p>",
    ]
    figures = [
        _figure(
            plots.network_map_svg(
                ref["segments"],
                vc,
                title=f"Reference: volume / capacity, peak hour ({view})",
                label="volume / capacity",
                widths=_widths(ref["volume"]),
                extent=extent,
            ),
            f"Map of the reference road network ({view}) coloured by volume over capacity",
        )
        for view, extent in views
    ]
    parts.append(f'<div class="grid2">{"".join(figures)}</div>' if len(figures) > 1 else figures[0])
    order = np.argsort(-np.nan_to_num(vc, nan=-1.0), kind="stable")[:10]
    top = [
        (
            ref["names"][i],
            ref["ids"][i],
            float(ref["volume"][i]),
            float(ref["capacity"][i]),
            float(vc[i]),
        )
        for i in order
    ]
    parts.append("<h3>Most loaded links</h3>")
    parts.append(
        _table(["road", "link", "volume (PCU/h)", "capacity (veh/h)", "volume / capacity"], top)
    )
    if data.project_link_flows:
        parts.append(
            '<h3>Change in traffic per project</h3><p class="sub">Morning peak-hour volume '
            "with the project minus without it (veh/h; for a project already in the reference, "
            "the reference minus the reference without it): red more traffic, blue less. "
            "Projects whose largest change is below 1 veh/h are listed without a map.</p>"
        )
        pnames = _project_names(ctx)
        ref_vol = dict(zip(ref["ids"], ref["volume"], strict=True))
        unchanged: list[str] = []
        change_maps: list[str] = []
        for pid, (ph, prow) in sorted(data.project_link_flows.items()):
            proj = _link_arrays(ph, prow, data.node_coords)
            if proj is None:
                parts.append(_missing(f"{pid}: link flows without known coordinates."))
                continue
            delta = proj["change"]
            if delta is None:  # a plain link_flows.csv of the project run: against the reference
                delta = np.array(
                    [
                        v - ref_vol.get(i, 0.0)
                        for i, v in zip(proj["ids"], proj["volume"], strict=True)
                    ]
                )
            label = pnames.get(pid, pid)
            if not np.any(np.abs(np.nan_to_num(delta)) >= 1.0):
                unchanged.append(label)
                continue
            change_maps.append(
                _figure(
                    plots.network_map_svg(
                        proj["segments"],
                        delta,
                        title=f"{label}: change in peak-hour volume",
                        label="change in volume (PCU/h)",
                        diverging=True,
                        widths=_widths(np.abs(delta)) * 1.2,
                        extent=views[0][1],
                    ),
                    f"Map of the change in traffic for {label}",
                )
            )
        if change_maps:
            parts.append(f'<div class="grid2">{"".join(change_maps)}</div>')
        if unchanged:
            parts.append(
                '<p class="sub">No change in road traffic of 1 veh/h or more: '
                f"{_e('; '.join(unchanged))}.</p>"
            )
    else:
        parts.append(
            _missing("No per-project link flows (link_flows/<project_id>.csv): no change maps.")
        )
    return "".join(parts)


def _project_names(ctx: _Context) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in ("projects", "impacts", "ranking"):
        for r in ctx.data.records(table):
            pid = r.get("project_id")
            if pid is not None and r.get("name") and pid not in out:
                out[pid] = str(r["name"])
    return out


def _ranking_order(ctx: _Context) -> list[str]:
    ranking = ctx.data.records("ranking")
    if ranking:
        ranked = sorted(ranking, key=lambda r: r.get("rank") if r.get("rank") is not None else 1e9)
        return [r["project_id"] for r in ranked]
    seen: list[str] = []
    for table in ("projects", "impacts"):
        for r in ctx.data.records(table):
            if r.get("project_id") not in seen and r.get("project_id") is not None:
                seen.append(r["project_id"])
    return seen


def _bar(value: Any, colour: str) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return ""
    width = max(0.0, min(100.0, float(value)))
    return f'<div class="bar"><span style="width:{width:.1f}%;background:{colour}"></span></div>'


def _section_ranking(ctx: _Context) -> str:
    header_rows = ctx.data.tables.get("ranking")
    if header_rows is None:
        return _missing("ranking.csv is absent: no ranking.")
    records = ctx.data.records("ranking")
    ranking = sorted(
        (r for r in records if r.get("rank") is not None),
        key=lambda r: r["rank"],
    )
    unranked = [r for r in records if r.get("rank") is None]
    crit_cols = [f"pejlemaerke_{k}" for k in range(1, 7)]
    labels = [f"{k} {ctx.names[str(k)]}" for k in range(1, 7)]
    matrix = np.array([[_to_float(r.get(c)) for c in crit_cols] for r in ranking], dtype=float)
    contributions = matrix * ctx.weights[None, :]
    scores = [_to_float(r.get("score")) for r in ranking]
    names = [f"{r.get('rank')}. {r.get('name') or r.get('project_id')}" for r in ranking]
    method = ctx.method
    parts = [
        '<p class="sub">Each bar is a project\'s weighted sum of its six pejlemærke scores '
        f"(0-100; criterion weights {_e(ctx.weights_source)}). "
        + (f"Ranking method: {_e(method)}; " if method else "")
        + "a black tick marks the method's score where it differs from the weighted sum.</p>",
        _figure(
            plots.ranking_svg(names, contributions, criterion_labels=labels, scores=scores),
            "Bar chart of the ranking split by pejlemærke",
        ),
    ]
    head = [
        "rank",
        "project",
        "score",
        *[f"P{k}" for k in range(1, 7)],
        "judged share",
        "capex (mio. kr.)",
        "NPV (mio. kr.)",
        "BCR",
    ]
    trs = []
    for r in ranking:
        crit_cells = "".join(
            f'<td class="num cell-score">{_e(_f1(r.get(c)))}'
            f"{_bar(r.get(c), plots.CRITERION_COLOURS[k])}</td>"
            for k, c in enumerate(crit_cols)
        )
        npv = r.get("npv_mdkk")
        npv_cls = (
            "pos"
            if isinstance(npv, int | float) and npv > 0
            else ("neg" if isinstance(npv, int | float) and npv < 0 else "")
        )
        trs.append(
            "<tr>"
            f'<td class="num">{_e(fmt(r.get("rank")))}</td>'
            f'<td><a href="#project-{_e(r.get("project_id"))}"><strong>'
            f"{_e(r.get('name') or '')}</strong></a><br><code>{_e(r.get('project_id'))}</code></td>"
            f'<td class="num"><strong>{_e(_f1(r.get("score")))}</strong></td>'
            f"{crit_cells}"
            f'<td class="num">{_e(fmt(r.get("judged_share"), "share"))}</td>'
            f'<td class="num">{_e(fmt(r.get("capex_mdkk")))}</td>'
            f'<td class="num {npv_cls}">{_e(fmt(npv))}</td>'
            f'<td class="num">{_e(fmt(r.get("bcr")))}</td>'
            "</tr>"
        )
    legend = " · ".join(f"P{k} = {ctx.names[str(k)]}" for k in range(1, 7))
    parts.append(
        '<table class="ranking"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead>"
        f"<tbody>{''.join(trs)}</tbody></table>"
        f'<p class="sub">{_e(legend)}. Judged share: part of the score that rests on judged '
        "(not modelled) sub-criteria.</p>"
    )
    if unranked:
        parts.append(_unranked_table(ctx, unranked))
    return "".join(parts)


def _unranked_table(ctx: _Context, rows: list[dict[str, Any]]) -> str:
    """Decided and not-appraised projects: listed with their appraisal, not ranked."""
    reasons = {
        str(r.get("project_id")): str(r.get("decision_reason") or "")
        for r in ctx.data.records("projects")
    }
    labels = {
        "decided": "decided (in the reference; not a candidate)",
        "not_appraised": "not appraised (nothing the model can represent)",
    }
    trs = []
    for r in rows:
        pid = str(r.get("project_id"))
        npv = r.get("npv_mdkk")
        trs.append(
            "<tr>"
            f'<td><a href="#project-{_e(pid)}"><strong>{_e(r.get("name") or "")}</strong></a>'
            f"<br><code>{_e(pid)}</code></td>"
            f"<td>{_e(labels.get(str(r.get('decision')), str(r.get('decision') or '')))}</td>"
            f'<td class="num">{_e(fmt(r.get("capex_mdkk")))}</td>'
            f'<td class="num">{_e(fmt(npv))}</td>'
            f'<td class="num">{_e(fmt(r.get("bcr")))}</td>'
            f"<td>{_e(reasons.get(pid, ''))}</td>"
            "</tr>"
        )
    head = ["project", "decision", "capex (mio. kr.)", "NPV (mio. kr.)", "BCR", "why"]
    return (
        "<h3>Listed, not ranked</h3>"
        '<p class="sub">Decided projects are part of the reference (the committee has no choice '
        "left on them); a project with nothing modelled would be ranked on judgement alone. "
        "Both are shown with their appraisal and left out of the ranking, its normalisation, "
        "the sensitivity analysis and the portfolio.</p>"
        '<table class="ranking unranked"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(trs)}</tbody></table>"
    )


def _to_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _selected(value: Any) -> bool:
    return value in (1, True, "yes", "true", "1")


def _section_portfolio(ctx: _Context, settings: Mapping[str, Any]) -> str:
    rows = ctx.data.records("portfolio")
    if not rows:
        return _missing("portfolio.csv is absent: no portfolio.")
    chosen = [r for r in rows if _selected(r.get("selected"))]
    capex = sum(_to_float(r.get("capex_mdkk")) for r in chosen if r.get("capex_mdkk") is not None)
    score = sum(_to_float(r.get("score")) for r in chosen if r.get("score") is not None)
    budget = settings.get("budget_mdkk")
    facts = [
        ("projects selected", f"{len(chosen)} of {len(rows)}"),
        ("capital cost", f"{fmt(capex)} mio. kr."),
        ("total score", fmt(score)),
    ]
    if isinstance(budget, int | float):
        facts.append(("budget", f"{fmt(budget)} mio. kr."))
    decided = [r for r in ctx.data.records("ranking") if r.get("decision") == "decided"]
    if decided:
        spent = sum(
            _to_float(r.get("capex_mdkk")) for r in decided if r.get("capex_mdkk") is not None
        )
        facts.append(
            (
                "already decided (not selectable)",
                f"{len(decided)} projects, {fmt(spent)} mio. kr.",
            )
        )
    parts = [
        '<p class="sub">Projects chosen by the optimiser to maximise the total score under the '
        "budget and constraints (portfolio.csv).</p>",
        '<div class="facts">'
        + "".join(
            f'<div class="fact"><div class="l">{_e(a)}</div><div class="v">{_e(b)}</div></div>'
            for a, b in facts
        )
        + "</div>",
    ]
    ordered = sorted(
        rows, key=lambda r: (not _selected(r.get("selected")), r.get("start_year") or 9999)
    )
    trs = []
    for r in ordered:
        sel = _selected(r.get("selected"))
        badge = (
            '<span class="badge selected">selected</span>'
            if sel
            else '<span class="badge neutral">not selected</span>'
        )
        trs.append(
            f'<tr class="{"selected" if sel else ""}">'
            f"<td><strong>{_e(r.get('name') or '')}</strong> "
            f"<code>{_e(r.get('project_id'))}</code></td>"
            f"<td>{badge}</td>"
            f'<td class="num">{_e(fmt(r.get("start_year"), "year"))}</td>'
            f'<td class="num">{_e(fmt(r.get("capex_mdkk")))}</td>'
            f'<td class="num">{_e(_f1(r.get("score")))}</td></tr>'
        )
    parts.append(
        '<table><thead><tr><th>project</th><th></th><th class="num">start year</th>'
        '<th class="num">capex (mio. kr.)</th><th class="num">score</th></tr></thead>'
        f"<tbody>{''.join(trs)}</tbody></table>"
    )
    frontier = ctx.data.tables.get("frontier")
    if frontier is not None:
        fh, frows = frontier
        i_b = _col(fh, "budget_mdkk", prefix="budget")
        i_c = _col(fh, "total_capex_mdkk")
        i_s = _col(fh, "total_score", "score", prefix="score")
        i_n = _col(fh, "n_selected", "n_projects")
        i_st = _col(fh, "status")
        feasible = [
            r
            for r in frows
            if (i_st is None or r[i_st] in (None, "optimal"))
            and i_s is not None
            and math.isfinite(_to_float(r[i_s]))
        ]
        # Plot each best portfolio at its own capital cost when known (the efficient
        # frontier); the budget levels of the sweep are only where it was sampled.
        i_x = i_c if i_c is not None else i_b
        if i_x is not None:
            unique: dict[tuple[float, float], list[Any]] = {}
            for r in feasible:
                unique.setdefault((_to_float(r[i_x]), _to_float(r[i_s])), r)
            feasible = list(unique.values())
        if i_x is not None and feasible:
            labels = [fmt(r[i_n]) for r in feasible] if i_n is not None else None
            xlabel = (
                "capital cost of the best portfolio (mio. kr.)"
                if i_c is not None
                else "budget (mio. kr.)"
            )
            parts.append(
                _figure(
                    plots.frontier_svg(
                        [_to_float(r[i_x]) if r[i_x] is not None else 0.0 for r in feasible],
                        [_to_float(r[i_s]) for r in feasible],
                        chosen=(capex, score) if chosen else None,
                        labels=labels,
                        xlabel=xlabel,
                    ),
                    "Portfolio frontier: capital cost against best total score",
                    "Each point: the best portfolio found in the budget sweep (label: number "
                    "of projects). The star: the selected portfolio.",
                )
            )
        else:
            parts.append(_missing("frontier.csv has no feasible budget levels to plot."))
    else:
        parts.append(_missing("No frontier.csv (mobility optimise --pareto): frontier not shown."))
    return "".join(parts)


def _acceptability(ctx: _Context) -> tuple[list[str], np.ndarray] | None:
    """Project ids (ranking order) and their (P, K) rank probabilities from sensitivity.csv.

    Accepts the long form of ``mobility rank`` (``project_id,rank,probability[,cumulative]``)
    and a wide form with ``p_rank_<k>`` columns.
    """
    table = ctx.data.tables.get("sensitivity")
    if table is None:
        return None
    header, rows = table
    recs = ctx.data.records("sensitivity")
    rank_cols = sorted(
        (int(m.group(1)), i)
        for i, h in enumerate(header)
        if (m := re.fullmatch(r"p_rank_(\d+)", h))
    )
    if rank_cols and "project_id" in header:
        ids = [r["project_id"] for r in recs]
        probs = np.array([[_to_float(r[i]) for _, i in rank_cols] for r in rows], dtype=float)
    elif {"project_id", "rank", "probability"} <= set(header) and recs:
        ids = list(dict.fromkeys(r["project_id"] for r in recs))
        k = max(int(r["rank"]) for r in recs)
        probs = np.zeros((len(ids), k))
        pos = {p: n for n, p in enumerate(ids)}
        for r in recs:
            probs[pos[r["project_id"]], int(r["rank"]) - 1] += _to_float(r["probability"])
    else:
        return None
    rank_of = {p: n for n, p in enumerate(_ranking_order(ctx))}
    idx = sorted(range(len(ids)), key=lambda n: (rank_of.get(ids[n], 1e9), str(ids[n])))
    return [ids[n] for n in idx], probs[idx]


def _section_acceptability(ctx: _Context) -> str:
    acc = _acceptability(ctx)
    if acc is None:
        if "sensitivity" in ctx.data.tables:
            return _missing("sensitivity.csv has no rank probabilities: nothing to chart.")
        return _missing(
            "sensitivity.csv is absent: no rank acceptability (run with --sensitivity N)."
        )
    ids, probs = acc
    names = _project_names(ctx)
    labels = [names.get(p, str(p)) for p in ids]
    ranking = {r.get("project_id"): r for r in ctx.data.records("ranking")}
    parts = [
        '<p class="sub">How often each project takes each rank when the criterion weights are '
        "drawn at random around the chosen ones (SMAA rank acceptability). Unstable: the "
        "project keeps its rank in too few draws (flag from ranking.csv; without it, when "
        "its most likely rank holds under 60 % of the draws).</p>",
        _figure(plots.acceptability_svg(labels, probs), "Rank acceptability chart"),
    ]
    trs = []
    for pid, label, p in zip(ids, labels, probs, strict=True):
        r = ranking.get(pid, {})
        best = int(np.nanargmax(p)) if np.isfinite(p).any() else 0
        flag = r.get("unstable")
        unstable = bool(flag) if isinstance(flag, bool | int) else bool(p[best] < 0.6)
        badge = (
            '<span class="badge unstable">unstable</span>'
            if unstable
            else '<span class="badge stable">stable</span>'
        )
        lo, hi = r.get("rank_p05"), r.get("rank_p95")
        span = f"{fmt(lo)}–{fmt(hi)}" if lo is not None and hi is not None else "–"
        swap = "–"
        if r.get("swap_with"):
            swap = f"{names.get(r['swap_with'], r['swap_with'])}"
            if r.get("swap_criterion") is not None and r.get("swap_weight_change") is not None:
                swap += (
                    f" if pejlemærke {fmt(r['swap_criterion'])} weight changes by "
                    f"{fmt(r['swap_weight_change'])}"
                )
        trs.append(
            f"<tr><td>{_e(label)} <code>{_e(pid)}</code></td>"
            f'<td class="num">{_e(fmt(r.get("rank")))}</td>'
            f'<td class="num">{best + 1} ({_e(fmt(float(p[best]), "share"))})</td>'
            f'<td class="num">{_e(span)}</td>'
            f'<td class="num">{_e(fmt(r.get("p_top_k"), "share"))}</td>'
            f"<td>{_e(swap)}</td><td>{badge}</td></tr>"
        )
    head = [
        "project",
        "rank",
        "most likely rank",
        "rank 5-95 %",
        f"P(top {ctx.top_k})" if isinstance(ctx.top_k, int) else "P(top k)",
        "swaps with the next project",
        "",
    ]
    parts.append(
        "<table><thead><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(trs)}</tbody></table>"
    )
    return "".join(parts)


def _section_projects(ctx: _Context) -> str:
    impacts = ctx.data.records("impacts")
    projects = {r.get("project_id"): r for r in ctx.data.records("projects")}
    cba = ctx.data.records("cba")
    if not impacts and not projects:
        return _missing("impacts.csv and projects.csv are absent: no project pages.")
    order = _ranking_order(ctx)
    for pid in [*projects, *(r.get("project_id") for r in impacts)]:
        if pid is not None and pid not in order:
            order.append(pid)
    names = _project_names(ctx)
    sub_names = subcriterion_names()
    parts = [
        '<p class="sub">Every sub-criterion behind the scores. <span class="badge modelled">'
        "modelled</span> values come from the transport model and the cost-benefit analysis; "
        '<span class="badge judged">judged</span> values are planners\' graded judgements '
        "(0-4) written in the project file.</p>"
    ]
    if not impacts:
        parts.append(_missing("impacts.csv is absent: sub-criteria not shown."))
    by_project: dict[Any, list[dict[str, Any]]] = {}
    for r in impacts:
        by_project.setdefault(r.get("project_id"), []).append(r)
    cba_by: dict[Any, list[dict[str, Any]]] = {}
    for r in cba:
        cba_by.setdefault(r.get("project_id"), []).append(r)
    for pid in order:
        p = projects.get(pid, {})
        rows = sorted(by_project.get(pid, []), key=lambda r: _subcrit_key(r.get("subcriterion")))
        meta = " · ".join(
            str(x).replace(";", ", ")
            for x in (p.get("kind"), p.get("status"), p.get("region_part"))
            if x
        )
        facts = [
            ("opening year", p.get("opening_year")),
            ("capex, mio. kr.", p.get("capex_mdkk")),
            ("opex, mio. kr./year", p.get("opex_mdkk_per_year")),
            ("construction CO2e, t", p.get("construction_co2e_t")),
        ]
        fact_html = "".join(
            f'<div class="fact"><div class="l">{_e(a)}</div>'
            f'<div class="v">{_e(fmt(v, "year" if a == "opening year" else ""))}</div></div>'
            for a, v in facts
            if v is not None
        )
        block = [
            f'<div class="project" id="project-{_e(pid)}"><h3>{_e(names.get(pid, pid))} '
            f"<code>{_e(pid)}</code></h3>"
        ]
        if meta:
            block.append(f'<div class="meta">{_e(meta)}</div>')
        if p.get("municipalities"):
            towns = str(p["municipalities"]).replace(";", ", ")
            block.append(f'<div class="meta">Municipalities: {_e(towns)}</div>')
        if fact_html:
            block.append(f'<div class="facts">{fact_html}</div>')
        if rows:
            n_sub = len({r.get("subcriterion") for r in rows})
            n_judged = len({r.get("subcriterion") for r in rows if r.get("basis") == "judged"})
            block.append(
                f'<div class="meta">{n_sub} sub-criteria, {n_sub - n_judged} modelled, '
                f"{n_judged} judged.</div>"
            )
            trs = []
            previous = None
            for r in rows:
                basis = str(r.get("basis") or "")
                cls = basis if basis in ("modelled", "judged") else "neutral"
                sub = str(r.get("subcriterion") or "")
                label = (
                    f"<code>{_e(sub)}</code> {_e(sub_names.get(sub, ('', ''))[0])}"
                    if sub != previous
                    else ""
                )
                previous = sub
                band = r.get("noise_band")
                band_cell = "" if band in (None, "") else fmt(band, r.get("unit") or "")
                noisy = isinstance(band, float) and isinstance(r.get("value"), float)
                noisy = noisy and abs(r["value"]) <= band
                trs.append(
                    f"<tr><td>{label}</td>"
                    f"<td>{_e(str(r.get('indicator') or '').replace('_', ' '))}</td>"
                    f'<td class="num">{_e(fmt(r.get("value"), r.get("unit") or ""))}</td>'
                    f'<td class="num">{_e(band_cell)}{" (≈ 0)" if noisy else ""}</td>'
                    f"<td>{_e(r.get('unit') or '')}</td>"
                    f'<td><span class="badge {cls}">{_e(basis or "?")}</span></td></tr>'
                )
            block.append(
                "<table><thead><tr><th>sub-criterion</th><th>indicator</th>"
                '<th class="num">value</th><th class="num">± noise band</th><th>unit</th>'
                "<th>basis</th></tr></thead>"
                f"<tbody>{''.join(trs)}</tbody></table>"
                '<div class="meta">Noise band: the change of the value when both model runs '
                "are solved ten times tighter; ≈ 0 marks an effect no larger than its band "
                "(not distinguishable from zero).</div>"
            )
        citems = cba_by.get(pid, [])
        if citems:
            block.append(_cba_table(citems))
        block.append("</div>")
        parts.append("".join(block))
    return "".join(parts)


#: cba.csv items that are results, not benefit or cost items (shown apart, not summed).
CBA_RESULT_ITEMS = (
    "npv",
    "npv_danish",
    "npv_high_co2",
    "pv_public_cost",
    "bcr",
    "irr",
    "irr_pct",
    "nnk",
)


def _cba_table(items: Sequence[Mapping[str, Any]]) -> str:
    """A project's cost-benefit items (``mobility evaluate``'s cba.csv) as a compact table.

    Only the whole-period rows (``year`` = ``all``, or no year column) are shown; result rows
    (NPV ...) are listed after the sum of the items.
    """
    rows = [i for i in items if i.get("year", "all") in ("all", None)]
    if not rows:
        return ""
    body = [i for i in rows if str(i.get("item")) not in CBA_RESULT_ITEMS]
    results = [i for i in rows if str(i.get("item")) in CBA_RESULT_ITEMS]
    has_value = any(_num_class(i.get("value_mdkk")) for i in body)
    head = "<th>item</th>"
    if has_value:
        head += '<th class="num">undiscounted, mio. kr.</th>'
    head += '<th class="num">present value, mio. kr.</th>'

    def cell(v: Any) -> str:
        x = _to_float(v)
        cls = "pos" if x > 0 else ("neg" if x < 0 else "")
        return f'<td class="num {cls}">{_e(fmt(v))}</td>'

    trs = []
    for i in body:
        label = str(i.get("item") or "").replace("_", " ")
        cells = f"<td>{_e(label)}</td>"
        if has_value:
            cells += cell(i.get("value_mdkk"))
        cells += cell(i.get("pv_mdkk"))
        trs.append(f"<tr>{cells}</tr>")
    span = 2 if has_value else 1
    total = sum(_to_float(i.get("pv_mdkk")) for i in body if _num_class(i.get("pv_mdkk")))
    foot = [
        f'<tr><th colspan="{span}">sum of the items</th><th class="num">{_e(fmt(total))}</th></tr>'
    ]
    for i in results:
        label = (
            str(i.get("item"))
            .replace("_", " ")
            .replace("npv", "NPV")
            .replace("high co2", "(high CO2 price)")
        )
        foot.append(
            f'<tr><th colspan="{span}">{_e(label)}</th>'
            f'<th class="num">{_e(fmt(i.get("pv_mdkk")))}</th></tr>'
        )
    return (
        "<h4>Cost-benefit analysis (cba.csv, whole appraisal period)</h4>"
        f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{"".join(trs)}</tbody>'
        f"<tfoot>{''.join(foot)}</tfoot></table>"
    )


def _f1(value: Any) -> str:
    """A score with one decimal (scores are 0-100)."""
    x = _to_float(value)
    return "–" if math.isnan(x) else f"{x:.1f}"


def _subcrit_key(sub: Any) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in str(sub).split("."))
    except ValueError:
        return (999,)


def _section_notes(ctx: _Context, settings: Mapping[str, Any], notes: Sequence[str]) -> str:
    items = [
        "Road traffic is a static user-equilibrium assignment of the peak hour (volume-delay "
        "functions of BPR type); annual figures scale the peak hour with the annualisation "
        "factors stated in the scenario file. Queues spilling back between links and "
        "junction delays are not modelled.",
        "Demand is a four-step model (generation, gravity distribution, logit mode choice, "
        "assignment) with zones at municipality and bydel level: local effects inside a zone "
        "are not resolved.",
        "Judged sub-criteria are graded 0-4 by planners in the project files, not computed; "
        "each project's judged share tells how much of its score rests on them.",
        "Cost-benefit analysis follows the Danish method (Transportministeriet's manual, "
        "TERESA structure) with the Ministry of Finance's declining discount rate "
        "(3.5 % years 1-35, 2.5 % 36-70, 1.5 % after); unit prices and their sources, with "
        "estimates marked, are in the data files.",
        "Sources of every input number: mobility/data/README.md and docs/data_sources.md; the "
        "method: docs/method.md; every output column: docs/outputs.md.",
    ]
    items.extend(str(n) for n in notes)
    if settings.get("synthetic_fixture"):
        items.insert(
            0, "This report was built from SYNTHETIC test data; no number in it is a result."
        )
    if ctx.data.missing:
        items.append("Files not found in the run folder: " + ", ".join(ctx.data.missing) + ".")
    return '<ul class="notes">' + "".join(f"<li>{_e(t)}</li>" for t in items) + "</ul>"


def _footer(data: RunData, version: str | None, *, manifest_final: bool) -> str:
    """The footer; ``manifest_final`` false means the run's manifest is written afterwards
    (settings were passed in), so a ``manifest.json`` already in the folder is not the run's."""
    if version is None:
        version = str((data.manifest or {}).get("mobility_version") or "")
    if not version:
        from mobility import __version__

        version = __version__
    manifest = (
        f"manifest.json sha256 <code>{_e(data.manifest_sha256)}</code>"
        if data.manifest_sha256 and manifest_final
        else "manifest.json (written after this report) lists its sha256"
    )
    return (
        '<footer><div class="wrap">'
        f"Generated by mobility {_e(version)} · {manifest} · "
        f"data digest <code>{_e(data.data_digest[:16] or 'none')}</code> "
        "(sha256 of the CSV files this report was built from). Self-contained: no external "
        "resources are loaded."
        "</div></footer>\n"
    )
