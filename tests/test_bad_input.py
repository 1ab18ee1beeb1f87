"""Bad input that used to give a traceback or be accepted silently (issue 13, items 2, 3, 5).

Each case runs the command in process (click's ``CliRunner``) and checks: exit code 2, one
line on stderr naming the file (or option) and the field, no traceback, and the folder's
listing (names, sizes, sha256) the same before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mobility.cli import cli
from mobility.errors import InputError
from mobility.fileio import atomic_output_dir, atomic_write_text
from mobility.resources import bundled_file

DATA = Path(__file__).resolve().parent / "data"
RANKING = DATA / "portfolio" / "ranking.csv"  # synthetic fixture, see its README


def listing(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with its sha256 (folders: ``dir``)."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted(folder.rglob("*"))
    }


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["--quiet", *(str(a) for a in args)])


def one_line(result: Result, *words: str) -> str:
    """The single stderr line of a clean failure (exit 2) holding every one of ``words``."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def read_only_dir(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder without write permission; as root (chmod has no effect) the kernel's answer
    is emulated: ``os.access`` says no and creating a file or folder in it raises
    PermissionError."""
    path.mkdir()
    path.chmod(0o555)
    root = path.resolve()
    if os.access(path, os.W_OK):  # root: chmod does not stop us
        real_access, real_mkstemp, real_mkdtemp = os.access, tempfile.mkstemp, tempfile.mkdtemp

        def inside(p: object) -> bool:
            if p is None:
                return False
            q = Path(str(p)).resolve()
            return q == root or root in q.parents

        def access(p: object, mode: int, *a: object, **k: object) -> bool:
            if inside(p) and mode & os.W_OK:
                return False
            return real_access(p, mode, *a, **k)  # type: ignore[arg-type]

        def denied(real):  # type: ignore[no-untyped-def]
            def make(*a: object, dir: object = None, **k: object) -> object:
                if inside(dir):
                    raise PermissionError(13, "Permission denied")
                return real(*a, dir=dir, **k)

            return make

        monkeypatch.setattr(os, "access", access)
        monkeypatch.setattr(tempfile, "mkstemp", denied(real_mkstemp))
        monkeypatch.setattr(tempfile, "mkdtemp", denied(real_mkdtemp))
    return path


@pytest.fixture
def restore_modes(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield
    for p in tmp_path.rglob("*"):
        if p.is_dir():
            p.chmod(0o755)


# -- item 2: tracebacks -------------------------------------------------------------------


def test_permission_denied_on_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_modes: None
) -> None:
    shutil.copy(RANKING, tmp_path / "ranking.csv")
    ro = read_only_dir(tmp_path / "ro", monkeypatch)
    before = listing(tmp_path)
    res = invoke("optimise", tmp_path / "ranking.csv", "--budget-mdkk", "1000", "-o", ro / "p.csv")
    one_line(res, str(ro), "ermission")
    res = invoke("model", "base", "-o", ro / "out")
    one_line(res, str(ro), "ermission")
    assert listing(tmp_path) == before


def test_a_folder_that_cannot_be_written_late_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net behind the early check: creating the temporary file or folder fails
    (permission taken away while the program ran)."""

    def refuse(*a: object, **k: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(InputError, match=r"p\.csv: cannot write the file \(Permission denied\)"):
        atomic_write_text(tmp_path / "p.csv", "x\n")
    with (
        pytest.raises(InputError, match="cannot create the folder"),
        atomic_output_dir(tmp_path / "out"),
    ):
        pass
    assert listing(tmp_path) == {}


def test_the_outputs_parent_is_a_file(tmp_path: Path) -> None:
    shutil.copy(RANKING, tmp_path / "ranking.csv")
    (tmp_path / "afile").write_text("mine\n")
    before = listing(tmp_path)
    res = invoke(
        "optimise", tmp_path / "ranking.csv", "--budget-mdkk", "1000", "-o", tmp_path / "afile/p"
    )
    one_line(res, str(tmp_path / "afile"), "parent is a file")
    res = invoke("rank", DATA / "scoring" / "impacts.csv", "-o", tmp_path / "afile" / "r.csv")
    one_line(res, str(tmp_path / "afile"), "parent is a file")
    res = invoke("model", "base", "-o", tmp_path / "afile" / "out")
    one_line(res, str(tmp_path / "afile"), "parent is a file")
    assert listing(tmp_path) == before


def test_compare_output_is_an_existing_folder(tmp_path: Path) -> None:
    ranking = DATA / "report" / "ranking.csv"
    folder = tmp_path / "diff"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep\n")
    before = listing(tmp_path)
    res = invoke("compare", ranking, ranking, "-o", folder)
    one_line(res, str(folder), "'-o'", "is a folder")
    assert listing(tmp_path) == before


def test_optimise_csv_field_over_the_csv_limit(tmp_path: Path) -> None:
    """``rank`` reported it; ``optimise`` gave a csv.Error traceback."""
    big = tmp_path / "ranking.csv"
    big.write_text("rank,project_id,name,score,capex_mdkk\n1,a," + "x" * 200_000 + ",50,100\n")
    before = listing(tmp_path)
    res = invoke("optimise", big, "--budget-mdkk", "1000", "-o", tmp_path / "p.csv")
    one_line(res, str(big), "line 2", "field larger than field limit")
    assert listing(tmp_path) == before


def test_yaml_alias_bomb_gives_one_short_line(tmp_path: Path) -> None:
    """Nine levels of nine aliases ("billion laughs", 9**9 strings if expanded): the message
    shows a capped value instead of formatting all of it (MemoryError)."""
    levels = ["&l0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = bundled_file("scenarios", "base.yaml").read_text(encoding="utf-8")
    lines = [
        "name: [" + ", ".join(levels) + "]" if ln.startswith("name:") else ln
        for ln in text.splitlines()
    ]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = listing(tmp_path)
    res = invoke("model", bomb, "-o", tmp_path / "out")
    line = one_line(res, str(bomb), "field 'name'", "expected a string")
    assert len(line) < len(str(bomb)) + 250
    assert listing(tmp_path) == before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("address", ["unreachable", "not a scheduler", "foo://bar:1"])
def test_evaluate_scheduler_malformed_or_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    import mobility.pipeline.runner as ev

    monkeypatch.setattr(ev, "SCHEDULER_TIMEOUT", "1s")  # the test only: no 30 s wait
    if address == "unreachable":
        address = f"tcp://127.0.0.1:{free_port()}"
    before = listing(tmp_path)
    res = invoke(
        "evaluate",
        "reference_2035",
        "--only",
        "c01_motorring3_kapacitet",
        "--scheduler",
        address,
        "-o",
        tmp_path / "out",
    )
    one_line(res, "field '--scheduler'", address, "cannot reach a Dask scheduler")
    assert listing(tmp_path) == before


# -- item 3: bad input accepted silently --------------------------------------------------


def test_a_candidate_opening_before_the_base_year_is_refused(tmp_path: Path) -> None:
    """reference_2035 has ``base_year: 2015``; a candidate opening in 2010 would be in the
    base network already, yet was appraised."""
    folder = tmp_path / "projects"
    folder.mkdir()
    for pid in ("c01_motorring3_kapacitet", "v2_frederikssundmotorvejen"):
        shutil.copy(bundled_file("projects", f"{pid}.yaml"), folder / f"{pid}.yaml")
    bad = folder / "c01_motorring3_kapacitet.yaml"
    text = bad.read_text(encoding="utf-8")
    assert "\nopening_year: " in text
    bad.write_text(
        "\n".join(
            "opening_year: 2010" if ln.startswith("opening_year:") else ln
            for ln in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    before = listing(tmp_path)
    res = invoke("evaluate", "reference_2035", "--projects", folder, "-o", tmp_path / "out")
    one_line(res, str(bad), "field 'opening_year'", "2010 is before the base year 2015")
    assert "reference_2035.yaml" in res.stderr
    assert listing(tmp_path) == before


@pytest.mark.parametrize("where", ["flag", "scenario"])
def test_min_bcr_nan_is_refused(tmp_path: Path, where: str) -> None:
    """``--min-bcr nan`` dropped the constraint (every BCR >= nan is False, so none applied)."""
    shutil.copy(RANKING, tmp_path / "ranking.csv")
    args: list[str | Path] = ["optimise", tmp_path / "ranking.csv", "-o", tmp_path / "p.csv"]
    if where == "flag":
        args += ["--budget-mdkk", "10000", "--min-bcr", "nan"]
        words = ["field '--min-bcr'", "nan"]
    else:
        scenario = tmp_path / "s.yaml"
        scenario.write_text(
            "name: s\nyear: 2035\nportfolio:\n  budget_mdkk: 10000\n  min_bcr: .nan\n"
        )
        args += ["--scenario", scenario]
        words = [str(scenario), "field 'portfolio.min_bcr'", "nan"]
    before = listing(tmp_path)
    one_line(invoke(*args), *words, "finite")
    assert listing(tmp_path) == before


# -- item 5: messages ---------------------------------------------------------------------


def copy_projects(tmp_path: Path, ids: tuple[str, ...]) -> Path:
    folder = tmp_path / "projects"
    folder.mkdir()
    for pid in ids:
        shutil.copy(bundled_file("projects", f"{pid}.yaml"), folder / f"{pid}.yaml")
    return folder


def test_infeasible_portfolio_names_the_scenario_file(tmp_path: Path) -> None:
    """The budget and the minimum per part come from the scenario, not from --budget-mdkk."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nyear: 2035\nportfolio:\n  budget_mdkk: 1000\n  min_per_part: 1\n")
    before = listing(tmp_path)
    res = invoke("optimise", RANKING, "--scenario", scenario, "-o", tmp_path / "p.csv")
    line = one_line(
        res,
        f"({scenario}, field portfolio.min_per_part)",
        f"total budget of 1000 mio. kr. ({scenario}, field portfolio.budget_mdkk)",
    )
    assert "--budget-mdkk" not in line
    assert listing(tmp_path) == before
    flags = ("--budget-mdkk", "1000", "--min-per-part", "1")
    res = invoke("optimise", RANKING, *flags, "-o", tmp_path / "p.csv")
    one_line(res, "total budget of 1000 mio. kr. (--budget-mdkk)")


@pytest.mark.parametrize("key", ["requires", "excludes"])
def test_a_project_naming_itself_names_the_right_field(tmp_path: Path, key: str) -> None:
    folder = copy_projects(tmp_path, ("c01_motorring3_kapacitet", "v2_frederikssundmotorvejen"))
    bad = folder / "c01_motorring3_kapacitet.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8") + f"{key}: [v2_frederikssundmotorvejen, "
        "c01_motorring3_kapacitet]\n",
        encoding="utf-8",
    )
    before = listing(tmp_path)
    res = invoke("evaluate", "reference_2035", "--projects", folder, "-o", tmp_path / "out")
    one_line(res, str(bad), f"field '{key}[1]'", "names the project itself")
    assert listing(tmp_path) == before


def test_run_names_the_scenario_field_of_an_unknown_only_id(tmp_path: Path) -> None:
    """``run`` said ``field '--only[1]'``, an option it does not have."""
    copy_projects(tmp_path, ("c01_motorring3_kapacitet", "v2_frederikssundmotorvejen"))
    text = bundled_file("scenarios", "reference_2035.yaml").read_text(encoding="utf-8")
    assert "\nappraisal:\n  # The bundled catalogue" in text and "  projects: ../projects\n" in text
    text = text.replace(
        "\nappraisal:\n", "\nappraisal:\n  only: [c01_motorring3_kapacitet, nope]\n", 1
    ).replace("  projects: ../projects\n", "  projects: projects\n", 1)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text, encoding="utf-8")
    before = listing(tmp_path)
    res = invoke("run", scenario, "-o", tmp_path / "out")
    line = one_line(res, str(scenario), "field 'appraisal.only[1]'", "unknown project id 'nope'")
    assert "--only" not in line
    assert listing(tmp_path) == before


def test_unreachable_od_pair_names_the_file_and_prints_plain_numbers(tmp_path: Path) -> None:
    """Braess's network has no link into zone 1; 200 trips 2 -> 1 cannot be assigned."""
    net = DATA / "tntp" / "Braess_net.tntp"
    trips = tmp_path / "od.csv"
    trips.write_text("origin,destination,trips\n1,2,6\n2,1,200\n")
    before = listing(tmp_path)
    res = invoke("assign", "--net", net, "--trips", trips, "-o", tmp_path / "flows.csv")
    line = one_line(
        res, str(trips), "field 'trips'", "200 trips from zone 2 to zone 1 have no path", str(net)
    )
    assert "np." not in line and "float64" not in line
    assert listing(tmp_path) == before


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("speed_kmh: 35}", "speed_kmh: 17,5}", "network_changes[0].speed_kmh"),
        ("headway_min: 5, speed_kmh: 35}", "headway_min: 5, speed_kmh: '17,5'}", "speed_kmh"),
    ],
)
def test_a_danish_decimal_comma_gets_a_hint(tmp_path: Path, old: str, new: str, field: str) -> None:
    """In a flow mapping ``17,5`` reads as ``17`` and a key ``5`` ("unknown field '5'")."""
    folder = copy_projects(tmp_path, ("s25_brt_150s_200s_400s",))
    path = folder / "s25_brt_150s_200s_400s.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = listing(tmp_path)
    res = invoke("evaluate", "reference_2035", "--projects", folder, "-o", tmp_path / "out")
    one_line(res, str(path), field, "17,5", "use a decimal point (17.5)")
    assert listing(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["optimise", "x.csv", "--projects-csv", "y"], "No such option '--projects-csv'"),
        (["rank"], "Missing argument 'IMPACTS'"),
        (["evaluate", "reference_2035", "--workers", "-3"], "'--workers'"),
    ],
)
def test_click_usage_errors_are_one_line(args: list[str], needle: str) -> None:
    """click's usage errors (four lines: usage, hint, blank, error) become one line naming the
    option and the command's --help, exit code 2 (issue 13 item 5)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "mobility.cli", *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "--help" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_unquoted_numeric_weight_keys_get_a_quoting_hint(tmp_path: Path) -> None:
    """``{1: 1, ...}`` reads as integer keys: the message says to quote them (issue 13)."""
    weights = tmp_path / "w.yaml"
    weights.write_text("name: x\ncriteria: {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}\n", "utf-8")
    impacts = Path(__file__).parent / "data" / "scoring" / "impacts.csv"
    res = CliRunner().invoke(
        cli, ["rank", str(impacts), "--weights", str(weights), "-o", str(tmp_path / "r.csv")]
    )
    assert res.exit_code == 2
    assert "criteria.1" in res.output and 'quoted, "1"' in res.output
    assert not (tmp_path / "r.csv").exists()
