"""Command-line behaviour: ``mobility assign`` and ``mobility network`` incl. bad input."""

from __future__ import annotations

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
    assert rows[0] == "init_node,term_node,volume,cost"
    assert len(rows) == 77
    assert rows[1].startswith("1,2,")


@needs_engine
def test_assign_gmns_folder_equals_tntp(tmp_path):
    from mobility.network.gmns import tntp_to_gmns

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
    volumes = [float(r.split(",")[2]) for r in rows[1:]]
    assert volumes[0] == pytest.approx(4.0, abs=1e-2)
    assert sum(volumes[i] for i in (0, 1)) == pytest.approx(6.0, abs=1e-6)
