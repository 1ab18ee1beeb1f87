"""The self-contained HTML report (``report.html``) of a run folder.

:func:`load_run_folder` reads whatever of the run's CSV files exist; :func:`render_report`
turns them into one HTML document with inline CSS, inline SVG figures (as ``data:`` URIs)
and one tiny inline script that records script and resource errors in a DOM marker
(``#report-status[data-errors]``) so that a headless-browser test can check the page loaded
cleanly. Nothing is fetched from the network: no CDN, no web fonts, no external scripts.

Every text comes from the message catalogue (:mod:`mobility.report.i18n`,
``templates/strings.yaml``) in the report's language, Danish by default or English, with
that language's number format. The report degrades gracefully: every section whose input
file is absent says so instead of failing. All text from the inputs is HTML-escaped. The
same inputs give the same bytes (no timestamps; the footer names the version, the manifest's
sha256 and a digest of the CSV files the report was built from).
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
from mobility.report import plots, svgmap
from mobility.report.i18n import Messages, format_number
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
OPTIONAL_TABLES: tuple[str, ...] = (
    "link_flows",
    "projects",
    "frontier",
    "judgements",
    "scores_long",
)

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
        "part",
        "level",
        "reason",
        "level_text",
    }
)


def default_criterion_names(lang: str = "da") -> dict[str, str]:
    """Names of the six pejlemærker in ``lang`` from :mod:`mobility.scoring.pejlemaerker`."""
    from mobility.scoring import pejlemaerker as pm

    return {c.id: c.name_da if lang == "da" else c.name_en for c in pm.CRITERIA}


def subcriterion_names(lang: str = "da") -> dict[str, str]:
    """Sub-criterion id -> name in ``lang`` from :mod:`mobility.scoring.pejlemaerker`."""
    from mobility.scoring import pejlemaerker as pm

    return {sc.id: sc.name_da if lang == "da" else sc.name_en for sc in pm.subcriteria()}


#: The issue-3 indicators with a plain-language label (``indicator.<name>`` in the catalogue;
#: unknown names show only the raw name).
INDICATORS: tuple[str, ...] = (
    "car_delay_hours_per_year",
    "car_vehicle_km_per_year",
    "road_co2e_t_per_year",
    "pt_boardings_per_weekday",
    "bike_trips_per_weekday",
    "mode_share_car",
    "mode_share_pt",
    "mode_share_bike",
    "mode_share_walk",
    "mean_commute_km",
    "jobs_within_45min_car",
    "jobs_within_45min_pt",
)

#: Indicators shown as headline cards (label ``kpi.<name>`` in the catalogue).
_KPIS: tuple[str, ...] = (
    "car_delay_hours_per_year",
    "road_co2e_t_per_year",
    "pt_boardings_per_weekday",
    "bike_trips_per_weekday",
    "mean_commute_km",
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
    lang: str = "da",
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
        names of :mod:`mobility.scoring.pejlemaerker` in ``lang``).
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
    lang
        Language of the report, ``"da"`` (default) or ``"en"``: every text comes from the
        catalogue (:mod:`mobility.report.i18n`), numbers in that language's format.

    Returns
    -------
    str
        The HTML document.
    """
    t = Messages(lang)
    explicit_settings = settings
    if settings is None:
        settings = (data.manifest or {}).get("settings") or {}
    settings = dict(settings)
    names = {
        **default_criterion_names(t.lang),
        **{str(k): str(v) for k, v in (criterion_names or {}).items()},
    }
    scenario = str(settings.get("scenario") or "")
    page_title = title or (t("title.scenario", scenario=scenario) if scenario else t("title"))
    ranking_settings = dict((data.ranking_manifest or {}).get("settings") or {})
    w, weights_source = _criterion_weights(weights, settings, ranking_settings, t)
    ctx = _Context(
        data=data,
        names=names,
        weights=w,
        weights_source=weights_source,
        method=str(settings.get("method") or ranking_settings.get("method") or ""),
        top_k=ranking_settings.get("top_k"),
        t=t,
    )
    ctx.project_files = project_files(data, settings)

    sections = [
        ("summary", _section_summary(ctx, settings)),
        ("indicators", _section_indicators(ctx)),
        ("maps", _section_maps(ctx)),
        ("ranking", _section_ranking(ctx)),
        ("portfolio", _section_portfolio(ctx, settings)),
        ("acceptability", _section_acceptability(ctx)),
        ("projects", _section_projects(ctx)),
        ("notes", _section_notes(ctx, settings, notes)),
    ]
    toc = "".join(f'<a href="#{sid}">{_e(t(f"section.{sid}"))}</a>' for sid, _ in sections)
    body = "".join(
        f'<section class="block" id="{sid}"><h2>{_e(t(f"section.{sid}"))}</h2>{content}</section>'
        for sid, content in sections
    )
    banner = ""
    if settings.get("synthetic_fixture"):
        banner = f'<div class="banner">{_e(t("banner.synthetic"))}</div>'
    body = re.sub(r"(<table[ >])", r'<div class="tablewrap">\1', body).replace(
        "</table>", "</table></div>"
    )
    templates = resources.files("mobility.report").joinpath("templates")
    css = templates.joinpath("report.css").read_text("utf-8")
    sort_js = templates.joinpath("sort.js").read_text("utf-8")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{t.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="mobility">\n'
        f"<title>{_e(page_title)}</title>\n"
        f"<style>\n{css}</style>\n"
        f"<script>\n{_STATUS_SCRIPT}\n{sort_js}</script>\n"
        "</head>\n<body>\n"
        '<div id="report-status" data-loaded="no" data-errors="0" hidden></div>\n'
        f"{banner}"
        f"{_hero(ctx, page_title, settings)}"
        f'<nav class="toc"><div class="wrap">{toc}</div></nav>\n'
        f'<main><div class="wrap">{body}</div></main>\n'
        f"{_footer(data, version, t, manifest_final=explicit_settings is None)}"
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
    t: Messages = field(default_factory=Messages)
    maps: Any = None  # _MapState, or False when there are no maps (computed once)
    change_maps: dict[str, str] | None = None
    project_files: dict[str, Any] = field(default_factory=dict)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _criterion_weights(
    weights: Mapping[str, Any] | None,
    settings: Mapping[str, Any],
    ranking: Mapping[str, Any],
    t: Messages,
) -> tuple[np.ndarray, str]:
    """Criterion weights (normalised) and a phrase saying where they come from.

    Looks at, in order: the ``weights`` argument, the run settings, the ranking's manifest
    (``ranking.manifest.json`` of ``mobility rank``); a mapping with a ``criteria`` key (a
    weights file as ``mobility rank`` records it) is read through that key.
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


def fmt(value: Any, unit: str = "", lang: str = "da") -> str:
    """Human-readable number for the report (:func:`mobility.report.i18n.format_number`)."""
    return format_number(value, unit, lang)


def _num_class(value: Any) -> str:
    return "num" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _missing(text: str) -> str:
    return f'<p class="missing">{_e(text)}</p>'


def _figure(svg: str, alt: str, caption: str = "") -> str:
    cap = f'<div class="caption">{_e(caption)}</div>' if caption else ""
    return f'<div class="figure"><img src="{plots.svg_data_uri(svg)}" alt="{_e(alt)}">{cap}</div>'


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    t: Messages,
    *,
    units: Sequence[str] = (),
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for j, v in enumerate(row):
            unit = units[j] if j < len(units) else ""
            cells.append(f'<td class="{_num_class(v)}">{_e(t.num(v, unit))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


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
    t = ctx.t
    cards = []
    for key in _KPIS:
        if key in values:
            v, unit = values[key]
            cards.append(
                f'<div class="card-kpi"><div class="v">{_e(t.compact(v, unit))}</div>'
                f'<div class="l">{_e(t(f"kpi.{key}"))}</div></div>'
            )
    shares = [(m, values.get(f"mode_share_{m}")) for m in ("car", "pt", "bike", "walk")]
    if all(s is not None for _, s in shares):
        text = " · ".join(f"{t(f'mode.{m}')} {t.compact(s[0], 'share')}" for m, s in shares if s)
        cards.append(
            f'<div class="card-kpi wide"><div class="v small">{_e(text)}</div>'
            f'<div class="l">{_e(t("kpi.mode_shares"))}</div></div>'
        )
    ranking = ctx.data.records("ranking")
    lede = t("hero.lede")
    if ranking:
        top = min(ranking, key=lambda r: r.get("rank") or 1e9)
        lede = t(
            "hero.lede.ranked",
            n=len(ranking),
            first=top.get("name") or top.get("project_id"),
        )
    kicker = t("hero.kicker")
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


def _setting_text(
    key: str, value: Any, t: Messages, *, limit: int = 400, nested: bool = False
) -> str:
    """One run setting as plain text (nested mappings in parentheses, long values shortened)."""
    if isinstance(value, Mapping):
        text = ("; " if not nested else ", ").join(
            f"{k}: {_setting_text(str(k), v, t, limit=limit, nested=True)}"
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            if v not in (None, "", {}, [])
        )
        text = f"({text})" if nested else text
    elif isinstance(value, list | tuple):
        text = ", ".join(_setting_text(key, v, t, limit=limit) for v in value)
    elif isinstance(value, bool):
        text = t("yes" if value else "no")
    elif value is None:
        text = "–"
    elif isinstance(value, float):
        text = t.num(value) if abs(value) >= 0.01 or value == 0 else f"{value:g}"
    elif isinstance(value, int):
        text = str(value) if _is_label(key) else t.num(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_label(key: str) -> bool:
    """Whether the integer setting ``key`` is a label (a seed, a year, an id), not a count:
    written as it is, without thousands separators ("seed 2035", not "seed 2,035")."""
    k = key.lower()
    return "seed" in k or "year" in k or k == "id" or k.endswith("_id")


def _setting_label(key: str, t: Messages) -> str:
    """The label of a run setting (``setting.<key>`` in the catalogue, else the key)."""
    try:
        return t(f"setting.{key}")
    except KeyError:
        return key.replace("_", " ")


def _section_summary(ctx: _Context, settings: Mapping[str, Any]) -> str:
    t = ctx.t
    parts = [f'<p class="sub">{_e(t("summary.sub"))}</p>']
    if settings:
        items = [
            f"<dt>{_e(_setting_label(str(key), t))}</dt>"
            f"<dd>{_e(_setting_text(str(key), value, t))}</dd>"
            for key, value in sorted(settings.items(), key=lambda kv: str(kv[0]))
        ]
        parts.append(f'<dl class="summary">{"".join(items)}</dl>')
    else:
        parts.append(_missing(t("summary.no_settings")))
    present = sorted(f"{n}.csv" for n in ctx.data.tables)
    links = ", ".join(f'<a href="{_e(name)}">{_e(name)}</a>' for name in present)
    parts.append(f"<p>{t('summary.tables', files=links or _e(t('none')))}</p>")
    if ctx.data.missing:
        parts.append(
            f'<div class="note">{_e(t("summary.missing", files=", ".join(ctx.data.missing)))}</div>'
        )
    return "".join(parts)


def _section_indicators(ctx: _Context) -> str:
    t = ctx.t
    rows = ctx.data.records("indicators")
    if not rows:
        return _missing(t("indicators.absent"))
    head = f'<p class="sub">{_e(t("indicators.sub"))}</p>'
    table_rows = "".join(
        f"<tr><td>{_e(_indicator_label(str(r.get('indicator')), t))} "
        f"<code>{_e(r.get('indicator'))}</code></td>"
        f'<td class="num">{_e(t.num(r.get("value"), r.get("unit") or ""))}</td>'
        f"<td>{_e(r.get('unit') or '')}</td></tr>"
        for r in rows
    )
    return (
        head
        + f'<table class="sortable"><thead><tr><th>{_e(t("col.indicator"))}</th>'
        + f'<th class="num">{_e(t("col.value"))}</th><th>{_e(t("col.unit"))}</th></tr></thead>'
        + f"<tbody>{table_rows}</tbody></table>"
    )


def _indicator_label(name: str, t: Messages) -> str:
    return t(f"indicator.{name}") if name in INDICATORS else ""


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
    views = [("whole", (x0 - px, x1 + px, y0 - py, y1 + py))]
    if x1 - x0 > 0.6:  # a region-sized network: add a zoom on its densest part
        mid_x = (pts[:, 0] + pts[:, 2]) / 2
        mid_y = (pts[:, 1] + pts[:, 3]) / 2
        cx, cy = float(np.median(mid_x)), float(np.median(mid_y))
        views.append(("central", (cx - 0.16, cx + 0.16, cy - 0.09, cy + 0.09)))
    return views


def municipality_outlines() -> tuple[list[np.ndarray], list[tuple[str, float, float]]]:
    """The municipality boundaries bundled with the package (``mobility/data/
    municipalities.geojson``, DAGI, Geodatastyrelsen og Danske Kommuner) as lon/lat outer
    rings (every other vertex), and each municipality's name at the mean of its largest ring
    (empty when the file is absent)."""
    import json

    from mobility.resources import data_dir

    path = data_dir() / "municipalities.geojson"
    if not path.is_file():
        return [], []
    doc = json.loads(path.read_text(encoding="utf-8"))
    rings: list[np.ndarray] = []
    names: list[tuple[str, float, float]] = []
    for feature in doc.get("features", []):
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates", [])
        if geom.get("type") == "Polygon":
            polys = [polys]
        # every other vertex: ~100 m, finer than a map of the region shows, half the bytes
        outer = [np.asarray(poly[0], dtype=float)[::2, :2] for poly in polys if poly]
        outer = [r for r in outer if len(r) >= 3]
        rings.extend(outer)
        if outer:
            big = max(outer, key=len)
            name = str((feature.get("properties") or {}).get("name", ""))
            names.append((name, float(big[:, 0].mean()), float(big[:, 1].mean())))
    return rings, names


@dataclass
class _MapState:
    """What every map of the report shares: the reference links, the frame and the views."""

    ref: dict[str, Any]
    frame: svgmap.Frame
    views: list[tuple[str, tuple[float, float, float, float]]]
    names: list[tuple[str, float, float]]
    defs: str


def _map_state(ctx: _Context) -> _MapState | None:
    """The reference links and the shared base map (computed once per report)."""
    if ctx.maps is not None:
        return ctx.maps or None
    data = ctx.data
    ref = None
    if "link_flows" in data.tables and data.node_coords:
        header, rows = data.tables["link_flows"]
        ref = _link_arrays(header, rows, data.node_coords)
    if ref is None:
        ctx.maps = False
        return None
    views = _map_extents(ref)
    frame = svgmap.Frame.from_extent(views[0][1])
    rings, names = municipality_outlines()
    ctx.maps = _MapState(ref, frame, views, names, svgmap.base_defs(frame, rings, ref["segments"]))
    return ctx.maps


#: Colour classes of the maps (reference: volume / capacity; change: diverging, odd so that
#: one class is centred on zero).
REF_CLASSES = 10
CHANGE_CLASSES = 11


def _map_figure(svg: str, bar: str, caption: str = "", title: str = "") -> str:
    head = f'<div class="maptitle">{_e(title)}</div>' if title else ""
    cap = f'<div class="caption">{_e(caption)}</div>' if caption else ""
    return f'<div class="figure mapfig">{head}{svg}{bar}{cap}</div>'


def _section_maps(ctx: _Context) -> str:
    t = ctx.t
    data = ctx.data
    if "link_flows" not in data.tables:
        return _missing(t("maps.absent"))
    if not data.node_coords:
        return _missing(t("maps.no_coords"))
    state = _map_state(ctx)
    if state is None:
        return _missing(t("maps.no_links"))
    ref = state.ref
    vc = _vc(ref["volume"], ref["capacity"])
    lo, vc_top, vc_extend = plots.colour_scale(vc)
    colours = svgmap.class_colours("RdYlGn_r", REF_CLASSES)
    classes = svgmap.classify(vc, lo, vc_top, REF_CLASSES)
    bar = svgmap.colour_bar(
        colours,
        lo,
        vc_top,
        label=t("maps.ref.label"),
        clip_low=vc_extend in ("min", "both"),
        clip_high=vc_extend in ("max", "both"),
        fmt=t.num,
    )
    parts = [f'<p class="sub">{_e(t("maps.sub"))}</p>', state.defs]
    figures = []
    for view, extent in state.views:
        svg = svgmap.link_map(
            state.frame,
            state.frame.view(extent),
            ref["segments"],
            classes,
            _widths(ref["volume"]),
            colours,
            label=t("maps.ref.alt", view=t(f"maps.view.{view}")),
            grey_network=False,
            place_names=state.names,
            decimal=t("decimal_mark"),
        )
        title = t("maps.ref.title", view=t(f"maps.view.{view}"))
        figures.append(_map_figure(svg, bar, title=title))
    parts.append(f'<p class="sub">{_e(t("maps.attribution"))}</p>')
    parts.append(f'<div class="grid2">{"".join(figures)}</div>' if len(figures) > 1 else figures[0])
    if vc_extend != "neither":
        parts.append(f'<p class="sub">{_e(t("maps.ref.clipped", top=t.num(vc_top)))}</p>')
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
    parts.append(f"<h3>{_e(t('maps.top.heading'))}</h3>")
    head = ["road", "link", "volume", "capacity", "vc"]
    parts.append(_table([t(f"maps.top.col.{h}") for h in head], top, t))
    if data.project_link_flows:
        maps = _change_maps(ctx)
        links = ", ".join(
            f'<a href="#map-{_e(pid)}">{_e(_project_names(ctx).get(pid, pid))}</a>'
            for pid, m in maps.items()
            if m.startswith("<div")
        )
        parts.append(
            f'<h3>{_e(t("maps.change.heading"))}</h3><p class="sub">{_e(t("maps.change.sub"))}</p>'
            f'<p class="sub">{_e(t("maps.change.where"))} {links}</p>'
        )
        # a project without a section of its own (not in projects/impacts): its map here
        own = set(_section_order(ctx))
        orphans = [m for pid, m in maps.items() if pid not in own and m != "unchanged"]
        if orphans:
            parts.append(f'<div class="grid2">{"".join(orphans)}</div>')
        unchanged = [
            _project_names(ctx).get(pid, pid) for pid, m in maps.items() if m == "unchanged"
        ]
        if unchanged:
            parts.append(
                f'<p class="sub">{_e(t("maps.change.none", projects="; ".join(unchanged)))}</p>'
            )
    else:
        parts.append(_missing(t("maps.change.absent")))
    return "".join(parts)


def _change_maps(ctx: _Context) -> dict[str, str]:
    """Project id -> its change map (a figure), ``"unchanged"`` or a missing-note (once)."""
    if ctx.change_maps is not None:
        return ctx.change_maps
    t = ctx.t
    out: dict[str, str] = {}
    ctx.change_maps = out
    state = _map_state(ctx)
    if state is None:
        return out
    ref = state.ref
    pnames = _project_names(ctx)
    ref_vol = dict(zip(ref["ids"], ref["volume"], strict=True))
    colours = svgmap.class_colours("RdBu_r", CHANGE_CLASSES)
    middle = CHANGE_CLASSES // 2
    view = state.frame.view(state.views[0][1])
    for pid, (ph, prow) in sorted(ctx.data.project_link_flows.items()):
        proj = _link_arrays(ph, prow, ctx.data.node_coords)
        if proj is None:
            out[pid] = _missing(t("maps.change.no_coords", pid=pid))
            continue
        delta = proj["change"]
        if delta is None:  # a plain link_flows.csv of the project run: against the reference
            delta = np.array(
                [v - ref_vol.get(i, 0.0) for i, v in zip(proj["ids"], proj["volume"], strict=True)]
            )
        label = pnames.get(pid, pid)
        if not np.any(np.abs(np.nan_to_num(delta)) >= 1.0):
            out[pid] = "unchanged"
            continue
        lo, span, extend = plots.colour_scale(delta, diverging=True)
        classes = svgmap.classify(delta, lo, span, CHANGE_CLASSES)
        classes = np.where(classes == middle, -1, classes)  # near zero: the grey network
        caption = (
            t("maps.change.clipped", span=t.num(span))
            if extend != "neither"
            else t("maps.change.full", span=t.num(span))
        )
        step = 2 * span / CHANGE_CLASSES
        caption += " " + t("maps.change.middle", step=t.num(step / 2))
        bar = svgmap.colour_bar(
            colours,
            lo,
            span,
            label=t("maps.change.label"),
            clip_low=extend in ("min", "both"),
            clip_high=extend in ("max", "both"),
            fmt=t.num,
            hollow=middle,
        )
        svg = svgmap.link_map(
            state.frame,
            view,
            proj["segments"],
            classes,
            _widths(np.abs(delta)) * 1.2,
            colours,
            label=t("maps.change.alt", project=label),
            grey_network=True,
            place_names=state.names,
            decimal=t("decimal_mark"),
        )
        out[pid] = _map_figure(svg, bar, caption, title=t("maps.change.title", project=label))
    return out


def _project_names(ctx: _Context) -> dict[str, str]:
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


def _ranking_order(ctx: _Context) -> list[str]:
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


def _bar(value: Any, colour: str) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return ""
    width = max(0.0, min(100.0, float(value)))
    return f'<div class="bar"><span style="width:{width:.1f}%;background:{colour}"></span></div>'


def _section_ranking(ctx: _Context) -> str:
    t = ctx.t
    header_rows = ctx.data.tables.get("ranking")
    if header_rows is None:
        return _missing(t("ranking.absent"))
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
        f'<p class="sub">{_e(t("ranking.sub", weights=ctx.weights_source))} '
        + (_e(t("ranking.method", method=method)) + " " if method else "")
        + f"{_e(t('ranking.tick'))}</p>",
        _figure(
            plots.ranking_svg(
                names,
                contributions,
                criterion_labels=labels,
                scores=scores,
                title=t("ranking.chart.title"),
                xlabel=t("ranking.chart.xlabel"),
                score_label=t("ranking.chart.method_score"),
                decimal=t("decimal_mark"),
            ),
            t("ranking.chart.alt"),
        ),
    ]
    head = [
        t("col.rank"),
        t("col.project"),
        t("col.score"),
        *[f"P{k}" for k in range(1, 7)],
        t("col.judged_share"),
        t("col.capex"),
        t("col.npv"),
        t("col.bcr"),
    ]
    trs = []
    for r in ranking:
        crit_cells = "".join(
            f'<td class="num cell-score">{_e(_f1(r.get(c), t))}'
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
            f'<td class="num">{_e(t.num(r.get("rank")))}</td>'
            f'<td><a href="#project-{_e(r.get("project_id"))}"><strong>'
            f"{_e(r.get('name') or '')}</strong></a><br><code>{_e(r.get('project_id'))}</code></td>"
            f'<td class="num"><strong>{_e(_f1(r.get("score"), t))}</strong></td>'
            f"{crit_cells}"
            f'<td class="num">{_e(t.num(r.get("judged_share"), "share"))}</td>'
            f'<td class="num">{_e(t.num(r.get("capex_mdkk")))}</td>'
            f'<td class="num {npv_cls}">{_e(t.num(npv))}</td>'
            f'<td class="num">{_e(t.num(r.get("bcr")))}</td>'
            "</tr>"
        )
    legend = " · ".join(f"P{k} = {ctx.names[str(k)]}" for k in range(1, 7))
    parts.append(
        '<table class="ranking sortable"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead>"
        f"<tbody>{''.join(trs)}</tbody></table>"
        f'<p class="sub">{_e(legend)}. {_e(t("ranking.judged_share"))}</p>'
    )
    if unranked:
        parts.append(_unranked_table(ctx, unranked))
    return "".join(parts)


def _unranked_table(ctx: _Context, rows: list[dict[str, Any]]) -> str:
    """Decided and not-appraised projects: listed with their appraisal, not ranked."""
    t = ctx.t
    reasons = {
        str(r.get("project_id")): str(r.get("decision_reason") or "")
        for r in ctx.data.records("projects")
    }
    labels = {d: t(f"unranked.decision.{d}") for d in ("decided", "not_appraised")}
    trs = []
    for r in rows:
        pid = str(r.get("project_id"))
        npv = r.get("npv_mdkk")
        trs.append(
            "<tr>"
            f'<td><a href="#project-{_e(pid)}"><strong>{_e(r.get("name") or "")}</strong></a>'
            f"<br><code>{_e(pid)}</code></td>"
            f"<td>{_e(labels.get(str(r.get('decision')), str(r.get('decision') or '')))}</td>"
            f'<td class="num">{_e(t.num(r.get("capex_mdkk")))}</td>'
            f'<td class="num">{_e(t.num(npv))}</td>'
            f'<td class="num">{_e(t.num(r.get("bcr")))}</td>'
            f"<td>{_e(reasons.get(pid, ''))}</td>"
            "</tr>"
        )
    head = [
        t("col.project"),
        t("col.decision"),
        t("col.capex"),
        t("col.npv"),
        t("col.bcr"),
        t("col.why"),
    ]
    return (
        f"<h3>{_e(t('unranked.heading'))}</h3>"
        f'<p class="sub">{_e(t("unranked.sub"))}</p>'
        '<table class="ranking unranked sortable"><thead><tr>'
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
    t = ctx.t
    rows = ctx.data.records("portfolio")
    if not rows:
        return _missing(t("portfolio.absent"))
    chosen = [r for r in rows if _selected(r.get("selected"))]
    capex = sum(_to_float(r.get("capex_mdkk")) for r in chosen if r.get("capex_mdkk") is not None)
    score = sum(_to_float(r.get("score")) for r in chosen if r.get("score") is not None)
    budget = settings.get("budget_mdkk")
    facts = [
        (t("portfolio.selected"), t("portfolio.n_of", n=len(chosen), total=len(rows))),
        (t("portfolio.capex"), t("mdkk", value=t.num(capex))),
        (t("portfolio.score"), t.num(score)),
    ]
    if isinstance(budget, int | float):
        facts.append((t("portfolio.budget"), t("mdkk", value=t.num(budget))))
    decided = [r for r in ctx.data.records("ranking") if r.get("decision") == "decided"]
    if decided:
        spent = sum(
            _to_float(r.get("capex_mdkk")) for r in decided if r.get("capex_mdkk") is not None
        )
        facts.append(
            (
                t("portfolio.decided"),
                t("portfolio.decided.value", n=len(decided), value=t.num(spent)),
            )
        )
    parts = [
        f'<p class="sub">{_e(t("portfolio.sub"))}</p>',
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
            f'<span class="badge selected">{_e(t("portfolio.badge.selected"))}</span>'
            if sel
            else f'<span class="badge neutral">{_e(t("portfolio.badge.not_selected"))}</span>'
        )
        trs.append(
            f'<tr class="{"selected" if sel else ""}">'
            f"<td><strong>{_e(r.get('name') or '')}</strong> "
            f"<code>{_e(r.get('project_id'))}</code></td>"
            f"<td>{badge}</td>"
            f'<td class="num">{_e(t.num(r.get("start_year"), "year"))}</td>'
            f'<td class="num">{_e(t.num(r.get("capex_mdkk")))}</td>'
            f'<td class="num">{_e(_f1(r.get("score"), t))}</td></tr>'
        )
    parts.append(
        f'<table class="sortable"><thead><tr><th>{_e(t("col.project"))}</th><th></th>'
        f'<th class="num">{_e(t("col.start_year"))}</th>'
        f'<th class="num">{_e(t("col.capex"))}</th><th class="num">{_e(t("col.score"))}</th>'
        "</tr></thead>"
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
        if i_x is not None and i_s is not None:
            by_point: dict[tuple[float, float], list[Any]] = {}
            for row in feasible:
                by_point.setdefault((_to_float(row[i_x]), _to_float(row[i_s])), row)
            feasible = list(by_point.values())
        if i_x is not None and i_s is not None and feasible:
            labels = [t.num(row[i_n]) for row in feasible] if i_n is not None else None
            xlabel = t("frontier.xlabel.capex") if i_c is not None else t("frontier.xlabel.budget")
            parts.append(
                _figure(
                    plots.frontier_svg(
                        [_to_float(row[i_x]) if row[i_x] is not None else 0.0 for row in feasible],
                        [_to_float(row[i_s]) for row in feasible],
                        chosen=(capex, score) if chosen else None,
                        labels=labels,
                        xlabel=xlabel,
                        ylabel=t("frontier.ylabel"),
                        title=t("frontier.title"),
                        chosen_label=t("frontier.chosen"),
                        decimal=t("decimal_mark"),
                    ),
                    t("frontier.alt"),
                    t("frontier.caption"),
                )
            )
        else:
            parts.append(_missing(t("frontier.infeasible")))
    else:
        parts.append(_missing(t("frontier.absent")))
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
    t = ctx.t
    acc = _acceptability(ctx)
    if acc is None:
        if "sensitivity" in ctx.data.tables:
            return _missing(t("acc.no_probabilities"))
        return _missing(t("acc.absent"))
    ids, probs = acc
    names = _project_names(ctx)
    labels = [names.get(p, str(p)) for p in ids]
    ranking = {r.get("project_id"): r for r in ctx.data.records("ranking")}
    parts = [
        f'<p class="sub">{_e(t("acc.sub"))}</p>',
        _figure(
            plots.acceptability_svg(
                labels,
                probs,
                title=t("acc.chart.title"),
                rank_label=t("acc.chart.rank"),
                xlabel=t("acc.chart.xlabel"),
                decimal=t("decimal_mark"),
            ),
            t("acc.chart.alt"),
        ),
    ]
    trs = []
    for pid, label, p in zip(ids, labels, probs, strict=True):
        r = ranking.get(pid, {})
        best = int(np.nanargmax(p)) if np.isfinite(p).any() else 0
        flag = r.get("unstable")
        unstable = bool(flag) if isinstance(flag, bool | int) else bool(p[best] < 0.6)
        badge = (
            f'<span class="badge unstable">{_e(t("acc.unstable"))}</span>'
            if unstable
            else f'<span class="badge stable">{_e(t("acc.stable"))}</span>'
        )
        lo, hi = r.get("rank_p05"), r.get("rank_p95")
        span = f"{t.num(lo)}–{t.num(hi)}" if lo is not None and hi is not None else "–"
        swap = "–"
        if r.get("swap_with"):
            swap = f"{names.get(r['swap_with'], r['swap_with'])}"
            if r.get("swap_criterion") is not None and r.get("swap_weight_change") is not None:
                swap += t(
                    "acc.swap_if",
                    criterion=t.num(r["swap_criterion"]),
                    change=t.num(r["swap_weight_change"]),
                )
        trs.append(
            f"<tr><td>{_e(label)} <code>{_e(pid)}</code></td>"
            f'<td class="num">{_e(t.num(r.get("rank")))}</td>'
            f'<td class="num">{best + 1} ({_e(t.num(float(p[best]), "share"))})</td>'
            f'<td class="num">{_e(span)}</td>'
            f'<td class="num">{_e(t.num(r.get("p_top_k"), "share"))}</td>'
            f"<td>{_e(swap)}</td><td>{badge}</td></tr>"
        )
    head = [
        t("col.project"),
        t("col.rank"),
        t("acc.col.likely"),
        t("acc.col.span"),
        t("acc.col.top", k=ctx.top_k if isinstance(ctx.top_k, int) else "k"),
        t("acc.col.swap"),
        "",
    ]
    parts.append(
        '<table class="sortable"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(trs)}</tbody></table>"
    )
    return "".join(parts)


def _section_order(ctx: _Context) -> list[str]:
    """The projects that get a section, in ranking order (then projects.csv, impacts.csv)."""
    if not ctx.data.records("impacts") and not ctx.data.records("projects"):
        return []
    order = _ranking_order(ctx)
    for table in ("projects", "impacts"):
        for r in ctx.data.records(table):
            pid = r.get("project_id")
            if pid is not None and pid not in order:
                order.append(pid)
    return order


def _section_projects(ctx: _Context) -> str:
    t = ctx.t
    impacts = ctx.data.records("impacts")
    projects = {r.get("project_id"): r for r in ctx.data.records("projects")}
    cba = ctx.data.records("cba")
    if not impacts and not projects:
        return _missing(t("projects.absent"))
    order = _section_order(ctx)
    names = _project_names(ctx)
    sub_names = subcriterion_names(t.lang)
    parts = [
        f'<p class="sub">{_e(t("projects.sub.lead"))} '
        f'<span class="badge modelled">{_e(t("basis.modelled"))}</span> '
        f"{_e(t('projects.sub.modelled'))} "
        f'<span class="badge judged">{_e(t("basis.judged"))}</span> '
        f"{_e(t('projects.sub.judged'))}</p>"
    ]
    if not impacts:
        parts.append(_missing(t("projects.no_impacts")))
    by_project: dict[Any, list[dict[str, Any]]] = {}
    for r in impacts:
        by_project.setdefault(r.get("project_id"), []).append(r)
    scores_by: dict[Any, list[dict[str, Any]]] = {}
    for r in ctx.data.records("scores_long"):
        scores_by.setdefault(r.get("project_id"), []).append(r)
    #: which indicator scores each sub-criterion (the same for every ranked project)
    scored_indicator = {
        str(r.get("subcriterion")): str(r.get("indicator")) for r in ctx.data.records("scores_long")
    }
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
            ("opening_year", p.get("opening_year")),
            ("capex_mdkk", p.get("capex_mdkk")),
            ("opex_mdkk_per_year", p.get("opex_mdkk_per_year")),
            ("construction_co2e_t", p.get("construction_co2e_t")),
        ]
        fact_html = "".join(
            f'<div class="fact"><div class="l">{_e(t(f"projects.fact.{a}"))}</div>'
            f'<div class="v">{_e(t.num(v, "year" if a == "opening_year" else ""))}</div></div>'
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
            block.append(f'<div class="meta">{_e(t("projects.municipalities", names=towns))}</div>')
        if fact_html:
            block.append(f'<div class="facts">{fact_html}</div>')
        project = ctx.project_files.get(pid)
        if project is not None:
            block.append(_project_file_block(project, t))
        judged = [r for r in ctx.data.records("judgements") if r.get("project_id") == pid]
        scores = scores_by.get(pid, []) or _unscored(rows, scored_indicator, p, t)
        if scores:
            block.append(_case_table(pid, scores, rows, judged, sub_names, t))
        if rows:
            n_sub = len({r.get("subcriterion") for r in rows})
            n_judged = len({r.get("subcriterion") for r in rows if r.get("basis") == "judged"})
            counts = t("projects.counts", n=n_sub, modelled=n_sub - n_judged, judged=n_judged)
            trs = []
            previous = None
            for r in rows:
                basis = str(r.get("basis") or "")
                sub = str(r.get("subcriterion") or "")
                label = ""
                if sub != previous:
                    label = (
                        f"<code>{_e(sub)}</code> {_e(sub_names.get(sub, ''))} "
                        f"({_e(_basis_label(basis, t))})"
                    )
                previous = sub
                band = r.get("noise_band")
                band_cell = "" if band in (None, "") else t.num(band, r.get("unit") or "")
                noisy = isinstance(band, float) and isinstance(r.get("value"), float)
                noisy = noisy and abs(r["value"]) <= band
                trs.append(
                    f"<tr><td>{label}</td>"
                    f"<td>{_e(str(r.get('indicator') or '').replace('_', ' '))}</td>"
                    f"<td>{_e(t.num(r.get('value'), r.get('unit') or ''))}</td>"
                    f"<td>{_e(band_cell)}{' (≈ 0)' if noisy else ''}</td>"
                    f"<td>{_e(r.get('unit') or '')}</td></tr>"
                )
            head = ["subcriterion", "indicator", "value", "band", "unit"]
            cells = "".join(f"<th>{_e(t(f'projects.col.{h}'))}</th>" for h in head)
            block.append(
                f"<details><summary>{_e(t('projects.all_indicators', n=len(rows)))} "
                f"{_e(counts)}</summary>"
                f'<table class="impacts"><thead><tr>{cells}</tr></thead>'
                f"<tbody>{''.join(trs)}</tbody></table>"
                f'<div class="meta">{_e(t("projects.noise_note"))}</div></details>'
            )
        if judged:
            block.append(_judgements_list(judged, sub_names, t))
        citems = cba_by.get(pid, [])
        if citems:
            block.append(_cba_table(citems, t))
        change_map = _change_maps(ctx).get(pid, "")
        if change_map.startswith("<div"):
            block.append(f'<h4 id="map-{_e(pid)}">{_e(t("projects.map"))}</h4>{change_map}')
        elif change_map == "unchanged":
            block.append(f'<div class="meta">{_e(t("projects.map.unchanged"))}</div>')
        elif change_map:
            block.append(change_map)
        block.append("</div>")
        parts.append("".join(block))
    return "".join(parts)


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


def _project_file_block(project: Any, t: Messages) -> str:
    """What the project file says: description, network and service changes, capex with its
    reserve and stage, estimates and sources."""
    parts = []
    if project.description:
        parts.append(f'<p class="desc">{_e(project.description)}</p>')
    capex = t(
        "projects.capex",
        base=t.num(project.capex_base_mdkk),
        year=project.capex_price_year,
        reserve=t.num(project.reserve_pct),
        total=t.num(project.capex_mdkk),
        estimate=project.estimate_class or "–",
        stage=project.stage or "–",
    )
    rule = f" ({project.reserve_rule})" if project.reserve_rule else ""
    parts.append(f'<div class="meta">{_e(capex + rule)}</div>')
    if project.changes:
        items = []
        for change in project.changes:
            params = ", ".join(
                f"{k}: {_setting_text(str(k), v, t, limit=160)}"
                for k, v in change.params.items()
                if v not in (None, "", [], {})
            )
            items.append(f"<li><code>{_e(change.op)}</code> {_e(params)}</li>")
        parts.append(
            f'<h4>{_e(t("projects.changes"))}</h4><ul class="changes">{"".join(items)}</ul>'
        )
    if project.estimates:
        est = "; ".join(f"{k}: {v}" for k, v in project.estimates.items())
        parts.append(f'<div class="meta">{_e(t("projects.estimates", text=est))}</div>')
    if project.sources:
        links = " · ".join(
            f'<a href="{_e(src)}">{_e(src)}</a>'
            if str(src).startswith(("http://", "https://"))
            else _e(src)
            for src in project.sources
        )
        parts.append(f'<div class="meta">{_e(t("projects.sources"))} {links}</div>')
    return "".join(parts)


def _unscored(
    rows: Sequence[Mapping[str, Any]],
    scored_indicator: Mapping[str, str],
    project: Mapping[str, Any],
    t: Messages,
) -> list[dict[str, Any]]:
    """Case-table rows for a project that is not ranked (decided, or not appraised): each
    sub-criterion's scored indicator with its raw value from impacts.csv, and in place of
    the 0-100 score the reason it has none. Empty when no project is ranked."""
    decision = str(project.get("decision") or "")
    note = t(
        "projects.case.not_scored_decided" if decision == "decided" else "projects.case.not_scored"
    )
    by_key = {(str(r.get("subcriterion")), str(r.get("indicator"))): r for r in rows}
    out = []
    for sub, indicator in scored_indicator.items():
        r = by_key.get((sub, indicator), {})
        out.append(
            {
                "subcriterion": sub,
                "indicator": indicator,
                "value": r.get("value"),
                "unit": r.get("unit") or "",
                "basis": r.get("basis") or "",
                "sub_score": None,
                "not_scored": note,
            }
        )
    return out


def _case_table(
    pid: Any,
    scores: Sequence[Mapping[str, Any]],
    impacts: Sequence[Mapping[str, Any]],
    judged: Sequence[Mapping[str, Any]],
    sub_names: Mapping[str, str],
    t: Messages,
) -> str:
    """The twelve sub-criteria of one project (scores_long.csv): raw value, unit, 0-100
    score, basis, the grade's reason (judgements.csv) and the noise band (impacts.csv)."""
    band = {
        (str(r.get("subcriterion")), str(r.get("indicator"))): r.get("noise_band") for r in impacts
    }
    reasons: dict[str, list[str]] = {}
    for r in judged:
        reasons.setdefault(str(r.get("subcriterion")), []).append(str(r.get("reason") or ""))
    trs = []
    for r in sorted(scores, key=lambda r: _subcrit_key(r.get("subcriterion"))):
        sub = str(r.get("subcriterion") or "")
        basis = str(r.get("basis") or "")
        cls = basis if basis in ("modelled", "judged") else "neutral"
        unit = str(r.get("unit") or "")
        b = band.get((sub, str(r.get("indicator"))))
        band_cell = "" if b in (None, "") else t.num(b, unit)
        why = " ".join(x for x in reasons.get(sub, []) if x)
        trs.append(
            f"<tr><td><code>{_e(sub)}</code> {_e(sub_names.get(sub, ''))}</td>"
            f'<td class="num">{_e(t.num(r.get("value"), unit))}</td>'
            f'<td class="num">{_e(band_cell)}</td>'
            f"<td>{_e(unit)}</td>"
            + (
                f'<td class="num"><span class="sub">{_e(r["not_scored"])}</span></td>'
                if r.get("not_scored")
                else f'<td class="num"><strong>{_e(_f1(r.get("sub_score"), t))}</strong>'
                f"{_bar(r.get('sub_score'), '#0b4f8a')}</td>"
            )
            + f'<td><span class="badge {cls}">{_e(_basis_label(basis, t))}</span>'
            + (f'<br><span class="sub">{_e(why)}</span>' if why else "")
            + "</td></tr>"
        )
    head = "".join(
        f'<th class="num">{_e(t(f"projects.case.{h}"))}</th>'
        if h in ("value", "band", "score")
        else f"<th>{_e(t(f'projects.case.{h}'))}</th>"
        for h in ("subcriterion", "value", "band", "unit", "score", "basis")
    )
    return (
        f"<h4>{_e(t('projects.case.heading', n=len(trs)))}</h4>"
        f'<table class="case" data-project="{_e(pid)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(trs)}</tbody></table>"
    )


def _judgements_list(rows: list[dict[str, Any]], sub_names: Mapping[str, str], t: Messages) -> str:
    """The judged and rule-based grades of one project: level, grade, reason and what the
    rubric level means (judgements.csv)."""
    items = []
    for r in rows:
        sub = str(r.get("subcriterion") or "")
        part = r.get("part")
        head = t(
            "projects.judgement",
            sub=sub,
            name=sub_names.get(sub, ""),
            level=str(r.get("level") or ""),
            grade=t.num(r.get("grade"), ""),
        )
        who = f" <code>{_e(part)}</code>" if part and part != r.get("project_id") else ""
        items.append(
            f"<li><strong>{_e(head)}</strong>{who}: {_e(str(r.get('reason') or ''))}"
            f'<br><span class="sub">{_e(str(r.get("level_text") or ""))}</span></li>'
        )
    return (
        f'<div class="meta">{_e(t("projects.judgements_head"))}</div>'
        f'<ul class="judgements">{"".join(items)}</ul>'
    )


def _basis_label(basis: str, t: Messages) -> str:
    """``modelled``/``judged`` in the report's language (other values as they are)."""
    return t(f"basis.{basis}") if basis in ("modelled", "judged") else (basis or "?")


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


def _cba_table(items: Sequence[Mapping[str, Any]], t: Messages) -> str:
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
    head = f"<th>{_e(t('cba.col.item'))}</th>"
    if has_value:
        head += f'<th class="num">{_e(t("cba.col.value"))}</th>'
    head += f'<th class="num">{_e(t("cba.col.pv"))}</th>'
    has_noise = any(_num_class(i.get("pv_noise_mdkk")) for i in rows)
    if has_noise:
        head += f'<th class="num">{_e(t("cba.col.noise"))}</th>'

    def cell(v: Any) -> str:
        x = _to_float(v)
        cls = "pos" if x > 0 else ("neg" if x < 0 else "")
        return f'<td class="num {cls}">{_e(t.num(v))}</td>'

    trs = []
    for i in body:
        label = _cba_label(str(i.get("item") or ""), t)
        cells = f"<td>{_e(label)}</td>"
        if has_value:
            cells += cell(i.get("value_mdkk"))
        cells += cell(i.get("pv_mdkk"))
        if has_noise:
            cells += f'<td class="num">{_e(t.num(i.get("pv_noise_mdkk")))}</td>'
        trs.append(f"<tr>{cells}</tr>")
    span = 2 if has_value else 1
    total = sum(_to_float(i.get("pv_mdkk")) for i in body if _num_class(i.get("pv_mdkk")))
    blank = '<th class="num"></th>' if has_noise else ""
    foot = [
        f'<tr><th colspan="{span}">{_e(t("cba.sum"))}</th>'
        f'<th class="num">{_e(t.num(total))}</th>{blank}</tr>'
    ]
    for i in results:
        noise = f'<th class="num">{_e(t.num(i.get("pv_noise_mdkk")))}</th>' if has_noise else ""
        foot.append(
            f'<tr><th colspan="{span}">{_e(_cba_label(str(i.get("item")), t))}</th>'
            f'<th class="num">{_e(t.num(i.get("pv_mdkk")))}</th>{noise}</tr>'
        )
    return (
        f"<h4>{_e(t('cba.heading'))}</h4>"
        f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{"".join(trs)}</tbody>'
        f"<tfoot>{''.join(foot)}</tfoot></table>"
    )


def _cba_label(item: str, t: Messages) -> str:
    """The label of a cba.csv item (``cba.item.<item>`` in the catalogue, else the id)."""
    try:
        return t(f"cba.item.{item}")
    except KeyError:
        return item.replace("_", " ")


def _f1(value: Any, t: Messages) -> str:
    """A score with one decimal (scores are 0-100)."""
    return t.decimal(_to_float(value), 1)


def _subcrit_key(sub: Any) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in str(sub).split("."))
    except ValueError:
        return (999,)


