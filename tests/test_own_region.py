"""The model on a user's own data (issue 14, item 3): a scenario whose ``region`` section names
its own roads (GMNS), transit and zones runs through ``mobility run`` from files only.

Fixture: ``tests/data/own_region/`` (synthetic, made for these tests; see its README).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.errors import InputError
from mobility.region import RegionFiles, load_region
from mobility.scenario import load_scenario

FIXTURE = Path(__file__).parent / "data" / "own_region"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_scenario_region_section_loads_the_users_files() -> None:
    s = load_scenario(FIXTURE / "scenario.yaml")
    assert s.region_files == RegionFiles(
        roads=(FIXTURE / "roads").resolve(),
        transit=(FIXTURE / "transit").resolve(),
        zones=(FIXTURE / "zones.csv").resolve(),
    )
    inputs = load_region(s.year, s.region_files)
    assert list(inputs.zones.name) == ["Nordby", "Midtby", "Sydby", "Vestby"]
    assert {d["name"] for _, _, d in inputs.roads.edges(data=True)} >= {"Ringvej", "Vestvej"}
    assert list(inputs.transit.lines) == ["R1"]
    # the bundled region is the default
    assert len(load_region(s.year).zones.name) == 48


@pytest.mark.parametrize(
    "region, field",
    [
        ("{roads: no_such_folder, source: s}", "region.roads"),
        ("{zones: no_such.csv, source: s}", "region.zones"),
        ("{transit: zones.csv, source: s}", "region.transit"),
        ("{zones: zones.csv}", "region.source"),
        ("{zones: zones.csv, source: s, colour: red}", "region.colour"),
    ],
)
def test_bad_region_section_names_the_field(tmp_path: Path, region: str, field: str) -> None:
    shutil.copy(FIXTURE / "zones.csv", tmp_path / "zones.csv")
    path = tmp_path / "s.yaml"
    path.write_text(f"name: t\nyear: 2035\nregion: {region}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == field and info.value.file == str(path)


@pytest.mark.slow
def test_mobility_run_on_a_users_own_region(tmp_path: Path) -> None:
    region = tmp_path / "own_region"
    shutil.copytree(FIXTURE, region)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["-q", "run", str(region / "scenario.yaml"), "-o", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    # the user's zones, roads and line, nothing of the bundled region
    assert [r["name"] for r in _rows(out / "zones.csv")] == ["Nordby", "Midtby", "Sydby", "Vestby"]
    links = _rows(out / "link_flows.csv")
    fixture_links = _rows(region / "roads" / "link.csv")
    assert [r["link_id"] for r in links] == [r["link_id"] for r in fixture_links]
    assert not any(r["name"] == "Motorring 3" for r in links)
    lines = {r["line"]: r for r in _rows(out / "pt_lines.csv")}
    assert float(lines["R1"]["boardings_per_weekday"]) > 0
    # the road project widens the ring road: more capacity and more traffic on it
    change = [
        r
        for r in _rows(out / "link_flows" / "road_ringvej_udvidelse.csv")
        if r["name"] == "Ringvej"
    ]
    assert change and all(float(r["volume_peak_hour_change"]) > 0 for r in change)
    ranking = {r["project_id"]: r for r in _rows(out / "ranking.csv")}
    assert set(ranking) == {"road_ringvej_udvidelse", "bus_nord_syd"}
    # the manifest names every file of the user's region with its hash
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, rel in (("region:zones", "zones.csv"), ("region:roads/link.csv", "roads/link.csv")):
        entry = manifest["inputs"][name]
        digest = hashlib.sha256((region / rel).read_bytes()).hexdigest()
        assert entry["sha256"] == digest
