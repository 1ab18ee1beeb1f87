"""``mobility evaluate``: bad project files fail cleanly; serial, process and Dask runs agree."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

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
    for name in ("impacts.csv", "projects.csv", "cba.csv"):
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
    ]
    subs = {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"}
    pids = {*ids, "c01_motorring3_kapacitet+v6_hilleroed_station"}
    for pid in pids:
        assert {r["subcriterion"] for r in rows if r["project_id"] == pid} == subs
    # the project without network changes is the reference run itself: zero modelled effects
    for r in rows:
        if r["project_id"] == "vip_parker_og_rejs" and r["basis"] == "modelled":
            if r["subcriterion"] not in ("3.2", "6.1"):
                assert float(r["value"]) == 0.0, r["indicator"]
    projects = read(outs["serial"] / "projects.csv")
    assert [p["id"] for p in projects][:3] == sorted(ids)
    assert bundled_file("scenarios", f"{SCENARIO}.yaml").is_file()
    assert (outs["serial"] / "manifest.json").is_file()
