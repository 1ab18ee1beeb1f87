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
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import math
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobility.config import Fields
from mobility.errors import InfeasibleError, InputError, shown

OBJECTIVES = ("score", "npv")
SOLVERS = ("auto", "cbc", "highs")
#: Latest year construction may start (the planning horizon of the strategy).
LAST_START_YEAR = 2035
#: Default construction period in years when a project gives none (an assumption, documented).
DEFAULT_BUILD_YEARS = 4
#: Default first year in which construction can start.
DEFAULT_FIRST_YEAR = 2026
#: Portfolios whose objective is within this relative distance of the optimum count as tied.
TIE_REL = 1e-7
#: ``region_part`` values that count toward no part: outside the region, and ``region`` (a
#: region-wide project or a combination spanning several parts, as ``mobility evaluate`` writes).
NON_PARTS = frozenset({"", "external", "region"})
#: Separators between several parts in one ``region_part`` cell.
PART_SEPARATORS = (";", "|")

PORTFOLIO_COLUMNS = ("project_id", "name", "selected", "start_year", "capex_mdkk", "score")
FRONTIER_COLUMNS = (
    "budget_mdkk",
    "status",
    "total_score",
    "total_capex_mdkk",
    "n_selected",
    "selected_ids",
    "total_npv_mdkk",
)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Solver
# --------------------------------------------------------------------------------------------


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
class _Model:
    """A built PuLP model with handles to its variables and expressions."""

    prob: Any
    x: list[Any]
    z: dict[tuple[int, int], Any]
    primary: Any
    capex: Any
    start_offsets: Any


def _build_model(candidates: Sequence[Candidate], cons: Constraints, objective: str) -> _Model:
    """Build the integer programme described in the module docstring."""
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
    return _Model(prob=prob, x=x, z=z, primary=primary, capex=capex, start_offsets=offsets)


def _run(model: _Model, solver: str) -> str:
    """Solve and return PuLP's status text (``Optimal``, ``Infeasible`` ...)."""
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


def _selection(model: _Model, n: int) -> tuple[list[bool], dict[int, int]]:
    """Rounded selection and start years from the solved model."""
    chosen = [(model.x[i].value() or 0.0) > 0.5 for i in range(n)]
    starts = {i: s for (i, s), var in model.z.items() if (var.value() or 0.0) > 0.5}
    return chosen, starts


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


def _solve_feasible(
    candidates: Sequence[Candidate], cons: Constraints, objective: str, solver: str
) -> bool:
    """Whether the problem has any feasible portfolio."""
    model = _build_model(candidates, cons, objective)
    status = _run(model, solver)
    return status == "Optimal"


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
    model = _build_model(candidates, constraints, objective)
    status = _run(model, solver)
    if status == "Infeasible":
        raise InfeasibleError(diagnose_infeasible(candidates, constraints, objective, solver))
    if status != "Optimal":
        raise InfeasibleError(f"portfolio: solver {solver} ended with status '{status}'")
    chosen, starts = _selection(model, n)
    best = portfolio_totals(candidates, chosen, constraints.interactions, objective)["objective"]
    assert best is not None

    # Stage 2: among (near-)optimal portfolios, the cheapest.
    tol = TIE_REL * max(1.0, abs(best))
    model.prob += model.primary >= best - tol, "tie_objective"
    import pulp

    model.prob.sense = pulp.LpMinimize
    model.prob.setObjective(model.capex)
    if _run(model, solver) == "Optimal":
        chosen, starts = _selection(model, n)
        # Stage 3: with a schedule, the earliest starts for the chosen projects.
        if model.z:
            for i in range(n):
                model.prob += model.x[i] == int(chosen[i]), f"fix_{i}"
            model.prob.setObjective(model.start_offsets)
            if _run(model, solver) == "Optimal":
                chosen, starts = _selection(model, n)

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


