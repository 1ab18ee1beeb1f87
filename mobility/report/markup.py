"""HTML building blocks of the report: escaping, numbers and scores as text, tables, figures,
score bars and the run settings as plain text.

Every function returns a string of HTML (or plain text for :func:`setting_text`); every text
from the inputs goes through :func:`esc`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mobility.report import plots
from mobility.report.i18n import Messages, format_number

__all__ = [
    "basis_label",
    "column_index",
    "esc",
    "fmt",
    "html_table",
    "is_selected",
    "missing_note",
    "num_class",
    "score_bar",
    "score_text",
    "setting_text",
    "subcriterion_key",
    "svg_figure",
    "to_float",
]


def esc(value: Any) -> str:
    """``value`` as text, HTML-escaped (quotes too, so it may stand in an attribute).

    Parameters
    ----------
    value
        Anything; it is turned into text with ``str``.

    Returns
    -------
    str
        The escaped text.
    """
    return html.escape(str(value), quote=True)


def fmt(value: Any, unit: str = "", lang: str = "da") -> str:
    """Human-readable number for the report (:func:`mobility.report.i18n.format_number`)."""
    return format_number(value, unit, lang)


def num_class(value: Any) -> str:
    """The CSS class of a table cell holding ``value``: ``"num"`` for a number, else ``""``.

    Parameters
    ----------
    value
        A typed cell (booleans are not numbers here).

    Returns
    -------
    str
        ``"num"`` or ``""``.
    """
    return "num" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def missing_note(text: str) -> str:
    """A paragraph saying that an input is absent (``<p class="missing">``).

    Parameters
    ----------
    text
        The note, in the report's language (escaped here).

    Returns
    -------
    str
        The HTML paragraph.
    """
    return f'<p class="missing">{esc(text)}</p>'


def svg_figure(svg: str, alt: str, caption: str = "") -> str:
    """An SVG document as an ``<img>`` (a ``data:`` URI) in a figure, with an optional caption.

    Parameters
    ----------
    svg
        The SVG document (:mod:`mobility.report.plots`).
    alt
        The image's alternative text.
    caption
        Text under the figure; none if empty.

    Returns
    -------
    str
        The HTML figure.
    """
    cap = f'<div class="caption">{esc(caption)}</div>' if caption else ""
    return f'<div class="figure"><img src="{plots.svg_data_uri(svg)}" alt="{esc(alt)}">{cap}</div>'


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    t: Messages,
    *,
    units: Sequence[str] = (),
) -> str:
    """A sortable table of typed rows, numbers in the report's language.

    Parameters
    ----------
    header
        Column headings.
    rows
        The rows' cells; numbers get the ``num`` class.
    t
        The report's messages (number format).
    units
        Unit of each column (:meth:`~mobility.report.i18n.Messages.num`), by position;
        columns beyond it have none.

    Returns
    -------
    str
        The HTML table.
    """
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for j, v in enumerate(row):
            unit = units[j] if j < len(units) else ""
            cells.append(f'<td class="{num_class(v)}">{esc(t.num(v, unit))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def column_index(header: Sequence[str], *candidates: str, prefix: str | None = None) -> int | None:
    """The index of the first of ``candidates`` in ``header``, else of the first column
    whose name starts with ``prefix``.

    Parameters
    ----------
    header
        The column names.
    *candidates
        Column names, the preferred first.
    prefix
        A name start to fall back on.

    Returns
    -------
    int or None
        The column's index, or None if no column matches.
    """
    for c in candidates:
        if c in header:
            return list(header).index(c)
    if prefix is not None:
        for i, h in enumerate(header):
            if h.startswith(prefix):
                return i
    return None


def setting_text(
    key: str, value: Any, t: Messages, *, limit: int = 400, nested: bool = False
) -> str:
    """One run setting as plain text (nested mappings in parentheses, long values shortened).

    Parameters
    ----------
    key
        The setting's name; an integer setting named as a label (a seed, a year, an id)
        is written without thousands separators.
    value
        The setting's value (mapping, list, bool, number or text).
    t
        The report's messages.
    limit
        Longest text; a longer one ends in ``…``.
    nested
        Whether ``value`` sits inside another mapping (then in parentheses).

    Returns
    -------
    str
        The text (not escaped).
    """
    if isinstance(value, Mapping):
        text = ("; " if not nested else ", ").join(
            f"{k}: {setting_text(str(k), v, t, limit=limit, nested=True)}"
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            if v not in (None, "", {}, [])
        )
        text = f"({text})" if nested else text
    elif isinstance(value, list | tuple):
        text = ", ".join(setting_text(key, v, t, limit=limit) for v in value)
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


def score_bar(value: Any, colour: str) -> str:
    """A horizontal bar of a 0-100 score (clipped to that range), or ``""`` for no number.

    Parameters
    ----------
    value
        The score.
    colour
        CSS colour of the bar.

    Returns
    -------
    str
        The HTML bar.
    """
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return ""
    width = max(0.0, min(100.0, float(value)))
    return f'<div class="bar"><span style="width:{width:.1f}%;background:{colour}"></span></div>'


def to_float(value: Any) -> float:
    """A typed cell as a float: numbers as they are, anything else (booleans too) NaN.

    Parameters
    ----------
    value
        The cell.

    Returns
    -------
    float
        The number, or NaN.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def is_selected(value: Any) -> bool:
    """Whether a portfolio.csv ``selected`` cell says selected (``1``, true, ``"yes"`` ...).

    Parameters
    ----------
    value
        The cell.

    Returns
    -------
    bool
        True if selected.
    """
    return value in (1, True, "yes", "true", "1")


def basis_label(basis: str, t: Messages) -> str:
    """``modelled``/``judged`` in the report's language (other values as they are).

    Parameters
    ----------
    basis
        The basis of an indicator or score.
    t
        The report's messages.

    Returns
    -------
    str
        The label (``"?"`` for an empty basis).
    """
    return t(f"basis.{basis}") if basis in ("modelled", "judged") else (basis or "?")


def score_text(value: Any, t: Messages) -> str:
    """A score with one decimal (scores are 0-100).

    Parameters
    ----------
    value
        The score (anything not a number shows as ``–``).
    t
        The report's messages (decimal mark).

    Returns
    -------
    str
        The score as text.
    """
    return t.decimal(to_float(value), 1)


def subcriterion_key(sub: Any) -> tuple[int, ...]:
    """Sort key of a sub-criterion id: ``"1.2"`` -> ``(1, 2)``, anything else last.

    Parameters
    ----------
    sub
        The sub-criterion id.

    Returns
    -------
    tuple of int
        The id's numbers, or ``(999,)``.
    """
    try:
        return tuple(int(x) for x in str(sub).split("."))
    except ValueError:
        return (999,)
