"""Tests of the TNTP reader and writer (mobility.network.tntp)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.network import tntp

DATA = Path(__file__).resolve().parents[1] / "data" / "tntp"

HEADER = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 4
<FIRST THRU NODE> 3
<NUMBER OF LINKS> {links}
<END OF METADATA>

~ init term cap length fftt b power speed toll type ;
"""
LINKS = [
    "1 3 100 1 1 0.15 4 0 0 1 ;",
    "3 2 100 1 1 0.15 4 0 0 1 ;",
    "1 4 100 1 2 0.15 4 0 0 1 ;",
    "4 2 100 1 2 0.15 4 0 0 1 ;",
    "4 2 50 1 3 0.15 4 0 0 1 ;",
]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _net_text(links: list[str], n_links: int | None = None) -> str:
    return HEADER.format(links=len(links) if n_links is None else n_links) + "\n".join(links) + "\n"


def test_sioux_falls_dimensions_match_readme() -> None:
    net = tntp.read_net(DATA / "SiouxFalls_net.tntp")
    assert (net.n_nodes, net.n_links, net.n_zones) == (24, 76, 24)
    assert not net.no_thru.any()
    assert net.node_ids[net.init[0]] == 1 and net.node_ids[net.term[0]] == 2
    assert net.capacity[0] == pytest.approx(25900.20064)
    demand = tntp.read_trips(DATA / "SiouxFalls_trips.tntp", n_zones=net.n_zones)
    assert demand.shape == (24, 24)
    assert demand.sum() == pytest.approx(360600.0)  # README: Trips 360,600.0
    assert demand[0, 1] == 100.0 and demand[0, 9] == 1300.0


def test_anaheim_first_thru_node_marks_zones_no_thru() -> None:
    net = tntp.read_net(DATA / "Anaheim_net.tntp")
    assert (net.n_nodes, net.n_links, net.n_zones) == (416, 914, 38)
    assert net.no_thru.sum() == 38
    assert (net.node_ids[net.no_thru] <= 38).all()
    demand = tntp.read_trips(DATA / "Anaheim_trips.tntp", n_zones=38)
    assert demand.sum() == pytest.approx(104694.40)


def test_parallel_links_and_last_terminator_without_space(tmp_path: Path) -> None:
    links = [*LINKS[:-1], "4 2 50 1 3 0.15 4 0 0 1;"]
    net = tntp.read_net(_write(tmp_path, "x_net.tntp", _net_text(links)))
    assert net.n_links == 5
    assert list(net.node_ids[net.term[3:]]) == [2, 2]
    assert net.capacity[4] == 50
    assert list(net.no_thru) == [True, True, False, False]


def test_unused_node_ids_are_mapped(tmp_path: Path) -> None:
    text = _net_text(LINKS).replace("<NUMBER OF NODES> 4", "<NUMBER OF NODES> 9")
    net = tntp.read_net(
        _write(tmp_path, "x_net.tntp", text.replace("4 2", "9 2").replace("1 4", "1 9"))
    )
    assert list(net.node_ids) == [1, 2, 3, 9]
    assert net.node_ids[net.term[2]] == 9


def test_flow_and_node_files() -> None:
    init, term, volume, _ = tntp.read_flow(DATA / "SiouxFalls_flow.tntp")
    assert len(volume) == 76 and init[0] == 1 and term[0] == 2
    assert volume[0] == pytest.approx(4494.6576464564205)
    ids, x, y = tntp.read_nodes(DATA / "SiouxFalls_node.tntp")
    assert (
        len(ids) == 24
        and x[0] == pytest.approx(-96.77041974)
        and y[0] == pytest.approx(43.61282792)
    )


def test_write_flows_csv_is_fixed_format(tmp_path: Path) -> None:
    net = tntp.read_net(DATA / "Braess_net.tntp")
    out = tmp_path / "flows.csv"
    tntp.write_flows_csv(out, net, np.arange(5.0) / 3, np.ones(5) * 2)
    lines = out.read_text().splitlines()
    assert lines[0] == "init_node,term_node,volume,cost"
    assert lines[2] == "1,4,0.333333,2.000000"
    assert len(lines) == 6


@pytest.mark.parametrize(
    ("links", "n_links", "match", "line"),
    [
        (LINKS[:3], 5, "truncated", 10),
        ([*LINKS[:2], "1 7 100 1 1 0.15 4 0 0 1 ;"], None, "unknown node 7", 10),
        ([*LINKS[:2], "1 4 -100 1 1 0.15 4 0 0 1 ;"], None, "capacity", 10),
        ([*LINKS[:1], "3 2 abc 1 1 0.15 4 0 0 1 ;"], None, "not a number", 9),
        ([*LINKS[:1], "3 2 100 1 ;"], None, "fields", 9),
    ],
)
def test_bad_net_files_name_file_and_line(
    tmp_path: Path, links: list[str], n_links: int | None, match: str, line: int
) -> None:
    path = _write(tmp_path, "bad_net.tntp", _net_text(links, n_links))
    with pytest.raises(InputError, match=match) as info:
        tntp.read_net(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert f"bad_net.tntp, line {line}" in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(InputError, match="not found") as info:
        tntp.read_net(DATA / "nope_net.tntp")
    assert "nope_net.tntp" in str(info.value)


def test_trips_zone_count_disagreeing_with_network(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "t_trips.tntp", "<NUMBER OF ZONES> 3\n<END OF METADATA>\nOrigin 1\n 2 : 5.0;\n"
    )
    with pytest.raises(InputError, match="network has 2 zones") as info:
        tntp.read_trips(path, n_zones=2)
    assert info.value.line == 1 and info.value.file == str(path)


@pytest.mark.parametrize(
    ("body", "match", "line"),
    [
        ("Origin 1\n 2 : x;\n", "not a number", 4),
        ("Origin 1\n 5 : 1.0;\n", "outside", 4),
        (" 2 : 1.0;\n", "before the first", 3),
        ("Origin 1\n 2 : -1.0;\n", "demand", 4),
    ],
)
def test_bad_trips_name_line(tmp_path: Path, body: str, match: str, line: int) -> None:
    path = _write(tmp_path, "t_trips.tntp", "<NUMBER OF ZONES> 2\n<END OF METADATA>\n" + body)
    with pytest.raises(InputError, match=match) as info:
        tntp.read_trips(path)
    assert info.value.line == line


def test_check_demand(tmp_path: Path) -> None:
    net = tntp.read_net(DATA / "Braess_net.tntp")
    assert tntp.check_demand(net, np.zeros((2, 2))).shape == (2, 2)
    with pytest.raises(InputError, match="demand has 3 zones but the network has 2"):
        tntp.check_demand(net, np.zeros((3, 3)), "x_trips.tntp")
    with pytest.raises(InputError, match="negative"):
        tntp.check_demand(net, -np.ones((2, 2)))


def test_bad_flow_file_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "x_flow.tntp", "From To Volume Cost\n1 2 3.0 4.0\n2 1 x 4.0\n")
    with pytest.raises(InputError, match="not a number") as info:
        tntp.read_flow(path)
    assert info.value.line == 3