# --------------------------------------------------------------------------------------------
# Infeasibility diagnosis
# --------------------------------------------------------------------------------------------


def _describe(family: str, cons: Constraints) -> str:
    """Human description of one constraint family."""
    where = f" ({cons.source(family)})"
    if family == "budget":
        return f"the total budget of {_fmt(cons.budget_mdkk or 0.0)} mio. kr.{where}"
    if family == "annual_budget":
        return (
            f"the yearly budget of {_fmt(cons.annual_budget_mdkk or 0.0)} mio. kr. with starts "
            f"{cons.first_year}-{cons.last_start_year}{where}"
        )
    if family == "co2e_cap":
        return f"the construction CO2e cap of {_fmt(cons.co2e_cap_t or 0.0)} t{where}"
    if family == "min_bcr":
        return f"the minimum BCR of {_fmt(cons.min_bcr or 0.0)}{where}"
    if family == "min_nnk":
        return f"the minimum NNK of {_fmt(cons.min_nnk or 0.0)}{where}"
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
            if not _solve_feasible(candidates, single, objective, solver):
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
        if _solve_feasible(candidates, relaxed, objective, solver):
            return (
                f"infeasible: {what} cannot be met within {_describe(family, probe)}; "
                "it is feasible without that constraint"
            )
    families = ", ".join(_describe(f, probe) for f in _active_families(probe)) or "none"
    return f"infeasible: {what} cannot be met under the combined constraints ({families})"


# --------------------------------------------------------------------------------------------
# Pareto sweep
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Formatting and output rows
# --------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    """Fixed, deterministic number formatting (up to 6 decimals, no trailing zeros)."""
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
                _fmt(c.capex_mdkk),
                _fmt(c.score),
            ]
        )
    return rows


def frontier_rows(points: Sequence[FrontierPoint]) -> list[list[str]]:
    """Rows of the Pareto CSV (columns :data:`FRONTIER_COLUMNS`)."""
    rows = []
    for p in points:
        r = p.result
        if r is None:
            rows.append([_fmt(p.budget_mdkk), "infeasible", "", "", "", "", ""])
            continue
        rows.append(
            [
                _fmt(p.budget_mdkk),
                "optimal",
                _fmt(r.total_score),
                _fmt(r.total_capex_mdkk),
                str(r.n_selected),
                ";".join(r.selected_ids),
                _fmt(r.total_npv_mdkk),
            ]
        )
    return rows


def summary_lines(
    result: PortfolioResult, decided: Sequence[tuple[str, str, float]] = ()
) -> list[str]:
    """Human-readable totals of a portfolio (and the decided projects, already spent)."""
    npv = _fmt(result.total_npv_mdkk) if result.total_npv_mdkk is not None else "n/a"
    lines = [
        f"projects selected: {result.n_selected} of {len(result.candidates)}",
        f"total capex: {_fmt(result.total_capex_mdkk)} mio. kr.",
        f"total score: {_fmt(result.total_score)}",
        f"total NPV: {npv} mio. kr.",
    ]
    if result.total_co2e_t is not None:
        lines.append(f"construction CO2e: {_fmt(result.total_co2e_t)} t")
    lines.append(f"objective: {result.objective} (solver {result.solver})")
    if decided:
        spent = sum(c for _, _, c in decided if math.isfinite(c))
        ids = ", ".join(pid for pid, _, _ in decided)
        lines.append(
            f"already decided, not selectable: {len(decided)} projects, "
            f"{_fmt(spent)} mio. kr. ({ids})"
        )
    return lines


# --------------------------------------------------------------------------------------------
# Reading inputs
# --------------------------------------------------------------------------------------------


def split_parts(text: str) -> tuple[str, ...]:
    """Parts named in one ``region_part`` cell (``;`` or ``|`` separated), ``external`` dropped."""
    for sep in PART_SEPARATORS[1:]:
        text = text.replace(sep, PART_SEPARATORS[0])
    parts = (p.strip() for p in text.split(PART_SEPARATORS[0]))
    return tuple(sorted({p for p in parts if p not in NON_PARTS}))


