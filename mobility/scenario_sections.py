"""The scenario's ``appraisal``, ``scoring`` and ``portfolio`` sections, validated into types.

:func:`mobility.scenario.load_scenario` validates every section of a scenario file once; the
three sections here are the choices of the later steps (which projects to appraise and how,
how to rank them, which portfolio constraints apply). Every error names the file and the
dotted field. What needs more than the file itself is resolved where it is used: the corridor
ends against the zones (:func:`mobility.impacts.appraisal.settings_from_scenario`), the weights
profile (:func:`mobility.scoring.weights.resolve_weights`) and the ``appraisal.only`` ids
against the project files (:func:`mobility.pipeline.run.check_plan`).

The names the scenario may choose among (:data:`MCDA_METHODS`, :data:`NORMALISATION_METHODS`,
:data:`PORTFOLIO_OBJECTIVES`) are defined here, below the scoring that implements them, so
that the scenario can check them without importing :mod:`mobility.scoring`. So are the texts
``a,b`` (mutually exclusive projects) and ``b:a`` (b requires a) shared by the ``portfolio``
section and ``mobility optimise``'s ``--exclusive`` and ``--requires``.

Schema (every key optional; defaults in brackets)::

    appraisal:
      projects: ../projects         # the catalogue folder, relative to the file [bundled]
      only: [id, ...]               # appraise only these projects [all]
      material_benefit_h_per_resident: 0.25   # threshold of sub-criteria 1.1 and 1.2
      discount_base_year: 2026      # t = 0 of every project's cost-benefit analysis
      corridors:                    # OD relations of sub-criterion 2.1 [two defaults]
        - {name: Hillerød-Kastrup, from: [Hillerød], to: [Tårnby]}
      source: ...
    scoring:
      weights: equal                # a profile name or a weights file [equal weights]
      method: weighted_sum          # or topsis, promethee
      normalisation: winsorised     # or minmax, rank
      sensitivity: 0                # weight draws of the sensitivity analysis [none]
      sensitivity_normalisation: false  # vary the normalisation in the draws too
      top_k: 5                      # the acceptability's top set
      seed: 0
      source: ...
    portfolio:
      budget_mdkk: ...  annual_budget_mdkk: ...  first_year: ...  last_start_year: ...
      build_years: ...  exclusive: [[a, b], 'c,d']  requires: {b: [a]} or ['b:a']
      min_per_part: 1 or {central: 2}  co2e_cap_t: ...  min_bcr: ...  min_nnk: ...
      objective: score              # or npv
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobility.config import Fields
from mobility.errors import InputError, shown

__all__ = [
    "DEFAULT_NORMALISATION",
    "MCDA_METHODS",
    "NORMALISATION_METHODS",
    "PORTFOLIO_OBJECTIVES",
    "SECTIONS",
    "AppraisalSection",
    "CorridorSpec",
    "PortfolioSection",
    "ScoringSection",
    "appraisal_section",
    "parse_exclusive",
    "parse_requires",
    "portfolio_section",
    "scoring_section",
]

#: The top-level keys of a scenario file validated here.
SECTIONS = ("appraisal", "scoring", "portfolio")

#: The MCDA methods of :mod:`mobility.scoring.mcda` (``scoring: method:``, ``mobility rank
#: --method``).
MCDA_METHODS = ("weighted_sum", "topsis", "promethee")
#: The across-projects methods a scenario (``scoring: normalisation:``) or ``mobility rank
#: --normalisation`` may choose.
NORMALISATION_METHODS = ("minmax", "rank", "winsorised")
#: The default of a scenario and of ``mobility rank`` (see docs/method.md, section 5).
DEFAULT_NORMALISATION = "winsorised"
#: What the portfolio maximises (``portfolio: objective:``, ``mobility optimise --objective``).
PORTFOLIO_OBJECTIVES = ("score", "npv")

APPRAISAL_FIELDS = (
    "material_benefit_h_per_resident",
    "discount_base_year",
    "corridors",
    "projects",
    "only",
    "source",
)
SCORING_FIELDS = (
    "weights",
    "method",
    "normalisation",
    "sensitivity",
    "sensitivity_normalisation",
    "top_k",
    "seed",
    "source",
)
PORTFOLIO_FIELDS = (
    "budget_mdkk", "annual_budget_mdkk", "first_year", "last_start_year", "build_years",
    "exclusive", "requires", "min_per_part", "co2e_cap_t", "min_bcr", "min_nnk",
    "objective",
)  # fmt: skip


@dataclass(frozen=True)
class CorridorSpec:
    """A corridor as the scenario names it; the appraisal resolves the names to zones.

    Attributes
    ----------
    name
        The corridor's name.
    origins, destinations
        Zone or municipality names (or zone ids) as written in ``from`` and ``to``.
    """

    name: str
    origins: tuple[str, ...]
    destinations: tuple[str, ...]


@dataclass(frozen=True)
class AppraisalSection:
    """The ``appraisal`` section: which projects to appraise, and the appraisal's settings.

    Attributes
    ----------
    file
        The scenario file (its label) when the file has the section; ``None`` when absent.
    projects
        The catalogue folder (resolved, checked to exist); ``None``: the bundled catalogue.
    only
        The project ids to appraise (``()``: all of the catalogue).
    material_h_per_resident, discount_base_year
        ``material_benefit_h_per_resident`` and ``discount_base_year``; ``None``: the
        appraisal's defaults (:class:`mobility.impacts.appraisal.AppraisalSettings`).
    corridors
        The corridors of sub-criterion 2.1 in file order; ``None`` (not given): the
        appraisal's default corridors.
    """

    file: str | Path | None = None
    projects: Path | None = None
    only: tuple[str, ...] = ()
    material_h_per_resident: float | None = None
    discount_base_year: int | None = None
    corridors: tuple[CorridorSpec, ...] | None = None


@dataclass(frozen=True)
class ScoringSection:
    """The ``scoring`` section: how ``mobility run`` ranks the projects.

    Attributes
    ----------
    weights
        A weights profile name or file (a path, resolved relative to the scenario file);
        ``None``: equal weights.
    method
        One of :data:`MCDA_METHODS`.
    normalisation
        One of :data:`NORMALISATION_METHODS`.
    sensitivity
        Weight draws of the sensitivity analysis (0: none).
    sensitivity_normalisation
        Whether each draw also picks a normalisation (needs ``sensitivity > 0``).
    top_k, seed
        The acceptability's top set and the draws' seed.
    """

    weights: str | None = None
    method: str = "weighted_sum"
    normalisation: str = DEFAULT_NORMALISATION
    sensitivity: int = 0
    sensitivity_normalisation: bool = False
    top_k: int = 5
    seed: int = 0


@dataclass(frozen=True)
class PortfolioSection:
    """The ``portfolio`` section: budgets and constraints of the portfolio (``None`` or
    empty: not given; the command's options and the project files may add to them).

    Attributes
    ----------
    file
        The scenario file (its label) when the file has the section; ``None`` when absent.
    budget_mdkk, annual_budget_mdkk, co2e_cap_t, min_bcr, min_nnk
        Budgets (mio. kr.), the construction CO2e cap (t) and the floors on BCR and NNK.
    first_year, last_start_year, build_years
        The planning years.
    exclusive
        Groups of mutually exclusive project ids.
    requires
        ``(dependent, prerequisite)`` pairs.
    min_per_part
        Minimum number of projects in every part, or per part.
    objective
        One of :data:`PORTFOLIO_OBJECTIVES`.
    """

    file: str | Path | None = None
    budget_mdkk: float | None = None
    annual_budget_mdkk: float | None = None
    first_year: int | None = None
    last_start_year: int | None = None
    build_years: int | None = None
    exclusive: tuple[tuple[str, ...], ...] = ()
    requires: tuple[tuple[str, str], ...] = ()
    min_per_part: int | Mapping[str, int] | None = None
    co2e_cap_t: float | None = None
    min_bcr: float | None = None
    min_nnk: float | None = None
    objective: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The settings given, as a dict with the keys present among :data:`PORTFOLIO_FIELDS`
        (``exclusive`` and ``requires`` as lists; an absent section gives an empty dict)."""
        out: dict[str, Any] = {}
        for key in PORTFOLIO_FIELDS:
            value = getattr(self, key)
            if key in ("exclusive", "requires"):
                if value:
                    out[key] = list(value)
            elif value is not None:
                out[key] = value
        return out


def parse_exclusive(text: str, *, field: str, file: str | Path | None = None) -> tuple[str, ...]:
    """``"a,b[,c]"`` -> ``("a", "b", "c")`` (at most one of them)."""
    ids = tuple(p.strip() for p in str(text).split(","))
    if len(ids) < 2 or any(not p for p in ids) or len(set(ids)) != len(ids):
        raise InputError(
            f"has value '{text}'", file=file, field=field, expected="two or more different ids, a,b"
        )
    return ids


def parse_requires(text: str, *, field: str, file: str | Path | None = None) -> tuple[str, str]:
    """``"b:a"`` (b needs a) -> ``("b", "a")``."""
    pieces = [p.strip() for p in str(text).split(":")]
    if len(pieces) != 2 or not all(pieces):
        raise InputError(
            f"has value '{text}'", file=file, field=field, expected="DEPENDENT:PREREQUISITE"
        )
    return pieces[0], pieces[1]


def _resolved(base: Path | None, name: str) -> Path:
    """A path named in the scenario, relative to the scenario file's folder."""
    return ((base / name) if base is not None else Path(name)).resolve()


def appraisal_section(top: Fields, base: Path | None) -> AppraisalSection:
    """Validate the ``appraisal`` section of the scenario mapping ``top``.

    ``base`` is the folder of the scenario file (``None``: the working directory). Only the
    corridors' structure is checked here; their zone names are resolved by the appraisal.

    Raises
    ------
    InputError
        Naming the file and the field.
    """
    sec = top.sub("appraisal", None)
    if sec is None:
        return AppraisalSection()
    sec.check_unknown(APPRAISAL_FIELDS)
    projects = None
    folder = sec.str("projects", None)
    if folder is not None:
        projects = _resolved(base, folder)
        if not projects.is_dir():
            raise sec.error("projects", f"folder '{projects}' not found")
    values = sec.list("only", [])
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise sec.error(f"only[{i}]", f"has value {shown(v)}", expected="a project id")
    corridors = None
    if sec.raw("corridors", None) is not None:
        specs = []
        for item in sec.items("corridors"):
            item.check_unknown(("name", "from", "to"))
            ends = [tuple(str(z) for z in item.list(key)) for key in ("from", "to")]
            specs.append(CorridorSpec(item.str("name"), ends[0], ends[1]))
        corridors = tuple(specs)
    return AppraisalSection(
        file=sec.file,
        projects=projects,
        only=tuple(str(v) for v in values),
        material_h_per_resident=sec.number("material_benefit_h_per_resident", None, minimum=0.0),
        discount_base_year=sec.number(
            "discount_base_year", None, minimum=1990, maximum=2100, integer=True
        ),
        corridors=corridors,
    )


def scoring_section(top: Fields, base: Path | None) -> ScoringSection:
    """Validate the ``scoring`` section of the scenario mapping ``top`` (``base``: the folder
    of the scenario file, against which a weights file is resolved).

    Raises
    ------
    InputError
        Naming the file and the field.
    """
    scoring = top.sub("scoring", None)
    d = ScoringSection()
    if scoring is None:
        return d
    scoring.check_unknown(SCORING_FIELDS)
    weights = scoring.str("weights", None)
    if weights is not None and ("/" in weights or weights.endswith((".yaml", ".yml"))):
        weights = str(_resolved(base, weights))
    method = scoring.str("method", d.method, choices=MCDA_METHODS)
    normalisation = scoring.str("normalisation", d.normalisation, choices=NORMALISATION_METHODS)
    sensitivity = scoring.number("sensitivity", 0, minimum=0, integer=True)
    vary_normalisation = scoring.bool("sensitivity_normalisation", False)
    if vary_normalisation and not sensitivity:
        raise scoring.error(
            "sensitivity_normalisation",
            "is true but there are no draws to vary it in",
            expected="sensitivity > 0, or false",
        )
    top_k = scoring.number("top_k", 5, minimum=1, integer=True)
    seed = scoring.number("seed", 0, minimum=0, integer=True)
    return ScoringSection(
        weights, method, normalisation, sensitivity, vary_normalisation, top_k, seed
    )


def portfolio_section(top: Fields) -> PortfolioSection:
    """Validate the ``portfolio`` section of the scenario mapping ``top``.

    Raises
    ------
    InputError
        Naming the file and the field.
    """
    section = top.sub("portfolio", None)
    if section is None:
        return PortfolioSection()
    file = section.file
    section.check_unknown(PORTFOLIO_FIELDS)
    out: dict[str, Any] = {}
    for key in ("budget_mdkk", "annual_budget_mdkk", "co2e_cap_t"):
        value = section.number(key, None, minimum=0)
        if value is not None:
            out[key] = value
    for key in ("min_bcr", "min_nnk"):
        value = section.number(key, None)
        if value is not None:
            out[key] = value
    for key, lo in (("first_year", 1900), ("last_start_year", 1900), ("build_years", 1)):
        value = section.number(key, None, minimum=lo, maximum=2200, integer=True)
        if value is not None:
            out[key] = value
    objective = section.str("objective", None, choices=PORTFOLIO_OBJECTIVES)
    if objective is not None:
        out["objective"] = objective
    groups = []
    for k, item in enumerate(section.list("exclusive", [])):
        name = f"{section.path('exclusive')}[{k}]"
        if isinstance(item, list):
            item = ",".join(str(v) for v in item)
        if not isinstance(item, str):
            raise InputError(
                f"has value {shown(item)}", file=file, field=name, expected="a list of ids or 'a,b'"
            )
        groups.append(parse_exclusive(item, field=name, file=file))
    if groups:
        out["exclusive"] = tuple(groups)
    req = section.raw("requires", None)
    pairs: list[tuple[str, str]] = []
    if isinstance(req, Mapping):
        for dependent, prereqs in req.items():
            name = f"{section.path('requires')}.{dependent}"
            items = prereqs if isinstance(prereqs, list) else [prereqs]
            for v in items:
                if isinstance(v, bool) or not isinstance(v, str | int):
                    raise InputError(
                        f"has value {shown(v)}", file=file, field=name, expected="a project id"
                    )
                pairs.append((str(dependent), str(v)))
    elif req is not None:
        for k, item in enumerate(section.list("requires")):
            pairs.append(parse_requires(item, field=f"{section.path('requires')}[{k}]", file=file))
    if pairs:
        out["requires"] = tuple(pairs)
    mpp = section.raw("min_per_part", None)
    if isinstance(mpp, Mapping):
        sub = section.sub("min_per_part")
        out["min_per_part"] = {
            str(part): sub.number(str(part), minimum=0, integer=True) for part in mpp
        }
    elif mpp is not None:
        out["min_per_part"] = section.number("min_per_part", minimum=0, integer=True)
    return dataclasses.replace(PortfolioSection(file=file), **out)
