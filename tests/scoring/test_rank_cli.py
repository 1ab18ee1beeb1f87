"""``mobility rank`` end to end on the synthetic fixture (tests/data/scoring, see README)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.scoring import mcda
from mobility.scoring import ranking as rk
from mobility.scoring import ranking_inputs as ri
from mobility.scoring import ranking_outputs as ro
from mobility.scoring.weights import equal_weights

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring"
IMPACTS = DATA / "impacts.csv"
PROJECTS = DATA / "projects.csv"


def run(*args: str):
    return CliRunner().invoke(cli, ["--quiet", *args], catch_exceptions=False)


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_rank_columns_and_values(tmp_path: Path) -> None:
    out = tmp_path / "ranking.csv"
    res = run("rank", str(IMPACTS), "--projects", str(PROJECTS), "-o", str(out))
    assert res.exit_code == 0, res.output
    header = out.read_text().splitlines()[0].split(",")
    assert header == list(ro.RANKING_COLUMNS)
    rows = read(out)
    assert [r["project_id"] for r in rows] == ["P4", "P1", "P3", "P2", "P5"]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    for r in rows:
        crit = np.array([float(r[f"pejlemaerke_{c}"]) for c in range(1, 7)])
        assert np.all((crit >= 0) & (crit <= 100))
        # equal weights: the score is the mean of the six pejlemærke scores
        assert float(r["score"]) == pytest.approx(crit.mean(), abs=1e-3)
        assert 0.0 <= float(r["judged_share"]) <= 1.0
    p1 = rows[1]
    # P4 has the most municipalities (9) and residents+jobs (240000) benefiting -> 100
    assert rows[0]["pejlemaerke_1"] == "100.0000"
    assert (p1["capex_mdkk"], p1["npv_mdkk"], p1["bcr"], p1["region_part"]) == (
        "5400.00",
        "1200.00",
        "1.400",
        "koege_bugt",
    )
    # hand check, pejlemærke 3 of P1: 3.1 CO2e -3500 is the best (100), 3.2 construction
    # 90000 t is the worst (0) -> 50
    assert p1["pejlemaerke_3"] == "50.0000"
    long = read(tmp_path / "scores_long.csv")
    assert len(long) == 5 * 12
    p4_52 = next(r for r in long if r["project_id"] == "P4" and r["subcriterion"] == "5.2")
    # only P4 reports transfer hours: min-max over one project is meaningless -> its grade
    assert (p4_52["method"], p4_52["sub_score"]) == ("grade", "100.0000")
    # default winsorised min-max, hand check on 3.1 (CO2e, less is better): sorted values
    # -3500, -1800, -600, -400, 2500; the 10th percentile lies 0.4 of the way from the 1st to
    # the 2nd value: -3500 + 0.4 x 1700 = -2820; the 90th 0.6 of the way from the 4th to the
    # 5th: -400 + 0.6 x 2900 = 1340. P2 (2500) is clipped to 1340 -> 0; P3 (-600) scores
    # 100 x (1340 + 600) / 4160 = 46.6346.
    cells = {r["project_id"]: r for r in long if r["subcriterion"] == "3.1"}
    assert {r["method"] for r in cells.values()} == {"winsorised(min,p=10,n=5,lo=-2820,hi=1340)"}
    assert [cells[p]["sub_score"] for p in ("P1", "P2", "P3")] == ["100.0000", "0.0000", "46.6346"]
    manifest = json.loads((tmp_path / "ranking.manifest.json").read_text())
    assert manifest["settings"]["method"] == "weighted_sum"
    assert manifest["settings"]["normalisation"] == "winsorised"
    assert manifest["settings"]["sensitivity_normalisation"] is None
    assert manifest["settings"]["weights"]["name"] == "equal"


@pytest.mark.parametrize(
    ("method", "label", "p2", "p3"),
    [
        # min-max on 3.1: range -3500..2500 = 6000; P3 (-600): 100 x 3100 / 6000
        ("minmax", "minmax(min,n=5)", "0.0000", "51.6667"),
        # percentile rank: P2 worst (rank 1 of 5 from the worst) -> 0, P3 rank 3 -> 50
        ("rank", "rank(min,n=5)", "0.0000", "50.0000"),
    ],
)
def test_normalisation_option(tmp_path: Path, method: str, label: str, p2: str, p3: str) -> None:
    out = tmp_path / "ranking.csv"
    res = run("rank", str(IMPACTS), "--normalisation", method, "-o", str(out))
    assert res.exit_code == 0, res.output
    cells = {
        r["project_id"]: r
        for r in read(
            tmp_path
            / ("scores_long.csv" if (tmp_path / "ranking.csv").exists() else "r_scores_long.csv")
        )
        if r["subcriterion"] == "3.1"
    }
    assert {r["method"] for r in cells.values()} == {label}
    assert (cells["P2"]["sub_score"], cells["P3"]["sub_score"]) == (p2, p3)
    manifest = json.loads((tmp_path / "ranking.manifest.json").read_text())
    assert manifest["settings"]["normalisation"] == method


def test_rank_default_normalisation_is_the_scenario_default() -> None:
    from mobility.commands.rank import rank as rank_cmd
    from mobility.scoring import normalise

    option = next(p for p in rank_cmd.params if p.name == "normalisation")
    assert option.default == normalise.DEFAULT_METHOD == "winsorised"
    assert normalise.DEFAULT_METHOD in normalise.ROBUST_METHODS


def test_bad_normalisation_option_exit_2(tmp_path: Path) -> None:
    _expect_error(
        tmp_path, ["rank", str(IMPACTS), "--normalisation", "zscore"], "'--normalisation'"
    )
    _expect_error(tmp_path, ["rank", str(IMPACTS), "--vary-normalisation"], "--sensitivity")


def test_vary_normalisation_changes_acceptability_only_when_asked(tmp_path: Path) -> None:
    base = ["rank", str(IMPACTS), "--sensitivity", "400", "--seed", "3"]
    outs = {}
    for name, extra in (("off", []), ("again", []), ("vary", ["--vary-normalisation"])):
        d = tmp_path / name
        d.mkdir()
        res = run(*base, *extra, "-o", str(d / "r.csv"))
        assert res.exit_code == 0, res.output
        outs[name] = d
    off, again, vary = outs["off"], outs["again"], outs["vary"]
    assert (off / "r_sensitivity.csv").read_bytes() == (again / "r_sensitivity.csv").read_bytes()
    # the ranking and its sub-scores are those of the chosen normalisation either way
    assert (off / "r_scores_long.csv").read_bytes() == (vary / "r_scores_long.csv").read_bytes()
    assert [r["project_id"] for r in read(off / "r.csv")] == [
        r["project_id"] for r in read(vary / "r.csv")
    ]
    manifest = json.loads((vary / "r.manifest.json").read_text())
    draws = manifest["settings"]["sensitivity_normalisation"]
    assert draws["methods"] == ["rank", "winsorised"]
    assert sum(draws["draws"].values()) == 400 and min(draws["draws"].values()) > 150


def test_judged_share_is_the_judged_contribution() -> None:
    rows = ri.read_impacts(IMPACTS)
    m = rk.build_matrix(rows)
    r = rk.rank_projects(m, equal_weights())
    eff = equal_weights().effective
    i = m.project_ids.index("P3")
    contrib = m.sub_scores[i] * eff
    expected = contrib[m.judged[i]].sum() / contrib.sum()
    assert r.judged_share[i] == pytest.approx(expected)
    assert m.judged[i].sum() == 3  # 2.2, 5.2, 6.2


@pytest.mark.parametrize("method", ["weighted_sum", "topsis", "promethee"])
def test_deterministic_and_sensitivity(tmp_path: Path, method: str) -> None:
    outs = []
    for k in range(2):
        d = tmp_path / f"run{k}"
        d.mkdir()
        args = ["rank", str(IMPACTS), "--method", method, "--weights", "climate_first"]
        args += ["--sensitivity", "500", "--top-k", "2", "--seed", "4", "-o", str(d / "r.csv")]
        res = run(*args)
        assert res.exit_code == 0, res.output
        outs.append(d)
    for name in ("r.csv", "r_scores_long.csv", "r_sensitivity.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    rows = read(outs[0] / "r.csv")
    assert "p_top_k" in rows[0] and "unstable" in rows[0]
    assert sum(float(r["p_top_k"]) for r in rows) == pytest.approx(2.0, abs=1e-3)
    sens = read(outs[0] / "r_sensitivity.csv")
    assert len(sens) == 25
    for pid in {s["project_id"] for s in sens}:
        total = sum(float(s["probability"]) for s in sens if s["project_id"] == pid)
        assert total == pytest.approx(1.0, abs=1e-3)
    # the last project has nobody to swap with
    assert rows[-1]["swap_with"] == ""
    assert rows[0]["swap_with"] == rows[1]["project_id"]


def test_topsis_scores_match_kernel() -> None:
    m = rk.build_matrix(ri.read_impacts(IMPACTS))
    r = rk.rank_projects(m, equal_weights(), method="topsis")
    np.testing.assert_allclose(r.score, 100 * mcda.topsis(m.sub_scores, equal_weights().effective))


def test_ties_share_a_rank(tmp_path: Path) -> None:
    text = IMPACTS.read_text().splitlines()
    extra = [
        line.replace("P5,Synthetic BRT line", "P6,Synthetic BRT twin")
        for line in text
        if line.startswith("P5,")
    ]
    path = tmp_path / "impacts.csv"
    path.write_text("\n".join(text + extra) + "\n")
    res = run("rank", str(path), "-o", str(tmp_path / "r.csv"))
    assert res.exit_code == 0, res.output
    rows = read(tmp_path / "r.csv")
    twins = {r["project_id"]: r["rank"] for r in rows if r["project_id"] in ("P5", "P6")}
    assert twins["P5"] == twins["P6"]
    assert [r["project_id"] for r in rows][-2:] == ["P5", "P6"]


def _expect_error(tmp_path: Path, args: list[str], needle: str) -> None:
    out = tmp_path / "out" / "ranking.csv"
    res = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mobility: error:")
    assert needle in lines[0]
    assert "Traceback" not in res.output
    assert not out.exists() and not (out.parent / "scores_long.csv").exists()


def test_bad_weights_exit_2(tmp_path: Path) -> None:
    w = tmp_path / "w.yaml"
    w.write_text('criteria: {"1": -2, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1}\n')
    _expect_error(tmp_path, ["rank", str(IMPACTS), "--weights", str(w)], "criteria.1")


def test_unknown_project_id_exit_2(tmp_path: Path) -> None:
    projects = tmp_path / "projects.csv"
    projects.write_text("\n".join(PROJECTS.read_text().splitlines()[:-1]) + "\n")  # drop P5
    _expect_error(tmp_path, ["rank", str(IMPACTS), "--projects", str(projects)], "'P5'")


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (
            lambda t: t.replace(
                "P1,Synthetic light rail,3.1,co2e_change_t_per_year,-3500",
                "P1,Synthetic light rail,3.1,co2e_change_t_per_year,lots",
            ),
            "field 'value'",
        ),
        (lambda t: t.replace(",6.2,grade,2,", ",6.2,grade,7,"), "grade 0-4"),
        (
            lambda t: t.replace(
                "P3,Synthetic cycle superhighway,1.2,", "P3,Synthetic cycle superhighway,9.9,"
            ),
            "subcriterion",
        ),
        (lambda t: t.replace("project_id,name,", "project,name,"), "missing column"),
        (lambda t: t.replace(",judged\n", ",guessed\n", 1), "basis"),
        (
            lambda t: t.replace(
                "P2,Synthetic motorway widening,2.1,hours_saved_per_year,3.4e+06,h/year,modelled\n",
                "",
            ),
            "no row for sub-criterion 2.1",
        ),
        (lambda t: t + "P1,x,1.1,municipalities_benefiting,1,count\n", "fields"),
    ],
)
def test_malformed_impacts_exit_2(tmp_path: Path, mutate, needle: str) -> None:
    path = tmp_path / "impacts.csv"
    path.write_text(mutate(IMPACTS.read_text()))
    assert path.read_text() != IMPACTS.read_text()
    _expect_error(tmp_path, ["rank", str(path)], needle)


def test_projects_csv_next_to_impacts_is_used(tmp_path: Path) -> None:
    shutil.copy(IMPACTS, tmp_path / "impacts.csv")
    shutil.copy(PROJECTS, tmp_path / "projects.csv")
    res = run("rank", str(tmp_path / "impacts.csv"), "-o", str(tmp_path / "r.csv"))
    assert res.exit_code == 0
    assert read(tmp_path / "r.csv")[0]["region_part"] == "frederikssund"


def test_target_normalisation_from_weights_file(tmp_path: Path) -> None:
    w = tmp_path / "w.yaml"
    w.write_text('normalisation: {"3.1": {method: target, zero: 0, target: -2000}}\n')
    res = run("rank", str(IMPACTS), "--weights", str(w), "-o", str(tmp_path / "r.csv"))
    assert res.exit_code == 0, res.output
    long = {
        r["project_id"]: r
        for r in read(
            tmp_path
            / ("scores_long.csv" if (tmp_path / "ranking.csv").exists() else "r_scores_long.csv")
        )
        if r["subcriterion"] == "3.1"
    }
    assert long["P1"]["method"] == "target(zero=0,target=-2000)"
    # P1 -3500 t/year beyond the target: 100; P5 -400: 20; P2 +2500: 0
    assert [long[p]["sub_score"] for p in ("P1", "P5", "P2")] == ["100.0000", "20.0000", "0.0000"]


def test_weights_file_method_overrides_the_normalisation_option(tmp_path: Path) -> None:
    w = tmp_path / "w.yaml"
    w.write_text(
        'normalisation: {"3.1": {method: rank}, "3.2": {method: target, zero: 0, target: 1000}}\n'
    )
    for option in ("winsorised", "minmax"):
        res = run(
            "rank",
            str(IMPACTS),
            "--weights",
            str(w),
            "--normalisation",
            option,
            "-o",
            str(tmp_path / "r.csv"),
        )
        assert res.exit_code == 0, res.output
        methods = {
            (r["subcriterion"], r["method"].split("(")[0])
            for r in read(tmp_path / "r_scores_long.csv")
        }
        assert ("3.1", "rank") in methods and ("3.2", "target") in methods
        assert ("4.1", option) in methods


def test_normalisation_alternatives_keep_fixed_columns() -> None:
    rows = ri.read_impacts(IMPACTS)
    w = equal_weights()
    alts = rk.normalisation_alternatives(rows, w)
    assert list(alts) == ["rank", "winsorised"]
    base = rk.build_matrix(rows)
    np.testing.assert_array_equal(alts["winsorised"], base.sub_scores)
    # judged grades (2.2, 5.2, 6.2) score the same under every method
    judged = base.judged
    np.testing.assert_array_equal(alts["rank"][judged], base.sub_scores[judged])
    assert not np.array_equal(alts["rank"], base.sub_scores)
    ranking = rk.rank_projects(base, w)
    off = rk.run_sensitivity(ranking, n_samples=300, top_k=2, seed=1)
    on = rk.run_sensitivity(ranking, n_samples=300, top_k=2, seed=1, alternatives=alts)
    assert off.settings() is None and off.normalisations == ()
    assert on.settings()["methods"] == ["rank", "winsorised"]  # type: ignore[index]
    np.testing.assert_array_equal(on.acceptability.base_rank, off.acceptability.base_rank)


def test_promethee_usual_and_linear_differ_but_agree_on_extremes(tmp_path: Path) -> None:
    m = rk.build_matrix(ri.read_impacts(IMPACTS))
    usual = rk.rank_projects(m, equal_weights(), method="promethee", preference="usual")
    linear = rk.rank_projects(m, equal_weights(), method="promethee", preference="linear")
    assert np.all((usual.score >= 0) & (usual.score <= 100))
    assert not np.allclose(usual.score, linear.score)
    # net flows sum to zero, so the 0-100 scores average 50
    assert usual.score.mean() == pytest.approx(50.0)
    assert linear.score.mean() == pytest.approx(50.0)


def test_effects_within_their_noise_band_are_flagged(tmp_path: Path) -> None:
    """An impacts.csv with a ``noise_band`` column (as ``mobility evaluate`` writes it): a
    modelled value no larger than its band is listed in ``within_noise``; a larger one, a
    judged grade or a row without a band is not; a negative band is refused with one line."""
    lines = IMPACTS.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",noise_band"]
    for line in lines[1:]:
        cells = line.split(",")
        band = ""
        if cells[0] == "P1" and cells[2] == "2.1":
            band = str(abs(float(cells[4])) * 2)  # the whole effect is noise
        elif cells[0] == "P1" and cells[2] == "3.1":
            band = str(abs(float(cells[4])) / 2)  # the effect is twice its band
        rows.append(line + "," + band)
    impacts = tmp_path / "impacts.csv"
    impacts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "ranking.csv"
    res = run("rank", str(impacts), "--projects", str(PROJECTS), "-o", str(out))
    assert res.exit_code == 0, res.output
    flagged = {r["project_id"]: r["within_noise"] for r in read(out)}
    assert flagged["P1"] == "2.1"
    assert all(v == "" for k, v in flagged.items() if k != "P1")
    rows[1] = rows[1].rsplit(",", 1)[0] + ",-1"
    impacts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--quiet", "rank", str(impacts), "-o", str(tmp_path / "b.csv")])
    assert bad.exit_code == 2 and "noise_band" in bad.output


def _with_decisions(tmp_path: Path, decisions: dict[str, str]) -> Path:
    """The fixture projects.csv with a ``decision`` column (``candidate`` unless given)."""
    rows = read(PROJECTS)
    path = tmp_path / "projects.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, [*rows[0], "decision", "decision_reason"])
        w.writeheader()
        for r in rows:
            d = decisions.get(r["id"], "candidate")
            w.writerow({**r, "decision": d, "decision_reason": "" if d == "candidate" else "x"})
    return path


def test_decided_projects_are_listed_not_ranked(tmp_path: Path) -> None:
    """A decided project keeps its appraisal (capex, NPV) in ranking.csv but gets no rank or
    score, and does not move the others: their scores equal a ranking of the candidates
    alone (it is outside the normalisation)."""
    ids = [r["id"] for r in read(PROJECTS)]
    gone, kept = ids[0], ids[1:]
    projects = _with_decisions(tmp_path, {gone: "decided"})
    out = tmp_path / "ranking.csv"
    res = run("rank", str(IMPACTS), "--projects", str(projects), "-o", str(out))
    assert res.exit_code == 0, res.output
    rows = read(out)
    assert [r["project_id"] for r in rows][-1] == gone
    last = rows[-1]
    assert last["decision"] == "decided" and last["rank"] == last["score"] == ""
    assert last["capex_mdkk"] and last["npv_mdkk"]
    assert {r["decision"] for r in rows[:-1]} == {"candidate"}
    # the same numbers as ranking the candidates without the decided one in the file
    impacts = tmp_path / "impacts_kept.csv"
    src = read(IMPACTS)
    with open(impacts, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(src[0]))
        w.writeheader()
        w.writerows(r for r in src if r["project_id"] != gone)
    alone = tmp_path / "alone.csv"
    assert run("rank", str(impacts), "--projects", str(projects), "-o", str(alone)).exit_code == 0
    assert [(r["project_id"], r["score"]) for r in read(alone)] == [
        (r["project_id"], r["score"]) for r in rows[:-1]
    ]
    assert sorted(r["project_id"] for r in rows[:-1]) == sorted(kept)


def test_unknown_decision_and_nothing_to_rank_exit_2(tmp_path: Path) -> None:
    ids = [r["id"] for r in read(PROJECTS)]
    bad = _with_decisions(tmp_path, {ids[0]: "maybe"})
    res = CliRunner().invoke(cli, ["rank", str(IMPACTS), "--projects", str(bad), "-o", "x.csv"])
    assert res.exit_code == 2 and "decision" in res.output and "maybe" in res.output
    none = _with_decisions(tmp_path, dict.fromkeys(ids, "decided"))
    res = CliRunner().invoke(cli, ["rank", str(IMPACTS), "--projects", str(none), "-o", "x.csv"])
    assert res.exit_code == 2 and "no candidate" in res.output


def test_rank_compare_and_optimise_read_excel_da_files(tmp_path: Path) -> None:
    """The excel-da files mobility writes (semicolons, decimal commas) read back: the same
    ranking as from the default files, and compare/optimise accept them (issue 14 item 6)."""
    from mobility.report.runfolder import TEXT_COLUMNS
    from mobility.report.writers import convert_csv_dialect

    da = tmp_path / "da"
    da.mkdir()
    for name in ("impacts.csv", "projects.csv"):
        shutil.copy(DATA / name, da / name)
        convert_csv_dialect(da / name, dialect="excel-da", text_columns=TEXT_COLUMNS | {"id"})
    assert ";" in (da / "impacts.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    plain, danish = tmp_path / "plain.csv", tmp_path / "danish.csv"
    assert run("rank", str(IMPACTS), "--projects", str(PROJECTS), "-o", str(plain)).exit_code == 0
    res = run(
        "rank", str(da / "impacts.csv"), "--projects", str(da / "projects.csv"), "-o", str(danish)
    )
    assert res.exit_code == 0, res.output
    assert plain.read_bytes() == danish.read_bytes()
    convert_csv_dialect(danish, dialect="excel-da", text_columns=TEXT_COLUMNS)
    res = run("compare", str(plain), str(danish))
    assert res.exit_code == 0 and "tau" in res.output.lower(), res.output
    res = run("optimise", str(danish), "--budget-mdkk", "10000", "-o", str(tmp_path / "p.csv"))
    assert res.exit_code == 0, res.output


def test_two_rankings_in_one_folder_keep_their_side_files(tmp_path: Path) -> None:
    """a.csv and b.csv in one folder: a_scores_long.csv and b_scores_long.csv, each manifest's
    hashes matching its own files (issue 14 item 6); ranking.csv keeps the plain names."""
    import hashlib

    for name, weights in (("a", "equal"), ("b", "climate_first")):
        res = run("rank", str(IMPACTS), "--weights", weights, "-o", str(tmp_path / f"{name}.csv"))
        assert res.exit_code == 0, res.output
    a, b = tmp_path / "a_scores_long.csv", tmp_path / "b_scores_long.csv"
    assert a.is_file() and b.is_file() and a.read_bytes() != b.read_bytes()
    assert not (tmp_path / "scores_long.csv").exists()
    for name in ("a", "b"):
        doc = json.loads((tmp_path / f"{name}.manifest.json").read_text(encoding="utf-8"))
        assert {Path(e["path"]).name for e in doc["outputs"].values()} == {
            f"{name}.csv",
            f"{name}_scores_long.csv",
        }
        for entry in doc["outputs"].values():
            path = tmp_path / Path(entry["path"]).name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], path
