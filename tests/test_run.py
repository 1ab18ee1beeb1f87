"""``mobility run`` end to end on a small catalogue subset, its determinism and atomicity."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from smallrun import CSVS, SUBSET
from smallrun import small_scenario as _scenario

from mobility.cli import cli
from mobility.resources import bundled_dir, bundled_file


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_run_subset_end_to_end_and_deterministic(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        result = CliRunner().invoke(cli, ["-q", "run", str(scenario), "-o", str(out)])
        assert result.exit_code == 0, result.output
    a, b = outs
    for name in CSVS:
        assert (a / name).is_file(), name
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "report.html").stat().st_size > 10_000
    # no number in any CSV in scientific notation (Excel-da users and readers; issue 14)
    import re

    for path in sorted(a.rglob("*.csv")):
        hit = re.search(r"\d[eE][+-]\d", path.read_text(encoding="utf-8"))
        assert hit is None, (path.name, hit)
    # map.gpkg: the model's layers and evaluate's link changes, in EPSG:25832, deterministic
    import geopandas as gpd
    import pyogrio

    layers = [name for name, _ in pyogrio.list_layers(a / "map.gpkg")]
    assert layers == ["links", "zones", "pt_lines", "pt_stops", "link_changes"]
    links = gpd.read_file(a / "map.gpkg", layer="links")
    assert links.crs.to_epsg() == 25832
    assert list(links["link_id"]) == [r["link_id"] for r in _rows(a / "link_flows.csv")]
    changes = gpd.read_file(a / "map.gpkg", layer="link_changes")
    assert set(changes["project_id"]) == set(SUBSET)
    assert (a / "map.gpkg").read_bytes() == (b / "map.gpkg").read_bytes()
    ranking = _rows(a / "ranking.csv")
    assert sorted(r["project_id"] for r in ranking) == sorted(SUBSET)
    decided = [r for r in ranking if r["decision"] == "decided"]
    assert [r["project_id"] for r in decided] == ["c01_motorring3_kapacitet"]
    assert decided[0]["rank"] == decided[0]["score"] == "" and float(decided[0]["npv_mdkk"])
    ranked = [r for r in ranking if r["decision"] == "candidate"]
    assert [int(r["rank"]) for r in ranked] == [1, 2]
    for row in ranked:
        for k in range(1, 7):
            assert 0.0 <= float(row[f"pejlemaerke_{k}"]) <= 100.0
        assert 0.0 <= float(row["judged_share"]) <= 1.0
    committed = {r["id"]: r for r in _rows(a / "committed.csv")}
    assert committed["c01_motorring3_kapacitet"]["in_network"] == "1"
    assert committed["c06_metro_m5_lynetteholm"]["in_network"] == "0"
    assert all(r["source"] for r in committed.values())
    impacts = _rows(a / "impacts.csv")
    subs = {(r["project_id"], r["subcriterion"]) for r in impacts}
    for pid in SUBSET:
        for sub in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2"):
            assert (pid, sub) in subs
        assert (pid, "6.1") in subs and (pid, "6.2") in subs
    assert {r["basis"] for r in impacts} <= {"modelled", "judged"}
    portfolio = _rows(a / "portfolio.csv")
    assert [c for c in portfolio[0]] == [
        "project_id",
        "name",
        "selected",
        "start_year",
        "capex_mdkk",
        "score",
    ]
    manifest = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["method"] == "weighted_sum"
    assert manifest["settings"]["normalisation"] == "winsorised"
    methods = {r["method"].split("(")[0] for r in _rows(a / "scores_long.csv")}
    assert "winsorised" in methods and methods <= {"winsorised", "grade"}
    assert "scenario" in manifest["inputs"]
    assert set(manifest["outputs"]) >= {*CSVS, "map.gpkg"}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert leftovers == []


def test_run_bad_scenario_one_line_no_output(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("method: weighted_sum", "method: vote"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(scenario), "-o", str(out)])
    assert result.exit_code == 2
    assert "scoring.method" in result.output and "vote" in result.output
    assert not out.exists()


def _edited(tmp_path: Path, edit: Any) -> Path:
    scenario = _scenario(tmp_path)
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    edit(data)
    scenario.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return scenario


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d["appraisal"].update(only=["c02_ring4_syd_motorvej", "nope"]), "only[1]"),
        (
            lambda d: d["appraisal"].update(
                corridors=[{"name": "x", "from": ["Atlantis"], "to": ["Køge"]}]
            ),
            "Atlantis",
        ),
        (lambda d: d["scoring"].update(weights="no_such_profile"), "no_such_profile"),
        (lambda d: d["portfolio"].update(budget_mdkk=-5), "budget_mdkk"),
    ],
)
def test_run_refuses_a_bad_late_section_before_any_model_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any, needle: str
) -> None:
    """Corridors, the --only ids, the weights and the portfolio are checked before the model
    starts: one line, exit 2, nothing written (issue 13 item 4)."""
    import mobility.demand.model as model_mod

    def no_model(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model ran before validation finished")

    monkeypatch.setattr(model_mod, "run_model", no_model)
    scenario = _edited(tmp_path, edit)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(scenario), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.skipif(shutil.which("mobility") is None, reason="console script not installed")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_run_killed_half_way_leaves_no_partial_folder(tmp_path: Path, sig: signal.Signals) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    with subprocess.Popen(
        [shutil.which("mobility") or "mobility", "-q", "run", str(scenario), "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as proc:
        deadline = time.monotonic() + 120
        steps = None
        while time.monotonic() < deadline and proc.poll() is None:
            partials = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
            steps = [p / ".steps" for p in partials if (p / ".steps").exists()]
            if steps:
                break
            time.sleep(0.1)
        assert steps, "the run never started writing"
        time.sleep(1.0)  # half-way: inside the model step
        proc.send_signal(sig)
        proc.wait(timeout=60)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(
        p.name.endswith(".partial") for p in tmp_path.iterdir()
    ):
        time.sleep(0.1)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_bundled_default_scenario_asks_for_the_whole_decision_basis() -> None:
    """`mobility run` with no argument ranks with sensitivity and chooses a portfolio."""
    from mobility.pipeline.run import read_plan

    plan = read_plan(bundled_file("scenarios", "reference_2035.yaml"))
    assert plan.projects_dir == bundled_dir("projects").resolve()
    assert plan.only == ()
    assert plan.sensitivity > 0
    assert plan.has_budget
    # robust normalisation, varied in the sensitivity draws (issue 12)
    assert plan.normalisation == "winsorised"
    assert plan.sensitivity_normalisation


@pytest.mark.parametrize(
    ("scoring", "needle"),
    [
        ({"normalisation": "zscore"}, "scoring.normalisation"),
        ({"normalisation": "minmax", "sensitivity_normalisation": "yes"}, "true or false"),
        ({"sensitivity": 0, "sensitivity_normalisation": True}, "sensitivity > 0"),
    ],
)
def test_run_bad_normalisation_settings_one_line(
    tmp_path: Path, scoring: dict[str, object], needle: str
) -> None:
    from mobility.errors import InputError
    from mobility.pipeline.run import read_plan

    path = _scenario(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["scoring"].update(scoring)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_plan(path)
    assert str(path) in str(exc.value) and needle in str(exc.value)
    assert "\n" not in str(exc.value)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(path), "-o", str(out)])
    assert result.exit_code == 2 and needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


def test_run_plan_normalisation_defaults_and_choices(tmp_path: Path) -> None:
    from mobility.pipeline.run import read_plan

    path = _scenario(tmp_path)
    plan = read_plan(path)  # the test scenario names no normalisation
    assert (plan.normalisation, plan.sensitivity_normalisation) == ("winsorised", False)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["scoring"].update({"normalisation": "rank", "sensitivity_normalisation": True})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = read_plan(path)
    assert (plan.normalisation, plan.sensitivity_normalisation) == ("rank", True)
