"""The project sections of the report: one block per project with its facts, what its
project file says, the twelve sub-criteria (case table), every indicator, the judged
grades, the cost-benefit items and its change map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mobility.report.context import (
    ReportContext,
    project_names,
    section_order,
    subcriterion_names,
)
from mobility.report.i18n import Messages
from mobility.report.maps import project_change_maps
from mobility.report.markup import (
    basis_label,
    esc,
    missing_note,
    num_class,
    score_bar,
    score_text,
    setting_text,
    subcriterion_key,
    to_float,
)

__all__ = ["CBA_RESULT_ITEMS", "cba_table", "section_projects"]


def section_projects(ctx: ReportContext) -> str:
    """The project sections, one block per project (in
    :func:`~mobility.report.context.section_order`): facts, project file, case table, every
    indicator, judged grades, cost-benefit items and change map.

    Parameters
    ----------
    ctx
        The report's context (impacts.csv, projects.csv, cba.csv, scores_long.csv,
        judgements.csv, project files, change maps).

    Returns
    -------
    str
        The section's HTML (a note when impacts.csv and projects.csv are absent).
    """
    t = ctx.t
    impacts = ctx.data.records("impacts")
    projects = {r.get("project_id"): r for r in ctx.data.records("projects")}
    cba = ctx.data.records("cba")
    if not impacts and not projects:
        return missing_note(t("projects.absent"))
    order = section_order(ctx)
    names = project_names(ctx)
    sub_names = subcriterion_names(t.lang)
    parts = [
        f'<p class="sub">{esc(t("projects.sub.lead"))} '
        f'<span class="badge modelled">{esc(t("basis.modelled"))}</span> '
        f"{esc(t('projects.sub.modelled'))} "
        f'<span class="badge judged">{esc(t("basis.judged"))}</span> '
        f"{esc(t('projects.sub.judged'))}</p>"
    ]
    if not impacts:
        parts.append(missing_note(t("projects.no_impacts")))
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
        rows = sorted(
            by_project.get(pid, []), key=lambda r: subcriterion_key(r.get("subcriterion"))
        )
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
            f'<div class="fact"><div class="l">{esc(t(f"projects.fact.{a}"))}</div>'
            f'<div class="v">{esc(t.num(v, "year" if a == "opening_year" else ""))}</div></div>'
            for a, v in facts
            if v is not None
        )
        block = [
            f'<div class="project" id="project-{esc(pid)}"><h3>{esc(names.get(pid, pid))} '
            f"<code>{esc(pid)}</code></h3>"
        ]
        if meta:
            block.append(f'<div class="meta">{esc(meta)}</div>')
        if p.get("municipalities"):
            towns = str(p["municipalities"]).replace(";", ", ")
            block.append(
                f'<div class="meta">{esc(t("projects.municipalities", names=towns))}</div>'
            )
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
                        f"<code>{esc(sub)}</code> {esc(sub_names.get(sub, ''))} "
                        f"({esc(basis_label(basis, t))})"
                    )
                previous = sub
                band = r.get("noise_band")
                band_cell = "" if band in (None, "") else t.num(band, r.get("unit") or "")
                noisy = isinstance(band, float) and isinstance(r.get("value"), float)
                noisy = noisy and abs(r["value"]) <= band
                trs.append(
                    f"<tr><td>{label}</td>"
                    f"<td>{esc(str(r.get('indicator') or '').replace('_', ' '))}</td>"
                    f"<td>{esc(t.num(r.get('value'), r.get('unit') or ''))}</td>"
                    f"<td>{esc(band_cell)}{' (≈ 0)' if noisy else ''}</td>"
                    f"<td>{esc(r.get('unit') or '')}</td></tr>"
                )
            head = ["subcriterion", "indicator", "value", "band", "unit"]
            cells = "".join(f"<th>{esc(t(f'projects.col.{h}'))}</th>" for h in head)
            block.append(
                f"<details><summary>{esc(t('projects.all_indicators', n=len(rows)))} "
                f"{esc(counts)}</summary>"
                f'<table class="impacts"><thead><tr>{cells}</tr></thead>'
                f"<tbody>{''.join(trs)}</tbody></table>"
                f'<div class="meta">{esc(t("projects.noise_note"))}</div></details>'
            )
        if judged:
            block.append(_judgements_list(judged, sub_names, t))
        citems = cba_by.get(pid, [])
        if citems:
            block.append(cba_table(citems, t))
        change_map = project_change_maps(ctx).get(pid, "")
        if change_map.startswith("<div"):
            block.append(f'<h4 id="map-{esc(pid)}">{esc(t("projects.map"))}</h4>{change_map}')
        elif change_map == "unchanged":
            block.append(f'<div class="meta">{esc(t("projects.map.unchanged"))}</div>')
        elif change_map:
            block.append(change_map)
        block.append("</div>")
        parts.append("".join(block))
    return "".join(parts)


def _project_file_block(project: Any, t: Messages) -> str:
    """What the project file says: description, network and service changes, capex with its
    reserve and stage, estimates and sources."""
    parts = []
    if project.description:
        parts.append(f'<p class="desc">{esc(project.description)}</p>')
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
    parts.append(f'<div class="meta">{esc(capex + rule)}</div>')
    if project.changes:
        items = []
        for change in project.changes:
            params = ", ".join(
                f"{k}: {setting_text(str(k), v, t, limit=160)}"
                for k, v in change.params.items()
                if v not in (None, "", [], {})
            )
            items.append(f"<li><code>{esc(change.op)}</code> {esc(params)}</li>")
        parts.append(
            f'<h4>{esc(t("projects.changes"))}</h4><ul class="changes">{"".join(items)}</ul>'
        )
    if project.estimates:
        est = "; ".join(f"{k}: {v}" for k, v in project.estimates.items())
        parts.append(f'<div class="meta">{esc(t("projects.estimates", text=est))}</div>')
    if project.sources:
        links = " · ".join(
            f'<a href="{esc(src)}">{esc(src)}</a>'
            if str(src).startswith(("http://", "https://"))
            else esc(src)
            for src in project.sources
        )
        parts.append(f'<div class="meta">{esc(t("projects.sources"))} {links}</div>')
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
    for r in sorted(scores, key=lambda r: subcriterion_key(r.get("subcriterion"))):
        sub = str(r.get("subcriterion") or "")
        basis = str(r.get("basis") or "")
        cls = basis if basis in ("modelled", "judged") else "neutral"
        unit = str(r.get("unit") or "")
        b = band.get((sub, str(r.get("indicator"))))
        band_cell = "" if b in (None, "") else t.num(b, unit)
        why = " ".join(x for x in reasons.get(sub, []) if x)
        trs.append(
            f"<tr><td><code>{esc(sub)}</code> {esc(sub_names.get(sub, ''))}</td>"
            f'<td class="num">{esc(t.num(r.get("value"), unit))}</td>'
            f'<td class="num">{esc(band_cell)}</td>'
            f"<td>{esc(unit)}</td>"
            + (
                f'<td class="num"><span class="sub">{esc(r["not_scored"])}</span></td>'
                if r.get("not_scored")
                else f'<td class="num"><strong>{esc(score_text(r.get("sub_score"), t))}</strong>'
                f"{score_bar(r.get('sub_score'), '#0b4f8a')}</td>"
            )
            + f'<td><span class="badge {cls}">{esc(basis_label(basis, t))}</span>'
            + (f'<br><span class="sub">{esc(why)}</span>' if why else "")
            + "</td></tr>"
        )
    head = "".join(
        f'<th class="num">{esc(t(f"projects.case.{h}"))}</th>'
        if h in ("value", "band", "score")
        else f"<th>{esc(t(f'projects.case.{h}'))}</th>"
        for h in ("subcriterion", "value", "band", "unit", "score", "basis")
    )
    return (
        f"<h4>{esc(t('projects.case.heading', n=len(trs)))}</h4>"
        f'<table class="case" data-project="{esc(pid)}"><thead><tr>{head}</tr></thead>'
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
        who = f" <code>{esc(part)}</code>" if part and part != r.get("project_id") else ""
        items.append(
            f"<li><strong>{esc(head)}</strong>{who}: {esc(str(r.get('reason') or ''))}"
            f'<br><span class="sub">{esc(str(r.get("level_text") or ""))}</span></li>'
        )
    return (
        f'<div class="meta">{esc(t("projects.judgements_head"))}</div>'
        f'<ul class="judgements">{"".join(items)}</ul>'
    )


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


def cba_table(items: Sequence[Mapping[str, Any]], t: Messages) -> str:
    """A project's cost-benefit items (``mobility evaluate``'s cba.csv) as a compact table.

    Only the whole-period rows (``year`` = ``all``, or no year column) are shown; result rows
    (NPV ...) are listed after the sum of the items.

    Parameters
    ----------
    items
        The project's cba.csv rows.
    t
        The report's messages.

    Returns
    -------
    str
        The HTML table, or ``""`` when there is no whole-period row.
    """
    rows = [i for i in items if i.get("year", "all") in ("all", None)]
    if not rows:
        return ""
    body = [i for i in rows if str(i.get("item")) not in CBA_RESULT_ITEMS]
    results = [i for i in rows if str(i.get("item")) in CBA_RESULT_ITEMS]
    has_value = any(num_class(i.get("value_mdkk")) for i in body)
    head = f"<th>{esc(t('cba.col.item'))}</th>"
    if has_value:
        head += f'<th class="num">{esc(t("cba.col.value"))}</th>'
    head += f'<th class="num">{esc(t("cba.col.pv"))}</th>'
    has_noise = any(num_class(i.get("pv_noise_mdkk")) for i in rows)
    if has_noise:
        head += f'<th class="num">{esc(t("cba.col.noise"))}</th>'

    def cell(v: Any) -> str:
        x = to_float(v)
        cls = "pos" if x > 0 else ("neg" if x < 0 else "")
        return f'<td class="num {cls}">{esc(t.num(v))}</td>'

    trs = []
    for i in body:
        label = _cba_label(str(i.get("item") or ""), t)
        cells = f"<td>{esc(label)}</td>"
        if has_value:
            cells += cell(i.get("value_mdkk"))
        cells += cell(i.get("pv_mdkk"))
        if has_noise:
            cells += f'<td class="num">{esc(t.num(i.get("pv_noise_mdkk")))}</td>'
        trs.append(f"<tr>{cells}</tr>")
    span = 2 if has_value else 1
    total = sum(to_float(i.get("pv_mdkk")) for i in body if num_class(i.get("pv_mdkk")))
    blank = '<th class="num"></th>' if has_noise else ""
    foot = [
        f'<tr><th colspan="{span}">{esc(t("cba.sum"))}</th>'
        f'<th class="num">{esc(t.num(total))}</th>{blank}</tr>'
    ]
    for i in results:
        noise = f'<th class="num">{esc(t.num(i.get("pv_noise_mdkk")))}</th>' if has_noise else ""
        foot.append(
            f'<tr><th colspan="{span}">{esc(_cba_label(str(i.get("item")), t))}</th>'
            f'<th class="num">{esc(t.num(i.get("pv_mdkk")))}</th>{noise}</tr>'
        )
    return (
        f"<h4>{esc(t('cba.heading'))}</h4>"
        f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{"".join(trs)}</tbody>'
        f"<tfoot>{''.join(foot)}</tfoot></table>"
    )


def _cba_label(item: str, t: Messages) -> str:
    """The label of a cba.csv item (``cba.item.<item>`` in the catalogue, else the id)."""
    try:
        return t(f"cba.item.{item}")
    except KeyError:
        return item.replace("_", " ")
