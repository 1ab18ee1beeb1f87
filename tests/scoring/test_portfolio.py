"""Tests of the portfolio optimiser against brute-force enumeration and of its input readers.

The reference is an independent enumeration of every subset (and, with a yearly budget,
every start year of every selected project) written with numpy/itertools here; it shares
no code with the portfolio modules (:mod:`mobility.scoring.portfolio` and its siblings)
except the data classes.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InfeasibleError, InputError
from mobility.scoring.portfolio import budget_levels, optimise, pareto_frontier
from mobility.scoring.portfolio_inputs import (
    merge_catalogue,
    merge_projects_csv,
    read_decided,
    read_interactions,
    read_ranking,
    read_scenario_portfolio,
)
from mobility.scoring.portfolio_outputs import summary_lines
from mobility.scoring.portfolio_problem import (
    Candidate,
    Constraints,
    Interaction,
    feasible_start_years,
    is_eligible,
    validate_problem,
)
from mobility.scoring.portfolio_solver import highs_available

DATA = Path(__file__).resolve().parents[1] / "data" / "portfolio"
PARTS = ("central", "koege_bugt", "hilleroed", "roskilde")


# ------------------------------------------------------------------------------------------
# Independent brute force
# ------------------------------------------------------------------------------------------


def _value(c: Candidate, objective: str) -> float:
    return c.score if objective == "score" else float(c.npv_mdkk)  # type: ignore[arg-type]


def _delta(i: Interaction, objective: str) -> float:
    v = i.score_delta if objective == "score" else i.npv_delta_mdkk
    return 0.0 if v is None else v


def _starts(c: Candidate, cons: Constraints) -> list[int]:
    d = c.build_years or cons.build_years
    first = cons.first_year if c.opening_year is None else max(cons.first_year, c.opening_year - d)
    return list(range(first, cons.last_start_year + 1))


def _check_and_value(
    cands: list[Candidate], cons: Constraints, objective: str, bits: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Feasibility mask (ignoring the yearly budget) and objective of each row of ``bits``."""
    ids = {c.project_id: k for k, c in enumerate(cands)}
    ok = np.ones(bits.shape[0], dtype=bool)
    capex = np.array([c.capex_mdkk for c in cands])
    if cons.budget_mdkk is not None:
        ok &= bits @ capex <= cons.budget_mdkk + 1e-9
    if cons.co2e_cap_t is not None:
        ok &= bits @ np.array([c.co2e_t for c in cands], dtype=float) <= cons.co2e_cap_t + 1e-9
    if cons.min_bcr is not None:
        bad = [k for k, c in enumerate(cands) if c.bcr < cons.min_bcr]  # type: ignore[operator]
        if bad:
            ok &= ~bits[:, bad].any(axis=1)
    for group in cons.exclusive:
        ok &= bits[:, [ids[p] for p in group]].sum(axis=1) <= 1
    for dep, pre in cons.requires:
        ok &= ~bits[:, ids[dep]] | bits[:, ids[pre]]
    for part, m in cons.min_per_part:
        members = [k for k, c in enumerate(cands) if part in c.region_parts]
        ok &= bits[:, members].sum(axis=1) >= m
    value = bits @ np.array([_value(c, objective) for c in cands])
    for inter in cons.interactions:
        both = bits[:, ids[inter.project_a]] & bits[:, ids[inter.project_b]]
        value = value + _delta(inter, objective) * both
    return ok, value


def _schedule_ok(
    cands: list[Candidate], cons: Constraints, starts: dict[int, int], tol: float = 1e-6
) -> bool:
    """Whether start years respect the feasible range and the yearly budget."""
    spend: Counter[int] = Counter()
    for k, s in starts.items():
        if s not in _starts(cands[k], cons):
            return False
        d = cands[k].build_years or cons.build_years
        for t in range(s, s + d):
            spend[t] += cands[k].capex_mdkk / d
    return all(v <= cons.annual_budget_mdkk + tol for v in spend.values())  # type: ignore[operator]


