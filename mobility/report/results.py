"""The decision sections of the report: the ranking (with the decided and not-appraised
projects apart), the portfolio with its efficient frontier, and the rank acceptability
from the weight sensitivity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from mobility.report import plots
from mobility.report.context import ReportContext, project_names, ranking_order
from mobility.report.markup import (
    esc,
    is_selected,
    missing_note,
    score_bar,
    score_text,
    svg_figure,
    to_float,
)

__all__ = ["section_acceptability", "section_portfolio", "section_ranking"]


def section_ranking(ctx: ReportContext) -> str:
    """The ranking section: the chart of weighted criterion contributions, the ranking table
    and the decided and not-appraised projects apart.

    Parameters
    ----------
    ctx
        The report's context (ranking.csv, weights, method).

    Returns
    -------
    str
        The section's HTML (a note when ranking.csv is absent).
    """
    t = ctx.t
    header_rows = ctx.data.tables.get("ranking")
    if header_rows is None:
        return missing_note(t("ranking.absent"))
    records = ctx.data.records("ranking")
    ranking = sorted(
        (r for r in records if r.get("rank") is not None),
        key=lambda r: r["rank"],
    )
    unranked = [r for r in records if r.get("rank") is None]
    crit_cols = [f"pejlemaerke_{k}" for k in range(1, 7)]
    labels = [f"{k} {ctx.names[str(k)]}" for k in range(1, 7)]
    matrix = np.array([[to_float(r.get(c)) for c in crit_cols] for r in ranking], dtype=float)
    contributions = matrix * ctx.weights[None, :]
    scores = [to_float(r.get("score")) for r in ranking]
    names = [f"{r.get('rank')}. {r.get('name') or r.get('project_id')}" for r in ranking]
    method = ctx.method
    parts = [
        f'<p class="sub">{esc(t("ranking.sub", weights=ctx.weights_source))} '
        + (esc(t("ranking.method", method=method)) + " " if method else "")
        + f"{esc(t('ranking.tick'))}</p>",
        svg_figure(
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
            f'<td class="num cell-score">{esc(score_text(r.get(c), t))}'
            f"{score_bar(r.get(c), plots.CRITERION_COLOURS[k])}</td>"
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
            f'<td class="num">{esc(t.num(r.get("rank")))}</td>'
            f'<td><a href="#project-{esc(r.get("project_id"))}"><strong>'
            f"{esc(r.get('name') or '')}</strong></a>"
            f"<br><code>{esc(r.get('project_id'))}</code></td>"
            f'<td class="num"><strong>{esc(score_text(r.get("score"), t))}</strong></td>'
            f"{crit_cells}"
            f'<td class="num">{esc(t.num(r.get("judged_share"), "share"))}</td>'
            f'<td class="num">{esc(t.num(r.get("capex_mdkk")))}</td>'
            f'<td class="num {npv_cls}">{esc(t.num(npv))}</td>'
            f'<td class="num">{esc(t.num(r.get("bcr")))}</td>'
            "</tr>"
        )
    legend = " · ".join(f"P{k} = {ctx.names[str(k)]}" for k in range(1, 7))
    parts.append(
        '<table class="ranking sortable"><thead><tr>'
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + "</tr></thead>"
        f"<tbody>{''.join(trs)}</tbody></table>"
        f'<p class="sub">{esc(legend)}. {esc(t("ranking.judged_share"))}</p>'
    )
    if unranked:
        parts.append(_unranked_table(ctx, unranked))
    return "".join(parts)


def _unranked_table(ctx: ReportContext, rows: list[dict[str, Any]]) -> str:
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
            f'<td><a href="#project-{esc(pid)}"><strong>{esc(r.get("name") or "")}</strong></a>'
            f"<br><code>{esc(pid)}</code></td>"
            f"<td>{esc(labels.get(str(r.get('decision')), str(r.get('decision') or '')))}</td>"
            f'<td class="num">{esc(t.num(r.get("capex_mdkk")))}</td>'
            f'<td class="num">{esc(t.num(npv))}</td>'
            f'<td class="num">{esc(t.num(r.get("bcr")))}</td>'
            f"<td>{esc(reasons.get(pid, ''))}</td>"
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
        f"<h3>{esc(t('unranked.heading'))}</h3>"
        f'<p class="sub">{esc(t("unranked.sub"))}</p>'
        '<table class="ranking unranked sortable"><thead><tr>'
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(trs)}</tbody></table>"
    )


def section_portfolio(ctx: ReportContext, settings: Mapping[str, Any]) -> str:
    """The portfolio section: its totals, the projects chosen and not, and the efficient
    frontier of frontier.csv.

    Parameters
    ----------
    ctx
        The report's context (portfolio.csv, frontier.csv, ranking.csv's decided projects).
    settings
        The run's settings (``budget_mdkk``).

    Returns
    -------
    str
        The section's HTML (a note when portfolio.csv is absent).
    """
    t = ctx.t
    rows = ctx.data.records("portfolio")
    if not rows:
        return missing_note(t("portfolio.absent"))
    chosen = [r for r in rows if is_selected(r.get("selected"))]
    capex = sum(to_float(r.get("capex_mdkk")) for r in chosen if r.get("capex_mdkk") is not None)
    score = sum(to_float(r.get("score")) for r in chosen if r.get("score") is not None)
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
            to_float(r.get("capex_mdkk")) for r in decided if r.get("capex_mdkk") is not None
        )
        facts.append(
            (
                t("portfolio.decided"),
                t("portfolio.decided.value", n=len(decided), value=t.num(spent)),
            )
        )
    parts = [
        f'<p class="sub">{esc(t("portfolio.sub"))}</p>',
        '<div class="facts">'
        + "".join(
            f'<div class="fact"><div class="l">{esc(a)}</div><div class="v">{esc(b)}</div></div>'
            for a, b in facts
        )
        + "</div>",
    ]
    ordered = sorted(
        rows, key=lambda r: (not is_selected(r.get("selected")), r.get("start_year") or 9999)
    )
    trs = []
    for r in ordered:
        sel = is_selected(r.get("selected"))
        badge = (
            f'<span class="badge selected">{esc(t("portfolio.badge.selected"))}</span>'
            if sel
            else f'<span class="badge neutral">{esc(t("portfolio.badge.not_selected"))}</span>'
        )
        trs.append(
            f'<tr class="{"selected" if sel else ""}">'
            f"<td><strong>{esc(r.get('name') or '')}</strong> "
            f"<code>{esc(r.get('project_id'))}</code></td>"
            f"<td>{badge}</td>"
            f'<td class="num">{esc(t.num(r.get("start_year"), "year"))}</td>'
            f'<td class="num">{esc(t.num(r.get("capex_mdkk")))}</td>'
            f'<td class="num">{esc(score_text(r.get("score"), t))}</td></tr>'
        )
    parts.append(
        f'<table class="sortable"><thead><tr><th>{esc(t("col.project"))}</th><th></th>'
        f'<th class="num">{esc(t("col.start_year"))}</th>'
        f'<th class="num">{esc(t("col.capex"))}</th><th class="num">{esc(t("col.score"))}</th>'
        "</tr></thead>"
        f"<tbody>{''.join(trs)}</tbody></table>"
    )
    frontier = ctx.data.tables.get("frontier")
    if frontier is not None:
        fh, frows = frontier
        # frontier.csv's schema (mobility.scoring.tables.FRONTIER): every column is there
        i_x = fh.index("total_capex_mdkk")  # each best portfolio at its own capital cost
        i_s, i_n, i_st = fh.index("total_score"), fh.index("n_selected"), fh.index("status")
        feasible = [
            r for r in frows if r[i_st] in (None, "optimal") and math.isfinite(to_float(r[i_s]))
        ]
        # Plot each best portfolio at its own capital cost when known (the efficient
        # frontier); the budget levels of the sweep are only where it was sampled.
        by_point: dict[tuple[float, float], list[Any]] = {}
        for row in feasible:
            by_point.setdefault((to_float(row[i_x]), to_float(row[i_s])), row)
        feasible = list(by_point.values())
        if feasible:
            labels = [t.num(row[i_n]) for row in feasible]
            xlabel = t("frontier.xlabel.capex")
            parts.append(
                svg_figure(
                    plots.frontier_svg(
                        [to_float(row[i_x]) if row[i_x] is not None else 0.0 for row in feasible],
                        [to_float(row[i_s]) for row in feasible],
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
            parts.append(missing_note(t("frontier.infeasible")))
    else:
        parts.append(missing_note(t("frontier.absent")))
    return "".join(parts)


def _acceptability(ctx: ReportContext) -> tuple[list[str], np.ndarray] | None:
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
        probs = np.array([[to_float(r[i]) for _, i in rank_cols] for r in rows], dtype=float)
    elif {"project_id", "rank", "probability"} <= set(header) and recs:
        ids = list(dict.fromkeys(r["project_id"] for r in recs))
        k = max(int(r["rank"]) for r in recs)
        probs = np.zeros((len(ids), k))
        pos = {p: n for n, p in enumerate(ids)}
        for r in recs:
            probs[pos[r["project_id"]], int(r["rank"]) - 1] += to_float(r["probability"])
    else:
        return None
    rank_of = {p: n for n, p in enumerate(ranking_order(ctx))}
    idx = sorted(range(len(ids)), key=lambda n: (rank_of.get(ids[n], 1e9), str(ids[n])))
    return [ids[n] for n in idx], probs[idx]


def section_acceptability(ctx: ReportContext) -> str:
    """The rank acceptability section: the chart of rank probabilities and each project's
    likely rank, rank span, top-k probability, nearest swap and stability.

    Parameters
    ----------
    ctx
        The report's context (sensitivity.csv, ranking.csv).

    Returns
    -------
    str
        The section's HTML (a note when sensitivity.csv is absent or holds no
        probabilities).
    """
    t = ctx.t
    acc = _acceptability(ctx)
    if acc is None:
        if "sensitivity" in ctx.data.tables:
            return missing_note(t("acc.no_probabilities"))
        return missing_note(t("acc.absent"))
    ids, probs = acc
    names = project_names(ctx)
    labels = [names.get(p, str(p)) for p in ids]
    ranking = {r.get("project_id"): r for r in ctx.data.records("ranking")}
    parts = [
        f'<p class="sub">{esc(t("acc.sub"))}</p>',
        svg_figure(
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
            f'<span class="badge unstable">{esc(t("acc.unstable"))}</span>'
            if unstable
            else f'<span class="badge stable">{esc(t("acc.stable"))}</span>'
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
            f"<tr><td>{esc(label)} <code>{esc(pid)}</code></td>"
            f'<td class="num">{esc(t.num(r.get("rank")))}</td>'
            f'<td class="num">{best + 1} ({esc(t.num(float(p[best]), "share"))})</td>'
            f'<td class="num">{esc(span)}</td>'
            f'<td class="num">{esc(t.num(r.get("p_top_k"), "share"))}</td>'
            f"<td>{esc(swap)}</td><td>{badge}</td></tr>"
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
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(trs)}</tbody></table>"
    )
    return "".join(parts)
