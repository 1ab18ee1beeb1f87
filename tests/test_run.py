"""``mobility run`` end to end on a small catalogue subset, its determinism and atomicity."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mobility.cli import cli
from mobility.resources import bundled_dir, bundled_file

#: two candidates and c01, decided in reference_2035 (listed in ranking.csv, not ranked)
SUBSET = ("c01_motorring3_kapacitet", "c02_ring4_syd_motorvej", "vip_supercykelstier")
CSVS = (
    "indicators.csv",
    "link_flows.csv",
    "pt_lines.csv",
    "zones.csv",
    "committed.csv",
    "impacts.csv",
    "projects.csv",
    "cba.csv",
    "ranking.csv",
    "scores_long.csv",
    "sensitivity.csv",
    "portfolio.csv",
    "frontier.csv",
    *(f"link_flows/{pid}.csv" for pid in SUBSET),
)


def _scenario(tmp_path: Path, *, only: tuple[str, ...] = SUBSET) -> Path:
    """The bundled reference with run choices for a catalogue subset."""
    data = yaml.safe_load(bundled_file("scenarios", "reference_2035.yaml").read_text("utf-8"))
    appraisal = dict(data.get("appraisal") or {})
    appraisal.update({"projects": str(bundled_dir("projects")), "only": list(only)})
    data["appraisal"] = appraisal
    data["scoring"] = {
        "weights": "equal",
        "method": "weighted_sum",
        "sensitivity": 200,
        "top_k": 1,
        "seed": 7,
    }
    data["portfolio"] = {"budget_mdkk": 1_000_000}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


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
    from mobility.commands.run import read_plan

    plan = read_plan(bundled_file("scenarios", "reference_2035.yaml"))
    assert plan.projects_dir == bundled_dir("projects").resolve()
    assert plan.only == ()
    assert plan.sensitivity > 0
    assert plan.has_budget
