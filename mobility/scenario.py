"""Scenario files: what year to model, how to annualise, which committed changes apply.

A scenario is one YAML file (``scenarios/base.yaml``, ``scenarios/reference_2035.yaml``)
read with :func:`mobility.config.load_yaml` and validated once, here, into typed sections;
every error names the file and the dotted field. The sections of the later steps,
``appraisal``, ``scoring`` and ``portfolio``, are validated by
:mod:`mobility.scenario_sections` (their schema is there) into :attr:`Scenario.appraisal`,
:attr:`Scenario.scoring` and :attr:`Scenario.portfolio`; what needs more than the file (the
corridors' zones, the weights profile, the ``appraisal.only`` ids) is resolved where it is used.

Schema (all keys except ``name`` and ``year`` optional; defaults in brackets)::

    name: base                      # short identifier
    description: ...                # free text
    year: 2015                      # modelled year (zones, fleet)
    base_year: 2015                 # year the model is calibrated to [year]
    demand:
      trip_rate_factor: 1.0         # multiplier on base-year trip rates (rate change) [1.0]
      car_ownership_factor: 1.0     # cars per resident relative to the base year [1.0]
      commercial_traffic_factor: 1.0  # van + truck traffic relative to the base year [1.0]
      source: ...                   # where the factors come from
    annualisation:
      peak_hour_share: 0.10         # share of weekday trips in the morning peak hour
      peak_direction_share: 0.8     # share of home-based peak trips going home -> activity
      delay_peak_hour_to_weekday: 4 # weekday delay = this x peak-hour delay
      delay_weekdays_per_year: 230  # annual delay = this x weekday delay
      traffic_days_per_year: 338    # annual traffic = this x weekday traffic
      adt_per_weekday: 0.926        # AADT / weekday traffic
      source: ...
    fleet:
      ev_share: {2015: 0.005, 2035: 0.6}   # share of car-km driven electric, by year
    network:
      committed: [...]              # decided projects (see below)
    model:
      rel_gap: 1.0e-6               # assignment relative gap at the fixed point
      feedback_max_iter: 60
      feedback_tol: 1.0e-4          # stop when the relative L1 change of car demand < tol
      pt_route_choice: optimal_strategy  # or shortest_path (public-transport route choice)
      road_assignment: gp           # equilibrium algorithm of the car assignments (or bfw, ...)
      queue_flow_period_h: null     # Akçelik's T on motorways [each period's own length]
    forecast_years:                 # later model years of the appraisal's growth path [none]
      - year: 2045                  # after ``year``; zones.csv must tabulate it
        demand: {trip_rate_factor: ..., car_ownership_factor: ...,
                 commercial_traffic_factor: ...}   # as ``demand``, for that year [``demand``'s]
        source: ...                 # where the factors come from (required)
    region:                         # a user's own region data [the bundled region]
      roads: my_roads/              # GMNS folder, relative to this file
      transit: my_transit/          # transit folder (``mobility network from-gtfs`` makes one)
      zones: my_zones.csv           # zones CSV with the bundled columns
      source: ...                   # where the data come from (required with any of them)
    appraisal: {...}  scoring: {...}  portfolio: {...}   # mobility.scenario_sections

Each entry of ``network.committed`` is a decided project: ``id``, ``name``, ``status``
(built | decided | under_construction), ``opening_year``, ``source`` and ``changes`` in the
network-change schema of :mod:`mobility.region.edits`. Those open by ``year`` are applied to
a deep copy of the region inputs by :func:`mobility.region.edits.apply_changes`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobility.config import Fields, load_yaml
from mobility.errors import InputError
from mobility.network.assignment import ALGORITHMS
from mobility.network.transit_graph import ROUTE_CHOICES
from mobility.region.inputs import RegionFiles
from mobility.scenario_sections import (
    SECTIONS,
    AppraisalSection,
    PortfolioSection,
    ScoringSection,
    appraisal_section,
    portfolio_section,
    scoring_section,
)

#: Equilibrium algorithms a scenario may name for its car assignments (all but ``aon``).
ROAD_ASSIGNMENTS = tuple(a for a in ALGORITHMS if a != "aon")

TOP_LEVEL = (
    "name",
    "description",
    "year",
    "base_year",
    "demand",
    "annualisation",
    "fleet",
    "network",
    "model",
    "forecast_years",
    "region",
    *SECTIONS,
)
DEMAND_FACTORS = ("trip_rate_factor", "car_ownership_factor", "commercial_traffic_factor")

STATUSES = ("built", "decided", "under_construction")
COMMITTED_FIELDS = ("id", "name", "status", "opening_year", "source", "changes")


@dataclass(frozen=True)
class CommittedProject:
    """A decided project that is part of the scenario's network from ``opening_year``.

    ``changes`` use the network-change operations of :mod:`mobility.projects`
    (``add_link``, ``change_link``, ``add_transit_line`` ...).
    """

    id: str
    name: str
    status: str
    opening_year: int
    source: str
    changes: tuple[Any, ...]


@dataclass(frozen=True)
class Annualisation:
    """Factors from the modelled morning peak hour to weekday and year.

    Attributes
    ----------
    peak_hour_share
        Share of a weekday's trips made in the morning peak hour.
    peak_direction_share
        Share of home-based trips in the peak hour that go from home to the activity.
    delay_peak_hour_to_weekday
        Weekday car delay divided by peak-hour car delay.
    delay_weekdays_per_year
        Annual delay divided by weekday delay (≈ 230, domain-facts §4 [D]).
    traffic_days_per_year
        Annual traffic (vehicle-km) divided by weekday traffic.
    adt_per_weekday
        Annual average daily traffic divided by weekday traffic.
    """

    peak_hour_share: float = 0.10
    peak_direction_share: float = 0.8
    delay_peak_hour_to_weekday: float = 4.0
    delay_weekdays_per_year: float = 230.0
    traffic_days_per_year: float = 338.0
    adt_per_weekday: float = 0.926

    def as_dict(self) -> dict[str, float]:
        """The factors as a plain mapping (for manifests and reports)."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ModelSettings:
    """Numerical settings of the demand/supply loop."""

    rel_gap: float = 1e-6
    feedback_max_iter: int = 60
    feedback_tol: float = 1e-4
    #: Public-transport route choice, one of
    #: :data:`mobility.network.transit_graph.ROUTE_CHOICES`.
    pt_route_choice: str = ROUTE_CHOICES[0]
    #: Equilibrium algorithm of the car assignments, one of :data:`ROAD_ASSIGNMENTS`. Path-based
    #: gradient projection converges in far fewer sweeps than bi-conjugate Frank-Wolfe on the
    #: motorways' queueing function (benchmarks/README.md).
    road_assignment: str = "gp"
    #: Flow period T (hours) of the motorways' queueing function in every time-of-day period;
    #: ``None``: each period's own length (docs/calibration.md, "What the queueing function's
    #: flow period does to the appraisal").
    queue_flow_period_h: float | None = None


