"""Portfolio optimisation: the best set of projects under budgets and planning constraints.

The problem is a 0-1 integer programme solved with PuLP (CBC, bundled with the ``pulp`` wheel,
or HiGHS through ``highspy`` when installed).

Decision variables
------------------
``x_p`` (binary)
    Project ``p`` is selected.
``z_ps`` (binary, only with a yearly budget)
    Project ``p`` starts construction in year ``s``; ``sum_s z_ps = x_p``. The feasible start
    years of a project run from ``max(first_year, opening_year - build_years)`` (the planned
    opening year from ``projects.csv`` bounds how early construction can start; without it,
    ``first_year``) to ``last_start_year`` (2035 by default). A project with no feasible start
    year cannot be selected.
``y_ab`` (continuous in [0, 1], only with interaction terms)
    Both ``a`` and ``b`` are selected: ``y_ab <= x_a``, ``y_ab <= x_b``,
    ``y_ab >= x_a + x_b - 1`` (exact linearisation of ``x_a * x_b`` for binary ``x``).

Objective
---------
Maximise ``sum_p v_p x_p + sum_ab d_ab y_ab`` where ``v`` is the ranking score (``score``) or
the net present value (``npv``, mio. kr.) and ``d`` the interaction delta measured by combined
runs (``score_delta`` or ``npv_delta``).

Constraints
-----------
* total budget: ``sum_p capex_p x_p <= B``;
* yearly budget: construction cost is spread evenly over ``build_years`` years from the
  start year (``capex_p / d_p`` in each of the years ``s .. s + d_p - 1``; ``d_p`` from a
  ``build_years`` column when given, otherwise the global default), and in every year the
  spending of all started projects is at most ``A``;
* mutually exclusive alternatives: at most one project of each group;
* prerequisites: ``x_b <= x_a`` when ``b`` requires ``a`` (the timing of the two is not
  constrained);
* minimum number of projects per part of the region (the Fingerplan fingers and central
  Copenhagen): ``sum_{p in part} x_p >= N`` for every part named; a project whose
  ``region_part`` lists several parts (separated by ``;`` or ``|``) counts in each, one marked
  ``region`` (region-wide) or ``external`` in none;
* construction CO2e cap: ``sum_p co2e_p x_p <= C``;
* minimum benefit-cost ratio: ``x_p = 0`` when ``bcr_p < min_bcr``;
* minimum NNK (NPV per krone of public funds, ranking.csv ``nnk``): ``x_p = 0`` when
  ``nnk_p < min_nnk``.

Ties
----
Several portfolios can reach the same objective value. The choice is made deterministic by
lexicographic re-solves: (1) maximise the objective; (2) among portfolios within ``TIE_REL``
(relative) of that optimum, minimise total capital cost; (3) with a yearly budget, keep that
selection fixed and minimise the weighted sum of start-year offsets
``sum (s - first_year) (2 - i/n)`` (build as early as possible, higher-ranked projects --
lower row index ``i`` -- first).
Any remaining tie is broken by the solver, which is deterministic for an identical model
(the model is built in the ranking's row order).

Infeasibility
-------------
Without a minimum per part the empty portfolio is always feasible. When the solver reports
an infeasible problem, :func:`diagnose_infeasible` names the constraint: first the obvious
check (a part with fewer eligible projects than required), then each part alone, then each
other constraint family relaxed in turn; the first relaxation that restores feasibility is
named in the one-line :class:`~mobility.errors.InfeasibleError`.

The problem's data and checks are in :mod:`~mobility.scoring.portfolio_problem`, the PuLP
model and solvers in :mod:`~mobility.scoring.portfolio_solver`, the input files in
:mod:`~mobility.scoring.portfolio_inputs` and the output rows in
:mod:`~mobility.scoring.portfolio_outputs`; this module solves the problem
(:func:`optimise`), names the constraint of an infeasible one and sweeps the budget.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from mobility.errors import InfeasibleError, InputError
from mobility.scoring.portfolio_outputs import fmt_number
from mobility.scoring.portfolio_problem import (
    Candidate,
    Constraints,
    FrontierPoint,
    PortfolioResult,
    is_eligible,
    portfolio_totals,
    validate_problem,
)
from mobility.scoring.portfolio_solver import (
    build_model,
    is_feasible,
    read_selection,
    resolve_solver,
    solve_model,
)

__all__ = [
    "TIE_REL",
    "budget_levels",
    "diagnose_infeasible",
    "optimise",
    "pareto_frontier",
]


#: Portfolios whose objective is within this relative distance of the optimum count as tied.
TIE_REL = 1e-7


def optimise(
    candidates: Sequence[Candidate],
    constraints: Constraints,
    *,
    objective: str = "score",
    solver: str = "auto",
) -> PortfolioResult:
    """Choose the portfolio that maximises the objective under the constraints.

    Parameters
    ----------
    candidates
        The projects, in ranking order.
    constraints
        The constraints (see :class:`Constraints`).
    objective
        ``score`` (total ranking score) or ``npv`` (total NPV, mio. kr.).
    solver
        ``auto``, ``cbc`` or ``highs``.

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InputError
        Bad ids or missing attributes (see :func:`validate_problem`).
    InfeasibleError
        No portfolio satisfies the constraints; the message names the constraint.
    """
    candidates = tuple(candidates)
    validate_problem(candidates, constraints, objective=objective)
    solver = resolve_solver(solver)
    n = len(candidates)
    model = build_model(candidates, constraints, objective)
    status = solve_model(model, solver)
    if status == "Infeasible":
        raise InfeasibleError(diagnose_infeasible(candidates, constraints, objective, solver))
    if status != "Optimal":
        raise InfeasibleError(f"portfolio: solver {solver} ended with status '{status}'")
    chosen, starts = read_selection(model, n)
    best = portfolio_totals(candidates, chosen, constraints.interactions, objective)["objective"]
    assert best is not None

    # Stage 2: among (near-)optimal portfolios, the cheapest.
    tol = TIE_REL * max(1.0, abs(best))
    model.prob += model.primary >= best - tol, "tie_objective"
    import pulp

    model.prob.sense = pulp.LpMinimize
    model.prob.setObjective(model.capex)
    if solve_model(model, solver) == "Optimal":
        chosen, starts = read_selection(model, n)
        # Stage 3: with a schedule, the earliest starts for the chosen projects.
        if model.z:
            for i in range(n):
                model.prob += model.x[i] == int(chosen[i]), f"fix_{i}"
            model.prob.setObjective(model.start_offsets)
            if solve_model(model, solver) == "Optimal":
                chosen, starts = read_selection(model, n)

    totals = portfolio_totals(candidates, chosen, constraints.interactions, objective)
    return PortfolioResult(
        candidates=candidates,
        selected=tuple(chosen),
        start_year=tuple(starts.get(i) if chosen[i] else None for i in range(n)),
        objective=objective,
        objective_value=float(totals["objective"] or 0.0),
        total_score=float(totals["score"] or 0.0),
        total_capex_mdkk=float(totals["capex"] or 0.0),
        total_npv_mdkk=totals["npv"],
        total_co2e_t=totals["co2e"],
        solver=solver,
    )


def _describe(family: str, cons: Constraints) -> str:
    """Human description of one constraint family."""
    where = f" ({cons.source(family)})"
    if family == "budget":
        return f"the total budget of {fmt_number(cons.budget_mdkk or 0.0)} mio. kr.{where}"
    if family == "annual_budget":
        return (
            f"the yearly budget of {fmt_number(cons.annual_budget_mdkk or 0.0)} mio. kr. "
            f"with starts {cons.first_year}-{cons.last_start_year}{where}"
        )
    if family == "co2e_cap":
        return f"the construction CO2e cap of {fmt_number(cons.co2e_cap_t or 0.0)} t{where}"
    if family == "min_bcr":
        return f"the minimum BCR of {fmt_number(cons.min_bcr or 0.0)}{where}"
    if family == "min_nnk":
        return f"the minimum NNK of {fmt_number(cons.min_nnk or 0.0)}{where}"
    if family == "exclusive":
        return f"the mutually exclusive alternatives{where}"
    if family == "requires":
        return f"the prerequisites{where}"
    raise ValueError(family)


_RELAX: dict[str, dict[str, Any]] = {
    "budget": {"budget_mdkk": None},
    "annual_budget": {"annual_budget_mdkk": None},
    "co2e_cap": {"co2e_cap_t": None},
    "min_bcr": {"min_bcr": None},
    "min_nnk": {"min_nnk": None},
    "exclusive": {"exclusive": ()},
    "requires": {"requires": ()},
}


def _active_families(cons: Constraints) -> list[str]:
    """Constraint families (other than the minimum per part) that are imposed."""
    active = []
    if cons.budget_mdkk is not None:
        active.append("budget")
    if cons.annual_budget_mdkk is not None:
        active.append("annual_budget")
    if cons.co2e_cap_t is not None:
        active.append("co2e_cap")
    if cons.min_bcr is not None:
        active.append("min_bcr")
    if cons.min_nnk is not None:
        active.append("min_nnk")
    if cons.exclusive:
        active.append("exclusive")
    if cons.requires:
        active.append("requires")
    return active


def diagnose_infeasible(
    candidates: Sequence[Candidate], cons: Constraints, objective: str, solver: str
) -> str:
    """One line naming the constraint that cannot be met.

    Checks, in order: a part with fewer eligible projects than its minimum; the first part
    (sorted by name) whose minimum alone is infeasible together with the other constraints;
    the first constraint family whose removal restores feasibility.
    """
    parts = list(cons.min_per_part)
    # the minimum per part names its file when a scenario set it (its flag is plain)
    mpp_where = f" ({cons.source('min_per_part')})" if "min_per_part" in dict(cons.sources) else ""
    for part, minimum in parts:
        eligible = [c for c in candidates if part in c.region_parts and is_eligible(c, cons)]
        if len(eligible) < minimum:
            total = sum(1 for c in candidates if part in c.region_parts)
            return (
                f"infeasible: min-per-part needs {minimum} projects in part '{part}'{mpp_where} "
                f"but only {len(eligible)} of its {total} projects are eligible"
            )
    culprit = None
    if len(parts) > 1:
        for part, minimum in sorted(parts):
            single = dataclasses.replace(cons, min_per_part=((part, minimum),))
            if not is_feasible(candidates, single, objective, solver):
                culprit = (part, minimum)
                break
    if culprit is not None:
        what = f"min-per-part {culprit[1]} in part '{culprit[0]}'{mpp_where}"
        probe = dataclasses.replace(cons, min_per_part=(culprit,))
    else:
        what = "min-per-part " + ", ".join(f"{m} in '{p}'" for p, m in parts) + mpp_where
        probe = cons
    for family in _active_families(probe):
        relaxed = dataclasses.replace(probe, **_RELAX[family])
        if is_feasible(candidates, relaxed, objective, solver):
            return (
                f"infeasible: {what} cannot be met within {_describe(family, probe)}; "
                "it is feasible without that constraint"
            )
    families = ", ".join(_describe(f, probe) for f in _active_families(probe)) or "none"
    return f"infeasible: {what} cannot be met under the combined constraints ({families})"


def pareto_frontier(
    candidates: Sequence[Candidate],
    constraints: Constraints,
    *,
    budgets: Sequence[float],
    objective: str = "score",
    solver: str = "auto",
) -> list[FrontierPoint]:
    """Optimal portfolios for a sweep of total budgets (the budget-score frontier).

    Budget levels at which the constraints cannot be met give a point without a result
    and the diagnosis as message; other errors propagate.
    """
    points = []
    for budget in budgets:
        cons = dataclasses.replace(constraints, budget_mdkk=float(budget))
        try:
            result = optimise(candidates, cons, objective=objective, solver=solver)
        except InfeasibleError as exc:
            points.append(FrontierPoint(budget_mdkk=float(budget), result=None, message=str(exc)))
            continue
        points.append(FrontierPoint(budget_mdkk=float(budget), result=result))
    return points


def budget_levels(candidates: Sequence[Candidate], steps: int) -> list[float]:
    """``steps`` evenly spaced budgets from ``total/steps`` to the total capex of all projects."""
    if steps < 1:
        raise InputError(f"has value {steps}", field="pareto_steps", expected="an integer >= 1")
    total = sum(c.capex_mdkk for c in candidates)
    return [round(total * k / steps, 6) for k in range(1, steps + 1)]
