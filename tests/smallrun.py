"""A small ``mobility run`` that several tests share: the bundled reference with run choices
for a catalogue subset. Not a test module; the tests in this folder import it by name (pytest's
default ``prepend`` import mode puts this folder on ``sys.path``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from mobility.resources import bundled_dir, bundled_file

#: two candidates and c01, decided in reference_2035 (listed in ranking.csv, not ranked)
SUBSET = ("c01_motorring3_kapacitet", "c02_ring4_syd_motorvej", "vip_supercykelstier")
CSVS = (
    "indicators.csv",
    "link_flows.csv",
    "pt_lines.csv",
    "zones.csv",
    "committed.csv",
    "impacts.csv",
    "projects.csv",
    "cba.csv",
    "judgements.csv",
    "ranking.csv",
    "scores_long.csv",
    "sensitivity.csv",
    "portfolio.csv",
    "frontier.csv",
    *(f"link_flows/{pid}.csv" for pid in SUBSET),
)


def small_scenario(tmp_path: Path, *, only: tuple[str, ...] = SUBSET) -> Path:
    """The bundled reference with run choices for a catalogue subset."""
    data = yaml.safe_load(bundled_file("scenarios", "reference_2035.yaml").read_text("utf-8"))
    appraisal = dict(data.get("appraisal") or {})
    appraisal.update({"projects": str(bundled_dir("projects")), "only": list(only)})
    data["appraisal"] = appraisal
    data["scoring"] = {
        "weights": "equal",
        "method": "weighted_sum",
        "sensitivity": 200,
        "top_k": 1,
        "seed": 7,
    }
    data["portfolio"] = {"budget_mdkk": 1_000_000}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
