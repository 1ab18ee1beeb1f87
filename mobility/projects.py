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
    network_changes: [...]                  # see OPS
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

Network change operations (``op``), each entry also allows ``note``:

* ``add_link``: ``from``/``to`` (``{node: id}`` or ``{lon:, lat:}`` snapped to the nearest
  road node), ``name``, ``road_class``, ``lanes`` (per direction), ``free_speed_kmh``,
  ``capacity_vph`` [lanes x median per-lane capacity of that class], ``length_km``
  [great-circle x 1.15 detour factor], ``two_way`` [true], ``via`` (list of points).
* ``change_link``: a selection (``link_id`` one or a list, or ``name`` optionally with
  ``near: {lon, lat, radius_km}``) and any of ``lanes``, ``add_lanes``, ``capacity_vph``,
  ``capacity_factor``, ``free_speed_kmh``.
* ``remove_link``: a selection.
* ``add_transit_line``: ``line_id``, ``name``, ``mode``, ``headway_min``, ``speed_kmh``,
  ``stops`` (existing stop ids, or new stops ``{id, name, lon, lat}``).
* ``change_transit_line``: ``line_id`` and any of ``headway_min``, ``speed_kmh``, ``stops``.
* ``add_cycle_superhighway``: ``from``, ``to``, optional ``via``, ``name``,
  ``free_speed_kmh`` [20]: bike-only links both ways.
* ``toll``: ``toll_dkk`` on a selection of links, or on every link entering a ``cordon``
  (``zones``: names or ids; a node is inside when its nearest zone centroid is).

Every error names the file and the dotted field, e.g.
``projects/x.yaml: field 'network_changes[1].from.node': unknown road node 99999``.
"""

from __future__ import annotations

import copy
import csv
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mobility import rubric as rubric_mod
from mobility.config import Fields, load_yaml
from mobility.errors import InputError, shown
from mobility.region.vocabulary import PT_MODES, REGION_PARTS, ROAD_CLASSES
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
SELECTION = ("link_id", "name", "near")
OPS: dict[str, tuple[str, ...]] = {
    "add_link": (
        "from",
        "to",
        "via",
        "name",
        "road_class",
        "lanes",
        "free_speed_kmh",
        "capacity_vph",
        "length_km",
        "two_way",
        "toll_dkk",
    ),
    "change_link": (
        *SELECTION,
        "lanes",
        "add_lanes",
        "capacity_vph",
        "capacity_factor",
        "free_speed_kmh",
    ),
    "remove_link": SELECTION,
    "add_transit_line": ("line_id", "name", "mode", "headway_min", "speed_kmh", "stops"),
    "change_transit_line": ("line_id", "headway_min", "speed_kmh", "stops"),
    "add_cycle_superhighway": ("from", "to", "via", "name", "free_speed_kmh", "length_km"),
    "toll": (*SELECTION, "cordon", "toll_dkk", "direction"),
}
#: Great-circle to road-length factor for links added by coordinates (estimate).
DETOUR_FACTOR = 1.15
#: A coordinate farther than this from every road node is an error (km).
SNAP_LIMIT_KM = 10.0
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


@dataclass(frozen=True)
class Judgement:
    """A graded judgement for one sub-criterion: ``score`` is the grade of rubric ``level``."""

    score: int
    reason: str
    level: str = ""


@dataclass(frozen=True)
class NetworkChange:
    """One validated network change; ``field`` is its dotted place in ``file``."""

    op: str
    params: Mapping[str, Any]
    file: str
    field: str

    def error(self, key: str, message: str, expected: str | None = None) -> InputError:
        """An :class:`InputError` naming this change's file and ``field.key``."""
        name = f"{self.field}.{key}" if key else self.field
        return InputError(message, file=self.file, field=name, expected=expected)


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
    from mobility.impacts.cba import load_unit_prices, reserve_pct

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
    """Lower-case name or code -> (municipality name, region part)."""
    if zones is None:
        from mobility.region.zones import load_zones

        zones = load_zones(2023)
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


def _point(f: Fields, key: str) -> dict[str, Any]:
    p = f.sub(key)
    p.check_unknown(("node", "lon", "lat"))
    if "node" in p.data:
        return {"node": p.number("node", integer=True)}
    return {
        "lon": p.number("lon", minimum=-180.0, maximum=180.0),
        "lat": p.number("lat", minimum=-90.0, maximum=90.0),
    }


