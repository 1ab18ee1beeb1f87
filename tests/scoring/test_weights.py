"""Weights files: bundled profiles and validation errors naming file and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.resources import bundled_dir
from mobility.scoring.weights import equal_weights, load_weights, resolve_weights


@pytest.mark.parametrize("name", ["equal", "climate_first", "accessibility_first"])
def test_bundled_profiles_are_valid(name: str) -> None:
    w = resolve_weights(name)
    assert w.criteria.shape == (6,) and w.subcriteria.shape == (12,)
    assert w.criteria.sum() == pytest.approx(1.0)
    assert w.effective.sum() == pytest.approx(1.0)
    assert np.all(w.criteria >= 0)
    assert (bundled_dir("weights") / f"{name}.yaml").is_file()


def test_profiles_express_their_priority() -> None:
    climate = resolve_weights("climate_first")
    access = resolve_weights("accessibility_first")
    assert np.argmax(climate.criteria) == 2  # pejlemærke 3, less CO2
    assert set(np.flatnonzero(access.criteria == access.criteria.max())) == {1, 4}
    np.testing.assert_allclose(resolve_weights("equal").effective, equal_weights().effective)


def test_relative_weights_are_normalised(tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text(
        'criteria: {"1": 2, "2": 2, "3": 4, "4": 0, "5": 1, "6": 1}\n'
        'subcriteria: {"3.1": 3, "3.2": 1}\n'
    )
    w = load_weights(p)
    np.testing.assert_allclose(w.criteria, [0.2, 0.2, 0.4, 0.0, 0.1, 0.1])
    np.testing.assert_allclose(w.subcriteria[4:6], [0.75, 0.25])
    np.testing.assert_allclose(w.subcriteria[0:2], [0.5, 0.5])
    assert w.effective[4] == pytest.approx(0.3)


def test_target_normalisation(tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text('normalisation: {"3.1": {method: target, zero: 0, target: -20000}}\n')
    w = load_weights(p)
    assert w.normalisation["3.1"].method == "target"
    assert w.normalisation["3.1"].target == -20000.0


def test_per_subcriterion_robust_methods(tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text('normalisation: {"4.2": {method: rank}, "3.1": {method: minmax}}\n')
    w = load_weights(p)
    assert (w.normalisation["4.2"].method, w.normalisation["3.1"].method) == ("rank", "minmax")
    assert w.as_dict()["normalisation"]["4.2"] == {"method": "rank", "zero": None, "target": None}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('criteria: {"1": -1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1}\n', "criteria.1"),
        ('criteria: {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "7": 1}\n', "criteria.7"),
        ('criteria: {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}\n', "criteria.6"),
        ('criteria: {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0}\n', "criteria"),
        ('criteria: {"1": x, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1}\n', "criteria.1"),
        ('subcriteria: {"3.1": 1}\n', "subcriteria.3.2"),
        ('subcriteria: {"3.1": 0, "3.2": 0}\n', "subcriteria"),
        ('subcriteria: {"9.9": 1}\n', "subcriteria.9.9"),
        ("wieghts: 1\n", "wieghts"),
        ('normalisation: {"2.1": {method: target, zero: 5}}\n', "normalisation.2.1.target"),
        ('normalisation: {"2.1": {method: zscore}}\n', "normalisation.2.1.method"),
    ],
)
def test_bad_weights_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        load_weights(p)
    assert exc.value.field == field
    assert "bad.yaml" in str(exc.value)


def test_missing_file_and_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="weights file not found"):
        resolve_weights(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="not found"):
        resolve_weights("no_such_profile")
    p = tmp_path / "broken.yaml"
    p.write_text("criteria: {1: [\n")
    with pytest.raises(InputError, match="YAML syntax error"):
        load_weights(p)
