"""The six pejlemærker (criteria) and twelve sub-criteria as data.

The framework is the one the scoring in issue 5 is built around: six criteria, each with two
sub-criteria (ids ``1.1`` ... ``6.2``), with Danish and English names. For each sub-criterion
this module lists the indicators (rows of ``impacts.csv``, see issue 4) that can feed it, in
priority order, and their direction (``max``: more is better, ``min``: less is better).

How a sub-criterion's raw value is chosen for one project (:func:`select_indicator`):

1. the first indicator of :attr:`SubCriterion.indicators` the project has a row for (the
   primary indicator, else the next one, ...);
2. else its judged rows (``basis == "judged"`` or indicator ``grade``): a planner's 0-4 grade,
   averaged if there are several judged indicators;
3. else (only unknown, modelled indicators) an :class:`~mobility.errors.InputError`, since the
   direction of an unknown indicator cannot be guessed.

When min-max normalisation would rest on a single project (only one project reports that
indicator), the project's judged grade for the sub-criterion is used instead if it has one
(:func:`mobility.scoring.ranking.build_matrix`).

Edit the tables below to change the framework; everything else reads them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mobility.errors import InputError

#: Indicator name that always holds a planner's 0-4 grade.
GRADE = "grade"
#: The scale of judged grades.
GRADE_MIN = 0.0
GRADE_MAX = 4.0


@dataclass(frozen=True)
class Indicator:
    """One indicator that can feed a sub-criterion.

    Attributes
    ----------
    name
        The ``indicator`` value in ``impacts.csv``.
    direction
        ``"max"`` if more is better, ``"min"`` if less is better.
    unit
        The unit the appraisal writes (informative; not enforced).
    """

    name: str
    direction: str
    unit: str


@dataclass(frozen=True)
class SubCriterion:
    """A sub-criterion (``"1.1"`` ... ``"6.2"``) and the indicators that feed it."""

    id: str
    name_da: str
    name_en: str
    indicators: tuple[Indicator, ...]

    @property
    def criterion(self) -> str:
        """The id of the criterion this sub-criterion belongs to (``"1"`` ... ``"6"``)."""
        return self.id.split(".")[0]

    def indicator(self, name: str) -> Indicator | None:
        """The indicator called ``name``, or None if it is not listed for this sub-criterion."""
        for ind in self.indicators:
            if ind.name == name:
                return ind
        return None


@dataclass(frozen=True)
class Criterion:
    """A pejlemærke (``"1"`` ... ``"6"``) with its sub-criteria."""

    id: str
    name_da: str
    name_en: str
    subcriteria: tuple[SubCriterion, ...]


def _sub(id_: str, da: str, en: str, *indicators: tuple[str, str, str]) -> SubCriterion:
    return SubCriterion(id_, da, en, tuple(Indicator(n, d, u) for n, d, u in indicators))


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "1",
        "Fælles relevans",
        "Shared relevance",
        (
            _sub(
                "1.1",
                "Bred kommunal og regional effekt, også i yderkommunerne",
                "Broad municipal and regional effect, including the outer municipalities",
                ("time_gain_h_per_resident_municipal_mean", "max", "h/resident/year"),
                ("outer_share_of_time_gain", "max", "share"),
            ),
            _sub(
                "1.2",
                "Mange borgere, arbejdspladser og områder får gavn",
                "Many residents, workplaces and areas benefit",
                ("residents_benefiting", "max", "persons"),
                ("jobs_benefiting", "max", "jobs"),
            ),
        ),
    ),
    Criterion(
        "2",
        "Sammenhæng",
        "Connectivity",
        (
            _sub(
                "2.1",
                "Kortere rejsetider på veldefinerede rejser",
                "Shorter travel times on well-defined journeys",
                ("corridor_peak_minutes_saved_per_trip", "max", "min/trip"),
                ("corridor_hours_saved_per_year", "max", "h/year"),
                ("hours_saved_per_year", "max", "h/year"),
            ),
            _sub(
                "2.2",
                "Nye mobilitetsformer og innovation",
                "New forms of mobility and innovation",
            ),
        ),
    ),
    Criterion(
        "3",
        "Mindre CO2",
        "Less CO2",
        (
            _sub(
                "3.1",
                "Grønnere drivmidler og transportformer",
                "Greener fuels and modes of transport",
                ("co2e_change_t_per_year", "min", "t/year"),
                ("car_trips_shifted_per_day", "max", "trips/day"),
            ),
            _sub(
                "3.2",
                "Lav-CO2 anlæg",
                "Low-CO2 construction",
                ("construction_co2e_vs_type_norm", "min", "ratio"),
                ("construction_co2e_t", "min", "t"),
                ("co2e_payback_years", "min", "years"),
            ),
        ),
    ),
    Criterion(
        "4",
        "Folkesundhed",
        "Public health",
        (
            _sub(
                "4.1",
                "Skift til cykel og aktive transportformer",
                "Shift to cycling and active modes",
                ("active_km_change_per_day", "max", "km/day"),
                ("cycle_km_change_per_day", "max", "km/day"),
                ("cycle_trips_change_per_day", "max", "trips/day"),
                ("health_benefit_mdkk_per_year", "max", "mDKK/year"),
            ),
            _sub(
                "4.2",
                "Mindre støj og partikler",
                "Less noise and particles",
                ("residents_exposed_change", "min", "persons"),
                ("noise_exposure_change", "min", "resident-weighted vehicles"),
            ),
        ),
    ),
    Criterion(
        "5",
        "Attraktiv kollektiv trafik",
        "Attractive public transport",
        (
            _sub(
                "5.1",
                "Adgang, kvalitet og rejseoplevelse",
                "Access, quality and travel experience",
                ("pt_time_saved_h_per_year", "max", "h/year"),
                ("pt_boardings_change_per_day", "max", "boardings/day"),
                ("jobs_reachable_pt_45min_change", "max", "jobs"),
            ),
            _sub(
                "5.2",
                "Integration af transportformer",
                "Integration of transport modes",
                ("transfers_saved_per_day", "max", "transfers/day"),
                ("transfer_hours_saved_per_year", "max", "h/year"),
            ),
        ),
    ),
    Criterion(
        "6",
        "Økonomisk bæredygtighed",
        "Economic sustainability",
        (
            _sub(
                "6.1",
                "Høj samfundsøkonomisk forrentning",
                "High socio-economic return",
                ("nnk", "max", "ratio"),
                ("npv_mdkk", "max", "mDKK"),
                ("bcr", "max", "ratio"),
                ("irr_pct", "max", "%"),
            ),
            _sub(
                "6.2",
                "Gennemsigtig projektøkonomi",
                "Transparent project economy",
            ),
        ),
    ),
)


def criterion_ids() -> tuple[str, ...]:
    """The six criterion ids in order (``"1"`` ... ``"6"``)."""
    return tuple(c.id for c in CRITERIA)


def subcriteria() -> tuple[SubCriterion, ...]:
    """The twelve sub-criteria in order (``1.1, 1.2, 2.1, ..., 6.2``)."""
    return tuple(s for c in CRITERIA for s in c.subcriteria)


def subcriterion_ids() -> tuple[str, ...]:
    """The twelve sub-criterion ids in order."""
    return tuple(s.id for s in subcriteria())


def subcriterion(sub_id: str) -> SubCriterion:
    """The sub-criterion with id ``sub_id``.

    Raises
    ------
    KeyError
        If there is no such sub-criterion.
    """
    for s in subcriteria():
        if s.id == sub_id:
            return s
    raise KeyError(sub_id)


@dataclass(frozen=True)
class Choice:
    """Which impacts row(s) a sub-criterion's score uses for one project.

    Attributes
    ----------
    indicator
        The indicator name (``"grade"`` stands for the average of several judged rows).
    value
        The raw value (a grade 0-4 when ``judged``).
    unit
        The unit of ``value``.
    direction
        ``"max"`` or ``"min"``.
    judged
        True if the value is a planner's 0-4 grade.
    """

    indicator: str
    value: float
    unit: str
    direction: str
    judged: bool


def select_indicator(
    sub: SubCriterion,
    rows: Sequence[Mapping[str, object]],
    *,
    project_id: str,
    file: str | None = None,
) -> Choice:
    """Choose the value one project's sub-criterion is scored on (rule in the module docstring).

    Parameters
    ----------
    sub
        The sub-criterion.
    rows
        The project's impacts rows for this sub-criterion; each a mapping with keys
        ``indicator``, ``value`` (float), ``unit``, ``basis``.
    project_id
        For error messages.
    file
        For error messages.

    Raises
    ------
    InputError
        If there are no rows, or only modelled rows of indicators this sub-criterion does not
        list.
    """
    if not rows:
        raise InputError(
            f"project '{project_id}' has no row for sub-criterion {sub.id}",
            file=file,
            field="subcriterion",
            expected="at least one row per project for each of the twelve sub-criteria",
        )
    by_name = {str(r["indicator"]): r for r in rows}
    for ind in sub.indicators:
        row = by_name.get(ind.name)
        if row is not None and str(row["basis"]) == "modelled" and ind.name != GRADE:
            return Choice(ind.name, float(row["value"]), str(row["unit"]), ind.direction, False)  # type: ignore[arg-type]
    judged = [r for r in rows if str(r["basis"]) == "judged" or str(r["indicator"]) == GRADE]
    if judged:
        values = [float(r["value"]) for r in judged]  # type: ignore[arg-type]
        name = str(judged[0]["indicator"]) if len(judged) == 1 else GRADE
        return Choice(name, sum(values) / len(values), "grade 0-4", "max", True)
    names = ", ".join(sorted(by_name))
    known = ", ".join(i.name for i in sub.indicators) or "(judged grade only)"
    raise InputError(
        f"project '{project_id}', sub-criterion {sub.id}: no known indicator among {names}",
        file=file,
        field="indicator",
        expected=f"one of {known}, or a judged 0-4 grade",
    )
