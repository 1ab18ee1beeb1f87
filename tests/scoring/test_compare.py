"""``mobility compare``: rank shifts, Kendall's tau, top-k overlap, drivers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy.stats import kendalltau

from mobility.cli import cli
from mobility.scoring import compare as cp

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"


def run(*args: str):
    return CliRunner().invoke(cli, ["--quiet", *args], catch_exceptions=False)


def _rankings(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a" / "ranking.csv", tmp_path / "b" / "ranking.csv"
    assert run("rank", str(DATA / "impacts.csv"), "-o", str(a)).exit_code == 0
    res = run("rank", str(DATA / "impacts.csv"), "--weights", "climate_first", "-o", str(b))
    assert res.exit_code == 0
    return a, b


def test_compare_weight_profiles(tmp_path: Path) -> None:
    a, b = _rankings(tmp_path)
    ra, rb = cp.read_ranking(a), cp.read_ranking(b)
    assert ra.weights_known and rb.weights_known
    result = cp.compare(ra, rb, top_k=2)
    ids = ra.ids
    tau = kendalltau([ra.rank[p] for p in ids], [rb.rank[p] for p in ids]).statistic
    assert result.tau == pytest.approx(tau)
    top_a = {p for p in ids if ra.rank[p] <= 2}
    top_b = {p for p in ids if rb.rank[p] <= 2}
    assert result.top_k_overlap == len(top_a & top_b)
    by_id = {r[0]: r for r in result.rows}
    for pid in ids:
        assert int(by_id[pid][4]) == ra.rank[pid] - rb.rank[pid]
    # climate-first: the BRT line (CO2e -400 t/year, low construction CO2e) overtakes the
    # motorway widening (CO2e +2500 t/year), driven by pejlemærke 3 (less CO2)
    assert (by_id["P5"][2], by_id["P5"][3], by_id["P2"][2], by_id["P2"][3]) == ("5", "4", "4", "5")
    assert by_id["P5"][-2] == "3" and by_id["P2"][-2] == "3"
    assert float(by_id["P5"][-1]) > 0 > float(by_id["P2"][-1])
    # same impacts and criterion-level scores except pejlemærke 3, whose sub-criterion
    # weights differ in the climate-first profile (3.1 twice 3.2)
    assert all(v == "0.0000" for i, v in enumerate(by_id["P1"][7:13]) if i != 2)


def test_compare_cli_writes_csv_and_table(tmp_path: Path) -> None:
    a, b = _rankings(tmp_path)
    out = tmp_path / "diff.csv"
    res = run("compare", str(a), str(b), "--top-k", "3", "-o", str(out))
    assert res.exit_code == 0
    assert "Kendall's tau-b" in res.output and "top-3 overlap" in res.output
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(cp.DIFF_COLUMNS)
    assert len(rows) == 5
    shifts = [abs(int(r["shift"])) for r in rows]
    assert shifts == sorted(shifts, reverse=True)


def test_projects_only_in_one_list(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    head = "rank,project_id,name,score," + ",".join(f"pejlemaerke_{c}" for c in range(1, 7))
    a.write_text(head + "\n1,X,x,90,1,1,1,1,1,1\n2,Y,y,80,1,1,1,1,1,1\n3,Z,z,70,1,1,1,1,1,1\n")
    b.write_text(head + "\n1,Y,y,90,1,1,1,1,1,1\n2,X,x,80,1,1,1,1,1,1\n3,W,w,70,1,1,1,1,1,1\n")
    result = cp.compare(cp.read_ranking(a), cp.read_ranking(b), top_k=2)
    assert result.common == 2 and result.only_a == ["Z"] and result.only_b == ["W"]
    assert result.tau == pytest.approx(-1.0)
    assert result.top_k_overlap == 2
    assert not result.weights_known
    text = cp.render_table(result, a_name="a", b_name="b")
    assert "equal weights" in text


def test_malformed_ranking_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("rank,project_id\n1,X\n")
    res = CliRunner().invoke(cli, ["compare", str(bad), str(bad)])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "missing column" in res.stderr


@pytest.mark.parametrize(
    ("col", "bad"), [("score", "nan"), ("pejlemaerke_3", "abc"), ("rank", "x")]
)
def test_a_bad_number_names_its_column(tmp_path: Path, col: str, bad: str) -> None:
    """compare names the column and line of a NaN or non-numeric cell (issue 13 item 5)."""
    a, b = _rankings(tmp_path)
    with a.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[1][col] = bad
    with a.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = CliRunner().invoke(cli, ["compare", str(a), str(b)])
    assert res.exit_code == 2
    assert f"field '{col}'" in res.output and "line 3" in res.output