def brute_force(
    cands: list[Candidate], cons: Constraints, objective: str
) -> tuple[float | None, set[frozenset[str]]]:
    """Best objective and every optimal selection (as id sets); ``None`` when infeasible."""
    n = len(cands)
    rows = np.arange(2**n)[:, None]
    bits = ((rows >> np.arange(n)) & 1).astype(bool)
    ok, value = _check_and_value(cands, cons, objective, bits)
    if cons.annual_budget_mdkk is not None:
        for r in np.flatnonzero(ok):
            chosen = np.flatnonzero(bits[r])
            options = [_starts(cands[k], cons) for k in chosen]
            ok[r] = any(
                _schedule_ok(cands, cons, dict(zip(chosen, combo, strict=True)))
                for combo in itertools.product(*options)
            )
    if not ok.any():
        return None, set()
    best = float(value[ok].max())
    tol = 1e-6 * max(1.0, abs(best))
    winners = np.flatnonzero(ok & (value >= best - tol))
    sets = {frozenset(cands[k].project_id for k in np.flatnonzero(bits[r])) for r in winners}
    return best, sets


# ------------------------------------------------------------------------------------------
# Random instances
# ------------------------------------------------------------------------------------------

FAMILIES = (
    "budget",
    "annual_budget",
    "exclusive",
    "requires",
    "min_per_part",
    "co2e_cap",
    "min_bcr",
    "interactions",
    "npv",
)


def random_instance(
    rng: np.random.Generator, *, scheduled: bool
) -> tuple[list[Candidate], Constraints, str, set[str]]:
    """A random problem; returns candidates, constraints, objective and the families used."""
    n = int(rng.integers(2, 7)) if scheduled else int(rng.integers(1, 16))
    integer_scores = rng.random() < 0.5  # integers make ties likely
    cands = []
    for k in range(n):
        score = (
            float(rng.integers(0, 20)) if integer_scores else round(float(rng.uniform(0, 100)), 3)
        )
        nparts = 1 if rng.random() < 0.8 else 2
        parts = tuple(sorted(set(rng.choice(PARTS, size=nparts).tolist())))
        cands.append(
            Candidate(
                project_id=f"p{k:02d}",
                name=f"Project {k}",
                score=score,
                capex_mdkk=float(rng.integers(50, 3000)),
                npv_mdkk=round(float(rng.normal(300, 800)), 2),
                bcr=round(float(rng.uniform(0.5, 2.5)), 2),
                region_parts=parts,
                co2e_t=float(rng.integers(1000, 100000)),
                opening_year=None if rng.random() < 0.5 else int(rng.integers(2028, 2036)),
                build_years=None if rng.random() < 0.5 else int(rng.integers(1, 4)),
            )
        )
    ids = [c.project_id for c in cands]
    total = sum(c.capex_mdkk for c in cands)
    used: set[str] = set()
    kw: dict[str, object] = {}
    if not scheduled or rng.random() < 0.5:
        kw["budget_mdkk"] = round(total * float(rng.uniform(0.15, 0.9)), 1)
        used.add("budget")
    if scheduled:
        kw["annual_budget_mdkk"] = round(
            max(c.capex_mdkk for c in cands) * float(rng.uniform(0.3, 1.2)), 1
        )
        kw["first_year"] = 2031
        kw["last_start_year"] = 2031 + int(rng.integers(0, 3))
        kw["build_years"] = int(rng.integers(1, 4))
        used.add("annual_budget")
    if n >= 2 and rng.random() < 0.5:
        groups = []
        for _ in range(int(rng.integers(1, 3))):
            size = int(rng.integers(2, min(3, n) + 1))
            groups.append(tuple(sorted(rng.choice(ids, size=size, replace=False).tolist())))
        kw["exclusive"] = tuple(groups)
        used.add("exclusive")
    if n >= 2 and rng.random() < 0.5:
        pairs = []
        for _ in range(int(rng.integers(1, 4))):
            a, b = rng.choice(ids, size=2, replace=False).tolist()
            pairs.append((a, b))
        kw["requires"] = tuple(pairs)
        used.add("requires")
    if rng.random() < 0.4:
        chosen = rng.choice(PARTS, size=int(rng.integers(1, 3)), replace=False).tolist()
        kw["min_per_part"] = tuple((p, int(rng.integers(1, 3))) for p in sorted(chosen))
        used.add("min_per_part")
    if rng.random() < 0.4:
        kw["co2e_cap_t"] = round(sum(c.co2e_t for c in cands) * float(rng.uniform(0.2, 0.8)), 1)  # type: ignore[misc]
        used.add("co2e_cap")
    if rng.random() < 0.4:
        kw["min_bcr"] = round(float(rng.uniform(0.8, 1.5)), 2)
        used.add("min_bcr")
    if n >= 2 and rng.random() < 0.5:
        inters = {}
        for _ in range(int(rng.integers(1, 5))):
            a, b = sorted(rng.choice(ids, size=2, replace=False).tolist())
            inters[a, b] = Interaction(
                a,
                b,
                score_delta=round(float(rng.uniform(-30, 30)), 2),
                npv_delta_mdkk=round(float(rng.uniform(-500, 500)), 1),
            )
        kw["interactions"] = tuple(inters.values())
        used.add("interactions")
    objective = "npv" if rng.random() < 0.3 else "score"
    if objective == "npv":
        used.add("npv")
    return cands, Constraints(**kw), objective, used  # type: ignore[arg-type]


