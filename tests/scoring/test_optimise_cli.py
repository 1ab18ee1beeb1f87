"""``mobility optimise`` end to end on the synthetic fixtures in ``tests/data/portfolio``.

Expected portfolios are computed in the tests by enumerating every subset of the eight
fixture projects (a few lines of itertools, independent of the optimiser).
"""

from __future__ import annotations

import csv
import itertools
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.scoring.portfolio_outputs import FRONTIER_COLUMNS
from mobility.scoring.portfolio_solver import highs_available

DATA = Path(__file__).resolve().parents[1] / "data" / "portfolio"
RANKING = DATA / "ranking.csv"
PROJECTS = DATA / "projects.csv"
HEAD = "name: t\nyear: 2035\nportfolio:\n"
HEADER = ["project_id", "name", "selected", "start_year", "capex_mdkk", "score"]


def _run(args: list[str]):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _fixture() -> dict[str, dict[str, float | str]]:
    out: dict[str, dict[str, float | str]] = {}
    for r in _rows(RANKING):
        out[r["project_id"]] = {
            "score": float(r["score"]),
            "capex": float(r["capex_mdkk"]),
            "npv": float(r["npv_mdkk"]),
            "bcr": float(r["bcr"]),
            "part": r["region_part"],
        }
    for r in _rows(PROJECTS):
        out[r["id"]]["co2e"] = float(r["construction_co2e_t"])
    return out


def _best(ok: Callable[[set[str]], bool], key: str = "score") -> tuple[float, set[str]]:
    """Best total ``key`` over all subsets accepted by ``ok`` (unique winner asserted)."""
    data = _fixture()
    ids = list(data)
    scored = []
    for r in range(len(ids) + 1):
        for combo in itertools.combinations(ids, r):
            chosen = set(combo)
            if ok(chosen):
                scored.append((sum(float(data[p][key]) for p in chosen), chosen))
    scored.sort(key=lambda t: -t[0])
    assert scored[0][0] > scored[1][0] + 1e-9, "fixture optimum should be unique"
    return scored[0]


def _capex(chosen: set[str]) -> float:
    data = _fixture()
    return sum(float(data[p]["capex"]) for p in chosen)


def _selected(path: Path) -> set[str]:
    return {r["project_id"] for r in _rows(path) if r["selected"] == "1"}


