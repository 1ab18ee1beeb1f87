"""Candidate projects: one YAML file each, validated, and applied to a copy of the region.

A project file says what a project changes in the network, what it costs and how it is
judged where the model cannot measure. Schema (defaults in brackets)::

    id: v2_frederikssundmotorvejen          # unique, [a-z0-9_-]
    name: Frederikssundmotorvejen, 3. etape
    kind: road      # road rail metro light_rail brt_bus cycle pricing_policy other
    status: vip     # vip vip-extra candidate
    municipalities: [Egedal, Frederikssund] # names or DST codes, checked against the zones
    opening_year: 2032
    construction_years: 4                   # [unit-price default]
    capex: {mdkk: 2551, price_year: 2021, estimate_class: "VVM 2021", reserve_pct: 15}
    stage: vvm        # idea screening forundersoegelse vvm anlaegslov: the korrektionsreserve
                      # of Ny Anlægsbudgettering (unit_prices.csv) replaces reserve_pct unless
                      # capex.reserve_source names the sourced estimate's own reserve
    operator: {opex_mdkk_per_year: 12, rolling_stock_mdkk: 300, source: "..."}  # [derived]
    opex_mdkk_per_year: 5
    construction_co2e_t: 60000              # or:
    quantities: {road_km: 25}               # x construction_co2e_factors.csv (the norm)
    low_co2: {reduction_share: 0.3, reason: ..., source: ...}  # a documented low-CO2 design
                                            # choice against that norm (with quantities only)
    network_changes: [...]                  # see mobility.region.edits
    judgements:                             # a rubric level and a one-line reason
      "2.2": {level: "2.2-1", reason: ...}  # required
      "5.2": {level: "5.2-2", reason: ...}  # required when 5.2 is not modelled
    excludes: [other_id]                    # [] (portfolio constraints)
    requires: [other_id]                    # []
    estimates: {capex: "[M] ...", opex_mdkk_per_year: "[M] ..."}   # which figures are estimates
    sources: [https://...]                  # at least one
    region_part: frederikssund              # [the municipalities' parts, ';'-joined]

Judgements cite a level of the rubric ``mobility/data/rubric.yaml`` (:mod:`mobility.rubric`):
``level`` is a level id of that sub-criterion (``"2.2-0"`` ... ``"2.2-4"``) and its grade is
the judged grade; ``score`` (0-4) may be given as well and must then equal the level's grade;
``reason`` (one line) is required. 6.2 is not judged in the file: the rubric's rule computes
it from ``stage`` and the maturity of the cost estimate (``estimates.capex`` marked ``[M]``,
``capex.reserve_source``), so a ``"6.2"`` judgement is refused.

Each entry of ``network_changes`` is a network change in the schema of
:mod:`mobility.region.edits` (``op``: add_link, change_link, remove_link, add_transit_line,
change_transit_line, add_cycle_superhighway, toll).

Every error names the file and the dotted field, e.g.
``projects/x.yaml: field 'network_changes[1].from.node': unknown road node 99999``.
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobility import rubric as rubric_mod
from mobility.config import Fields, load_yaml
from mobility.errors import InputError, shown
from mobility.region import REGION_PARTS, load_zones
from mobility.region.edits import NetworkChange, apply_changes_in_place, parse_network_change
from mobility.resources import data_dir

KINDS = (
    "road",
    "rail",
    "metro",
    "light_rail",
    "brt_bus",
    "cycle",
    "pricing_policy",
    "other",
)
STATUSES = ("vip", "vip-extra", "candidate")
#: Planning stages (Ny Anlægsbudgettering); the reserve of each is in unit_prices.csv.
STAGES = ("idea", "screening", "forundersoegelse", "vvm", "anlaegslov")
SUBCRITERIA = ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2")
#: Sub-criteria a project file judges against the rubric (6.2 is rule-based, see rubric.py).
JUDGED = rubric_mod.JUDGED
REQUIRED_JUDGEMENTS = ("2.2",)
#: The zone table's year whose municipality names, codes and region parts check a project's
#: ``municipalities`` when no zones are given: any year of ``zones.csv`` has the same ones,
#: and 2023 is its latest sourced year (mobility/data/README.md).
MUNICIPALITY_NAMES_YEAR = 2023
TOP_LEVEL = (
    "id",
    "name",
    "kind",
    "status",
    "municipalities",
    "opening_year",
    "construction_years",
    "capex",
    "stage",
    "operator",
    "opex_mdkk_per_year",
    "construction_co2e_t",
    "quantities",
    "low_co2",
    "network_changes",
    "judgements",
    "excludes",
    "requires",
    "estimates",
    "sources",
    "region_part",
    "description",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


@dataclass(frozen=True)
class Judgement:
    """A graded judgement for one sub-criterion: ``score`` is the grade of rubric ``level``."""

    score: int
    reason: str
    level: str = ""


@dataclass(frozen=True)
class Project:
    """A validated project file (see the module docstring for the schema).

    ``capex_mdkk`` includes the reserve (``capex_base_mdkk * (1 + reserve_pct / 100)``).
    """

    id: str
    name: str
    kind: str
    status: str
    municipalities: tuple[str, ...]
    opening_year: int
    capex_base_mdkk: float
    capex_price_year: int
    estimate_class: str
    reserve_pct: float
    opex_mdkk_per_year: float
    construction_co2e_t: float
    changes: tuple[NetworkChange, ...]
    judgements: Mapping[str, Judgement]
    path: str
    construction_years: int | None = None
    quantities: Mapping[str, float] = field(default_factory=dict)
    excludes: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    estimates: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    region_part: str = ""
    description: str = ""
    stage: str | None = None
    reserve_rule: str = ""
    reserve_source: str = ""
    operator: Mapping[str, Any] = field(default_factory=dict)
    #: construction CO2e of the project type's norm (quantities x construction_co2e_factors;
    #: None when the file gives ``construction_co2e_t`` directly)
    construction_co2e_norm_t: float | None = None
    #: the documented low-CO2 choice: ``reduction_share``, ``reason``, ``source``
    low_co2: Mapping[str, Any] = field(default_factory=dict)

    @property
    def capex_mdkk(self) -> float:
        """Capital cost including the reserve (mio. DKK, ``capex_price_year`` prices)."""
        return self.capex_base_mdkk * (1.0 + self.reserve_pct / 100.0)


# --------------------------------------------------------------------------- loading


def stage_reserve_pct(kind: str, stage: str, *, salt_water: bool = False) -> float:
    """Korrektionsreserve (%) of ``stage`` for a project of ``kind`` (bundled unit prices);
    ``salt_water``: a road over or under salt water (the rail rule)."""
    from mobility.impacts.unit_prices import load_unit_prices, reserve_pct

    return reserve_pct(kind, stage, load_unit_prices(), salt_water=salt_water)


def load_construction_factors(path: str | Path | None = None) -> dict[str, float]:
    """Construction CO2e per unit (t per km or per station) from the data file."""
    p = Path(path) if path is not None else data_dir() / "construction_co2e_factors.csv"
    try:
        with open(p, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    out: dict[str, float] = {}
    for i, row in enumerate(rows, start=2):
        try:
            out[row["quantity"]] = float(row["t_co2e_per_km"])
        except (KeyError, TypeError, ValueError):
            raise InputError("bad factor row", file=p, line=i) from None
    return out


def _municipality_names(zones: Any | None) -> dict[str, tuple[str, str]]:
    """Lower-case name or code -> (municipality name, region part); ``None``: the bundled
    zones of :data:`MUNICIPALITY_NAMES_YEAR`."""
    if zones is None:
        zones = load_zones(MUNICIPALITY_NAMES_YEAR)
    out: dict[str, tuple[str, str]] = {}
    for i, name in enumerate(zones.municipality):
        part = zones.region_part[i]
        entry = (name, part)
        out.setdefault(name.lower(), entry)
        out.setdefault(str(int(zones.municipality_code[i])), entry)
        out.setdefault(zones.name[i].lower(), entry)
    return out


def _judgements(top: Fields, rubric: rubric_mod.Rubric) -> dict[str, Judgement]:
    """The file's judgements, each a level of ``rubric`` with a one-line reason."""
    sub = top.sub("judgements")
    out: dict[str, Judgement] = {}
    for key in sub.data:
        code = str(key)
        if code in rubric_mod.RULE_BASED:
            raise sub.error(
                code,
                f"sub-criterion {code} is rule-based (stage and cost estimate, "
                f"{Path(rubric.path).name}), not judged in the project file",
                expected="no " + code + " judgement",
            )
        if code not in JUDGED:
            raise sub.error(
                code, "is not a judged sub-criterion", expected="one of " + ", ".join(JUDGED)
            )
        item = sub.sub(key)
        item.check_unknown(("level", "score", "reason"))
        ids = rubric.level_ids(code)
        expected = f"a level of {code} in {Path(rubric.path).name}: " + ", ".join(ids)
        if "score" in item.data:
            item.number("score", minimum=rubric.min_grade, maximum=rubric.max_grade, integer=True)
        level_id = item.str("level")
        level = rubric.levels.get(level_id)
        if level is None:
            raise item.error("level", f"unknown level '{level_id}'", expected=expected)
        if level.subcriterion != code:
            raise item.error(
                "level",
                f"level '{level_id}' belongs to sub-criterion {level.subcriterion}",
                expected=expected,
            )
        if "score" in item.data and item.data["score"] != level.grade:
            raise item.error(
                "score",
                f"has value {item.data['score']!r} but level {level_id} is grade {level.grade}",
                expected=f"{level.grade} (or no score)",
            )
        reason = item.str("reason")
        if not reason.strip() or "\n" in reason.strip():
            raise item.error("reason", "must be one line", expected="a one-line reason")
        out[code] = Judgement(score=level.grade, reason=reason.strip(), level=level_id)
    for code in REQUIRED_JUDGEMENTS:
        if code not in out:
            raise sub.error(
                code, "is missing", expected="{level: " + code + "-0 ... " + code + "-4, reason}"
            )
    return out