#: The method notes of the "Approximations and sources" section (``notes.<key>``).
#: Their facts are those of docs/method.md, sections 1-2.
NOTES: tuple[str, ...] = (
    "assignment",
    "convergence",
    "noise",
    "annualisation",
    "demand",
    "judged",
    "cba",
    "sources",
)


def _section_notes(ctx: _Context, settings: Mapping[str, Any], notes: Sequence[str]) -> str:
    t = ctx.t
    items = [t(f"notes.{key}") for key in NOTES]
    run = _convergence_note(ctx)
    if run:
        items.insert(NOTES.index("convergence") + 1, run)
    items.extend(str(n) for n in notes)
    if settings.get("synthetic_fixture"):
        items.insert(0, t("notes.synthetic"))
    if ctx.data.missing:
        items.append(t("notes.missing", files=", ".join(ctx.data.missing)))
    return '<ul class="notes">' + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>"


def _convergence_note(ctx: _Context) -> str:
    """How far this run's reference converged (from indicators.csv), or ``""``."""
    t = ctx.t
    values = {r.get("indicator"): r.get("value") for r in ctx.data.records("indicators")}
    gap, change = values.get("assignment_rel_gap"), values.get("feedback_demand_change")
    if not isinstance(gap, float) or not isinstance(change, float):
        return ""

    def sci(x: float) -> str:
        text = f"{x:.1e}"
        return text.replace(".", ",") if t.lang == "da" else text

    iterations = values.get("feedback_iterations")
    converged = values.get("feedback_converged")
    return t(
        "notes.convergence.run",
        gap=sci(gap),
        change=sci(change),
        iterations=t.num(int(iterations)) if isinstance(iterations, float) else "–",
        converged=t("yes" if converged == 1 else "no") if converged is not None else "–",
    )


def _footer(data: RunData, version: str | None, t: Messages, *, manifest_final: bool) -> str:
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
        else _e(t("footer.manifest_after"))
    )
    return (
        '<footer><div class="wrap">'
        f"{_e(t('footer.generated', version=version))} · {manifest} · "
        f"{_e(t('footer.digest'))} <code>{_e(data.data_digest[:16] or t('none'))}</code> "
        f"{_e(t('footer.digest_note'))}"
        "</div></footer>\n"
    )