def _selection(f: Fields) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "link_id" in f.data:
        raw = f.raw("link_id")
        ids = raw if isinstance(raw, list) else [raw]
        if not ids or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
            raise f.error(
                "link_id", f"has value {shown(raw)}", expected="a link id or a list of ids"
            )
        out["link_id"] = [str(i) for i in ids]
    if "name" in f.data:
        out["name"] = f.str("name")
    if "near" in f.data:
        near = f.sub("near")
        near.check_unknown(("lon", "lat", "radius_km"))
        out["near"] = {
            "lon": near.number("lon", minimum=-180.0, maximum=180.0),
            "lat": near.number("lat", minimum=-90.0, maximum=90.0),
            "radius_km": near.number("radius_km", minimum=0.0),
        }
    return out


def _change(item: Fields) -> NetworkChange:
    op = item.str("op", choices=tuple(OPS))
    item.check_unknown(("op", "note", *OPS[op]))
    p: dict[str, Any] = {}
    pos: dict[str, float] = {"minimum": 1e-9}
    if op in ("add_link", "add_cycle_superhighway"):
        p["from"] = _point(item, "from")
        p["to"] = _point(item, "to")
        p["via"] = [
            _point(Fields({"p": v}, file=item.file, prefix=item.path(f"via[{i}]")), "p")
            for i, v in enumerate(item.list("via", []))
        ]
        p["name"] = item.str("name", "")
        if "length_km" in item.data:
            p["length_km"] = item.number("length_km", minimum=pos["minimum"])
    if op == "add_link":
        p["road_class"] = item.str("road_class", choices=ROAD_CLASSES[:5])
        p["lanes"] = item.number("lanes", minimum=1, maximum=8, integer=True)
        p["free_speed_kmh"] = item.number("free_speed_kmh", minimum=5, maximum=140)
        if "capacity_vph" in item.data:
            p["capacity_vph"] = item.number("capacity_vph", minimum=pos["minimum"])
        p["two_way"] = item.bool("two_way", True)
        p["toll_dkk"] = item.number("toll_dkk", 0.0, minimum=0.0)
    if op == "add_cycle_superhighway":
        p["free_speed_kmh"] = item.number("free_speed_kmh", 20.0, minimum=5, maximum=40)
    if op in ("change_link", "remove_link", "toll"):
        p.update(_selection(item))
    if op in ("change_link", "remove_link") and not ({"link_id", "name"} & set(p)):
        raise item.error("link_id", "is missing", expected="link_id or name")
    if op == "change_link":
        if "lanes" in item.data:
            p["lanes"] = item.number("lanes", minimum=1, maximum=8, integer=True)
        if "add_lanes" in item.data:
            p["add_lanes"] = item.number("add_lanes", minimum=-4, maximum=4, integer=True)
        if "capacity_vph" in item.data:
            p["capacity_vph"] = item.number("capacity_vph", minimum=pos["minimum"])
        if "capacity_factor" in item.data:
            p["capacity_factor"] = item.number("capacity_factor", minimum=0.01, maximum=5.0)
        if "free_speed_kmh" in item.data:
            p["free_speed_kmh"] = item.number("free_speed_kmh", minimum=5, maximum=140)
        if len(p) == len(_selection(item)):
            raise item.error("op", "changes nothing", expected="lanes, capacity or speed")
    if op == "toll":
        p["toll_dkk"] = item.number("toll_dkk", minimum=0.0)
        p["direction"] = item.str("direction", "inbound", choices=("inbound", "outbound", "both"))
        if "cordon" in item.data:
            cordon = item.sub("cordon")
            cordon.check_unknown(("zones",))
            zones = cordon.list("zones")
            if not zones:
                raise cordon.error("zones", "is empty", expected="zone names or ids")
            p["cordon"] = [str(z) for z in zones]
        elif not ({"link_id", "name"} & set(p)):
            raise item.error("cordon", "is missing", expected="cordon, link_id or name")
    if op in ("add_transit_line", "change_transit_line"):
        p["line_id"] = item.str("line_id")
        if "headway_min" in item.data or op == "add_transit_line":
            p["headway_min"] = item.number("headway_min", minimum=0.5, maximum=240)
        if "speed_kmh" in item.data or op == "add_transit_line":
            p["speed_kmh"] = item.number("speed_kmh", minimum=3, maximum=250)
        if "stops" in item.data or op == "add_transit_line":
            stops = item.list("stops")
            if len(stops) < 2:
                raise item.error("stops", "needs at least two stops", expected="a list of stops")
            parsed: list[Any] = []
            for i, s in enumerate(stops):
                if isinstance(s, str | int) and not isinstance(s, bool):
                    parsed.append(str(s))
                    continue
                sf = Fields(s, file=item.file, prefix=item.path(f"stops[{i}]"))
                sf.check_unknown(("id", "name", "lon", "lat"))
                parsed.append(
                    {
                        "id": sf.str("id"),
                        "name": sf.str("name"),
                        "lon": sf.number("lon", minimum=-180.0, maximum=180.0),
                        "lat": sf.number("lat", minimum=-90.0, maximum=90.0),
                    }
                )
            p["stops"] = parsed
    if op == "add_transit_line":
        p["name"] = item.str("name")
        p["mode"] = item.str("mode", choices=PT_MODES)
    return NetworkChange(op=op, params=p, file=str(item.file), field=item.prefix)


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
        tuple(_change(item) for item in top.items("network_changes"))
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


