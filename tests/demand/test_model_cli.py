"""`mobility model`: byte-identical outputs on two runs; one-line errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.resources import bundled_file


@pytest.mark.slow
def test_two_runs_byte_identical(tmp_path):
    scenario = str(bundled_file("scenarios", "base.yaml"))
    runner = CliRunner()
    for name in ("a", "b"):
        res = runner.invoke(cli, ["--quiet", "model", scenario, "-o", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    for f in ("indicators.csv", "link_flows.csv", "pt_lines.csv", "zones.csv", "map.gpkg"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_bad_scenario_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nyear: 2035\nannualisation:\n  peak_hour_share: 7\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["model", str(bad), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "annualisation.peak_hour_share" in res.output
    assert not (tmp_path / "out").exists()


def test_missing_scenario(tmp_path):
    res = CliRunner().invoke(cli, ["model", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "not found" in res.output
