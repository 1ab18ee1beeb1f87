"""What the portfolio step writes: the rows of ``portfolio.csv`` and of the Pareto frontier's
CSV, the printed totals, and the fixed number format they share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mobility.scoring.portfolio_problem import FrontierPoint, PortfolioResult
from mobility.scoring.tables import FRONTIER, PORTFOLIO

__all__ = [
    "FRONTIER_COLUMNS",
    "PORTFOLIO_COLUMNS",
    "fmt_number",
    "frontier_rows",
    "portfolio_rows",
    "summary_lines",
]


PORTFOLIO_COLUMNS = PORTFOLIO.names
FRONTIER_COLUMNS = FRONTIER.names


def fmt_number(value: float | None) -> str:
    """Fixed, deterministic number formatting (up to 6 decimals, no trailing zeros).

    Parameters
    ----------
    value
        The number (None gives ``""``; infinities ``inf``/``-inf``).

    Returns
    -------
    str
        The number as text, ``"0"`` for a negative zero.
    """
    if value is None:
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def portfolio_rows(result: PortfolioResult) -> list[list[str]]:
    """Rows of ``portfolio.csv`` (columns :data:`PORTFOLIO_COLUMNS`), in ranking order."""
    rows = []
    for c, sel, start in zip(result.candidates, result.selected, result.start_year, strict=True):
        rows.append(
            [
                c.project_id,
                c.name,
                "1" if sel else "0",
                "" if start is None else str(start),
                fmt_number(c.capex_mdkk),
                fmt_number(c.score),
            ]
        )
    return rows


def frontier_rows(points: Sequence[FrontierPoint]) -> list[list[str]]:
    """Rows of the Pareto CSV (columns :data:`FRONTIER_COLUMNS`)."""
    rows = []
    for p in points:
        r = p.result
        if r is None:
            rows.append([fmt_number(p.budget_mdkk), "infeasible", "", "", "", "", ""])
            continue
        rows.append(
            [
                fmt_number(p.budget_mdkk),
                "optimal",
                fmt_number(r.total_score),
                fmt_number(r.total_capex_mdkk),
                str(r.n_selected),
                ";".join(r.selected_ids),
                fmt_number(r.total_npv_mdkk),
            ]
        )
    return rows


def summary_lines(
    result: PortfolioResult, decided: Sequence[tuple[str, str, float]] = ()
) -> list[str]:
    """Human-readable totals of a portfolio (and the decided projects, already spent)."""
    npv = fmt_number(result.total_npv_mdkk) if result.total_npv_mdkk is not None else "n/a"
    lines = [
        f"projects selected: {result.n_selected} of {len(result.candidates)}",
        f"total capex: {fmt_number(result.total_capex_mdkk)} mio. kr.",
        f"total score: {fmt_number(result.total_score)}",
        f"total NPV: {npv} mio. kr.",
    ]
    if result.total_co2e_t is not None:
        lines.append(f"construction CO2e: {fmt_number(result.total_co2e_t)} t")
    lines.append(f"objective: {result.objective} (solver {result.solver})")
    if decided:
        spent = sum(c for _, _, c in decided if math.isfinite(c))
        ids = ", ".join(pid for pid, _, _ in decided)
        lines.append(
            f"already decided, not selectable: {len(decided)} projects, "
            f"{fmt_number(spent)} mio. kr. ({ids})"
        )
    return lines