def haversine_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in km (WGS84 sphere, R = 6371 km); numpy-broadcasting."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2.0 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class _Road:
    """Index of the road graph for snapping and selections."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        nodes = [n for n, d in graph.nodes(data=True) if d.get("zone_id") is None]
        self.nodes = nodes
        self.lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        self.lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])

    def node(self, point: Mapping[str, Any], change: NetworkChange, key: str) -> Any:
        if "node" in point:
            node_id = point["node"]
            if node_id not in self.graph.nodes:
                raise change.error(
                    f"{key}.node",
                    f"unknown road node {node_id}",
                    expected="a node id of the road network",
                )
            return node_id
        if not self.nodes:
            raise change.error(key, "the road network has no nodes to snap to")
        d = haversine_km(self.lon, self.lat, point["lon"], point["lat"])
        k = int(np.argmin(d))
        if d[k] > SNAP_LIMIT_KM:
            raise change.error(
                key,
                f"({point['lon']}, {point['lat']}) is {d[k]:.1f} km from the nearest road node",
                expected=f"a point within {SNAP_LIMIT_KM:g} km of the network",
            )
        return self.nodes[k]

    def coords(self, node: Any) -> tuple[float, float]:
        data = self.graph.nodes[node]
        return float(data["x"]), float(data["y"])

    def select(self, change: NetworkChange) -> list[tuple[Any, Any, Any]]:
        p = change.params
        edges = list(self.graph.edges(keys=True, data=True))
        chosen = edges
        if "link_id" in p:
            wanted = set(p["link_id"])
            chosen = [e for e in chosen if str(e[3].get("link_id", e[2])) in wanted]
            found = {str(e[3].get("link_id", e[2])) for e in chosen}
            missing = sorted(wanted - found)
            if missing:
                raise change.error(
                    "link_id",
                    f"unknown link '{missing[0]}'",
                    expected="a link_id of the road network",
                )
        if "name" in p:
            chosen = [e for e in chosen if e[3].get("name") == p["name"]]
            if not chosen:
                raise change.error(
                    "name",
                    f"no road link named '{p['name']}'",
                    expected="a road name of the network",
                )
        if "near" in p:
            near = p["near"]
            keep = []
            for e in chosen:
                (x1, y1), (x2, y2) = self.coords(e[0]), self.coords(e[1])
                if (
                    haversine_km((x1 + x2) / 2, (y1 + y2) / 2, near["lon"], near["lat"])
                    <= near["radius_km"]
                ):
                    keep.append(e)
            chosen = keep
            if not chosen:
                raise change.error(
                    "near", "selects no link", expected="a circle around the named links"
                )
        return [(u, v, k) for u, v, k, _ in chosen]


def _new_link_id(graph: Any, used: set[Any], project_id: str) -> str:
    """A link id for a project's new link that does not depend on what else is applied:
    ``<project_id>.<n>`` (n = 001, 002, ... in the order the project file adds them).

    Ids that stay the same whichever other projects are applied, and in whatever order, let
    a project run's links meet the reference's links by id (per-project link files, warm
    starts), and keep a decided project's links the same with or without a candidate.
    """
    keys = {str(k) for _, _, k in graph.edges(keys=True)} | {str(u) for u in used}
    n = 1
    while f"{project_id}.{n:03d}" in keys:
        n += 1
    new = f"{project_id}.{n:03d}"
    used.add(new)
    return new


def _per_lane_capacity(graph: Any, road_class: str) -> float:
    vals = [
        float(d["capacity_vph"]) / max(float(d.get("lanes", 1) or 1), 1.0)
        for _, _, d in graph.edges(data=True)
        if d.get("road_class") == road_class and d.get("capacity_vph")
    ]
    if vals:
        return float(np.median(vals))
    fallback = {"motorway": 1900.0, "expressway": 1700.0, "arterial": 900.0, "collector": 700.0}
    return fallback.get(road_class, 500.0)


def _add_path(
    road: _Road, change: NetworkChange, project_id: str, used: set[Any], *, bike: bool
) -> None:
    p = change.params
    points = [p["from"], *p["via"], p["to"]]
    keys = ["from", *[f"via[{i}]" for i in range(len(p["via"]))], "to"]
    nodes = [road.node(pt, change, k) for pt, k in zip(points, keys, strict=True)]
    if any(a == b for a, b in itertools.pairwise(nodes)):
        raise change.error(
            "to", "snaps to the same node as the previous point", expected="distinct end points"
        )
    seg = [
        haversine_km(*road.coords(a), *road.coords(b)) * DETOUR_FACTOR
        for a, b in itertools.pairwise(nodes)
    ]
    total = float(sum(seg))
    if "length_km" in p:
        seg = (
            [s * p["length_km"] / total for s in seg]
            if total > 0
            else [p["length_km"] / len(seg)] * len(seg)
        )
    g = road.graph
    for (a, b), length in zip(itertools.pairwise(nodes), seg, strict=True):
        directions = [(a, b), (b, a)] if (bike or p.get("two_way", True)) else [(a, b)]
        for u, v in directions:
            lid = _new_link_id(g, used, project_id)
            if bike:
                attrs = {
                    "road_class": "cycle_superhighway",
                    "lanes": 1,
                    "capacity_vph": 99999.0,
                    "free_speed_kmh": p["free_speed_kmh"],
                    "toll_dkk": 0.0,
                    "modes": "bike",
                }
            else:
                cap = p.get("capacity_vph") or p["lanes"] * _per_lane_capacity(g, p["road_class"])
                attrs = {
                    "road_class": p["road_class"],
                    "lanes": p["lanes"],
                    "capacity_vph": float(cap),
                    "free_speed_kmh": p["free_speed_kmh"],
                    "toll_dkk": p["toll_dkk"],
                    "modes": "car,bike,walk"
                    if p["road_class"] not in ("motorway", "expressway")
                    else "car",
                }
            g.add_edge(
                u,
                v,
                key=lid,
                link_id=lid,
                name=p["name"] or project_id,
                length_km=max(float(length), 0.01),
                source=f"project {project_id} ({change.file})",
                **attrs,
            )


def _change_links(road: _Road, change: NetworkChange) -> None:
    p = change.params
    g = road.graph
    for u, v, k in road.select(change):
        d = g.edges[u, v, k]
        old_lanes = float(d.get("lanes", 1) or 1)
        lanes = old_lanes
        if "lanes" in p:
            lanes = float(p["lanes"])
        if "add_lanes" in p:
            lanes = old_lanes + p["add_lanes"]
        if lanes < 1:
            raise change.error(
                "add_lanes", f"leaves link {k} with {lanes:g} lanes", expected="at least 1 lane"
            )
        cap = float(d.get("capacity_vph", 0.0))
        if "capacity_vph" in p:
            cap = float(p["capacity_vph"])
        elif lanes != old_lanes:
            cap = cap * lanes / old_lanes
        cap *= p.get("capacity_factor", 1.0)
        d["lanes"] = int(lanes) if float(lanes).is_integer() else lanes
        d["capacity_vph"] = cap
        if "free_speed_kmh" in p:
            d["free_speed_kmh"] = float(p["free_speed_kmh"])


def _nearest_zone(lon: np.ndarray, lat: np.ndarray, zones: Any) -> np.ndarray:
    d = haversine_km(lon[:, None], lat[:, None], zones.lon[None, :], zones.lat[None, :])
    return np.argmin(d, axis=1)


def _toll(road: _Road, change: NetworkChange, zones: Any) -> None:
    p = change.params
    g = road.graph
    if "cordon" in p:
        index: dict[str, int] = {}
        for i in range(len(zones.zone_id)):
            index[str(int(zones.zone_id[i]))] = i
            index[zones.name[i].lower()] = i
            index.setdefault(zones.municipality[i].lower(), i)
        inside_zones = set()
        for j, z in enumerate(p["cordon"]):
            key = z.lower()
            if key not in index:
                raise change.error(
                    f"cordon.zones[{j}]", f"unknown zone '{z}'", expected="a zone name or id"
                )
            # a municipality name selects all its zones (København -> the 10 bydele)
            hits = [i for i in range(len(zones.zone_id)) if zones.municipality[i].lower() == key]
            inside_zones.update(hits or [index[key]])
        nodes = list(g.nodes)
        lon = np.array([float(g.nodes[n]["x"]) for n in nodes])
        lat = np.array([float(g.nodes[n]["y"]) for n in nodes])
        near = _nearest_zone(lon, lat, zones)
        inside = {n: int(near[i]) in inside_zones for i, n in enumerate(nodes)}
        for n, d in g.nodes(data=True):
            if d.get("zone_id") is not None:
                zi = np.flatnonzero(zones.zone_id == int(d["zone_id"]))
                if zi.size:
                    inside[n] = int(zi[0]) in inside_zones
        selected = []
        for u, v, k, d in g.edges(keys=True, data=True):
            if d.get("road_class") in ("connector", "cycle_superhighway"):
                continue
            entering = (not inside[u]) and inside[v]
            leaving = inside[u] and not inside[v]
            if (
                (p["direction"] == "inbound" and entering)
                or (p["direction"] == "outbound" and leaving)
                or (p["direction"] == "both" and (entering or leaving))
            ):
                selected.append((u, v, k))
        if not selected:
            raise change.error(
                "cordon",
                "no road link crosses the cordon",
                expected="a set of zones with a boundary",
            )
    else:
        selected = road.select(change)
    for u, v, k in selected:
        d = g.edges[u, v, k]
        d["toll_dkk"] = float(d.get("toll_dkk", 0.0) or 0.0) + p["toll_dkk"]


def _transit(inputs: Any, change: NetworkChange, project_id: str) -> None:
    from mobility.region.transit import Stop, TransitLine

    system = inputs.transit
    p = change.params
    stops: list[str] = []
    for i, s in enumerate(p.get("stops", [])):
        if isinstance(s, dict):
            if s["id"] not in system.stops:
                system.stops[s["id"]] = Stop(s["id"], s["name"], s["lon"], s["lat"])
            stops.append(s["id"])
        else:
            if s not in system.stops:
                raise change.error(
                    f"stops[{i}]",
                    f"unknown stop '{s}'",
                    expected="a stop id of the transit network or {id, name, lon, lat}",
                )
            stops.append(s)
    lid = p["line_id"]
    if change.op == "add_transit_line":
        if lid in system.lines:
            raise change.error("line_id", f"line '{lid}' already exists", expected="a new line id")
        system.lines[lid] = TransitLine(
            line_id=lid,
            name=p["name"],
            mode=p["mode"],
            headway_min=p["headway_min"],
            speed_kmh=p["speed_kmh"],
            stops=tuple(stops),
            source=f"project {project_id} ({change.file})",
        )
        return
    if lid not in system.lines:
        raise change.error(
            "line_id", f"unknown line '{lid}'", expected="a line id of the transit network"
        )
    updates: dict[str, Any] = {}
    for key in ("headway_min", "speed_kmh"):
        if key in p:
            updates[key] = p[key]
    if stops:
        updates["stops"] = tuple(stops)
    system.lines[lid] = replace(system.lines[lid], **updates)


def apply_changes(
    inputs: Any, changes: Iterable[NetworkChange], *, project_id: str = "project"
) -> Any:
    """A deep copy of ``inputs`` (a RegionInputs) with ``changes`` applied in order.

    The reference ``inputs`` is never mutated.

    Raises
    ------
    InputError
        Naming the project file and change field (unknown node, link, line or stop ...).
    """
    out = copy.deepcopy(inputs)
    _apply_in_place(out, changes, project_id)
    return out


def _apply_in_place(out: Any, changes: Iterable[NetworkChange], project_id: str) -> None:
    road = _Road(out.roads)
    used: set[Any] = set()
    for change in changes:
        if change.op == "add_link":
            _add_path(road, change, project_id, used, bike=False)
        elif change.op == "add_cycle_superhighway":
            _add_path(road, change, project_id, used, bike=True)
        elif change.op == "change_link":
            _change_links(road, change)
        elif change.op == "remove_link":
            for u, v, k in road.select(change):
                out.roads.remove_edge(u, v, key=k)
        elif change.op == "toll":
            _toll(road, change, out.zones)
        elif change.op in ("add_transit_line", "change_transit_line"):
            _transit(out, change, project_id)
        else:  # pragma: no cover - the schema rejects other ops
            raise change.error("op", f"unsupported operation '{change.op}'")


def apply_projects(inputs: Any, projects: Sequence[Project]) -> Any:
    """A deep copy of ``inputs`` with every project's changes applied, in the given order."""
    out = copy.deepcopy(inputs)
    for project in projects:
        _apply_in_place(out, project.changes, project.id)
    return out
