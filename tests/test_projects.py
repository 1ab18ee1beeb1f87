"""Tests of project files: schema validation, the catalogue and network changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from mobility.errors import InputError
from mobility.projects import (
    SUBCRITERIA,
    apply_projects,
    load_catalogue,
    load_construction_factors,
    load_project,
    project_from_mapping,
)
from mobility.region import apply_changes, load_zones
from mobility.resources import bundled_dir


@dataclass
class Inputs:
    """Minimal stand-in with the RegionInputs fields apply_changes uses."""

    zones: Any
    roads: nx.MultiDiGraph
    transit: Any
    year: int


def toy_roads() -> nx.MultiDiGraph:
    """Four road nodes near København / Frederiksberg and two centroids."""
    g = nx.MultiDiGraph()
    pts = {1: (12.50, 55.68), 2: (12.55, 55.68), 3: (12.60, 55.68), 4: (12.55, 55.72)}
    for n, (x, y) in pts.items():
        g.add_node(n, x=x, y=y, name=f"n{n}")
    g.add_node(101, x=12.5323, y=55.6786, name="Frederiksberg", zone_id=11)
    g.add_node(102, x=12.5800, y=55.6805, name="Indre By", zone_id=1)
    links = [(1, 2, "Motorring 3", 3), (2, 3, "Motorring 3", 3), (2, 4, "Lyngbyvej", 2)]
    lid = 1
    for u, v, name, lanes in links:
        for a, b in ((u, v), (v, u)):
            g.add_edge(
                a,
                b,
                key=lid,
                link_id=lid,
                name=name,
                road_class="motorway",
                lanes=lanes,
                capacity_vph=1900.0 * lanes,
                free_speed_kmh=90.0,
                length_km=3.2,
                toll_dkk=0.0,
                modes="car",
                source="test",
            )
            lid += 1
    for c, n in ((101, 1), (102, 3)):
        for a, b in ((c, n), (n, c)):
            g.add_edge(
                a,
                b,
                key=lid,
                link_id=lid,
                name="connector",
                road_class="connector",
                lanes=1,
                capacity_vph=99999.0,
                free_speed_kmh=30.0,
                length_km=0.5,
                toll_dkk=0.0,
                modes="car,bike,walk",
                source="test",
            )
            lid += 1
    return g


@pytest.fixture(scope="module")
def zones() -> Any:
    return load_zones(2023)


@pytest.fixture
def inputs(zones: Any) -> Inputs:
    return Inputs(zones=zones, roads=toy_roads(), transit=None, year=2035)


def base_doc(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "toy",
        "name": "Toy project",
        "kind": "road",
        "status": "candidate",
        "municipalities": ["Frederiksberg", 101],
        "opening_year": 2032,
        "capex": {"mdkk": 500, "price_year": 2022, "estimate_class": "idea", "reserve_pct": 50},
        "opex_mdkk_per_year": 2,
        "quantities": {"road_km": 4},
        "network_changes": [],
        "judgements": {"2.2": {"level": "2.2-1", "reason": "conventional road"}},
        "sources": ["test"],
    }
    doc.update(over)
    return doc


def write(tmp_path: Path, doc: Any, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_valid_project_fields(tmp_path: Path, zones: Any) -> None:
    p = load_project(write(tmp_path, base_doc()), zones=zones)
    assert p.municipalities == ("Frederiksberg", "København")
    assert p.capex_mdkk == pytest.approx(750.0)
    assert p.construction_co2e_t == pytest.approx(4 * load_construction_factors()["road_km"])
    assert p.region_part == "central"
    assert p.judgements["2.2"].score == 1
    assert p.judgements["2.2"].level == "2.2-1"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "zeppelin"}, "kind"),
        ({"capex": {"mdkk": -5, "price_year": 2022, "estimate_class": "x"}}, "capex.mdkk"),
        ({"id": None}, "id"),
        ({"municipalities": ["Atlantis"]}, "municipalities[0]"),
        ({"judgements": {"2.2": {"score": 7, "reason": "x"}}}, "judgements.2.2.score"),
        ({"judgements": {"5.2": {"level": "5.2-1", "reason": "x"}}}, "judgements.2.2"),
        ({"network_changes": [{"op": "teleport"}]}, "network_changes[0].op"),
        ({"sources": []}, "sources"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_fields_name_file_and_field(
    tmp_path: Path, zones: Any, over: dict[str, Any], field: str
) -> None:
    doc = base_doc(**over)
    if over.get("id", "") is None:
        del doc["id"]
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        load_project(path, zones=zones)
    assert info.value.file == str(path)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("judgement", "field", "words"),
    [
        ({"level": "2.2-1", "score": 5, "reason": "x"}, "judgements.2.2.score", "<= 4"),
        ({"level": "2.2-1", "score": -1, "reason": "x"}, "judgements.2.2.score", ">= 0"),
        ({"level": "2.2-1"}, "judgements.2.2.reason", "is missing"),
        ({"level": "2.2-1", "reason": "  "}, "judgements.2.2.reason", "one line"),
        ({"level": "2.2-9", "reason": "x"}, "judgements.2.2.level", "unknown level '2.2-9'"),
        ({"level": "5.2-3", "reason": "x"}, "judgements.2.2.level", "belongs to sub-criterion 5.2"),
        ({"level": "2.2-1", "score": 3, "reason": "x"}, "judgements.2.2.score", "grade 1"),
        ({"score": 1, "reason": "x"}, "judgements.2.2.level", "is missing"),
        ({"level": "2.2-1", "grade": 1, "reason": "x"}, "judgements.2.2.grade", "unknown"),
    ],
)
def test_bad_judgements_give_one_line_naming_file_and_field(
    tmp_path: Path, zones: Any, judgement: dict[str, Any], field: str, words: str
) -> None:
    path = write(tmp_path, base_doc(judgements={"2.2": judgement}))
    with pytest.raises(InputError) as info:
        load_project(path, zones=zones)
    assert (info.value.file, info.value.field) == (str(path), field)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_judgement_score_may_repeat_the_levels_grade(tmp_path: Path, zones: Any) -> None:
    doc = base_doc(judgements={"2.2": {"level": "2.2-3", "score": 3, "reason": "first in DK"}})
    p = load_project(write(tmp_path, doc), zones=zones)
    assert (p.judgements["2.2"].score, p.judgements["2.2"].level) == (3, "2.2-3")


def test_6_2_is_rule_based_not_judged_in_the_file(tmp_path: Path, zones: Any) -> None:
    judgements = {
        "2.2": {"level": "2.2-1", "reason": "x"},
        "6.2": {"level": "6.2-2", "reason": "early estimate"},
    }
    path = write(tmp_path, base_doc(judgements=judgements))
    with pytest.raises(InputError, match="rule-based") as info:
        load_project(path, zones=zones)
    assert info.value.field == "judgements.6.2"


def test_bad_judgement_exits_2_with_one_line(tmp_path: Path, zones: Any) -> None:
    from click.testing import CliRunner

    from mobility.cli import cli

    folder = tmp_path / "projects"
    folder.mkdir()
    path = write(folder, base_doc(judgements={"2.2": {"level": "2.2-7", "reason": "x"}}))
    ranking = tmp_path / "ranking.csv"
    ranking.write_text("rank,project_id,name,score,capex_mdkk\n1,toy,Toy,50,750\n", "utf-8")
    out = tmp_path / "portfolio.csv"
    args = ["optimise", str(ranking), "--budget-mdkk", "1000", "--project-dir", str(folder)]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert str(path) in lines[0] and "judgements.2.2.level" in lines[0]


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nname: [unclosed\nkind: road\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_project(path)
    assert info.value.file == str(path)
    assert "YAML" in str(info.value)


def test_unknown_node_is_reported_when_applied(tmp_path: Path, inputs: Inputs) -> None:
    change = {
        "op": "add_link",
        "from": {"node": 99999},
        "to": {"node": 4},
        "road_class": "motorway",
        "lanes": 2,
        "free_speed_kmh": 110,
    }
    p = load_project(write(tmp_path, base_doc(network_changes=[change])), zones=inputs.zones)
    with pytest.raises(InputError) as info:
        apply_changes(inputs, p.changes)
    assert info.value.field == "network_changes[0].from.node"
    assert "99999" in str(info.value)


def test_add_link_by_coordinates_snaps_and_leaves_reference(tmp_path: Path, inputs: Inputs) -> None:
    change = {
        "op": "add_link",
        "from": {"lon": 12.501, "lat": 55.681},
        "to": {"node": 4},
        "name": "Bypass",
        "road_class": "motorway",
        "lanes": 2,
        "free_speed_kmh": 110,
    }
    p = load_project(write(tmp_path, base_doc(network_changes=[change])), zones=inputs.zones)
    n_before = inputs.roads.number_of_edges()
    out = apply_changes(inputs, p.changes, project_id=p.id)
    assert inputs.roads.number_of_edges() == n_before  # reference untouched
    new = [(u, v, d) for u, v, d in out.roads.edges(data=True) if d["name"] == "Bypass"]
    assert {(u, v) for u, v, _ in new} == {(1, 4), (4, 1)}
    d = new[0][2]
    assert d["capacity_vph"] == pytest.approx(2 * 1900.0)
    assert 4.0 < d["length_km"] < 7.0  # 5.3 km great circle x 1.15
    assert out.roads.edges[new[0][0], new[0][1], d["link_id"]]["link_id"] == d["link_id"]


def test_change_remove_and_toll(tmp_path: Path, inputs: Inputs) -> None:
    changes = [
        {"op": "change_link", "name": "Motorring 3", "add_lanes": 1},
        {"op": "change_link", "link_id": [5], "free_speed_kmh": 60},
        {"op": "remove_link", "link_id": 6},
        {"op": "toll", "cordon": {"zones": ["København"]}, "toll_dkk": 25},
    ]
    p = load_project(write(tmp_path, base_doc(network_changes=changes)), zones=inputs.zones)
    out = apply_changes(inputs, p.changes)
    m3 = [d for _, _, d in out.roads.edges(data=True) if d["name"] == "Motorring 3"]
    assert all(d["lanes"] == 4 and d["capacity_vph"] == pytest.approx(4 * 1900.0) for d in m3)
    assert out.roads.edges[2, 4, 5]["free_speed_kmh"] == 60
    assert not out.roads.has_edge(4, 2, 6)
    tolled = {(u, v) for u, v, d in out.roads.edges(data=True) if d["toll_dkk"] > 0}
    # node 3 (12.60 E) and node 2 (12.55 E) are nearest to Indre By / Amager zones, node 1 to
    # Frederiksberg: links entering København's zones from outside carry the toll
    assert tolled and all(u not in tolled for u, _ in tolled)
    assert all(d["toll_dkk"] == 0 for _, _, d in inputs.roads.edges(data=True))


def test_unknown_link_and_name(tmp_path: Path, inputs: Inputs) -> None:
    for change, field in (
        ({"op": "remove_link", "link_id": 777}, "network_changes[0].link_id"),
        ({"op": "change_link", "name": "Nowhere Road", "lanes": 3}, "network_changes[0].name"),
    ):
        p = load_project(write(tmp_path, base_doc(network_changes=[change])), zones=inputs.zones)
        with pytest.raises(InputError) as info:
            apply_changes(inputs, p.changes)
        assert info.value.field == field


def test_cycle_superhighway_is_bike_only(tmp_path: Path, inputs: Inputs) -> None:
    change = {
        "op": "add_cycle_superhighway",
        "from": {"node": 1},
        "to": {"node": 3},
        "via": [{"node": 4}],
        "name": "Supercykelsti",
    }
    p = load_project(
        write(tmp_path, base_doc(kind="cycle", network_changes=[change])), zones=inputs.zones
    )
    out = apply_projects(inputs, [p])
    bike = [d for _, _, d in out.roads.edges(data=True) if d["road_class"] == "cycle_superhighway"]
    assert len(bike) == 4 and all(d["modes"] == "bike" for d in bike)


def test_duplicate_ids_in_catalogue(tmp_path: Path, zones: Any) -> None:
    write(tmp_path, base_doc(), "a.yaml")
    write(tmp_path, base_doc(), "b.yaml")
    with pytest.raises(InputError, match="duplicate project id"):
        load_catalogue(tmp_path, zones=zones)


def test_requires_unknown_project(tmp_path: Path, zones: Any) -> None:
    write(tmp_path, base_doc(requires=["ghost"]), "a.yaml")
    with pytest.raises(InputError) as info:
        load_catalogue(tmp_path, zones=zones)
    assert info.value.field == "requires[0]"


def test_bundled_catalogue_is_valid(zones: Any) -> None:
    projects = load_catalogue(bundled_dir("projects"), zones=zones)
    ids = {p.id for p in projects}
    assert len(projects) >= 18
    vip = [p for p in projects if p.status in ("vip", "vip-extra")]
    assert len(vip) >= 10
    assert len([p for p in projects if p.status == "candidate"]) >= 8
    for p in projects:
        assert p.sources
        assert set(p.excludes) <= ids and set(p.requires) <= ids
        assert set(p.judgements) <= set(SUBCRITERIA)
        assert "2.2" in p.judgements and "6.2" not in p.judgements
        for code, j in p.judgements.items():
            assert j.level.startswith(code + "-") and j.reason


def test_mapping_without_file_path() -> None:
    with pytest.raises(InputError, match="is empty"):
        project_from_mapping(None, path="x.yaml")


@pytest.mark.parametrize(
    ("kind", "stage", "reserve"),
    [
        ("road", "forundersoegelse", 40.0),
        ("road", "vvm", 15.0),
        ("rail", "vvm", 30.0),
        ("metro", "forundersoegelse", 50.0),
        ("road", "anlaegslov", 15.0),
    ],
)
def test_stage_sets_ny_anlaegsbudgettering_reserve(
    tmp_path: Path, zones: Any, kind: str, stage: str, reserve: float
) -> None:
    # Ny Anlægsbudgettering (TRU spm. 169, 2022): rail K1 50 % / K2 30 %, road on land 40/15
    p = load_project(write(tmp_path, base_doc(kind=kind, stage=stage)), zones=zones)
    assert p.stage == stage
    assert p.reserve_pct == reserve
    assert p.capex_mdkk == pytest.approx(500.0 * (1 + reserve / 100))


def test_sourced_reserve_is_kept_and_bad_stage_refused(tmp_path: Path, zones: Any) -> None:
    capex = {
        "mdkk": 500,
        "price_year": 2022,
        "estimate_class": "VVM",
        "reserve_pct": 22,
        "reserve_source": "VVM 2021, anlægsoverslag incl. 22 % reserve",
    }
    p = load_project(write(tmp_path, base_doc(stage="vvm", capex=capex)), zones=zones)
    assert p.reserve_pct == 22.0 and "sourced" in p.reserve_rule
    tunnel = {"mdkk": 500, "price_year": 2022, "estimate_class": "idea", "salt_water": True}
    p = load_project(write(tmp_path, base_doc(stage="vvm", capex=tunnel)), zones=zones)
    assert p.reserve_pct == 30.0  # a road under salt water takes the rail rule
    with pytest.raises(InputError) as info:
        load_project(write(tmp_path, base_doc(stage="dreaming")), zones=zones)
    assert info.value.field == "stage"


def test_every_catalogue_project_has_a_stage(zones: Any) -> None:
    from mobility.impacts.unit_prices import STAGES as CBA_STAGES
    from mobility.projects import STAGES, load_catalogue

    assert STAGES == CBA_STAGES
    for p in load_catalogue(bundled_dir("projects"), zones=zones):
        assert p.stage in STAGES, p.id


def test_low_co2_choice_is_measured_against_the_type_norm(tmp_path: Path, zones: Any) -> None:
    """3.2's norm is quantities x construction_co2e_factors.csv; a documented low-CO2 choice
    lowers the project's CO2e by its share; it cannot be stated beside a given total."""
    norm = 4 * load_construction_factors()["road_km"]
    plain = load_project(write(tmp_path, base_doc()), zones=zones)
    assert plain.construction_co2e_norm_t == pytest.approx(norm)
    assert plain.low_co2 == {}
    low = {"reduction_share": 0.25, "reason": "low-clinker concrete", "source": "test"}
    p = load_project(write(tmp_path, base_doc(low_co2=low)), zones=zones)
    assert p.construction_co2e_t == pytest.approx(0.75 * norm)
    assert p.construction_co2e_norm_t == pytest.approx(norm)
    given = base_doc(construction_co2e_t=900, low_co2=low)
    del given["quantities"]
    with pytest.raises(InputError, match="low_co2"):
        load_project(write(tmp_path, given), zones=zones)
    too_much = base_doc(low_co2={**low, "reduction_share": 0.95})
    with pytest.raises(InputError, match="reduction_share"):
        load_project(write(tmp_path, too_much), zones=zones)
