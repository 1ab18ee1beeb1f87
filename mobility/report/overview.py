"""The framing parts of the report: the hero with the headline indicators, the scenario
summary (the run's settings and tables), the indicator table, the method notes and the
footer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mobility.report.context import ReportContext
from mobility.report.i18n import Messages
from mobility.report.markup import esc, missing_note, setting_text
from mobility.report.runfolder import RunData

__all__ = [
    "INDICATORS",
    "NOTES",
    "footer",
    "hero",
    "section_indicators",
    "section_notes",
    "section_summary",
]


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


def hero(ctx: ReportContext, page_title: str, settings: Mapping[str, Any]) -> str:
    """The page's header: title, lede (the top-ranked project) and the headline indicators.

    Parameters
    ----------
    ctx
        The report's context (indicators.csv, ranking.csv).
    page_title
        The page's title.
    settings
        The run's settings (``year``).

    Returns
    -------
    str
        The header's HTML.
    """
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
                f'<div class="card-kpi"><div class="v">{esc(t.compact(v, unit))}</div>'
                f'<div class="l">{esc(t(f"kpi.{key}"))}</div></div>'
            )
    shares = [(m, values.get(f"mode_share_{m}")) for m in ("car", "pt", "bike", "walk")]
    if all(s is not None for _, s in shares):
        text = " · ".join(f"{t(f'mode.{m}')} {t.compact(s[0], 'share')}" for m, s in shares if s)
        cards.append(
            f'<div class="card-kpi wide"><div class="v small">{esc(text)}</div>'
            f'<div class="l">{esc(t("kpi.mode_shares"))}</div></div>'
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
        f'<p class="kicker">{esc(kicker)}</p><h1>{esc(page_title)}</h1>'
        f'<p class="lede">{esc(lede)}</p>'
        f'<div class="cards">{"".join(cards)}</div>'
        "</div></header>\n"
    )


def _setting_label(key: str, t: Messages) -> str:
    """The label of a run setting (``setting.<key>`` in the catalogue, else the key)."""
    try:
        return t(f"setting.{key}")
    except KeyError:
        return key.replace("_", " ")


def section_summary(ctx: ReportContext, settings: Mapping[str, Any]) -> str:
    """The scenario summary: the run's settings and the tables the report was built from.

    Parameters
    ----------
    ctx
        The report's context.
    settings
        The run's settings.

    Returns
    -------
    str
        The section's HTML.
    """
    t = ctx.t
    parts = [f'<p class="sub">{esc(t("summary.sub"))}</p>']
    if settings:
        items = [
            f"<dt>{esc(_setting_label(str(key), t))}</dt>"
            f"<dd>{esc(setting_text(str(key), value, t))}</dd>"
            for key, value in sorted(settings.items(), key=lambda kv: str(kv[0]))
        ]
        parts.append(f'<dl class="summary">{"".join(items)}</dl>')
    else:
        parts.append(missing_note(t("summary.no_settings")))
    present = sorted(f"{n}.csv" for n in ctx.data.tables)
    links = ", ".join(f'<a href="{esc(name)}">{esc(name)}</a>' for name in present)
    parts.append(f"<p>{t('summary.tables', files=links or esc(t('none')))}</p>")
    if ctx.data.missing:
        parts.append(
            f'<div class="note">'
            f"{esc(t('summary.missing', files=', '.join(ctx.data.missing)))}</div>"
        )
    return "".join(parts)


def section_indicators(ctx: ReportContext) -> str:
    """The indicator table of indicators.csv, each with its plain-language label.

    Parameters
    ----------
    ctx
        The report's context.

    Returns
    -------
    str
        The section's HTML (a note when indicators.csv is absent).
    """
    t = ctx.t
    rows = ctx.data.records("indicators")
    if not rows:
        return missing_note(t("indicators.absent"))
    head = f'<p class="sub">{esc(t("indicators.sub"))}</p>'
    table_rows = "".join(
        f"<tr><td>{esc(_indicator_label(str(r.get('indicator')), t))} "
        f"<code>{esc(r.get('indicator'))}</code></td>"
        f'<td class="num">{esc(t.num(r.get("value"), r.get("unit") or ""))}</td>'
        f"<td>{esc(r.get('unit') or '')}</td></tr>"
        for r in rows
    )
    return (
        head
        + f'<table class="sortable"><thead><tr><th>{esc(t("col.indicator"))}</th>'
        + f'<th class="num">{esc(t("col.value"))}</th><th>{esc(t("col.unit"))}</th></tr></thead>'
        + f"<tbody>{table_rows}</tbody></table>"
    )


def _indicator_label(name: str, t: Messages) -> str:
    return t(f"indicator.{name}") if name in INDICATORS else ""


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


def section_notes(ctx: ReportContext, settings: Mapping[str, Any], notes: Sequence[str]) -> str:
    """The "Approximations and sources" section: the method notes (:data:`NOTES`), this
    run's convergence, the caller's notes and the missing tables.

    Parameters
    ----------
    ctx
        The report's context.
    settings
        The run's settings (``synthetic_fixture``).
    notes
        Extra run-specific notes.

    Returns
    -------
    str
        The section's HTML.
    """
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
    return '<ul class="notes">' + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>"


def _convergence_note(ctx: ReportContext) -> str:
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


def footer(data: RunData, version: str | None, t: Messages, *, manifest_final: bool) -> str:
    """The footer; ``manifest_final`` false means the run's manifest is written afterwards
    (settings were passed in), so a ``manifest.json`` already in the folder is not the run's.

    Parameters
    ----------
    data
        The run's tables (manifest hash and data digest).
    version
        mobility version; default the manifest's, else the package's.
    t
        The report's messages.
    manifest_final
        Whether ``manifest.json`` in the folder is the run's.

    Returns
    -------
    str
        The footer's HTML.
    """
    if version is None:
        version = str((data.manifest or {}).get("mobility_version") or "")
    if not version:
        from mobility import __version__

        version = __version__
    manifest = (
        f"manifest.json sha256 <code>{esc(data.manifest_sha256)}</code>"
        if data.manifest_sha256 and manifest_final
        else esc(t("footer.manifest_after"))
    )
    return (
        '<footer><div class="wrap">'
        f"{esc(t('footer.generated', version=version))} · {manifest} · "
        f"{esc(t('footer.digest'))} <code>{esc(data.data_digest[:16] or t('none'))}</code> "
        f"{esc(t('footer.digest_note'))}"
        "</div></footer>\n"
    )