def _id_list(top: Fields, key: str) -> tuple[str, ...]:
    values = top.list(key, [])
    for i, v in enumerate(values):
        if not isinstance(v, str) or not _ID.match(v):
            raise top.error(f"{key}[{i}]", f"has value {shown(v)}", expected="a project id")
    return tuple(values)


def project_from_mapping(
    data: Any,
    *,
    path: str | Path,
    zones: Any | None = None,
    factors: Mapping[str, float] | None = None,
    rubric: rubric_mod.Rubric | None = None,
) -> Project:
    """Validate one project mapping (as read from YAML); judgements are checked against
    ``rubric`` (default: the bundled rubric file).

    Raises
    ------
    InputError
        Naming ``path`` and the dotted field of the first problem.
    """
    if data is None:
        raise InputError("is empty", file=path, expected="a project mapping")
    top = Fields(data, file=path)
    top.check_unknown(TOP_LEVEL)
    pid = top.str("id")
    if not _ID.match(pid):
        raise top.error("id", f"has value '{pid}'", expected="lower-case letters, digits, _ or -")
    name = top.str("name")
    kind = top.str("kind", choices=KINDS)
    status = top.str("status", choices=STATUSES)
    known = _municipality_names(zones)
    munis: list[str] = []
    parts: list[str] = []
    raw_m = top.list("municipalities")
    if not raw_m:
        raise top.error("municipalities", "is empty", expected="municipality names or DST codes")
    for i, m in enumerate(raw_m):
        entry = known.get(str(m).strip().lower())
        if entry is None:
            raise top.error(
                f"municipalities[{i}]",
                f"unknown municipality '{m}'",
                expected="a name or DST code of the model's zones",
            )
        if entry[0] not in munis:
            munis.append(entry[0])
            parts.append(entry[1])
    opening = top.number("opening_year", minimum=2000, maximum=2100, integer=True)
    build = top.number("construction_years", None, minimum=0, maximum=20, integer=True)
    capex = top.sub("capex")
    capex.check_unknown(
        ("mdkk", "price_year", "estimate_class", "reserve_pct", "reserve_source", "salt_water")
    )
    capex_mdkk = capex.number("mdkk", minimum=0.0)
    price_year = capex.number("price_year", minimum=1990, maximum=2100, integer=True)
    estimate_class = capex.str("estimate_class")
    reserve = capex.number("reserve_pct", 0.0, minimum=0.0, maximum=200.0)
    reserve_source = capex.str("reserve_source", "")
    salt_water = capex.bool("salt_water", False)
    stage = top.str("stage", None, choices=STAGES)
    reserve_rule = f"file ({reserve:g} %)"
    if reserve_source:
        if "reserve_pct" not in capex.data:
            raise capex.error(
                "reserve_pct", "is missing", expected="the reserve of the sourced estimate"
            )
        reserve_rule = f"sourced estimate ({reserve:g} %): {reserve_source}"
    elif stage is not None:
        reserve = stage_reserve_pct(kind, stage, salt_water=salt_water)
        reserve_rule = f"Ny Anlægsbudgettering, stage {stage} ({reserve:g} %)"
    operator: dict[str, float | str] = {}
    if "operator" in top.data:
        op = top.sub("operator")
        op.check_unknown(
            ("opex_mdkk_per_year", "rolling_stock_mdkk", "rolling_stock_life_years", "source")
        )
        if "opex_mdkk_per_year" in op.data:
            operator["opex_mdkk_per_year"] = op.number("opex_mdkk_per_year", minimum=-1e6)
        if "rolling_stock_mdkk" in op.data:
            operator["rolling_stock_mdkk"] = op.number("rolling_stock_mdkk", minimum=0.0)
        if "rolling_stock_life_years" in op.data:
            operator["rolling_stock_life_years"] = op.number(
                "rolling_stock_life_years", minimum=1.0, maximum=100.0
            )
        operator["source"] = op.str("source")
    opex = top.number("opex_mdkk_per_year", minimum=-1e6)
    quantities: dict[str, float] = {}
    if "construction_co2e_t" in top.data and "quantities" in top.data:
        raise top.error(
            "quantities", "given together with construction_co2e_t", expected="one of them"
        )
    low_co2: dict[str, Any] = {}
    norm: float | None = None
    if "construction_co2e_t" in top.data:
        if "low_co2" in top.data:
            raise top.error(
                "low_co2",
                "given together with construction_co2e_t (which already holds the design)",
                expected="quantities with low_co2, or construction_co2e_t alone",
            )
        co2 = top.number("construction_co2e_t", minimum=0.0)
    else:
        q = top.sub("quantities")
        table = factors if factors is not None else load_construction_factors()
        q.check_unknown(tuple(table))
        for key in q.data:
            quantities[str(key)] = q.number(key, minimum=0.0)
        norm = float(sum(table[k] * v for k, v in quantities.items()))
        co2 = norm
        if "low_co2" in top.data:
            lc = top.sub("low_co2")
            lc.check_unknown(("reduction_share", "reason", "source"))
            share = lc.number("reduction_share", minimum=0.0, maximum=0.9)
            low_co2 = {
                "reduction_share": share,
                "reason": lc.str("reason"),
                "source": lc.str("source"),
            }
            co2 = norm * (1.0 - share)
    changes = (
        tuple(parse_network_change(item) for item in top.items("network_changes"))
        if top.raw("network_changes", None) is not None
        else ()
    )
    judgements = _judgements(top, rubric if rubric is not None else rubric_mod.load_rubric())
    sources = top.list("sources")
    if not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        raise top.error("sources", "needs at least one source", expected="a list of strings")
    estimates: dict[str, str] = {}
    if "estimates" in top.data:
        est = top.sub("estimates")
        est.check_unknown(TOP_LEVEL)
        for key in est.data:
            estimates[str(key)] = est.str(key)
    excludes = _id_list(top, "excludes")
    requires = _id_list(top, "requires")
    for key, ids in (("excludes", excludes), ("requires", requires)):
        if pid in ids:
            raise top.error(
                f"{key}[{ids.index(pid)}]",
                f"names the project itself ('{pid}')",
                expected="other project ids",
            )
    if "region_part" in top.data:
        region_part = top.str("region_part")
        for j, part in enumerate(region_part.split(";")):
            if part not in REGION_PARTS:
                raise top.error(
                    "region_part",
                    f"unknown part '{part}' (item {j + 1})",
                    expected="parts from " + ", ".join(REGION_PARTS) + " joined by ';'",
                )
    else:
        ordered = list(dict.fromkeys(parts))
        region_part = ";".join(ordered)
    return Project(
        id=pid,
        name=name,
        kind=kind,
        status=status,
        municipalities=tuple(munis),
        opening_year=opening,
        construction_years=build,
        capex_base_mdkk=capex_mdkk,
        capex_price_year=price_year,
        estimate_class=estimate_class,
        reserve_pct=reserve,
        stage=stage,
        reserve_rule=reserve_rule,
        reserve_source=reserve_source,
        operator=operator,
        opex_mdkk_per_year=opex,
        construction_co2e_t=co2,
        construction_co2e_norm_t=norm,
        low_co2=low_co2,
        quantities=quantities,
        changes=changes,
        judgements=judgements,
        excludes=excludes,
        requires=requires,
        estimates=estimates,
        sources=tuple(sources),
        region_part=region_part,
        description=top.str("description", ""),
        path=str(path),
    )


