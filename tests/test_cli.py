"""Command-line behaviour: ``mobility assign`` and ``mobility network`` incl. bad input."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli

DATA = Path(__file__).resolve().parent / "data"
TNTP = DATA / "tntp"
GMNS_SMALL = DATA / "gmns" / "small"
HAS_ENGINE = importlib.util.find_spec("mobility.network.assignment") is not None
needs_engine = pytest.mark.skipif(not HAS_ENGINE, reason="assignment engine not present yet")


def _run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def _copy(tmp_path: Path, *names: str) -> list[Path]:
    out = []
    for name in names:
        shutil.copy(TNTP / name, tmp_path / name)
        out.append(tmp_path / name)
    return out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _assert_one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mobility: error: ")
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


# --------------------------------------------------------------------------------------------
# bad input: one line, exit 2, no output file


def _truncate(net: Path, trips: Path) -> list[str]:
    text = net.read_text(encoding="utf-8")
    net.write_text(text[: text.index("\t3\t2\t1")], encoding="utf-8")
    return [net.name]


def _unknown_node(net: Path, trips: Path) -> list[str]:
    _edit(net, "\t3\t4\t1\t100", "\t3\t9\t1\t100")
    return [net.name, "line 13"]


def _negative_capacity(net: Path, trips: Path) -> list[str]:
    _edit(net, "\t1\t4\t1\t100", "\t1\t4\t-1\t100")
    return [net.name, "line 11", "capacity"]


def _zone_count(net: Path, trips: Path) -> list[str]:
    _edit(trips, "<NUMBER OF ZONES> 2", "<NUMBER OF ZONES> 3")
    return [trips.name, "line 1", "zones"]


def _missing_trips(net: Path, trips: Path) -> list[str]:
    trips.unlink()
    return [trips.name, "not found"]


def _missing_net(net: Path, trips: Path) -> list[str]:
    net.unlink()
    return [net.name, "not found"]


@pytest.mark.parametrize(
    "damage",
    [_truncate, _unknown_node, _negative_capacity, _zone_count, _missing_trips, _missing_net],
)
def test_assign_bad_input_one_line_exit_2_no_output(tmp_path, damage):
    net, trips = _copy(tmp_path, "Braess_net.tntp", "Braess_trips.tntp")
    words = damage(net, trips)
    out = tmp_path / "flows.csv"
    result = _run(["assign", "--net", str(net), "--trips", str(trips), "-o", str(out)])
    _assert_one_line_error(result, *words)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_assign_bad_gmns_and_od_csv(tmp_path):
    folder = tmp_path / "net"
    shutil.copytree(GMNS_SMALL, folder)
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,trips\n1,2,100\n2,7,50\n", encoding="utf-8")
    out = tmp_path / "flows.csv"
    result = _run(["assign", "--net", str(folder), "--trips", str(od), "-o", str(out)])
    _assert_one_line_error(result, "od.csv", "line 3", "destination", "unknown zone 7")
    _edit(folder / "link.csv", "\n3,Motorway E-W,10,11", "\n3,Motorway E-W,10,12")
    od.write_text("origin,destination,trips\n1,2,100\n", encoding="utf-8")
    result = _run(["assign", "--net", str(folder), "--trips", str(od), "-o", str(out)])
    _assert_one_line_error(result, "link.csv", "line 4", "to_node_id")
    assert not out.exists()


def test_assign_bad_flows_best_is_refused_before_writing(tmp_path):
    out = tmp_path / "flows.csv"
    result = _run(
        [
            "assign",
            "--net",
            str(TNTP / "Braess_net.tntp"),
            "--trips",
            str(TNTP / "Braess_trips.tntp"),
            "--flows-best",
            str(tmp_path / "nope_flow.tntp"),
            "-o",
            str(out),
        ]
    )
    _assert_one_line_error(result, "nope_flow.tntp", "not found")
    assert not out.exists()


def test_assign_help_has_example():
    result = _run(["assign", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "--flows-best" in result.output


# --------------------------------------------------------------------------------------------
# real runs


@needs_engine
def test_assign_sioux_falls_matches_best_known(tmp_path):
    out = tmp_path / "flows.csv"
    result = _run(
        [
            "assign",
            "--net",
            str(TNTP / "SiouxFalls_net.tntp"),
            "--trips",
            str(TNTP / "SiouxFalls_trips.tntp"),
            "--gap",
            "1e-6",
            "--flows-best",
            str(TNTP / "SiouxFalls_flow.tntp"),
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("bfw: ") and "TSTT" in lines[0]
    tstt = float(lines[0].split("TSTT ")[1].split(",")[0])
    assert tstt == pytest.approx(7480225.3, rel=1e-4)
    pct = float(lines[1].split("(")[1].split(" %")[0])
    assert pct < 0.5
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "link_id,init_node,term_node,volume,cost"
    assert len(rows) == 77
    assert rows[1].startswith("1,1,2,")  # TNTP: link 1 is the net file's first row
    assert rows[76].startswith("76,24,23,")


@needs_engine
def test_assign_gmns_folder_equals_tntp(tmp_path):
    from mobility.network.gmns_write import tntp_to_gmns

    folder = tntp_to_gmns(TNTP / "SiouxFalls_net.tntp", tmp_path / "sf")
    args = ["--trips", str(TNTP / "SiouxFalls_trips.tntp"), "--gap", "1e-4"]
    r1 = _run(["assign", "--net", str(folder), *args, "-o", str(tmp_path / "a.csv")])
    r2 = _run(
        ["assign", "--net", str(TNTP / "SiouxFalls_net.tntp"), *args, "-o", str(tmp_path / "b.csv")]
    )
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def _console_script() -> str:
    exe = shutil.which("mobility")
    if exe is None:
        candidate = Path(sysconfig.get_path("scripts")) / "mobility"
        exe = str(candidate) if candidate.exists() else None
    if exe is None:
        pytest.skip("the mobility console script is not installed")
    return exe


def test_console_script_bad_input_subprocess(tmp_path):
    (net, trips) = _copy(tmp_path, "Braess_net.tntp", "Braess_trips.tntp")
    _negative_capacity(net, trips)
    out = tmp_path / "flows.csv"
    proc = subprocess.run(
        [_console_script(), "assign", "--net", str(net), "--trips", str(trips), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Braess_net.tntp" in lines[0] and "capacity" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


@needs_engine
def test_console_script_braess_subprocess(tmp_path):
    out = tmp_path / "flows.csv"
    proc = subprocess.run(
        [
            _console_script(),
            "--quiet",
            "assign",
            "--net",
            str(TNTP / "Braess_net.tntp"),
            "--trips",
            str(TNTP / "Braess_trips.tntp"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert len(proc.stdout.strip().splitlines()) == 1
    rows = out.read_text(encoding="utf-8").splitlines()
    # Braess equilibrium: 6 trips, every path used, links 1-3 and 4-2 carry 4 each
    assert len(rows) == 6
    volumes = [float(r.split(",")[3]) for r in rows[1:]]
    assert volumes[0] == pytest.approx(4.0, abs=1e-2)
    assert sum(volumes[i] for i in (0, 1)) == pytest.approx(6.0, abs=1e-6)


# --------------------------------------------------------------------------------------------
# mobility network


def test_network_info_gmns_folder():
    result = _run(["network", "info", "--roads", str(GMNS_SMALL)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "nodes: 4" in out and "links: 11 directed (9 open to cars)" in out
    assert "zones: 2" in out
    assert "motorway                  15.0" in out  # two 7.5 km directions
    assert "bad links: none" in out
    assert "connectivity: ok" in out


def test_network_info_reports_failures(tmp_path):
    folder = tmp_path / "net"
    shutil.copytree(GMNS_SMALL, folder)
    # zone B can no longer be left by car (connector 7 becomes bike-only), link 9 gets
    # capacity 0
    _edit(
        folder / "link.csv",
        '2,11,true,1.5,connector,1,9999,50,0,"car,bike,walk"',
        '2,11,true,1.5,connector,1,9999,50,0,"bike"',
    )
    _edit(folder / "link.csv", "arterial,2,1500.5", "arterial,2,0")
    result = _run(["network", "info", "--roads", str(folder)])
    assert result.exit_code == 1
    assert "connectivity: FAILED, 1 of 2 zone pairs unreachable by car, e.g. 2->1" in result.stdout
    assert "bad links: 1 with zero" in result.stdout and "9 (capacity_vph=0" in result.stdout


T, F = True, False


@pytest.mark.parametrize(
    ("nodes", "expected", "n_no_thru"),
    [
        # typed centroids are never passed through
        ("node_id,x_coord,y_coord,node_type,zone_id\n"
         "1,0,0,centroid,1\n2,1,0,centroid,2\n3,2,0,centroid,3\n",
         [[T, T, F], [F, T, T], [T, F, T]], 3),
        # zone_id alone: the node lies in the zone (GMNS), an ordinary through node
        ("node_id,x_coord,y_coord,zone_id\n1,0,0,1\n2,1,0,2\n3,2,0,3\n",
         [[T, T, T], [T, T, T], [T, T, T]], 0),
        # an explicit no_thru column wins: only node 2 barred
        ("node_id,x_coord,y_coord,node_type,zone_id,no_thru\n"
         "1,0,0,centroid,1,0\n2,1,0,centroid,2,1\n3,2,0,centroid,3,0\n",
         [[T, T, F], [T, T, T], [T, T, T]], 1),
        ("node_id,x_coord,y_coord,zone_id,no_thru\n1,0,0,1,0\n2,1,0,2,0\n3,2,0,3,1\n",
         [[T, T, T], [F, T, T], [T, T, T]], 1),
    ],
)  # fmt: skip
def test_network_info_honours_no_thru(tmp_path, nodes, expected, n_no_thru):
    from mobility.commands.network import zone_reachability
    from mobility.network.gmns import read_gmns

    # a one-way ring 1 -> 2 -> 3 -> 1: each zone reaches the one after next only through
    # the one between
    folder = tmp_path / "ring"
    folder.mkdir()
    (folder / "node.csv").write_text(nodes, encoding="utf-8")
    (folder / "link.csv").write_text(
        "link_id,from_node_id,to_node_id,length,capacity,free_speed\n"
        "1,1,2,1,100,50\n2,2,3,1,100,50\n3,3,1,1,100,50\n",
        encoding="utf-8",
    )
    assert zone_reachability(read_gmns(folder)).tolist() == expected
    result = _run(["network", "info", "--roads", str(folder)])
    assert f"no-thru nodes: {n_no_thru} " in result.stdout
    ok = all(all(row) for row in expected)
    assert ("connectivity: ok" in result.stdout) == ok
    assert result.exit_code == (0 if ok else 1)


def test_network_info_fails_on_lengths_in_the_wrong_unit():
    """Arlington_Signals_Errors (official GMNS example, deliberately broken): lengths in
    feet under long_length mile; the check names the field's unit, and info exits 1."""
    folder = DATA / "gmns" / "zephyr" / "Arlington_Signals_Errors"
    result = _run(["network", "info", "--roads", str(folder)])
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if x.startswith("lengths: "))
    assert line.startswith("lengths: FAILED, 27 of 27 links differ from their coordinates")
    assert "look like feet, while config.csv long_length says mile" in line
    good = _run(["network", "info", "--roads", str(DATA / "gmns" / "zephyr" / "Arlington_Signals")])
    assert "lengths: ok, 27 links" in good.stdout


