"""``mobility evaluate``: bad project files fail cleanly; serial, process and Dask runs agree."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from mobility.cli import cli
from mobility.resources import bundled_dir, bundled_file

SCENARIO = "reference_2035"


def catalogue_copy(tmp_path: Path, ids: list[str]) -> Path:
    folder = tmp_path / "projects"
    folder.mkdir()
    for pid in ids:
        shutil.copy(bundled_dir("projects") / f"{pid}.yaml", folder / f"{pid}.yaml")
    return folder


def invoke(args: list[str]) -> object:
    return CliRunner().invoke(cli, ["--quiet", "evaluate", *args])


def edit(path: Path, key: str, value: object) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if value is None:
        del doc[key]
    else:
        doc[key] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("kind", "hovercraft", "kind"),
        ("capex", {"mdkk": -1, "price_year": 2020, "estimate_class": "x"}, "capex.mdkk"),
        ("id", None, "id"),
        (
            "network_changes",
            [
                {
                    "op": "add_link",
                    "from": {"node": 424242},
                    "to": {"node": 1068},
                    "road_class": "motorway",
                    "lanes": 2,
                    "free_speed_kmh": 110,
                }
            ],
            "network_changes[0].from.node",
        ),
    ],
)
def test_bad_project_file_exits_2_without_output(
    tmp_path: Path, key: str, value: object, field: str
) -> None:
    folder = catalogue_copy(tmp_path, ["v2_frederikssundmotorvejen", "c01_motorring3_kapacitet"])
    bad = folder / "c01_motorring3_kapacitet.yaml"
    edit(bad, key, value)
    out = tmp_path / "out"
    result = invoke([SCENARIO, "--projects", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert str(bad) in lines[0] and f"'{field}'" in lines[0]
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))


def test_yaml_syntax_error(tmp_path: Path) -> None:
    folder = catalogue_copy(tmp_path, ["c01_motorring3_kapacitet"])
    (folder / "broken.yaml").write_text("id: x\nname: [oops\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke([SCENARIO, "--projects", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    assert "broken.yaml" in result.output and "YAML syntax error" in result.output
    assert not out.exists()


def test_unknown_combine_id(tmp_path: Path) -> None:
    folder = catalogue_copy(tmp_path, ["c01_motorring3_kapacitet"])
    result = invoke(
        [
            SCENARIO,
            "--projects",
            str(folder),
            "-o",
            str(tmp_path / "o"),
            "--combine",
            "c01_motorring3_kapacitet,nope",
        ]
    )
    assert result.exit_code == 2 and "nope" in result.output


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_serial_process_and_dask_runs_agree(tmp_path: Path) -> None:
    ids = ["c01_motorring3_kapacitet", "vip_parker_og_rejs", "v6_hilleroed_station"]
    folder = catalogue_copy(tmp_path, ids)
    outs = {}
    for name, extra in (("serial", ["--workers", "1"]), ("procs", ["--workers", "2"])):
        outs[name] = tmp_path / name
        result = invoke(
            [
                SCENARIO,
                "--projects",
                str(folder),
                "-o",
                str(outs[name]),
                "--combine",
                "c01_motorring3_kapacitet,v6_hilleroed_station",
                *extra,
            ]
        )
        assert result.exit_code == 0, result.output
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None
    ) as lc:
        outs["dask"] = tmp_path / "dask"
        result = invoke(
            [
                SCENARIO,
                "--projects",
                str(folder),
                "-o",
                str(outs["dask"]),
                "--combine",
                "c01_motorring3_kapacitet,v6_hilleroed_station",
                "--scheduler",
                lc.scheduler_address,
            ]
        )
        assert result.exit_code == 0, result.output
    pids = {*ids, "c01_motorring3_kapacitet+v6_hilleroed_station"}
    link_files = [f"link_flows/{pid}.csv" for pid in sorted(pids)]
    for name in ("impacts.csv", "projects.csv", "cba.csv", *link_files):
        serial = (outs["serial"] / name).read_bytes()
        assert serial == (outs["procs"] / name).read_bytes(), name
        assert serial == (outs["dask"] / name).read_bytes(), name
    rows = read(outs["serial"] / "impacts.csv")
    assert list(rows[0]) == [
        "project_id",
        "name",
        "subcriterion",
        "indicator",
        "value",
        "unit",
        "basis",
        "noise_band",
    ]
    subs = {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"}
    for pid in pids:
        assert {r["subcriterion"] for r in rows if r["project_id"] == pid} == subs
    # the project without network changes is the reference run itself: zero modelled effects
    for r in rows:
        if r["project_id"] == "vip_parker_og_rejs" and r["basis"] == "modelled":
            if r["subcriterion"] not in ("3.2", "6.1"):
                assert float(r["value"]) == 0.0, r["indicator"]
            assert r["noise_band"] in ("0", "0.0", ""), r["indicator"]
    # every modelled number has a measured noise band (the pair solved ten times tighter)
    bands = [r["noise_band"] for r in rows if r["basis"] == "modelled"]
    assert bands and all(b != "" and float(b) >= 0 for b in bands[:20])
    # per-project link files: the project without network changes changes no link;
    # the motorway lane shows up on Motorring 3
    same = read(outs["serial"] / "link_flows" / "vip_parker_og_rejs.csv")
    assert {r["volume_peak_hour_change"] for r in same} == {"0.0"}
    lane = read(outs["serial"] / "link_flows" / "c01_motorring3_kapacitet.csv")
    m3 = [r for r in lane if r["name"] == "Motorring 3"]
    assert m3 and sum(float(r["volume_peak_hour_change"]) for r in m3) > 0
    for r in lane:
        assert float(r["volume_peak_hour"]) == pytest.approx(
            float(r["volume_peak_hour_base"]) + float(r["volume_peak_hour_change"]), abs=0.11
        )
    # map.gpkg: layer link_changes holds every project's link file row by row, in EPSG:25832
    import geopandas as gpd

    changes = gpd.read_file(outs["serial"] / "map.gpkg", layer="link_changes")
    assert changes.crs.to_epsg() == 25832 and changes.geometry.notna().all()
    for pid in sorted(pids):
        mine = changes[changes["project_id"] == pid]
        rows = read(outs["serial"] / "link_flows" / f"{pid}.csv")
        assert list(mine["link_id"]) == [r["link_id"] for r in rows], pid
        for col in ("volume_peak_hour", "volume_peak_hour_base", "volume_peak_hour_change"):
            assert mine[col].tolist() == [float(r[col]) for r in rows], (pid, col)
    map_bytes = (outs["serial"] / "map.gpkg").read_bytes()
    assert map_bytes == (outs["procs"] / "map.gpkg").read_bytes()
    projects = read(outs["serial"] / "projects.csv")
    assert [p["id"] for p in projects][:3] == sorted(ids)
    assert bundled_file("scenarios", f"{SCENARIO}.yaml").is_file()
    assert (outs["serial"] / "manifest.json").is_file()


def test_link_change_rows_match_by_id_and_mark_added_and_removed() -> None:
    from mobility.demand.outputs import LINK_COLUMNS
    from mobility.pipeline.tables import LINK_CHANGE_COLUMNS, link_change_rows

    def table(ids: list[int], volumes: list[float]) -> dict[str, object]:
        n = len(ids)
        return {
            "link_id": ids,
            "from": [10 * i for i in ids],
            "to": [10 * i + 1 for i in ids],
            "name": [f"road {i}" for i in ids],
            "road_class": ["arterial"] * n,
            "volume_peak_hour": np.array(volumes),
            "adt": 10.0 * np.array(volumes),
            "capacity": np.full(n, 1800.0),
            "free_flow_time_min": np.ones(n),
            "congested_time_min": np.full(n, 1.5),
        }

    base = table([1, 2, 3], [100.0, 200.0, 300.0])
    project = table([1, 3, 9], [150.0, 250.0, 40.0])  # link 2 removed, link 9 added
    rows = [
        dict(zip((*LINK_COLUMNS, *LINK_CHANGE_COLUMNS), r, strict=True))
        for r in link_change_rows(base, project)
    ]
    assert [r["link_id"] for r in rows] == [1, 3, 9, 2]
    assert [r["volume_peak_hour_change"] for r in rows] == ["50.0", "-50.0", "40.0", "-200.0"]
    assert [r["adt_change"] for r in rows] == ["500", "-500", "400", "-2000"]
    assert [r["link_status"] for r in rows] == ["", "", "added", "removed"]
    removed = rows[-1]
    assert (removed["volume_peak_hour"], removed["adt"], removed["capacity"]) == ("0.0", "0", "0.0")
    assert removed["volume_peak_hour_base"] == "200.0"


def test_added_links_keep_every_reference_link_id() -> None:
    """A project that adds links (HH: new links around Helsingør) applied under the
    reference's committed projects (V2 adds links too): every reference link meets itself by
    id in the project network, with the same end nodes and name (issue: HH-tunnelen was
    compared with a V2 link because added links shifted the ids)."""
    from mobility.demand.model import _apply_committed
    from mobility.projects import apply_projects, load_project
    from mobility.region import load_region, road_link_network
    from mobility.scenario import load_scenario

    scenario = load_scenario(bundled_file("scenarios", f"{SCENARIO}.yaml"))
    inputs = load_region(scenario.year)
    hh = load_project(bundled_file("projects", "v8_hh_forbindelsen.yaml"), zones=inputs.zones)
    ref = road_link_network(_apply_committed(scenario, inputs).roads, inputs.zones)
    proj_inputs = _apply_committed(scenario, apply_projects(inputs, [hh]))
    proj = road_link_network(proj_inputs.roads, inputs.zones)
    assert proj.n_links > ref.n_links

    def keyed(net):  # link id -> (from, to, name)
        m = net.meta
        return {
            lid: (a, b, n)
            for lid, a, b, n in zip(
                m["link_id"], m["from_node_id"], m["to_node_id"], m["name"], strict=True
            )
        }

    ref_links, proj_links = keyed(ref), keyed(proj)
    assert all(proj_links.get(lid) == v for lid, v in ref_links.items())
    added = sorted(set(proj_links) - set(ref_links), key=str)
    assert added and all(str(lid).startswith("v8_hh_forbindelsen.") for lid in added)


def test_workers_zero_means_one_per_usable_core() -> None:
    from mobility.errors import InputError
    from mobility.pipeline.runner import resolve_workers, usable_cores

    assert resolve_workers(0) == usable_cores() >= 1
    assert resolve_workers(3) == 3
    with pytest.raises(InputError, match="--workers"):
        resolve_workers(-1)


def test_decision_of_decided_not_appraised_and_candidate() -> None:
    """projects.csv ``decision``: a committed project is decided whatever its opening year (the
    reason says how it was appraised); a unit whose both runs are the reference's has nothing
    modelled; a combination with one candidate part is a candidate."""
    from types import SimpleNamespace as NS

    from mobility.pipeline.runner import REFERENCE
    from mobility.pipeline.tables import decision_of

    scenario = NS(name="ref", year=2035)
    decided = {
        "in": NS(status="decided", opening_year=2030),
        "late": NS(status="decided", opening_year=2036),
    }
    d, why = decision_of(NS(id="in"), decided, ("__without__in", REFERENCE), scenario=scenario)
    assert d == "decided" and "without it" in why and "2030" in why
    d, why = decision_of(NS(id="late"), decided, (REFERENCE, "late"), scenario=scenario)
    assert d == "decided" and "after 2035" in why
    d, why = decision_of(NS(id="pr"), decided, (REFERENCE, REFERENCE), scenario=scenario)
    assert d == "not_appraised" and why
    combo = NS(id="in+x", parts=[NS(id="in"), NS(id="x")])
    assert decision_of(combo, decided, ("__without__in", "in+x"), scenario=scenario) == (
        "candidate",
        "",
    )


def test_each_model_year_pairs_a_project_with_that_years_reference() -> None:
    """The growth path appraises one project in every model year: a project decided to open
    between the model years is an addition in the first (the project file against the
    reference) and stays one in the later year (both runs leave its committed entry out, the
    project run adds the project file); a project in the reference from the first year is the
    reference against the reference without it in both; every job knows its year."""
    from types import SimpleNamespace as NS

    from mobility.pipeline.plan import _is_reference, _pairs
    from mobility.pipeline.runner import REFERENCE, Job

    scenario = NS(
        year=2035, committed=[NS(id="m5", opening_year=2036), NS(id="v2", opening_year=2032)]
    )
    units = [
        NS(id="m5", path="m5.yaml", changes=[1]),
        NS(id="v2", path="v2.yaml", changes=[1]),
        NS(id="road", path="road.yaml", changes=[1]),
        NS(id="bus", path="bus.yaml", changes=[]),
    ]
    jobs: dict[str, Job] = {}
    first = _pairs(units, scenario, 2035, "s.yaml", 1e-6, "", 0, jobs)
    later = _pairs(units, scenario, 2045, "s.yaml", 1e-6, "@2045", 2045, jobs)
    assert first == {
        "m5": (REFERENCE, "m5"),
        "v2": ("__without__v2", REFERENCE),
        "road": (REFERENCE, "road"),
        "bus": (REFERENCE,) * 2,
    }
    ref45 = REFERENCE + "@2045"
    assert later == {
        "m5": ("__without__m5@2045", "m5@2045"),
        "v2": ("__without__v2@2045", ref45),
        "road": (ref45, "road@2045"),
        "bus": (ref45, ref45),
    }
    assert jobs["__without__m5@2045"].without == ("m5",)
    assert (jobs["m5@2045"].without, jobs["m5@2045"].project_paths) == (
        ("m5",),
        (str(Path("m5.yaml").resolve()),),
    )
    assert jobs["m5"].without == () and jobs["road@2045"].without == ()
    assert {k: j.year for k, j in jobs.items()} == {
        REFERENCE: 0,
        "m5": 0,
        "__without__v2": 0,
        "road": 0,
        ref45: 2045,
        "__without__m5@2045": 2045,
        "m5@2045": 2045,
        "__without__v2@2045": 2045,
        "road@2045": 2045,
    }
    assert [k for k in jobs if _is_reference(k)] == [REFERENCE, ref45]