def load_project(path: str | Path, *, zones: Any | None = None) -> Project:
    """Read and validate one project file."""
    return project_from_mapping(load_yaml(path), path=path, zones=zones)


def load_catalogue(
    folder: str | Path, *, zones: Any | None = None, scenario: Any | None = None
) -> list[Project]:
    """Read every ``*.yaml`` in ``folder`` (sorted by file name); ids must be unique and
    every ``excludes``/``requires`` must name a project of the catalogue.

    With ``scenario`` (a :class:`mobility.scenario.Scenario`), no candidate may open before
    the scenario's ``base_year`` (:func:`check_opening_years`).
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError("is not a folder", file=root, expected="a folder of project YAML files")
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise InputError("holds no *.yaml project files", file=root)
    projects = [load_project(f, zones=zones) for f in files]
    seen: dict[str, str] = {}
    for p in projects:
        if p.id in seen:
            raise InputError(
                f"duplicate project id '{p.id}' (also in {seen[p.id]})", file=p.path, field="id"
            )
        seen[p.id] = p.path
    for p in projects:
        for key in ("excludes", "requires"):
            for i, other in enumerate(getattr(p, key)):
                if other not in seen:
                    raise InputError(
                        f"unknown project id '{other}'", file=p.path, field=f"{key}[{i}]"
                    )
    if scenario is not None:
        check_opening_years(projects, base_year=scenario.base_year, scenario_file=scenario.path)
    return projects


def check_opening_years(
    projects: Sequence[Project], *, base_year: int, scenario_file: str | Path | None = None
) -> None:
    """Refuse a candidate that opens before the scenario's base year.

    The base year is the year the model is calibrated to: what opened before it is already
    in the base network, so appraising it as a candidate (benefits from the opening year on,
    discounted to the appraisal's base year) would count it twice.

    Raises
    ------
    InputError
        Naming the project file, ``opening_year`` and the scenario file.
    """
    for p in projects:
        if p.opening_year < base_year:
            of = f" of {scenario_file}" if scenario_file is not None else ""
            raise InputError(
                f"{p.opening_year} is before the base year {base_year}{of}",
                file=p.path,
                field="opening_year",
                expected=f"an opening year >= {base_year}",
            )


# --------------------------------------------------------------------- applying changes


def apply_projects(inputs: Any, projects: Sequence[Project]) -> Any:
    """A deep copy of ``inputs`` with every project's changes applied, in the given order
    (:func:`mobility.region.edits.apply_changes_in_place`)."""
    out = copy.deepcopy(inputs)
    for project in projects:
        apply_changes_in_place(out, project.changes, project_id=project.id)
    return out
