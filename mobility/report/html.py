"""The self-contained HTML report (``report.html``) of a run folder.

:func:`~mobility.report.runfolder.load_run_folder` reads whatever of the run's CSV files
exist; :func:`render_report` turns them into one HTML document with inline CSS, inline SVG
figures (as ``data:`` URIs) and one tiny inline script that records script and resource
errors in a DOM marker (``#report-status[data-errors]``) so that a headless-browser test can
check the page loaded cleanly. Nothing is fetched from the network: no CDN, no web fonts, no
external scripts.

This module assembles the page; its parts are the report's other modules:
:mod:`~mobility.report.runfolder` (reading the folder), :mod:`~mobility.report.overview`
(hero, summary, indicators, notes, footer), :mod:`~mobility.report.maps`,
:mod:`~mobility.report.results` (ranking, portfolio, acceptability),
:mod:`~mobility.report.projects`, with :mod:`~mobility.report.context` and
:mod:`~mobility.report.markup` shared by all.

Every text comes from the message catalogue (:mod:`mobility.report.i18n`,
``templates/strings.yaml``) in the report's language, Danish by default or English, with
that language's number format. The report degrades gracefully: every section whose input
file is absent says so instead of failing. All text from the inputs is HTML-escaped. The
same inputs give the same bytes (no timestamps; the footer names the version, the manifest's
sha256 and a digest of the CSV files the report was built from).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from mobility.errors import InputError
from mobility.fileio import atomic_write_text
from mobility.report.context import ReportContext, criterion_weights, default_criterion_names
from mobility.report.i18n import Messages
from mobility.report.maps import section_maps
from mobility.report.markup import esc
from mobility.report.overview import (
    footer,
    hero,
    section_indicators,
    section_notes,
    section_summary,
)
from mobility.report.projects import section_projects
from mobility.report.results import section_acceptability, section_portfolio, section_ranking
from mobility.report.runfolder import TEXT_COLUMNS, RunData, load_run_folder, project_files
from mobility.report.writers import read_table

__all__ = [
    "RUN_CSV_FILES",
    "build_report",
    "finalise_run_folder",
    "render_report",
    "write_report",
]


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
    w, weights_source = criterion_weights(weights, settings, ranking_settings, t)
    ctx = ReportContext(
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
        ("summary", section_summary(ctx, settings)),
        ("indicators", section_indicators(ctx)),
        ("maps", section_maps(ctx)),
        ("ranking", section_ranking(ctx)),
        ("portfolio", section_portfolio(ctx, settings)),
        ("acceptability", section_acceptability(ctx)),
        ("projects", section_projects(ctx)),
        ("notes", section_notes(ctx, settings, notes)),
    ]
    toc = "".join(f'<a href="#{sid}">{esc(t(f"section.{sid}"))}</a>' for sid, _ in sections)
    body = "".join(
        f'<section class="block" id="{sid}"><h2>{esc(t(f"section.{sid}"))}</h2>{content}</section>'
        for sid, content in sections
    )
    banner = ""
    if settings.get("synthetic_fixture"):
        banner = f'<div class="banner">{esc(t("banner.synthetic"))}</div>'
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
        f"<title>{esc(page_title)}</title>\n"
        f"<style>\n{css}</style>\n"
        f"<script>\n{_STATUS_SCRIPT}\n{sort_js}</script>\n"
        "</head>\n<body>\n"
        '<div id="report-status" data-loaded="no" data-errors="0" hidden></div>\n'
        f"{banner}"
        f"{hero(ctx, page_title, settings)}"
        f'<nav class="toc"><div class="wrap">{toc}</div></nav>\n'
        f'<main><div class="wrap">{body}</div></main>\n'
        f"{footer(data, version, t, manifest_final=explicit_settings is None)}"
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