@needs_engine
def test_assign_warns_on_lengths_in_the_wrong_unit(tmp_path):
    folder = tmp_path / "net"
    shutil.copytree(GMNS_SMALL, folder)
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,trips\n1,2,100\n", encoding="utf-8")
    args = ["assign", "--net", str(folder), "--trips", str(od), "-o", str(tmp_path / "f.csv")]
    ok = _run(args)
    assert ok.exit_code == 0 and "warning" not in ok.stderr
    _edit(folder / "config.csv", "small,m,km,", "small,m,m,")  # km values read as metres
    result = _run(args)
    assert result.exit_code == 0, result.output
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith(f"warning: {folder / 'link.csv'}: field 'length': 5 of 5 links")
    assert "look like km, while config.csv long_length says m" in warning[0]


def test_network_info_bad_folder_one_line(tmp_path):
    result = _run(["network", "info", "--roads", str(tmp_path / "missing")])
    _assert_one_line_error(result, "missing", "GMNS folder not found")


SMALL_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="55.60" lon="12.35"/><node id="2" lat="55.61" lon="12.36"/>
  <node id="3" lat="55.62" lon="12.36"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Vejlebrovej"/></way>
</osm>
"""


def test_network_from_osm_cli(tmp_path):
    src = tmp_path / "small.osm"
    src.write_text(SMALL_OSM, encoding="utf-8")
    out = tmp_path / "roads"
    result = _run(["--quiet", "network", "from-osm", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith(f"wrote {out}: 2 nodes, 2 links")
    assert "estimates" in result.stdout
    info = _run(["network", "info", "--roads", str(out)])
    assert "arterial" in info.stdout and "zones: 0" in info.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "OUT"], ["FILE/--place"]),
        (["SRC", "--place", "Ishøj", "-o", "OUT"], ["FILE/--place"]),
        (["BROKEN", "-o", "OUT"], ["broken.osm", "OSM XML"]),
    ],
)
def test_network_from_osm_bad_input(tmp_path, args, words):
    src = tmp_path / "small.osm"
    src.write_text(SMALL_OSM, encoding="utf-8")
    broken = tmp_path / "broken.osm"
    broken.write_text(SMALL_OSM[:120], encoding="utf-8")
    out = tmp_path / "roads"
    mapping = {"OUT": str(out), "SRC": str(src), "BROKEN": str(broken)}
    result = _run(["network", "from-osm", *[mapping.get(a, a) for a in args]])
    _assert_one_line_error(result, *words)
    assert not out.exists()


def test_assign_unknown_algorithm(tmp_path):
    out = tmp_path / "flows.csv"
    result = _run(
        [
            "assign",
            "--net",
            str(TNTP / "Braess_net.tntp"),
            "--trips",
            str(TNTP / "Braess_trips.tntp"),
            "--algorithm",
            "magic",
            "-o",
            str(out),
        ]
    )
    _assert_one_line_error(result, "--algorithm", "magic", "bfw")
    assert not out.exists()


def test_network_info_bundled_region():
    try:
        import mobility.region.roads  # noqa: F401
    except ModuleNotFoundError as exc:
        pytest.skip(f"region network loader not importable yet ({exc.name})")
    result = _run(["network", "info"])
    assert result.exit_code == 0, result.output
    assert "network: bundled region network" in result.stdout
    assert "bad links: none" in result.stdout
    assert "connectivity: ok, every zone reaches every other zone by car" in result.stdout


def test_assign_akcelik_equals_engine_and_bad_parameters_one_line(tmp_path):
    """``--vdf akcelik`` reads b as J and power as T (h); impossible values fail cleanly."""
    import numpy as np

    from mobility.network import assignment, tntp

    out = tmp_path / "flows.csv"
    net_file, trips_file = TNTP / "SiouxFalls_net.tntp", TNTP / "SiouxFalls_trips.tntp"
    args = ["assign", "--net", str(net_file), "--trips", str(trips_file), "--gap", "1e-5"]
    result = _run([*args, "--vdf", "akcelik", "-o", str(out)])
    assert result.exit_code == 0, result.output
    net = tntp.read_net(net_file)
    demand = tntp.read_trips(trips_file, n_zones=net.n_zones)
    direct = assignment.assign(net, demand, vdf="akcelik", rel_gap=1e-5)
    volumes = [float(row.split(",")[3]) for row in out.read_text().splitlines()[1:]]
    np.testing.assert_allclose(volumes, direct.flows, rtol=1e-5, atol=1e-3)
    bpr = assignment.assign(net, demand, rel_gap=1e-5)
    assert np.abs(direct.flows - bpr.flows).max() > 100.0  # a different function was used
    # Braess: b = 1e9 on capacity 1 is no Akcelik delay parameter
    bad = tmp_path / "bad.csv"
    braess = ["--net", str(TNTP / "Braess_net.tntp"), "--trips", str(TNTP / "Braess_trips.tntp")]
    result = _run(["assign", *braess, "--vdf", "akcelik", "-o", str(bad)])
    _assert_one_line_error(result, "akcelik_j", "Akcelik")
    assert not bad.exists()


# --------------------------------------------------------------------------------------------
# GMNS as its users write it (issue 14): Path4GMNS sets with their demand.csv

PATH4GMNS = DATA / "gmns" / "path4gmns"
SHARED_GMNS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gmns"


def _assign_and_check_conservation(folder: Path, demand: Path, out: Path, gap: str) -> list:
    """Assign ``demand`` on ``folder`` through the CLI and check, independently of the
    assignment code, that the link flows conserve the OD matrix at every node: outflow minus
    inflow equals the node's productions minus attractions (zero at every other node)."""
    import csv as _csv
    from collections import defaultdict

    from mobility.commands.assign import demand_zone_ids
    from mobility.network.gmns import read_gmns
    from mobility.network.gmns_zones import with_zone_connectors

    result = _run(
        ["assign", "--net", str(folder), "--trips", str(demand), "--gap", gap, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "not converged" not in result.stdout
    _, centroid, _ = with_zone_connectors(read_gmns(folder), demand_zone_ids(demand))
    net_out: dict[int, float] = defaultdict(float)
    with open(demand, encoding="utf-8-sig", newline="") as fh:
        for row in _csv.DictReader(fh):
            o, d, v = int(row["o_zone_id"]), int(row["d_zone_id"]), float(row["volume"])
            if o != d:
                net_out[centroid[o]] += v
                net_out[centroid[d]] -= v
    divergence: dict[int, float] = defaultdict(float)
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(_csv.DictReader(fh))
    for r in rows:
        divergence[int(r["init_node"])] += float(r["volume"])
        divergence[int(r["term_node"])] -= float(r["volume"])
    total = sum(v for v in net_out.values() if v > 0)
    for node in set(divergence) | set(net_out):
        assert divergence[node] == pytest.approx(net_out[node], abs=1e-6 * total), node
    return rows


@needs_engine
@pytest.mark.parametrize("name", ["Braess_Paradox", "Two_Corridor", "Sioux_Falls"])
def test_path4gmns_sets_assign_with_their_demand(tmp_path, name):
    folder = PATH4GMNS / name
    rows = _assign_and_check_conservation(folder, folder / "demand.csv", tmp_path / "f.csv", "1e-6")
    assert rows and all(float(r["volume"]) >= 0 for r in rows)
    # the output names each link by its link.csv id, with that link's nodes
    with open(folder / "link.csv", encoding="utf-8-sig", newline="") as fh:
        links = {r["link_id"]: (r["from_node_id"], r["to_node_id"]) for r in csv.DictReader(fh)}
    assert [r["link_id"] for r in rows] == sorted(links, key=int)
    assert all(links[r["link_id"]] == (r["init_node"], r["term_node"]) for r in rows)


@needs_engine
def test_path4gmns_sioux_falls_gives_the_tntp_flows(tmp_path):
    """Path4GMNS Sioux Falls (GMNS folder, o_zone_id,d_zone_id,volume) against the best-known
    TNTP equilibrium (SiouxFalls_flow.tntp): the same TSTT and flows as the TNTP run of
    test_assign_sioux_falls_matches_best_known."""
    folder = PATH4GMNS / "Sioux_Falls"
    args = ["--gap", "1e-6", "--flows-best", str(TNTP / "SiouxFalls_flow.tntp")]
    trips = ["--trips", str(folder / "demand.csv")]
    result = _run(["assign", "--net", str(folder), *trips, *args, "-o", str(tmp_path / "gmns.csv")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    tstt = float(lines[0].split("TSTT ")[1].split(",")[0])
    assert tstt == pytest.approx(7480225.3, rel=1e-4)
    assert float(lines[1].split("(")[1].split(" %")[0]) < 0.5  # flow RMSE, % of mean flow
    net = ["--net", str(TNTP / "SiouxFalls_net.tntp")]
    trips = ["--trips", str(TNTP / "SiouxFalls_trips.tntp"), "--gap", "1e-6"]
    tntp_run = _run(["assign", *net, *trips, "-o", str(tmp_path / "tntp.csv")])
    assert tntp_run.exit_code == 0, tntp_run.output

    def volumes(path: Path) -> list[tuple[str, str, float]]:
        rows = path.read_text(encoding="utf-8").splitlines()[1:]
        return [(a, b, float(v)) for _, a, b, v, _ in (r.split(",") for r in rows)]

    ours, theirs = volumes(tmp_path / "gmns.csv"), volumes(tmp_path / "tntp.csv")
    assert [r[:2] for r in ours] == [r[:2] for r in theirs]
    for (_, _, a), (_, _, b) in zip(ours, theirs, strict=True):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-3)


@pytest.mark.slow
@needs_engine
@pytest.mark.parametrize(
    ("network", "demand"),
    [
        ("path4gmns/Lima_Network", "path4gmns/Lima_Network/demand.csv"),
        ("path4gmns/Chicago_Sketch", "path4gmns/Chicago_Sketch/demand.csv"),
        ("zephyr/Lima/GMNS", "zephyr/Lima/demand.csv"),
    ],
)
def test_large_gmns_sets_assign_with_their_demand(tmp_path, network, demand):
    """The larger real sets of ../shared/data/gmns (not in the repository): Path4GMNS Lima
    (zone 140 has two typed centroids, zone 195 four nodes and none), Chicago Sketch, and
    the official zephyr Lima (no node_type at all; demand as orig_taz,dest_taz,total)."""
    if not SHARED_GMNS.is_dir():
        pytest.skip(f"{SHARED_GMNS} not present")
    folder, od = SHARED_GMNS / network, SHARED_GMNS / demand
    if "zephyr" in network:  # orig_taz,dest_taz,total: rename for the conservation check
        text = od.read_text(encoding="utf-8-sig").replace(
            "orig_taz,dest_taz,total", "o_zone_id,d_zone_id,volume", 1
        )
        od = tmp_path / "demand.csv"
        od.write_text(text, encoding="utf-8")
    _assign_and_check_conservation(folder, od, tmp_path / "f.csv", "1e-4")