def _solvers() -> list[str]:
    return ["cbc", "highs"] if highs_available() else ["cbc"]


@pytest.mark.slow
def test_optimiser_equals_brute_force_on_200_random_instances() -> None:
    rng = np.random.default_rng(20240605)
    solvers = _solvers()
    coverage: Counter[str] = Counter()
    agree = unique_checked = infeasible = 0
    for k in range(200):
        cands, cons, objective, used = random_instance(rng, scheduled=k % 4 == 3)
        coverage.update(used)
        solver = solvers[k % len(solvers)]
        best, winners = brute_force(cands, cons, objective)
        if best is None:
            with pytest.raises(InfeasibleError, match="min-per-part"):
                optimise(cands, cons, objective=objective, solver=solver)
            infeasible += 1
            agree += 1
            continue
        res = optimise(cands, cons, objective=objective, solver=solver)
        assert res.objective_value == pytest.approx(best, rel=1e-6, abs=1e-6), (k, cons)
        chosen = frozenset(res.selected_ids)
        # The returned portfolio itself must be feasible and worth what it claims.
        bits = np.array([[c.project_id in chosen for c in cands]])
        ok, value = _check_and_value(cands, cons, objective, bits)
        assert ok[0], (k, cons, chosen)
        assert value[0] == pytest.approx(res.objective_value, rel=1e-9, abs=1e-9)
        if cons.annual_budget_mdkk is not None:
            starts = {
                i: s for i, s in enumerate(res.start_year) if res.selected[i] and s is not None
            }
            assert len(starts) == len(chosen)
            assert _schedule_ok(cands, cons, starts), (k, starts)
        else:
            assert all(s is None for s in res.start_year)
        assert chosen in winners
        if len(winners) == 1:
            unique_checked += 1
        agree += 1
    assert agree == 200
    assert unique_checked >= 100
    assert 0 < infeasible < 100
    for family in FAMILIES:
        assert coverage[family] >= 20, (family, coverage)


# ------------------------------------------------------------------------------------------
# Small hand-checked cases
# ------------------------------------------------------------------------------------------


