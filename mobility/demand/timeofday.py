"""Time of day: the weekday split into periods, each assigned as one representative hour.

The weekday car traffic profile is read from ``mobility/data/time_of_day.csv`` (one row per
hour of the day: ``hour,period,share_of_weekday_car_traffic,from_home_share,los,tag,source``).
Hours with the same ``period`` are grouped; a period is modelled by its *mean hour*:

* hourly matrix of period ``p`` = ``share_p / hours_p`` x weekday vehicle trips, where
  ``share_p`` is the period's share of weekday car traffic;
* direction: home-based trips (commute, other; production-attraction form ``V``) go
  ``f_p V + (1 - f_p) V^T`` with ``f_p`` the period's share of trips leaving home (morning
  outbound, afternoon return: the PM matrix is mostly the transposed AM matrix); business
  trips are split evenly; the weekday total of ``f`` weighted by traffic must be 0.5 (every
  trip from home has its return);
* ``los``: ``peak`` periods give the car level of service of commute and business trips,
  ``offpeak`` periods that of other trips (traffic-weighted means over the periods' skims).

Weekday totals of a link quantity ``x_p`` (flow, delay) are ``sum_p hours_p x_p``. Hourly
variation *inside* a period is not modelled, so congestion inside long periods is somewhat
understated (delay is convex in flow).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mobility.errors import InputError
from mobility.resources import data_dir

COLUMNS = (
    "hour",
    "period",
    "share_of_weekday_car_traffic",
    "from_home_share",
    "los",
    "tag",
    "source",
)
LOS_KINDS = ("peak", "offpeak")
#: Tolerances of the profile checks (shares sum to 1; weekday from-home share 0.5).
SHARE_TOL = 1e-3
BALANCE_TOL = 0.01


@dataclass(frozen=True)
class Period:
    """One time-of-day period.

    Attributes
    ----------
    name
        Period name (``am_peak``, ``midday`` ...).
    hours_of_day
        The clock hours (0-23, start of hour) that make up the period.
    share
        Share of weekday car traffic in the period (all its hours together).
    from_home_share
        Traffic-weighted share of home-based trips leaving home in the period.
    los
        ``peak`` or ``offpeak``: which purposes take their car level of service from it.
    """

    name: str
    hours_of_day: tuple[int, ...]
    share: float
    from_home_share: float
    los: str

    @property
    def hours(self) -> int:
        """Length of the period in hours."""
        return len(self.hours_of_day)

    @property
    def hourly_share(self) -> float:
        """Share of weekday car traffic in the period's mean hour."""
        return self.share / self.hours