def _read_csv(path: str | Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line, row)`` with the required columns checked."""
    from mobility.fileio import check_header, decimal_point, sniff_dialect

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__})", file=p) from None
    lines = text.splitlines()
    delimiter, comma = sniff_dialect(lines[0] if lines else "")
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=p, line=1) from None
    check_header(header, file=p)
    reader.fieldnames = header
    missing = [col for col in required if col not in header]
    if missing:
        raise InputError(
            "missing column(s) " + ", ".join(missing),
            file=p,
            line=1,
            expected="columns " + ",".join(required),
        )
    rows = []
    try:
        for k, row in enumerate(reader):
            if None in row:
                raise InputError("row has more cells than the header", file=p, line=k + 2)
            cells = {key: (v or "").strip() for key, v in row.items()}
            if comma:
                cells = {key: decimal_point(v) for key, v in cells.items()}
            rows.append((k + 2, cells))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=p, line=reader.reader.line_num) from None
    return rows


def _number(
    row: Mapping[str, str], key: str, *, file: Path, line: int, optional: bool = False
) -> float | None:
    """A number cell (``inf`` allowed only for BCR-like ratios); empty -> ``None`` if optional."""
    text = row.get(key, "")
    if text == "":
        if optional:
            return None
        raise InputError("is empty", file=file, line=line, field=key, expected="a number")
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"has value '{text}'", file=file, line=line, field=key, expected="a number"
        ) from None
    if math.isnan(value) or (math.isinf(value) and key != "bcr"):
        raise InputError(
            f"has value '{text}'", file=file, line=line, field=key, expected="a finite number"
        )
    return value


def _integer(row: Mapping[str, str], key: str, *, file: Path, line: int) -> int | None:
    """An optional integer cell."""
    value = _number(row, key, file=file, line=line, optional=True)
    if value is None:
        return None
    if not float(value).is_integer():
        raise InputError(
            f"has value '{row[key]}'", file=file, line=line, field=key, expected="an integer"
        )
    return int(value)


def read_ranking(path: str | Path) -> list[Candidate]:
    """Read ``ranking.csv`` (``mobility rank`` output) into candidates, in file order.

    Required columns: ``project_id``, ``name``, ``score``, ``capex_mdkk``; optional:
    ``npv_mdkk``, ``bcr``, ``region_part``, ``construction_co2e_t``, ``opening_year``,
    ``build_years``. Rows whose ``decision`` is ``decided`` or ``not_appraised`` are not
    candidates and are skipped (:func:`read_decided` lists the decided ones).
    """
    from mobility.scoring.ranking import is_candidate_row

    file = Path(path)
    rows = _read_csv(file, ("project_id", "name", "score", "capex_mdkk"))
    if not rows:
        raise InputError("has no projects", file=file, expected="at least one data row")
    out = []
    seen: dict[str, int] = {}
    for line, row in rows:
        pid = row["project_id"]
        if not is_candidate_row(row):
            continue  # decided (already spent) or not appraised: never selected
        if not pid:
            raise InputError("is empty", file=file, line=line, field="project_id")
        if pid in seen:
            raise InputError(
                f"project id '{pid}' repeats line {seen[pid]}",
                file=file,
                line=line,
                field="project_id",
            )
        seen[pid] = line
        capex = _number(row, "capex_mdkk", file=file, line=line)
        assert capex is not None
        if capex < 0:
            raise InputError(
                f"has value {capex}",
                file=file,
                line=line,
                field="capex_mdkk",
                expected="a number >= 0",
            )
        build = _integer(row, "build_years", file=file, line=line)
        if build is not None and build < 1:
            raise InputError(
                f"has value {build}", file=file, line=line, field="build_years", expected=">= 1"
            )
        out.append(
            Candidate(
                project_id=pid,
                name=row["name"],
                score=float(_number(row, "score", file=file, line=line) or 0.0),
                capex_mdkk=capex,
                npv_mdkk=_number(row, "npv_mdkk", file=file, line=line, optional=True),
                bcr=_number(row, "bcr", file=file, line=line, optional=True),
                nnk=_number(row, "nnk", file=file, line=line, optional=True),
                region_parts=split_parts(row.get("region_part", "")),
                co2e_t=_number(row, "construction_co2e_t", file=file, line=line, optional=True),
                opening_year=_integer(row, "opening_year", file=file, line=line),
                build_years=build,
            )
        )
    return out


def read_decided(path: str | Path) -> list[tuple[str, str, float]]:
    """The decided projects a ``ranking.csv`` lists (``decision`` = ``decided``): id, name and
    capex (mio. kr.; NaN where blank), in file order. They are already spent: the portfolio
    reports them and never selects them."""
    file = Path(path)
    out = []
    for line, row in _read_csv(file, ("project_id", "name", "capex_mdkk")):
        if row.get("decision") == "decided":
            capex = _number(row, "capex_mdkk", file=file, line=line, optional=True)
            out.append((row["project_id"], row["name"], math.nan if capex is None else capex))
    return out


def merge_projects_csv(candidates: Sequence[Candidate], path: str | Path) -> list[Candidate]:
    """Add attributes from ``projects.csv`` (``mobility evaluate`` output) the ranking lacks.

    ``construction_co2e_t`` and ``opening_year`` (and ``build_years`` if present) fill empty
    values; ``region_part`` fills a ranking without one. Projects of ``projects.csv`` that are
    not in the ranking are ignored.
    """
    file = Path(path)
    rows = _read_csv(file, ("id",))
    info: dict[str, tuple[int, dict[str, str]]] = {}
    for line, row in rows:
        if row["id"] in info:
            raise InputError(
                f"project id '{row['id']}' appears twice", file=file, line=line, field="id"
            )
        info[row["id"]] = (line, row)
    out = []
    for c in candidates:
        if c.project_id not in info:
            out.append(c)
            continue
        line, row = info[c.project_id]
        co2e = c.co2e_t
        if co2e is None:
            co2e = _number(row, "construction_co2e_t", file=file, line=line, optional=True)
            if co2e is not None and co2e < 0:
                raise InputError(
                    f"has value {co2e}",
                    file=file,
                    line=line,
                    field="construction_co2e_t",
                    expected=">= 0",
                )
        opening = c.opening_year
        if opening is None:
            opening = _integer(row, "opening_year", file=file, line=line)
        build = c.build_years
        if build is None:
            build = _integer(row, "build_years", file=file, line=line)
            if build is not None and build < 1:
                raise InputError(
                    f"has value {build}", file=file, line=line, field="build_years", expected=">= 1"
                )
        parts = c.region_parts or split_parts(row.get("region_part", ""))
        out.append(
            dataclasses.replace(
                c, co2e_t=co2e, opening_year=opening, build_years=build, region_parts=parts
            )
        )
    return out


def read_interactions(path: str | Path) -> tuple[Interaction, ...]:
    """Read pairwise interaction terms: ``project_a,project_b`` and ``score_delta`` and/or
    ``npv_delta_mdkk`` (also accepted: ``npv_delta``)."""
    file = Path(path)
    rows = _read_csv(file, ("project_a", "project_b"))
    if rows:
        header = set(rows[0][1])
        if not header & {"score_delta", "npv_delta_mdkk", "npv_delta"}:
            raise InputError(
                "has no delta column",
                file=file,
                line=1,
                expected="score_delta and/or npv_delta_mdkk",
            )
    out = []
    pairs: dict[frozenset[str], int] = {}
    for line, row in rows:
        a, b = row["project_a"], row["project_b"]
        if not a or not b or a == b:
            raise InputError(
                f"pair '{a}','{b}'",
                file=file,
                line=line,
                field="project_a",
                expected="two different ids",
            )
        key = frozenset((a, b))
        if key in pairs:
            raise InputError(f"pair {a},{b} repeats line {pairs[key]}", file=file, line=line)
        pairs[key] = line
        npv_key = "npv_delta_mdkk" if "npv_delta_mdkk" in row else "npv_delta"
        out.append(
            Interaction(
                project_a=a,
                project_b=b,
                score_delta=_number(row, "score_delta", file=file, line=line, optional=True),
                npv_delta_mdkk=_number(row, npv_key, file=file, line=line, optional=True),
            )
        )
    return tuple(out)


def check_interaction_ids(
    interactions: Sequence[Interaction], ids: Iterable[str], *, file: str | Path
) -> None:
    """Unknown ids in the interactions file -> :class:`InputError` naming the file."""
    known = set(ids)
    for inter in interactions:
        for pid in (inter.project_a, inter.project_b):
            if pid not in known:
                raise InputError(
                    f"unknown project id '{pid}'",
                    file=file,
                    field="project_a/project_b",
                    expected="an id of the ranking",
                )


def merge_catalogue(
    candidates: Sequence[Candidate], projects: Sequence[Any], *, decided: Iterable[str] = ()
) -> tuple[list[Candidate], list[tuple[str, ...]], list[tuple[str, str]]]:
    """Use validated project files (:class:`mobility.projects.Project`) for the portfolio.

    Fills attributes the ranking lacks (``construction_years`` -> build years, construction
    CO2e, opening year, region part) and returns the ``excludes`` pairs and ``requires``
    pairs of the projects that are in the ranking. An exclusion of a project outside the
    ranking is vacuous and dropped; a prerequisite outside the ranking is an error (the
    dependent project could never be chosen), unless it is ``decided`` (already spent, so the
    requirement is met).

    Returns
    -------
    candidates, exclusive, requires
    """
    by_id = {p.id: p for p in projects}
    ranked = {c.project_id for c in candidates}
    done = set(decided)
    out = []
    for c in candidates:
        p = by_id.get(c.project_id)
        if p is None:
            out.append(c)
            continue
        out.append(
            dataclasses.replace(
                c,
                build_years=c.build_years if c.build_years is not None else p.construction_years,
                co2e_t=c.co2e_t if c.co2e_t is not None else float(p.construction_co2e_t),
                opening_year=c.opening_year if c.opening_year is not None else p.opening_year,
                region_parts=c.region_parts or split_parts(p.region_part or ""),
            )
        )
    exclusive: list[tuple[str, ...]] = []
    requires: list[tuple[str, str]] = []
    for p in projects:
        if p.id not in ranked:
            continue
        exclusive.extend(tuple(sorted((p.id, o))) for o in p.excludes if o in ranked)
        for k, other in enumerate(p.requires):
            if other in done:
                continue
            if other not in ranked:
                raise InputError(
                    f"prerequisite '{other}' is not in the ranking",
                    file=p.path,
                    field=f"requires[{k}]",
                    expected="a ranked project (rank it too, or drop the requirement)",
                )
            requires.append((p.id, other))
    return out, sorted(set(exclusive)), sorted(set(requires))


def parse_exclusive(text: str, *, field: str, file: str | Path | None = None) -> tuple[str, ...]:
    """``"a,b[,c]"`` -> ``("a", "b", "c")`` (at most one of them)."""
    ids = tuple(p.strip() for p in str(text).split(","))
    if len(ids) < 2 or any(not p for p in ids) or len(set(ids)) != len(ids):
        raise InputError(
            f"has value '{text}'", file=file, field=field, expected="two or more different ids, a,b"
        )
    return ids


def parse_requires(text: str, *, field: str, file: str | Path | None = None) -> tuple[str, str]:
    """``"b:a"`` (b needs a) -> ``("b", "a")``."""
    pieces = [p.strip() for p in str(text).split(":")]
    if len(pieces) != 2 or not all(pieces):
        raise InputError(
            f"has value '{text}'", file=file, field=field, expected="DEPENDENT:PREREQUISITE"
        )
    return pieces[0], pieces[1]


def read_scenario_portfolio(path: str | Path) -> dict[str, Any]:
    """The ``portfolio:`` section of a scenario file, validated (file and field named).

    Returns a dict with the keys present among: ``budget_mdkk``, ``annual_budget_mdkk``,
    ``first_year``, ``last_start_year``, ``build_years``, ``exclusive`` (list of id tuples),
    ``requires`` (list of pairs), ``min_per_part`` (int or ``{part: int}``), ``co2e_cap_t``,
    ``min_bcr``, ``objective``. An absent section gives an empty dict. The whole scenario is
    validated by :func:`mobility.scenario.load_scenario`.
    """
    from mobility.scenario import load_scenario

    section = load_scenario(path).section("portfolio")
    if section is None:
        return {}
    return portfolio_section(section)


def portfolio_section(section: Fields) -> dict[str, Any]:
    """Validate a scenario's ``portfolio:`` section (see :func:`read_scenario_portfolio`)."""
    file = section.file
    allowed = (
        "budget_mdkk", "annual_budget_mdkk", "first_year", "last_start_year", "build_years",
        "exclusive", "requires", "min_per_part", "co2e_cap_t", "min_bcr", "min_nnk",
        "objective",
    )  # fmt: skip
    section.check_unknown(allowed)
    out: dict[str, Any] = {}
    for key in ("budget_mdkk", "annual_budget_mdkk", "co2e_cap_t"):
        value = section.number(key, None, minimum=0)
        if value is not None:
            out[key] = value
    for key in ("min_bcr", "min_nnk"):
        value = section.number(key, None)
        if value is not None:
            out[key] = value
    for key, lo in (("first_year", 1900), ("last_start_year", 1900), ("build_years", 1)):
        value = section.number(key, None, minimum=lo, maximum=2200, integer=True)
        if value is not None:
            out[key] = value
    objective = section.str("objective", None, choices=OBJECTIVES)
    if objective is not None:
        out["objective"] = objective
    groups = []
    for k, item in enumerate(section.list("exclusive", [])):
        name = f"{section.path('exclusive')}[{k}]"
        if isinstance(item, list):
            item = ",".join(str(v) for v in item)
        if not isinstance(item, str):
            raise InputError(
                f"has value {shown(item)}", file=file, field=name, expected="a list of ids or 'a,b'"
            )
        groups.append(parse_exclusive(item, field=name, file=file))
    if groups:
        out["exclusive"] = groups
    req = section.raw("requires", None)
    pairs: list[tuple[str, str]] = []
    if isinstance(req, Mapping):
        for dependent, prereqs in req.items():
            name = f"{section.path('requires')}.{dependent}"
            items = prereqs if isinstance(prereqs, list) else [prereqs]
            for v in items:
                if isinstance(v, bool) or not isinstance(v, str | int):
                    raise InputError(
                        f"has value {shown(v)}", file=file, field=name, expected="a project id"
                    )
                pairs.append((str(dependent), str(v)))
    elif req is not None:
        for k, item in enumerate(section.list("requires")):
            pairs.append(parse_requires(item, field=f"{section.path('requires')}[{k}]", file=file))
    if pairs:
        out["requires"] = pairs
    mpp = section.raw("min_per_part", None)
    if isinstance(mpp, Mapping):
        sub = section.sub("min_per_part")
        out["min_per_part"] = {
            str(part): sub.number(str(part), minimum=0, integer=True) for part in mpp
        }
    elif mpp is not None:
        out["min_per_part"] = section.number("min_per_part", minimum=0, integer=True)
    return out
