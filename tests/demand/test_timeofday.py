"""Time-of-day periods (mobility.demand.timeofday): the bundled profile and the matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility.demand.timeofday import (
    COLUMNS,
    Period,
    TimeOfDay,
    default_time_of_day_path,
    load_time_of_day,
    mix_skims,
    period_matrices,
)
from mobility.errors import InputError


def _rows() -> list[str]:
    return default_time_of_day_path().read_text(encoding="utf-8").splitlines()


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "tod.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_bundled_profile_covers_the_day_and_balances():
    tod = load_time_of_day()
    assert sorted(h for q in tod.periods for h in q.hours_of_day) == list(range(24))
    assert sum(q.share for q in tod.periods) == pytest.approx(1.0)
    # every trip from home has its return over the weekday
    assert sum(q.share * q.from_home_share for q in tod.periods) == pytest.approx(0.5, abs=0.01)
    am, pm = tod.periods[tod.index("am_peak")], tod.periods[tod.index("pm_peak")]
    assert am.hours == pm.hours == 1
    # Vejdirektoratet count profiles: 8-10 % of AADT in the peak hour (AADT = 0.926 weekday)
    assert 0.08 <= am.share / 0.926 <= 0.10
    assert am.from_home_share > 0.7 and pm.from_home_share < 0.3
    assert tod.periods[0].name == "am_early"  # ordered from the morning
    assert tod.weights("peak").sum() == pytest.approx(1.0)
    assert tod.weights_all() @ np.ones(len(tod.periods)) == pytest.approx(1.0)


def test_period_matrices_conserve_trips_and_flip_direction():
    tod = load_time_of_day()
    rng = np.random.default_rng(7)
    home = rng.uniform(0, 100, (4, 4))
    business = rng.uniform(0, 10, (4, 4))
    commercial = rng.uniform(0, 5, (4, 4))
    for m in (home, business, commercial):
        np.fill_diagonal(m, 0.0)
    mats = period_matrices(home, business, commercial, tod)
    weekday = np.einsum("p,pij->ij", tod.hours, mats)
    # each OD pair's weekday total: both directions' home-based trips, business, commercial
    expected_sym = home + home.T + business + business.T + commercial + commercial.T
    np.testing.assert_allclose(weekday + weekday.T, expected_sym, rtol=1e-9)
    np.testing.assert_allclose(weekday.sum(), home.sum() + business.sum() + commercial.sum())
    am, pm = mats[tod.index("am_peak")], mats[tod.index("pm_peak")]
    f_am = tod.periods[tod.index("am_peak")].from_home_share
    assert am[0, 1] == pytest.approx(
        tod.periods[tod.index("am_peak")].hourly_share
        * (
            f_am * home[0, 1]
            + (1 - f_am) * home[1, 0]
            + 0.5 * (business[0, 1] + business[1, 0])
            + commercial[0, 1]
        )
    )
    assert np.all(np.diag(pm) == 0.0)


def test_mix_skims_weights():
    a = {"time_min": np.full((2, 2), 10.0)}
    b = {"time_min": np.full((2, 2), 20.0)}
    out = mix_skims([a, b], np.array([0.25, 0.75]), keys=("time_min",))
    np.testing.assert_allclose(out["time_min"], 17.5)


def test_hand_made_profile(tmp_path):
    lines = [",".join(COLUMNS)]
    for h in range(24):
        name, los = ("peak", "peak") if h in (7, 16) else ("rest", "offpeak")
        fh = {7: 1.0, 16: 0.0}.get(h, 0.5)
        share = 0.1 if h in (7, 16) else 0.8 / 22
        lines.append(f"{h},{name},{share},{fh},{los},M,test")
    tod = load_time_of_day(_write(tmp_path, lines))
    assert isinstance(tod, TimeOfDay) and set(tod.names) == {"rest", "peak"}
    peak = tod.periods[tod.index("peak")]
    assert isinstance(peak, Period) and peak.hours_of_day == (7, 16) and peak.los == "peak"
    assert peak.share == pytest.approx(0.2) and peak.from_home_share == pytest.approx(0.5)
    assert peak.hourly_share == pytest.approx(0.1)


def _edit_hour(rows: list[str], hour: int, column: str, value: str) -> list[str]:
    out = list(rows)
    cells = out[hour + 1].split(",")
    cells[COLUMNS.index(column)] = value
    out[hour + 1] = ",".join(cells)
    return out


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda r: r[:-1], "hour"),  # hour 23 missing
        (lambda r: [*r, r[1]], "hour"),  # hour 0 repeated
        (lambda r: _edit_hour(r, 3, "share_of_weekday_car_traffic", "0.2"), "share_of_weekday"),
        (lambda r: _edit_hour(r, 7, "from_home_share", "0.0"), "from_home_share"),
        (lambda r: _edit_hour(r, 7, "from_home_share", "1.5"), "from_home_share"),
        (lambda r: _edit_hour(r, 2, "los", "rush"), "los"),
        (lambda r: _edit_hour(r, 15, "los", "offpeak"), "los"),  # pm_shoulder split
        (lambda r: ["hour,period", *r[1:]], None),
    ],
)
def test_bad_profile_names_field(tmp_path, edit, field):
    path = _write(tmp_path, edit(_rows()))
    with pytest.raises(InputError) as err:
        load_time_of_day(path)
    assert "tod.csv" in str(err.value)
    if field:
        assert field in str(err.value)
