"""The portfolio problem's data and checks: candidates, interaction terms, constraints,
results, and what a problem must satisfy before it is solved.

The integer programme itself is described in :mod:`mobility.scoring.portfolio`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mobility.errors import InputError, shown
from mobility.scenario_sections import PORTFOLIO_OBJECTIVES as OBJECTIVES

__all__ = [
    "DEFAULT_BUILD_YEARS",
    "DEFAULT_FIRST_YEAR",
    "FLAGS",
    "LAST_START_YEAR",
    "OBJECTIVES",
    "Candidate",
    "Constraints",
    "FrontierPoint",
    "Interaction",
    "PortfolioResult",
    "feasible_start_years",
    "interaction_delta",
    "is_eligible",
    "objective_value_of",
    "portfolio_totals",
    "project_build_years",
    "validate_problem",
]


#: Latest year construction may start (the planning horizon of the strategy).
LAST_START_YEAR = 2035
#: Default construction period in years when a project gives none (an assumption, documented).
DEFAULT_BUILD_YEARS = 4
#: Default first year in which construction can start.
DEFAULT_FIRST_YEAR = 2026


@dataclass(frozen=True)
class Candidate:
    """One project that may enter the portfolio.

    Attributes
    ----------
    project_id, name
        Identity, as in the ranking.
    score
        Ranking score (0-100).
    capex_mdkk
        Capital cost, mio. kr.
    npv_mdkk, bcr
        Net present value (mio. kr.) and benefit-cost ratio, if known.
    region_parts
        Parts of the region the project serves (``central``, ``koege_bugt`` ...).
    co2e_t
        Construction CO2e in tonnes, if known.
    opening_year
        Planned opening year, if known (bounds the earliest start of construction).
    build_years
        Construction period in years, if known (else the global default).
    """

    project_id: str
    name: str
    score: float
    capex_mdkk: float
    npv_mdkk: float | None = None
    bcr: float | None = None
    #: NNK, NPV per krone of public funds (ranking.csv ``nnk``; None when absent)
    nnk: float | None = None
    region_parts: tuple[str, ...] = ()
    co2e_t: float | None = None
    opening_year: int | None = None
    build_years: int | None = None


@dataclass(frozen=True)
class Interaction:
    """A pairwise, non-additive effect of building ``project_a`` and ``project_b`` together."""

    project_a: str
    project_b: str
    score_delta: float | None = None
    npv_delta_mdkk: float | None = None


@dataclass(frozen=True)
class Constraints:
    """Every constraint of a portfolio problem (``None`` / empty means not imposed).

    Attributes
    ----------
    budget_mdkk
        Total capital budget, mio. kr.
    annual_budget_mdkk
        Capital budget per year, mio. kr.; turns on start-year scheduling.
    first_year, last_start_year
        Range of construction start years.
    build_years
        Default construction period (years) for projects without their own.
    exclusive
        Groups of mutually exclusive project ids (at most one of each group).
    requires
        ``(dependent, prerequisite)`` pairs.
    min_per_part
        ``(part, minimum)`` pairs.
    co2e_cap_t
        Cap on total construction CO2e, tonnes.
    min_bcr
        Projects with a lower benefit-cost ratio cannot be selected.
    min_nnk
        Projects with a lower NNK (nettonutidskvotient) cannot be selected.
    interactions
        Pairwise interaction terms.
    sources
        ``(family, where)`` pairs naming where a constraint came from when that is not its
        command-line flag (``"s.yaml, field portfolio.budget_mdkk"``), for messages; families
        are ``budget``, ``annual_budget``, ``co2e_cap``, ``min_bcr``, ``min_nnk``, ``exclusive``,
        ``requires`` and ``min_per_part``.
    """

    budget_mdkk: float | None = None
    annual_budget_mdkk: float | None = None
    first_year: int = DEFAULT_FIRST_YEAR
    last_start_year: int = LAST_START_YEAR
    build_years: int = DEFAULT_BUILD_YEARS
    exclusive: tuple[tuple[str, ...], ...] = ()
    requires: tuple[tuple[str, str], ...] = ()
    min_per_part: tuple[tuple[str, int], ...] = ()
    co2e_cap_t: float | None = None
    min_bcr: float | None = None
    min_nnk: float | None = None
    interactions: tuple[Interaction, ...] = field(default=())
    sources: tuple[tuple[str, str], ...] = ()

    def source(self, family: str) -> str:
        """Where the constraint ``family`` came from (its flag unless :attr:`sources` says)."""
        return dict(self.sources).get(family, FLAGS[family])


#: The command-line flag of each constraint family: where a constraint comes from by default.
FLAGS: dict[str, str] = {
    "budget": "--budget-mdkk",
    "annual_budget": "--annual-budget",
    "co2e_cap": "--co2e-cap-t",
    "min_bcr": "--min-bcr",
    "min_nnk": "--min-nnk",
    "exclusive": "--exclusive / excludes",
    "requires": "--requires / requires",
    "min_per_part": "--min-per-part",
}


@dataclass(frozen=True)
class PortfolioResult:
    """The chosen portfolio.

    Attributes
    ----------
    candidates
        The candidates, in input order.
    selected
        Per candidate, whether it is in the portfolio.
    start_year
        Per candidate, its construction start year (only with a yearly budget and when
        selected; otherwise ``None``).
    objective
        ``score`` or ``npv``.
    objective_value
        Optimal objective value (including interaction terms).
    total_score, total_capex_mdkk, total_npv_mdkk, total_co2e_t
        Totals over the selected projects (score and NPV include interaction deltas when
        given; NPV / CO2e are ``None`` when any selected project lacks them).
    solver
        Name of the solver used.
    """

    candidates: tuple[Candidate, ...]
    selected: tuple[bool, ...]
    start_year: tuple[int | None, ...]
    objective: str
    objective_value: float
    total_score: float
    total_capex_mdkk: float
    total_npv_mdkk: float | None
    total_co2e_t: float | None
    solver: str

    @property
    def n_selected(self) -> int:
        """Number of selected projects."""
        return sum(self.selected)

    @property
    def selected_ids(self) -> tuple[str, ...]:
        """Ids of the selected projects, in input order."""
        return tuple(c.project_id for c, s in zip(self.candidates, self.selected, strict=True) if s)


@dataclass(frozen=True)
class FrontierPoint:
    """One budget level of a Pareto sweep (``result`` is ``None`` when infeasible)."""

    budget_mdkk: float
    result: PortfolioResult | None
    message: str = ""


def project_build_years(candidate: Candidate, constraints: Constraints) -> int:
    """Construction period of ``candidate`` in years."""
    return candidate.build_years if candidate.build_years is not None else constraints.build_years


def feasible_start_years(candidate: Candidate, constraints: Constraints) -> range:
    """Years in which construction of ``candidate`` may start (empty if none)."""
    first = constraints.first_year
    if candidate.opening_year is not None:
        first = max(first, candidate.opening_year - project_build_years(candidate, constraints))
    return range(first, constraints.last_start_year + 1)


def is_eligible(candidate: Candidate, constraints: Constraints) -> bool:
    """Whether ``candidate`` may be selected at all (minimum BCR, a feasible start year)."""
    if constraints.min_bcr is not None and (
        candidate.bcr is None or candidate.bcr < constraints.min_bcr
    ):
        return False
    if constraints.min_nnk is not None and (
        candidate.nnk is None or candidate.nnk < constraints.min_nnk
    ):
        return False
    if constraints.annual_budget_mdkk is not None:
        return len(feasible_start_years(candidate, constraints)) > 0
    return True


def objective_value_of(candidate: Candidate, objective: str) -> float:
    """The objective coefficient of one candidate."""
    if objective == "score":
        return candidate.score
    assert candidate.npv_mdkk is not None
    return candidate.npv_mdkk


def interaction_delta(inter: Interaction, objective: str) -> float:
    """The objective delta of one interaction (0 when not given for this objective)."""
    value = inter.score_delta if objective == "score" else inter.npv_delta_mdkk
    return 0.0 if value is None else value


def validate_problem(
    candidates: Sequence[Candidate], constraints: Constraints, *, objective: str
) -> None:
    """Check ids, attributes and numbers before building a model.

    Raises
    ------
    InputError
        Unknown objective, duplicate or unknown project ids in constraints, a negative budget,
        or an attribute a constraint needs but a candidate lacks (NPV, BCR, CO2e).
    """
    if objective not in OBJECTIVES:
        raise InputError(
            f"unknown objective '{objective}'", field="objective", expected=" or ".join(OBJECTIVES)
        )
    ids = [c.project_id for c in candidates]
    seen: set[str] = set()
    for pid in ids:
        if pid in seen:
            raise InputError(f"project id '{pid}' appears twice", field="project_id")
        seen.add(pid)

    def known(pid: str, what: str) -> None:
        if pid not in seen:
            raise InputError(
                f"unknown project id '{pid}' in {what}", field=what, expected="an id of the ranking"
            )

    for group in constraints.exclusive:
        if len(group) < 2:
            raise InputError(
                f"exclusive group {','.join(group)} names fewer than two projects",
                field="exclusive",
                expected="two or more ids",
            )
        for pid in group:
            known(pid, "exclusive")
    for dependent, prerequisite in constraints.requires:
        known(dependent, "requires")
        known(prerequisite, "requires")
        if dependent == prerequisite:
            raise InputError(f"project '{dependent}' requires itself", field="requires")
    for inter in constraints.interactions:
        known(inter.project_a, "interactions")
        known(inter.project_b, "interactions")
    for name, value in (
        ("budget_mdkk", constraints.budget_mdkk),
        ("annual_budget_mdkk", constraints.annual_budget_mdkk),
        ("co2e_cap_t", constraints.co2e_cap_t),
    ):
        if value is not None and (not math.isfinite(value) or value < 0):
            raise InputError(f"has value {shown(value)}", field=name, expected="a number >= 0")
    for name, value in (("min_bcr", constraints.min_bcr), ("min_nnk", constraints.min_nnk)):
        if value is not None and not math.isfinite(value):
            raise InputError(f"has value {shown(value)}", field=name, expected="a finite number")
    for part, minimum in constraints.min_per_part:
        if minimum < 0:
            raise InputError(f"part '{part}' has minimum {minimum}", field="min_per_part")
    if constraints.last_start_year < constraints.first_year:
        raise InputError(
            f"last start year {constraints.last_start_year} is before first year "
            f"{constraints.first_year}",
            field="first_year",
        )
    if constraints.build_years < 1:
        raise InputError("must be at least 1", field="build_years")
    for c in candidates:
        if not math.isfinite(c.score) or not math.isfinite(c.capex_mdkk) or c.capex_mdkk < 0:
            raise InputError(
                f"project '{c.project_id}' has score {c.score!r} and capex {c.capex_mdkk!r}",
                field="capex_mdkk",
                expected="finite numbers, capex >= 0",
            )
        if c.build_years is not None and c.build_years < 1:
            raise InputError(f"project '{c.project_id}' has build_years < 1", field="build_years")
        if objective == "npv" and (c.npv_mdkk is None or not math.isfinite(c.npv_mdkk)):
            raise InputError(
                f"project '{c.project_id}' has no NPV", field="npv_mdkk", expected="a number"
            )
        if constraints.min_bcr is not None and c.bcr is None:
            raise InputError(
                f"project '{c.project_id}' has no BCR, needed by the minimum BCR",
                field="bcr",
                expected="a number (or leave out min_bcr)",
            )
        if constraints.min_nnk is not None and c.nnk is None:
            raise InputError(
                f"project '{c.project_id}' has no NNK, needed by the minimum NNK",
                field="nnk",
                expected="a number (ranking.csv nnk; or leave out min_nnk)",
            )
        if constraints.co2e_cap_t is not None and c.co2e_t is None:
            raise InputError(
                f"project '{c.project_id}' has no construction CO2e, needed by the CO2e cap",
                field="construction_co2e_t",
                expected="a number (pass --projects projects.csv)",
            )


def portfolio_totals(
    candidates: Sequence[Candidate],
    chosen: Sequence[bool],
    interactions: Iterable[Interaction],
    objective: str,
) -> dict[str, float | None]:
    """Totals of a selection, computed exactly from the data (not from the solver)."""
    sel = {c.project_id for c, s in zip(candidates, chosen, strict=True) if s}
    picked = [c for c in candidates if c.project_id in sel]
    both = [i for i in interactions if i.project_a in sel and i.project_b in sel]
    score = sum(c.score for c in picked) + sum(i.score_delta or 0.0 for i in both)
    capex = sum(c.capex_mdkk for c in picked)
    npv: float | None = None
    if all(c.npv_mdkk is not None for c in picked):
        npv = sum(c.npv_mdkk or 0.0 for c in picked) + sum(i.npv_delta_mdkk or 0.0 for i in both)
    co2e: float | None = None
    if all(c.co2e_t is not None for c in picked):
        co2e = sum(c.co2e_t or 0.0 for c in picked)
    value = score if objective == "score" else (npv if npv is not None else math.nan)
    return {"objective": value, "score": score, "capex": capex, "npv": npv, "co2e": co2e}