@dataclass(frozen=True)
class ForecastYear:
    """A later model year of the appraisal's growth path (issue 11, item 6).

    Attributes
    ----------
    year
        The model year (after the scenario's ``year``).
    trip_rate_factor, car_ownership_factor, commercial_traffic_factor
        The demand factors of that year, relative to the base year.
    source
        Where the factors come from.
    """

    year: int
    trip_rate_factor: float
    car_ownership_factor: float
    commercial_traffic_factor: float
    source: str


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file.

    Attributes
    ----------
    name, year, base_year, path
        Identification; ``path`` is the YAML file (``None`` when built in code).
    description
        Free text.
    trip_rate_factor
        Multiplier on base-year trip rates (change in trip-making per person).
    car_ownership_factor
        Cars per resident relative to the base year (car availability in mode choice).
    commercial_traffic_factor
        Van and truck road traffic relative to the base year.
    annualisation
        Peak-hour to weekday and year factors.
    ev_share_by_year
        Share of car vehicle-km driven electric, by year (interpolated linearly).
    committed
        Decided projects (network changes) in the scenario's network from their opening year.
    settings
        Numerical settings of the model loop.
    forecast_years
        Later model years of the appraisal's growth path (:meth:`at_year`).
    region_files
        A user's own roads, transit and zones (``None`` each: the bundled region).
    appraisal
        The ``appraisal`` section: the catalogue folder, the ``only`` ids, the material-benefit
        threshold, the discount base year and the corridors (their zone names unresolved;
        :func:`mobility.impacts.appraisal.settings_from_scenario` resolves them).
    scoring
        The ``scoring`` section: weights, MCDA method, normalisation and sensitivity draws of
        ``mobility run``'s ranking.
    portfolio
        The ``portfolio`` section: budgets and constraints of the portfolio.
    """

    name: str
    year: int
    base_year: int
    path: Path | None
    description: str = ""
    trip_rate_factor: float = 1.0
    car_ownership_factor: float = 1.0
    commercial_traffic_factor: float = 1.0
    annualisation: Annualisation = field(default_factory=Annualisation)
    ev_share_by_year: dict[int, float] = field(default_factory=dict)
    committed: tuple[CommittedProject, ...] = ()
    settings: ModelSettings = field(default_factory=ModelSettings)
    forecast_years: tuple[ForecastYear, ...] = ()
    region_files: RegionFiles = field(default_factory=RegionFiles)
    appraisal: AppraisalSection = field(default_factory=AppraisalSection)
    scoring: ScoringSection = field(default_factory=ScoringSection)
    portfolio: PortfolioSection = field(default_factory=PortfolioSection)

    def at_year(self, year: int) -> Scenario:
        """The scenario in one of its ``forecast_years``: that year's demand factors, and the
        committed projects open by then (:attr:`network_changes`); ``year`` itself: ``self``.

        Raises
        ------
        InputError
            If ``year`` is neither the scenario year nor one of its forecast years.
        """
        if year == self.year:
            return self
        for f in self.forecast_years:
            if f.year == year:
                return dataclasses.replace(
                    self,
                    year=f.year,
                    trip_rate_factor=f.trip_rate_factor,
                    car_ownership_factor=f.car_ownership_factor,
                    commercial_traffic_factor=f.commercial_traffic_factor,
                )
        raise InputError(
            f"year {year} is not a model year of scenario '{self.name}'",
            file=self.path,
            field="forecast_years",
            expected="one of " + ", ".join(str(y) for y in self.model_years),
        )

    @property
    def model_years(self) -> tuple[int, ...]:
        """The scenario year and its forecast years, in order."""
        return (self.year, *(f.year for f in self.forecast_years))

    @property
    def network_changes(self) -> tuple[Any, ...]:
        """The changes of every committed project open in the scenario year, in file order."""
        return tuple(c for p in self.committed if p.opening_year <= self.year for c in p.changes)

    def without(self, ids: Sequence[str]) -> Scenario:
        """A copy without the committed projects ``ids`` (e.g. to appraise one of them).

        Raises
        ------
        InputError
            If an id is not a committed project of this scenario.
        """
        known = {p.id for p in self.committed}
        for i in ids:
            if i not in known:
                raise InputError(
                    f"'{i}' is not a committed project of scenario '{self.name}'",
                    file=self.path,
                    field="network.committed",
                    expected="one of " + ", ".join(sorted(known)),
                )
        keep = tuple(p for p in self.committed if p.id not in set(ids))
        return dataclasses.replace(self, committed=keep)

    def tightened(self, factor: float) -> Scenario:
        """A copy whose ``model.feedback_tol`` and ``model.rel_gap`` are ``factor`` times
        smaller (the appraisal's noise band solves every run this way as well)."""
        s = self.settings
        return dataclasses.replace(
            self,
            settings=dataclasses.replace(
                s, feedback_tol=s.feedback_tol / factor, rel_gap=s.rel_gap / factor
            ),
        )

    def ev_share(self, year: int | None = None) -> float:
        """Electric share of car vehicle-km in ``year`` (default: the scenario year).

        Linear interpolation between the listed years, constant beyond the ends; 0 if the
        scenario lists none.
        """
        y = self.year if year is None else year
        if not self.ev_share_by_year:
            return 0.0
        years = sorted(self.ev_share_by_year)
        if y <= years[0]:
            return self.ev_share_by_year[years[0]]
        if y >= years[-1]:
            return self.ev_share_by_year[years[-1]]
        for a, b in itertools.pairwise(years):
            if a <= y <= b:
                wa, wb = self.ev_share_by_year[a], self.ev_share_by_year[b]
                return wa + (wb - wa) * (y - a) / (b - a)
        raise AssertionError("unreachable")  # pragma: no cover


def _annualisation(f: Fields | None) -> Annualisation:
    if f is None:
        return Annualisation()
    f.check_unknown((*Annualisation.__dataclass_fields__, "source"))
    d = Annualisation()
    return Annualisation(
        peak_hour_share=f.number("peak_hour_share", d.peak_hour_share, minimum=0.01, maximum=0.5),
        peak_direction_share=f.number(
            "peak_direction_share", d.peak_direction_share, minimum=0.5, maximum=1.0
        ),
        delay_peak_hour_to_weekday=f.number(
            "delay_peak_hour_to_weekday", d.delay_peak_hour_to_weekday, minimum=1.0, maximum=24.0
        ),
        delay_weekdays_per_year=f.number(
            "delay_weekdays_per_year", d.delay_weekdays_per_year, minimum=1.0, maximum=366.0
        ),
        traffic_days_per_year=f.number(
            "traffic_days_per_year", d.traffic_days_per_year, minimum=1.0, maximum=366.0
        ),
        adt_per_weekday=f.number("adt_per_weekday", d.adt_per_weekday, minimum=0.5, maximum=1.5),
    )


def _fleet(f: Fields | None) -> dict[int, float]:
    if f is None:
        return {}
    f.check_unknown(("ev_share", "source"))
    raw = f.raw("ev_share", {})
    shares = Fields(raw, file=f.file, prefix=f.path("ev_share"))
    out: dict[int, float] = {}
    for key in shares.data:
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise shares.error(str(key), "is not a year", expected="an integer year") from None
        if not 1900 <= year <= 2200:
            raise shares.error(str(key), "is not a plausible year", expected="1900..2200")
        out[year] = shares.number(key, minimum=0.0, maximum=1.0)
    return dict(sorted(out.items()))


def _committed(f: Fields | None) -> tuple[CommittedProject, ...]:
    from mobility.region import parse_network_change

    if f is None:
        return ()
    f.check_unknown(("committed", "source"))
    if f.raw("committed", None) is None:
        return ()
    out = []
    seen: set[str] = set()
    for item in f.items("committed"):
        item.check_unknown(COMMITTED_FIELDS)
        ident = item.str("id")
        if ident in seen:
            raise item.error("id", f"duplicate project id '{ident}'", expected="unique ids")
        seen.add(ident)
        changes = tuple(parse_network_change(c) for c in item.items("changes"))
        if not changes:
            raise item.error("changes", "is empty", expected="at least one network change")
        out.append(
            CommittedProject(
                id=ident,
                name=item.str("name"),
                status=item.str("status", choices=STATUSES),
                opening_year=item.number("opening_year", minimum=1990, maximum=2100, integer=True),
                source=item.str("source"),
                changes=changes,
            )
        )
    return tuple(out)


def _region_files(top: Fields, base: Path | None) -> RegionFiles:
    """The ``region`` section: a user's own data files, relative to the scenario file."""
    f = top.sub("region", None)
    if f is None:
        return RegionFiles()
    f.check_unknown(("roads", "transit", "zones", "source"))
    found: dict[str, Path] = {}
    for key, kind in (("roads", "folder"), ("transit", "folder"), ("zones", "file")):
        name = f.str(key, None)
        if name is None:
            continue
        path = (base / name) if base is not None else Path(name)
        ok = path.is_dir() if kind == "folder" else path.is_file()
        if not ok:
            raise f.error(key, f"{kind} '{name[:80]}' not found", expected=f"a {kind}")
        found[key] = path.resolve()
    if found:
        f.str("source")  # own data must say where they come from
    return RegionFiles(**found)


def _forecast_years(
    top: Fields, year: int, defaults: tuple[float, float, float]
) -> tuple[ForecastYear, ...]:
    """The ``forecast_years`` list: years after ``year``, increasing, each with a source."""
    if top.raw("forecast_years", None) is None:
        return ()
    out: list[ForecastYear] = []
    for item in top.items("forecast_years"):
        item.check_unknown(("year", "demand", "source"))
        last = out[-1].year if out else year
        y = item.number("year", minimum=1990, maximum=2100, integer=True)
        if y <= last:
            raise item.error("year", f"{y} is not after {last}", expected=f"a year after {last}")
        factors = list(defaults)
        demand = item.sub("demand", None)
        if demand is not None:
            demand.check_unknown(DEMAND_FACTORS)
            bounds = ((0.1, 5.0), (0.2, 5.0), (0.2, 5.0))
            for i, (key, (lo, hi)) in enumerate(zip(DEMAND_FACTORS, bounds, strict=True)):
                factors[i] = demand.number(key, factors[i], minimum=lo, maximum=hi)
        rate, cars, commercial = factors
        out.append(ForecastYear(y, rate, cars, commercial, source=item.str("source")))
    return tuple(out)


def _settings(f: Fields | None) -> ModelSettings:
    if f is None:
        return ModelSettings()
    f.check_unknown(
        (
            "rel_gap",
            "feedback_max_iter",
            "feedback_tol",
            "pt_route_choice",
            "road_assignment",
            "queue_flow_period_h",
        )
    )
    d = ModelSettings()
    return ModelSettings(
        rel_gap=f.number("rel_gap", d.rel_gap, minimum=1e-12, maximum=0.1),
        feedback_max_iter=f.number(
            "feedback_max_iter", d.feedback_max_iter, minimum=1, integer=True
        ),
        feedback_tol=f.number("feedback_tol", d.feedback_tol, minimum=1e-9, maximum=1.0),
        pt_route_choice=f.str("pt_route_choice", d.pt_route_choice, choices=ROUTE_CHOICES),
        road_assignment=f.str("road_assignment", d.road_assignment, choices=ROAD_ASSIGNMENTS),
        queue_flow_period_h=f.number("queue_flow_period_h", None, minimum=0.25, maximum=24.0),
    )


def scenario_from_mapping(data: Any, *, path: str | Path | None = None) -> Scenario:
    """Validate a scenario mapping (as read from YAML) and build a :class:`Scenario`.

    Raises
    ------
    InputError
        Naming ``path`` and the dotted field of the first problem.
    """
    label = path if path is not None else "(scenario)"
    top = Fields(data, file=label)
    top.check_unknown(TOP_LEVEL)
    name = top.str("name")
    if (
        not name.strip()
        or name in (".", "..")
        or any(c in name for c in "/\\\0")
        or Path(name).is_absolute()
    ):
        raise top.error(
            "name",
            f"'{name[:60]}' is not a plain name",
            expected="a plain name (no path separators, not . or ..): it names the output folder",
        )
    year = top.number("year", minimum=1990, maximum=2100, integer=True)
    base_year = top.number("base_year", year, minimum=1990, maximum=2100, integer=True)
    if base_year > year:
        raise top.error("base_year", f"{base_year} is after year {year}", expected="<= year")
    demand = top.sub("demand", None)
    rate, cars, commercial = 1.0, 1.0, 1.0
    if demand is not None:
        demand.check_unknown(
            ("trip_rate_factor", "car_ownership_factor", "commercial_traffic_factor", "source")
        )
        rate = demand.number("trip_rate_factor", 1.0, minimum=0.1, maximum=5.0)
        cars = demand.number("car_ownership_factor", 1.0, minimum=0.2, maximum=5.0)
        commercial = demand.number("commercial_traffic_factor", 1.0, minimum=0.2, maximum=5.0)
    base = Path(path).resolve().parent if path is not None else None
    return Scenario(
        name=name,
        year=year,
        base_year=base_year,
        path=Path(path) if path is not None else None,
        description=top.str("description", ""),
        trip_rate_factor=rate,
        car_ownership_factor=cars,
        commercial_traffic_factor=commercial,
        annualisation=_annualisation(top.sub("annualisation", None)),
        ev_share_by_year=_fleet(top.sub("fleet", None)),
        committed=_committed(top.sub("network", None)),
        settings=_settings(top.sub("model", None)),
        forecast_years=_forecast_years(top, year, (rate, cars, commercial)),
        region_files=_region_files(top, base),
        appraisal=appraisal_section(top, base),
        scoring=scoring_section(top, base),
        portfolio=portfolio_section(top),
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path
        The scenario file.

    Raises
    ------
    InputError
        If the file is missing, not YAML, or a field is invalid (file and field named).
    """
    p = Path(path)
    data = load_yaml(p)
    if data is None:
        raise InputError("is empty", file=p, expected="a scenario mapping")
    return scenario_from_mapping(data, path=p)