def _c(pid: str, score: float, capex: float, **kw: object) -> Candidate:
    return Candidate(project_id=pid, name=pid.upper(), score=score, capex_mdkk=capex, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("solver", _solvers())
def test_knapsack_by_hand(solver: str) -> None:
    cands = [_c("a", 10, 6), _c("b", 7, 4), _c("c", 6, 3), _c("d", 1, 5)]
    res = optimise(cands, Constraints(budget_mdkk=7), solver=solver)
    assert res.selected_ids == ("b", "c")
    assert res.total_score == 13
    assert res.total_capex_mdkk == 7


@pytest.mark.parametrize("solver", _solvers())
def test_ties_go_to_the_cheaper_portfolio(solver: str) -> None:
    cands = [_c("a", 5, 4), _c("b", 5, 3), _c("c", 5, 5)]
    res = optimise(cands, Constraints(budget_mdkk=5), solver=solver)
    assert res.selected_ids == ("b",)


@pytest.mark.parametrize("solver", _solvers())
def test_negative_interaction_is_linearised_exactly(solver: str) -> None:
    # a+b alone is 19 but the pair loses 15 (parallel roads): a+c (16) beats b+c (15).
    cands = [_c("a", 10, 1), _c("b", 9, 1), _c("c", 6, 1)]
    inter = (Interaction("a", "b", score_delta=-15.0),)
    res = optimise(cands, Constraints(budget_mdkk=2, interactions=inter), solver=solver)
    assert res.selected_ids == ("a", "c")
    assert res.total_score == 16
    # A positive synergy pulls the pair in.
    inter = (Interaction("b", "c", score_delta=5.0),)
    res = optimise(cands, Constraints(budget_mdkk=2, interactions=inter), solver=solver)
    assert res.selected_ids == ("b", "c")
    assert res.total_score == 20


@pytest.mark.parametrize("solver", _solvers())
def test_yearly_budget_schedules_start_years(solver: str) -> None:
    # Each project costs 100 over 2 years (50/year); 60/year allows one at a time.
    cands = [_c("a", 3, 100), _c("b", 2, 100), _c("c", 1, 100)]
    cons = Constraints(annual_budget_mdkk=60, first_year=2030, last_start_year=2034, build_years=2)
    res = optimise(cands, cons, solver=solver)
    assert res.selected_ids == ("a", "b", "c")
    assert res.start_year == (2030, 2032, 2034)
    # With starts only to 2033 the third cannot fit.
    res = optimise(cands, Constraints(**{**cons.__dict__, "last_start_year": 2033}), solver=solver)
    assert res.selected_ids == ("a", "b")


def test_opening_year_bounds_earliest_start() -> None:
    c = _c("a", 1, 10, opening_year=2034, build_years=3)
    cons = Constraints(annual_budget_mdkk=100, first_year=2026)
    assert list(feasible_start_years(c, cons)) == [2031, 2032, 2033, 2034, 2035]
    late = _c("b", 1, 10, opening_year=2040, build_years=2)
    assert not is_eligible(late, cons)
    res = optimise([c, late], cons)
    assert res.selected_ids == ("a",)
    assert res.start_year == (2031, None)


def test_infeasible_names_the_constraint() -> None:
    cands = [
        _c("a", 5, 100, region_parts=("central",), co2e_t=10.0, bcr=1.5),
        _c("b", 5, 10, region_parts=("roskilde",), co2e_t=500.0, bcr=0.8),
        _c("c", 5, 20, region_parts=("roskilde",), co2e_t=600.0, bcr=1.2),
    ]
    mpp = (("central", 1), ("roskilde", 1))
    with pytest.raises(InfeasibleError, match=r"'central'.*total budget of 50"):
        optimise(cands, Constraints(budget_mdkk=50, min_per_part=mpp))
    with pytest.raises(InfeasibleError, match=r"'roskilde'.*CO2e cap of 400 t"):
        optimise(cands, Constraints(co2e_cap_t=400, min_per_part=mpp))
    with pytest.raises(InfeasibleError, match=r"needs 2 projects in part 'roskilde'.*only 1"):
        optimise(cands, Constraints(min_bcr=1.0, min_per_part=(("roskilde", 2),)))
    with pytest.raises(InfeasibleError, match=r"exclusive"):
        optimise(cands, Constraints(exclusive=(("b", "c"),), min_per_part=(("roskilde", 2),)))


def test_unknown_ids_and_missing_attributes_are_input_errors() -> None:
    cands = [_c("a", 1, 1), _c("b", 1, 1)]
    with pytest.raises(InputError, match="unknown project id 'x'"):
        optimise(cands, Constraints(exclusive=(("a", "x"),)))
    with pytest.raises(InputError, match="unknown project id 'x'"):
        optimise(cands, Constraints(requires=(("x", "a"),)))
    with pytest.raises(InputError, match="unknown project id 'x'"):
        optimise(cands, Constraints(interactions=(Interaction("a", "x", 1.0),)))
    with pytest.raises(InputError, match="no NPV"):
        optimise(cands, Constraints(budget_mdkk=1), objective="npv")
    with pytest.raises(InputError, match="no construction CO2e"):
        optimise(cands, Constraints(co2e_cap_t=1))
    with pytest.raises(InputError, match="no BCR"):
        optimise(cands, Constraints(min_bcr=1))
    with pytest.raises(InputError, match="requires itself"):
        optimise(cands, Constraints(requires=(("a", "a"),)))


def test_pareto_frontier_is_monotone_and_matches_single_solves() -> None:
    cands = read_ranking(DATA / "ranking.csv")
    levels = budget_levels(cands, 6)
    points = pareto_frontier(cands, Constraints(), budgets=levels, solver="cbc")
    scores = [p.result.total_score for p in points if p.result is not None]
    assert len(scores) == 6
    assert scores == sorted(scores)
    assert points[-1].result is not None and points[-1].result.n_selected == len(cands)
    for p in points:
        assert p.result is not None and p.result.total_capex_mdkk <= p.budget_mdkk + 1e-9
        best, _ = brute_force(cands, Constraints(budget_mdkk=p.budget_mdkk), "score")
        assert p.result.total_score == pytest.approx(best)


# ------------------------------------------------------------------------------------------
# Readers
# ------------------------------------------------------------------------------------------


def test_read_ranking_and_merge_projects() -> None:
    cands = read_ranking(DATA / "ranking.csv")
    assert [c.project_id for c in cands][:3] == ["metro_a", "lightrail_b", "road_c"]
    assert cands[0].co2e_t is None and cands[0].region_parts == ("central",)
    merged = merge_projects_csv(cands, DATA / "projects.csv")
    assert merged[0].co2e_t == 400000 and merged[0].opening_year == 2035


def test_read_ranking_errors(tmp_path: Path) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("project_id,name,score\na,A,1\n")
    with pytest.raises(InputError, match=r"missing column.*capex_mdkk"):
        read_ranking(bad)
    bad.write_text("project_id,name,score,capex_mdkk\na,A,1,10\nb,B,x,10\n")
    with pytest.raises(InputError, match=r"line 3: field 'score'"):
        read_ranking(bad)
    bad.write_text("project_id,name,score,capex_mdkk\na,A,1,10\na,B,2,10\n")
    with pytest.raises(InputError, match="repeats line 2"):
        read_ranking(bad)
    bad.write_text("project_id,name,score,capex_mdkk\na,A,1,-10\n")
    with pytest.raises(InputError, match="capex_mdkk"):
        read_ranking(bad)


def test_read_scenario_portfolio(tmp_path: Path) -> None:
    got = read_scenario_portfolio(DATA / "scenario.yaml")
    assert got["budget_mdkk"] == 10000
    assert got["exclusive"] == [("road_c", "road_c2")]
    assert got["requires"] == [("rail_e2", "rail_e")]
    scen = tmp_path / "s.yaml"
    head = "name: t\nyear: 2035\nportfolio:\n"
    scen.write_text(head + "  min_per_part: {central: 2}\n  requires: {b: [a, c]}\n")
    got = read_scenario_portfolio(scen)
    assert got["min_per_part"] == {"central": 2}
    assert got["requires"] == [("b", "a"), ("b", "c")]
    scen.write_text(head + "  budget: 5\n")
    with pytest.raises(InputError, match=r"s.yaml: field 'portfolio.budget': unknown field"):
        read_scenario_portfolio(scen)
    scen.write_text(head + "  budget_mdkk: -5\n")
    with pytest.raises(InputError, match=r"field 'portfolio.budget_mdkk'"):
        read_scenario_portfolio(scen)
    scen.write_text(head + "  requires: [b-a]\n")
    with pytest.raises(InputError, match=r"field 'portfolio.requires\[0\]'"):
        read_scenario_portfolio(scen)


def test_read_interactions(tmp_path: Path) -> None:
    inters = read_interactions(DATA / "interactions.csv")
    assert inters[0] == Interaction("road_c", "brt_d", -6.0, -300.0)
    bad = tmp_path / "i.csv"
    bad.write_text("project_a,project_b\na,b\n")
    with pytest.raises(InputError, match="no delta column"):
        read_interactions(bad)
    bad.write_text("project_a,project_b,score_delta\na,a,1\n")
    with pytest.raises(InputError, match="two different ids"):
        read_interactions(bad)


def test_merge_catalogue() -> None:
    from mobility.projects import load_catalogue

    catalogue = load_catalogue(DATA / "project_files")
    cands = read_ranking(DATA / "ranking.csv")
    merged, exclusive, requires = merge_catalogue(cands, catalogue)
    assert exclusive == [("road_c", "road_c2")]
    assert requires == [("rail_e2", "rail_e")]
    by_id = {c.project_id: c for c in merged}
    assert by_id["road_c"].build_years == 3 and by_id["rail_e"].build_years == 5
    assert by_id["rail_e2"].opening_year == 2036 and by_id["rail_e2"].co2e_t == 90000
    assert by_id["metro_a"].build_years is None  # not in the catalogue
    # A prerequisite outside the ranking is an error naming the project file.
    ranked = [c for c in cands if c.project_id != "rail_e"]
    with pytest.raises(InputError, match=r"rail_e2.yaml: field 'requires\[0\]'"):
        merge_catalogue(ranked, catalogue)


def test_decided_projects_are_never_candidates_and_are_reported_spent(tmp_path: Path) -> None:
    """ranking.csv rows marked ``decided`` (or ``not_appraised``) are skipped by the optimiser;
    the decided ones are listed as already spent, and a prerequisite that is decided is met."""
    from types import SimpleNamespace

    path = tmp_path / "ranking.csv"
    path.write_text(
        "rank,project_id,name,score,capex_mdkk,decision\n"
        "1,a,A,60,100,candidate\n"
        "2,b,B,40,50,candidate\n"
        ",d,D,,700,decided\n"
        ",n,N,,30,not_appraised\n",
        encoding="utf-8",
    )
    cands = read_ranking(path)
    assert [c.project_id for c in cands] == ["a", "b"]
    decided = read_decided(path)
    assert decided == [("d", "D", 700.0)]
    result = optimise(cands, Constraints(budget_mdkk=1000.0))
    assert result.selected_ids == ("a", "b")
    lines = summary_lines(result, decided)
    assert lines[-1].startswith("already decided, not selectable: 1 projects, 700")
    files = [
        SimpleNamespace(
            id="a",
            requires=("d",),
            excludes=(),
            construction_years=2,
            construction_co2e_t=0.0,
            opening_year=2030,
            region_part="",
            path=tmp_path / "a.yaml",
        )
    ]
    _, _, req = merge_catalogue(cands, files, decided=["d"])
    assert req == []
    with pytest.raises(InputError, match="prerequisite 'd'"):
        merge_catalogue(cands, files)


def test_min_nnk_excludes_projects_below_it(tmp_path: Path) -> None:
    """``min_nnk``: a project whose NNK (ranking.csv ``nnk``) is below the minimum cannot be
    chosen; a missing NNK is an error, not a silent pass; NaN is refused (issue 12)."""
    path = tmp_path / "ranking.csv"
    path.write_text(
        "rank,project_id,name,score,capex_mdkk,nnk\n1,a,A,60,100,-0.5\n2,b,B,40,50,1.2\n",
        encoding="utf-8",
    )
    cands = read_ranking(path)
    assert [c.nnk for c in cands] == [-0.5, 1.2]
    assert optimise(cands, Constraints(budget_mdkk=1000.0)).selected_ids == ("a", "b")
    picked = optimise(cands, Constraints(budget_mdkk=1000.0, min_nnk=0.0), objective="score")
    assert picked.selected_ids == ("b",)
    blank = [dataclasses.replace(cands[0], nnk=None), cands[1]]
    with pytest.raises(InputError, match="no NNK"):
        validate_problem(blank, Constraints(budget_mdkk=1000.0, min_nnk=0.0), objective="score")
    with pytest.raises(InputError, match="min_nnk"):
        validate_problem(
            cands, Constraints(budget_mdkk=1000.0, min_nnk=float("nan")), objective="score"
        )