def test_budget_only_matches_enumeration(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    res = _run(["optimise", RANKING, "--budget-mdkk", 10000, "-o", out])
    assert res.exit_code == 0, res.output
    best, chosen = _best(lambda s: _capex(s) <= 10000)
    assert _selected(out) == chosen
    with open(out, encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == HEADER
    rows = _rows(out)
    assert [r["project_id"] for r in rows] == [r["project_id"] for r in _rows(RANKING)]
    assert all(r["start_year"] == "" for r in rows)
    assert f"projects selected: {len(chosen)} of 8" in res.stdout
    assert f"total score: {best:g}" in res.stdout
    assert f"total capex: {_capex(chosen):g} mio. kr." in res.stdout
    assert "total NPV:" in res.stdout


def test_output_is_deterministic_and_solver_independent(tmp_path: Path) -> None:
    solvers = ["cbc", "highs"] if highs_available() else ["cbc"]
    texts = []
    for k, solver in enumerate(solvers * 2):
        out = tmp_path / f"p{k}.csv"
        args = ["optimise", RANKING, "--budget-mdkk", 9000, "--solver", solver, "-o", out]
        res = _run([*args, "--projects", PROJECTS, "--annual-budget", 2500])
        assert res.exit_code == 0, res.output
        texts.append(out.read_bytes())
    assert len(set(texts)) == 1


def test_every_flag_constraint(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    args = [
        "optimise", RANKING, "--budget-mdkk", 20000, "--projects", PROJECTS,
        "--exclusive", "road_c,road_c2", "--requires", "rail_e2:rail_e",
        "--co2e-cap-t", 600000, "--min-bcr", 0.95, "--min-per-part", 1,
        "--parts", "koege_bugt,roskilde", "-o", out,
    ]  # fmt: skip
    res = _run(args)
    assert res.exit_code == 0, res.output
    data = _fixture()

    def ok(s: set[str]) -> bool:
        return (
            _capex(s) <= 20000
            and not {"road_c", "road_c2"} <= s
            and ("rail_e2" not in s or "rail_e" in s)
            and sum(float(data[p]["co2e"]) for p in s) <= 600000
            and all(float(data[p]["bcr"]) >= 0.95 for p in s)
            and any(data[p]["part"] == "koege_bugt" for p in s)
            and any(data[p]["part"] == "roskilde" for p in s)
        )

    _, chosen = _best(ok)
    assert _selected(out) == chosen
    assert "construction CO2e:" in res.stdout
    # helsingoer: rail_e fails the BCR minimum and rail_e2 needs rail_e -> infeasible.
    args[args.index("koege_bugt,roskilde")] = "koege_bugt,helsingoer"
    args[-1] = out2 = tmp_path / "second.csv"
    res = _run(args)
    _assert_clean_failure(res, out2, "min-per-part 1 in part 'helsingoer'")


def test_npv_objective_and_interactions(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    inter = DATA / "interactions.csv"
    args = ["optimise", RANKING, "--budget-mdkk", 8000, "--objective", "npv"]
    res = _run([*args, "--interactions", inter, "-o", out])
    assert res.exit_code == 0, res.output
    deltas = {frozenset(("road_c", "brt_d")): -300.0, frozenset(("lightrail_b", "cycle_f")): 120.0}
    data = _fixture()
    best = None
    for r in range(9):
        for combo in itertools.combinations(list(data), r):
            s = set(combo)
            if _capex(s) > 8000:
                continue
            v = sum(float(data[p]["npv"]) for p in s)
            v += sum(d for pair, d in deltas.items() if pair <= s)
            if best is None or v > best[0] + 1e-9:
                best = (v, s)
    assert best is not None
    assert _selected(out) == best[1]
    assert f"total NPV: {best[0]:g} mio. kr." in res.stdout


def test_scenario_and_project_files(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    args = ["optimise", RANKING, "--scenario", DATA / "scenario.yaml", "--projects", PROJECTS]
    res = _run([*args, "--project-dir", DATA / "project_files", "-o", out])
    assert res.exit_code == 0, res.output
    data = _fixture()

    def ok(s: set[str]) -> bool:  # scenario.yaml portfolio section
        return (
            _capex(s) <= 10000
            and not {"road_c", "road_c2"} <= s
            and ("rail_e2" not in s or "rail_e" in s)
            and sum(float(data[p]["co2e"]) for p in s) <= 500000
            and all(float(data[p]["bcr"]) >= 1.0 for p in s)
        )

    _, chosen = _best(ok)
    assert _selected(out) == chosen
    # The project files alone also forbid road_c with road_c2 (budget large enough for both).
    pdir = DATA / "project_files"
    res = _run(["optimise", RANKING, "--budget-mdkk", 100000, "--project-dir", pdir, "-o", out])
    assert res.exit_code == 0, res.output
    assert not {"road_c", "road_c2"} <= _selected(out)


def test_annual_budget_schedule(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    args = ["optimise", RANKING, "--budget-mdkk", 15000, "--annual-budget", 2000]
    args += ["--projects", PROJECTS, "--project-dir", DATA / "project_files"]
    res = _run([*args, "--build-years", 3, "--first-year", 2027, "-o", out])
    assert res.exit_code == 0, res.output
    opening = {r["id"]: int(r["opening_year"]) for r in _rows(PROJECTS)}
    # construction_years from the project files, the --build-years default for the rest
    build = {"road_c": 3, "road_c2": 2, "rail_e": 5, "rail_e2": 4}
    spend: Counter[int] = Counter()
    rows = _rows(out)
    assert any(r["selected"] == "1" for r in rows)
    for r in rows:
        if r["selected"] != "1":
            assert r["start_year"] == ""
            continue
        start = int(r["start_year"])
        d = build.get(r["project_id"], 3)
        assert max(2027, opening[r["project_id"]] - d) <= start <= 2035
        for t in range(start, start + d):
            spend[t] += float(r["capex_mdkk"]) / d
    assert max(spend.values()) <= 2000 + 1e-6


def test_pareto_frontier_csv(tmp_path: Path) -> None:
    out, front = tmp_path / "portfolio.csv", tmp_path / "frontier.csv"
    args = ["optimise", RANKING, "--budget-mdkk", 10000, "--pareto", front]
    res = _run([*args, "--pareto-steps", 4, "-o", out])
    assert res.exit_code == 0, res.output
    rows = _rows(front)
    with open(front, encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == list(FRONTIER_COLUMNS)
    assert FRONTIER_COLUMNS[:6] == (
        "budget_mdkk",
        "status",
        "total_score",
        "total_capex_mdkk",
        "n_selected",
        "selected_ids",
    )
    assert len(rows) == 4
    for r in rows:
        budget = float(r["budget_mdkk"])
        best, chosen = _best(lambda s, b=budget: _capex(s) <= b)
        assert float(r["total_score"]) == pytest.approx(best)
        assert set(r["selected_ids"].split(";")) == chosen
        assert float(r["total_capex_mdkk"]) <= budget
        assert int(r["n_selected"]) == len(chosen)


def _assert_clean_failure(res, out: Path, pattern: str) -> None:
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output
    assert pattern in lines[0], lines[0]
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_infeasible_budget_is_one_line_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    res = _run(["optimise", RANKING, "--budget-mdkk", 1000, "--min-per-part", 1, "-o", out])
    _assert_clean_failure(res, out, "min-per-part 1 in part 'central'")
    assert "total budget of 1000" in res.stderr
    res = _run(["optimise", RANKING, "--budget-mdkk", 1e6, "--min-per-part", 3, "-o", out])
    _assert_clean_failure(res, out, "needs 3 projects in part")


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        (["--exclusive", "metro_a,nope"], "unknown project id 'nope'"),
        (["--requires", "nope:metro_a"], "unknown project id 'nope'"),
        (["--requires", "metro_a"], "DEPENDENT:PREREQUISITE"),
        (["--exclusive", "metro_a"], "two or more different ids"),
        (["--co2e-cap-t", 100], "no construction CO2e"),
        (
            [
                "--objective",
                "npv",
                "--min-bcr",
                "1",
                "--projects",
                PROJECTS,
                "--parts",
                "x",
                "--min-per-part",
                "1",
            ],
            "unknown part 'x'",
        ),
    ],
)
def test_bad_flags(tmp_path: Path, extra: list[str], pattern: str) -> None:
    out = tmp_path / "portfolio.csv"
    res = _run(["optimise", RANKING, "--budget-mdkk", 5000, *extra, "-o", out])
    _assert_clean_failure(res, out, pattern)


def test_bad_files(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    bad = tmp_path / "ranking.csv"
    bad.write_text(RANKING.read_text(encoding="utf-8").replace(",5000,", ",lots,", 1))
    res = _run(["optimise", bad, "--budget-mdkk", 5000, "-o", out])
    _assert_clean_failure(res, out, "line 3: field 'capex_mdkk'")

    scen = tmp_path / "scenario.yaml"
    scen.write_text(HEAD + "  budget_mdkk: 100\n  min_bcr: high\n")
    res = _run(["optimise", RANKING, "--scenario", scen, "-o", out])
    _assert_clean_failure(res, out, "field 'portfolio.min_bcr'")
    assert "scenario.yaml" in res.stderr

    scen.write_text(HEAD + "  budget_mdkk: 100\n  exclusive: [[metro_a, ghost]]\n")
    res = _run(["optimise", RANKING, "--scenario", scen, "-o", out])
    _assert_clean_failure(res, out, "field 'portfolio.exclusive': unknown project id 'ghost'")
    assert "scenario.yaml" in res.stderr

    scen.write_text(HEAD + "  budget_mdkk: 100\n  min_per_part: {fyn: 1}\n")
    res = _run(["optimise", RANKING, "--scenario", scen, "-o", out])
    _assert_clean_failure(res, out, "field 'portfolio.min_per_part': unknown part 'fyn'")

    inter = tmp_path / "inter.csv"
    inter.write_text("project_a,project_b,score_delta\nmetro_a,ghost,3\n")
    res = _run(["optimise", RANKING, "--budget-mdkk", 5000, "--interactions", inter, "-o", out])
    _assert_clean_failure(res, out, "unknown project id 'ghost'")

    pdir = tmp_path / "pfiles"
    shutil.copytree(DATA / "project_files", pdir)
    road_c = pdir / "road_c.yaml"
    road_c.write_text(road_c.read_text(encoding="utf-8").replace("[road_c2]", "[ghost]"))
    res = _run(["optimise", RANKING, "--budget-mdkk", 5000, "--project-dir", pdir, "-o", out])
    _assert_clean_failure(res, out, "unknown project id 'ghost'")
    assert "road_c.yaml" in res.stderr

    res = _run(["optimise", RANKING, "-o", out])
    _assert_clean_failure(res, out, "no budget given")


def test_failure_keeps_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.csv"
    out.write_text("previous\n")
    res = _run(["optimise", RANKING, "--budget-mdkk", 1000, "--min-per-part", 1, "-o", out])
    assert res.exit_code == 2
    assert out.read_text() == "previous\n"


def test_help_shows_example() -> None:
    res = _run(["optimise", "--help"])
    assert res.exit_code == 0
    assert "mobility optimise ranking.csv --budget-mdkk" in res.output
    assert "optimise" in _run(["--help"]).output
