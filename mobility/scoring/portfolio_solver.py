"""The portfolio's integer programme in PuLP: the solver (HiGHS or CBC), the model of
:mod:`mobility.scoring.portfolio`'s docstring, solving it and reading the selection back.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mobility.errors import InputError
from mobility.scoring.portfolio_problem import (
    Candidate,
    Constraints,
    feasible_start_years,
    interaction_delta,
    is_eligible,
    objective_value_of,
    project_build_years,
)

__all__ = [
    "SOLVERS",
    "PortfolioModel",
    "build_model",
    "highs_available",
    "is_feasible",
    "read_selection",
    "resolve_solver",
    "solve_model",
]


SOLVERS = ("auto", "cbc", "highs")


def highs_available() -> bool:
    """Whether HiGHS can be used through ``highspy``."""
    import pulp

    try:
        return bool(pulp.HiGHS(msg=False).available())
    except Exception:  # pragma: no cover - depends on the installation
        return False


def resolve_solver(name: str) -> str:
    """``auto`` -> ``highs`` when highspy is installed, else ``cbc``; checks availability."""
    if name not in SOLVERS:
        raise InputError(f"unknown solver '{name}'", field="solver", expected="auto, cbc or highs")
    if name == "auto":
        return "highs" if highs_available() else "cbc"
    if name == "highs" and not highs_available():
        raise InputError(
            "solver 'highs' needs the highspy package",
            field="solver",
            expected="cbc, or install highspy",
        )
    if name == "cbc" and not _solver("cbc").available():
        raise InputError(
            "solver 'cbc' not found (neither bundled with pulp nor on the PATH)",
            field="solver",
            expected="highs, or install pulp with its bundled CBC",
        )
    return name


def _cbc_path() -> str | None:
    """Path of the CBC binary bundled in the ``pulp`` wheel, if it is there."""
    import pulp

    path = getattr(getattr(pulp, "PULP_CBC_CMD", None), "pulp_cbc_path", None)
    return path if path and os.path.isfile(path) else None


def _solver(name: str) -> Any:
    """A PuLP solver object, silent, single-threaded and with a zero optimality gap.

    CBC runs as the binary bundled with ``pulp`` (through ``COIN_CMD``, which is the
    non-deprecated interface) or, if the wheel has none, a ``cbc`` on the PATH.
    """
    import pulp

    if name == "highs":
        return pulp.HiGHS(msg=False, gapRel=0.0, gapAbs=1e-9, threads=1)
    return pulp.COIN_CMD(path=_cbc_path(), msg=False, gapRel=0.0, gapAbs=1e-9, threads=1)


def _var(prob: Any, name: str, *, binary: bool) -> Any:
    """A new variable of ``prob`` (binary, or continuous in [0, 1])."""
    import pulp

    cat = pulp.LpBinary if binary else pulp.LpContinuous
    low, up = (None, None) if binary else (0, 1)
    if hasattr(prob, "add_variable"):  # PuLP >= 3.3 (the PuLP 4.0 interface)
        return prob.add_variable(name, low, up, cat=cat)
    return pulp.LpVariable(name, low, up, cat=cat)  # pragma: no cover - older PuLP


@dataclass
class PortfolioModel:
    """A built PuLP model with handles to its variables and expressions.

    Attributes
    ----------
    prob
        The ``pulp.LpProblem``.
    x
        Per candidate, its selection variable ``x_p``.
    z
        ``(candidate index, start year)`` -> start variable ``z_ps`` (yearly budget only).
    primary
        The objective: values of the selected projects plus interaction deltas.
    capex
        Total capital cost of the selection (the first tie-break).
    start_offsets
        The weighted start-year offsets (the tie-break of a schedule).
    """

    prob: Any
    x: list[Any]
    z: dict[tuple[int, int], Any]
    primary: Any
    capex: Any
    start_offsets: Any


def build_model(
    candidates: Sequence[Candidate], cons: Constraints, objective: str
) -> PortfolioModel:
    """Build the integer programme described in :mod:`mobility.scoring.portfolio`.

    Parameters
    ----------
    candidates
        The projects, in ranking order (the order of the variables).
    cons
        The constraints.
    objective
        ``score`` or ``npv``.

    Returns
    -------
    PortfolioModel
        The model, maximising ``primary``.
    """
    import pulp

    prob = pulp.LpProblem("portfolio", pulp.LpMaximize)
    index = {c.project_id: i for i, c in enumerate(candidates)}
    x = [_var(prob, f"x_{i}", binary=True) for i in range(len(candidates))]
    for i, c in enumerate(candidates):
        if not is_eligible(c, cons):
            prob += x[i] == 0, f"ineligible_{i}"

    z: dict[tuple[int, int], Any] = {}
    scheduled = cons.annual_budget_mdkk is not None
    if scheduled:
        for i, c in enumerate(candidates):
            starts = feasible_start_years(c, cons)
            for s in starts:
                z[i, s] = _var(prob, f"z_{i}_{s}", binary=True)
            if len(starts):
                prob += pulp.lpSum(z[i, s] for s in starts) == x[i], f"start_{i}"
        spend: dict[int, list[Any]] = {}
        for (i, s), var in z.items():
            d = project_build_years(candidates[i], cons)
            per_year = candidates[i].capex_mdkk / d
            for t in range(s, s + d):
                spend.setdefault(t, []).append(per_year * var)
        for t in sorted(spend):
            prob += pulp.lpSum(spend[t]) <= cons.annual_budget_mdkk, f"annual_budget_{t}"

    capex = pulp.lpSum(c.capex_mdkk * x[i] for i, c in enumerate(candidates))
    if cons.budget_mdkk is not None:
        prob += capex <= cons.budget_mdkk, "budget"
    for g, group in enumerate(cons.exclusive):
        prob += pulp.lpSum(x[index[p]] for p in group) <= 1, f"exclusive_{g}"
    for r, (dependent, prerequisite) in enumerate(cons.requires):
        prob += x[index[dependent]] <= x[index[prerequisite]], f"requires_{r}"
    for k, (part, minimum) in enumerate(cons.min_per_part):
        members = [x[i] for i, c in enumerate(candidates) if part in c.region_parts]
        prob += pulp.lpSum(members) >= minimum, f"min_per_part_{k}"
    if cons.co2e_cap_t is not None:
        prob += (
            pulp.lpSum((c.co2e_t or 0.0) * x[i] for i, c in enumerate(candidates))
            <= cons.co2e_cap_t,
            "co2e_cap",
        )

    terms = [objective_value_of(c, objective) * x[i] for i, c in enumerate(candidates)]
    for k, inter in enumerate(cons.interactions):
        delta = interaction_delta(inter, objective)
        if delta == 0.0:
            continue
        a, b = index[inter.project_a], index[inter.project_b]
        y = _var(prob, f"y_{k}", binary=False)
        prob += y <= x[a], f"y_{k}_a"
        prob += y <= x[b], f"y_{k}_b"
        prob += y >= x[a] + x[b] - 1, f"y_{k}_ab"
        terms.append(delta * y)
    primary = pulp.lpSum(terms)
    n = len(candidates)
    offsets = pulp.lpSum(
        (s - cons.first_year) * (2.0 - i / max(n, 1)) * var for (i, s), var in z.items()
    )
    prob.setObjective(primary)
    return PortfolioModel(prob=prob, x=x, z=z, primary=primary, capex=capex, start_offsets=offsets)


def solve_model(model: PortfolioModel, solver: str) -> str:
    """Solve and return PuLP's status text (``Optimal``, ``Infeasible`` ...).

    Parameters
    ----------
    model
        The model (:func:`build_model`), solved in place.
    solver
        ``cbc`` or ``highs`` (:func:`resolve_solver`).

    Returns
    -------
    str
        PuLP's status.
    """
    import pulp

    if solver == "highs":
        # highspy prints a licence banner on stdout when its first model is created, even with
        # output switched off; keep stdout clean for the command's own output.
        with _quiet_stdout():
            model.prob.solve(_solver(solver))
    else:
        model.prob.solve(_solver(solver))
    return str(pulp.LpStatus[model.prob.status])


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to the null device for the duration (C-level output too)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # pragma: no cover - no usable stdout
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            try:
                yield
            finally:
                sys.stdout.flush()
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def read_selection(model: PortfolioModel, n: int) -> tuple[list[bool], dict[int, int]]:
    """Rounded selection and start years from the solved model.

    Parameters
    ----------
    model
        A solved model.
    n
        Number of candidates.

    Returns
    -------
    list of bool
        Per candidate, whether it is selected.
    dict
        Candidate index -> start year, for the projects started (yearly budget only).
    """
    chosen = [(model.x[i].value() or 0.0) > 0.5 for i in range(n)]
    starts = {i: s for (i, s), var in model.z.items() if (var.value() or 0.0) > 0.5}
    return chosen, starts


def is_feasible(
    candidates: Sequence[Candidate], cons: Constraints, objective: str, solver: str
) -> bool:
    """Whether the problem has any feasible portfolio.

    Parameters
    ----------
    candidates
        The projects.
    cons
        The constraints.
    objective
        ``score`` or ``npv``.
    solver
        ``cbc`` or ``highs``.

    Returns
    -------
    bool
        True if the solver finds an optimum.
    """
    model = build_model(candidates, cons, objective)
    status = solve_model(model, solver)
    return status == "Optimal"
