"""``mobility report``: (re)build the HTML report of a run folder, in Danish or English.

A thin wrapper around :func:`mobility.report.html.build_report`: it reads the CSV files of a
``mobility run`` folder (or any folder with some of them) and writes one self-contained
``report.html`` beside them, e.g. an English copy of a run's Danish report.
"""

from __future__ import annotations

from pathlib import Path

import click

#: The report's languages, as :data:`mobility.report.i18n.LANGS` (kept literal so that
#: ``mobility --help`` does not import numpy; a test checks they agree).
LANGS: tuple[str, ...] = ("da", "en")

EPILOG = """
\b
Examples:
  mobility report out/reference_2035                          # Danish, report.html
  mobility report out/reference_2035 --lang en -o report_en.html
"""


@click.command("report", epilog=EPILOG)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=LANGS[0],
    show_default=True,
    help="Language of the report: da (Danish) or en (English).",
)
@click.option(
    "-o",
    "--output",
    default="report.html",
    show_default=True,
    help="File name of the report inside FOLDER.",
)
@click.option(
    "--nodes",
    "nodes_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="GMNS node.csv for the maps [FOLDER/node.csv, else the bundled network's].",
)
@click.pass_context
def report(
    ctx: click.Context, folder: Path, lang: str, output: str, nodes_csv: Path | None
) -> None:
    """Write the HTML report of the run folder FOLDER (its CSV tables) into FOLDER."""
    from mobility.report.html import build_report
    from mobility.resources import data_dir

    if nodes_csv is None and not (folder / "node.csv").is_file():
        bundled = data_dir() / "roads" / "node.csv"
        nodes_csv = bundled if bundled.is_file() else None
    path = build_report(folder, output=output, nodes_csv=nodes_csv, lang=lang)
    if not bool((ctx.obj or {}).get("quiet", False)):
        click.echo(f"report: {path}", err=True)