@dataclass(frozen=True)
class TimeOfDay:
    """The weekday periods, ordered by their first clock hour (morning peak first)."""

    periods: tuple[Period, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Period names in order."""
        return tuple(p.name for p in self.periods)

    @property
    def hours(self) -> np.ndarray:
        """``(P,)`` period lengths in hours."""
        return np.array([p.hours for p in self.periods], dtype=np.float64)

    def index(self, name: str) -> int:
        """Position of period ``name``."""
        return self.names.index(name)

    def weights_all(self) -> np.ndarray:
        """``(P,)`` traffic shares of all periods (sum 1)."""
        w = np.array([p.share for p in self.periods])
        return w / w.sum()

    def weights(self, los: str) -> np.ndarray:
        """``(P,)`` traffic shares of the periods of kind ``los``, normalised to sum 1."""
        w = np.array([p.share if p.los == los else 0.0 for p in self.periods])
        return w / w.sum()


def default_time_of_day_path() -> Path:
    """The bundled ``time_of_day.csv``."""
    return data_dir() / "time_of_day.csv"


def _number(raw: str, *, path: Path, line: int, name: str, lo: float, hi: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InputError(
            f"has value {raw!r}", file=path, line=line, field=name, expected="a number"
        ) from None
    if not lo <= value <= hi:
        raise InputError(
            f"has value {raw!r}", file=path, line=line, field=name, expected=f"{lo}..{hi}"
        )
    return value


def load_time_of_day(path: str | Path | None = None) -> TimeOfDay:
    """Read and check the hourly weekday profile (default: the bundled file).

    Raises
    ------
    InputError
        Wrong header or values, an hour missing or repeated, shares not summing to 1, or
        from-home shares not balancing to 0.5 over the weekday (file, line, field named).
    """
    p = Path(path) if path is not None else default_time_of_day_path()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        raise InputError(f"header is {header}", file=p, line=1, expected=",".join(COLUMNS))
    groups: dict[str, list[tuple[int, float, float]]] = {}
    los_of: dict[str, str] = {}
    seen: set[int] = set()
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise InputError(f"has {len(row)} columns", file=p, line=line, expected="7")
        raw_h, name, raw_s, raw_f, los, _tag, source = row
        hour = int(_number(raw_h, path=p, line=line, name="hour", lo=0, hi=23))
        if hour in seen:
            raise InputError(f"hour {hour} repeated", file=p, line=line, field="hour")
        seen.add(hour)
        share = _number(raw_s, path=p, line=line, name=COLUMNS[2], lo=0.0, hi=1.0)
        fh = _number(raw_f, path=p, line=line, name="from_home_share", lo=0.0, hi=1.0)
        if los not in LOS_KINDS:
            raise InputError(
                f"has los {los!r}", file=p, line=line, field="los", expected="|".join(LOS_KINDS)
            )
        if los_of.setdefault(name, los) != los:
            raise InputError(f"period '{name}' has two los kinds", file=p, line=line, field="los")
        if not source.strip():
            raise InputError("has no source", file=p, line=line, field="source")
        groups.setdefault(name, []).append((hour, share, fh))
    missing = sorted(set(range(24)) - seen)
    if missing:
        raise InputError(f"hours missing: {missing}", file=p, field="hour", expected="0..23")
    total = sum(s for rows in groups.values() for _h, s, _f in rows)
    if abs(total - 1.0) > SHARE_TOL:
        raise InputError(f"shares sum to {total:.4f}", file=p, field=COLUMNS[2], expected="1.0")
    periods = []
    for name, rows in groups.items():
        share = sum(s for _h, s, _f in rows) / total
        fh = sum(s * f for _h, s, f in rows) / max(sum(s for _h, s, _f in rows), 1e-12)
        periods.append(Period(name, tuple(h for h, _s, _f in rows), share, fh, los_of[name]))
    balance = sum(q.share * q.from_home_share for q in periods)
    if abs(balance - 0.5) > BALANCE_TOL:
        raise InputError(
            f"weekday from-home share is {balance:.4f}",
            file=p,
            field="from_home_share",
            expected="0.5 (every trip from home returns)",
        )
    for kind in LOS_KINDS:
        if not any(q.los == kind and q.share > 0 for q in periods):
            raise InputError(f"no period with los '{kind}'", file=p, field="los")

    def first_hour(q: Period) -> int:  # the day starts at 06:00 for ordering
        return min((h - 6) % 24 for h in q.hours_of_day)

    return TimeOfDay(periods=tuple(sorted(periods, key=first_hour)))


def period_matrices(
    home_based: np.ndarray, business: np.ndarray, commercial: np.ndarray, tod: TimeOfDay
) -> np.ndarray:
    """``(P, Z, Z)`` hourly vehicle (PCU) matrices of the periods' mean hours, diagonal zero.

    Parameters
    ----------
    home_based
        ``(Z, Z)`` weekday car vehicle trips of home-based purposes, production-attraction
        form (row = home zone).
    business
        ``(Z, Z)`` weekday business car vehicle trips (split evenly by direction).
    commercial
        ``(Z, Z)`` weekday van and truck PCU trips, origin-destination form.
    tod
        The periods.
    """
    z = home_based.shape[0]
    out = np.empty((len(tod.periods), z, z))
    even = 0.5 * (business + business.T) + commercial
    for k, q in enumerate(tod.periods):
        f = q.from_home_share
        out[k] = q.hourly_share * (f * home_based + (1.0 - f) * home_based.T + even)
        np.fill_diagonal(out[k], 0.0)
    return out


def mix_skims(
    skims: Sequence[Mapping[str, np.ndarray]], weights: np.ndarray, *, keys: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Weighted mean of per-period skims (entries ``keys``), weights summing to 1."""
    out: dict[str, np.ndarray] = {}
    for key in keys:
        acc = np.zeros_like(np.asarray(skims[0][key], dtype=np.float64))
        for w, s in zip(weights, skims, strict=True):
            if w > 0:
                acc = acc + w * np.asarray(s[key], dtype=np.float64)
        out[key] = acc
    return out
