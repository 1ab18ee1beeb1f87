"""The roads of the hovedstad region: loader, VDF classes and the car/bike/walk networks.

``mobility/data/roads/`` is a GMNS folder (built by :mod:`mobility.data.build_roads`, sources
in ``mobility/data/README.md``). :func:`load_roads` reads it into the editable
``networkx.MultiDiGraph`` of the region contract; :func:`road_link_network` turns the links
open to one mode into a :class:`~mobility.network.graph.LinkNetwork` in zone order, with the
volume-delay function of each road class (:data:`BPR_BY_CLASS`, :data:`AKCELIK_BY_CLASS`).
:func:`mobility.region.inputs.load_region` bundles zones, roads and public transport for one
year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility.errors import InputError
from mobility.network.gmns import ordered_edges, read_gmns
from mobility.network.graph import LinkNetwork
from mobility.network.vdf import VDF_CODES
from mobility.region.vocabulary import ROAD_CLASSES
from mobility.region.zones import Zones
from mobility.resources import data_dir

#: BPR parameters ``(alpha, beta)`` by road class. Urban roads use the classic BPR
#: (alpha = 0.15, beta = 4, Bureau of Public Roads 1964). The motorway and motortrafikvej rows
#: (a steeper power, as in many European strategic models [M]) apply only to those classes
#: taken off :data:`AKCELIK_BY_CLASS`. Connectors, ferries and cycle superhighways do not
#: congest (alpha = 0).
BPR_BY_CLASS: dict[str, tuple[float, float]] = {
    "motorway": (0.15, 5.5),
    "expressway": (0.15, 5.0),
    "arterial": (0.15, 4.0),
    "collector": (0.15, 4.0),
    "local": (0.15, 4.0),
    "connector": (0.0, 1.0),
    "ferry": (0.0, 1.0),
    "cycle_superhighway": (0.0, 1.0),
}
#: Road classes whose car links use Akçelik's queueing function instead of BPR, with its
#: ``(J, T)``: delay parameter J (``LinkNetwork.akcelik_j``; Akçelik 1991, Table 1: 0.1 for
#: freeways, 0.2 for uninterrupted arterials such as motortrafikveje) and flow period
#: T = 1 h (``LinkNetwork.period_h``); the region model
#: sets T to each time-of-day period's length, the time its demand rate holds
#: (mobility/demand/road.py, ``period_network``). On a motorway the
#: congestion is a queue at a bottleneck (merge, weave, lane drop) that delays each vehicle
#: by minutes set by the over-saturation, whatever the link's length; BPR's delay is a
#: multiple of the free-flow time (0.6 min on a 1 km link) and let the motorways carry
#: 1.2-1.45 x capacity for 13 hours a day (docs/calibration.md, "Counts").
AKCELIK_BY_CLASS: dict[str, tuple[float, float]] = {
    "motorway": (0.1, 1.0),
    "expressway": (0.2, 1.0),
}
#: Travel speed of the non-car modes, km/h [M] (urban cycling ~15-16 km/h in København's
#: counts; walking 5 km/h). A link's time for these modes uses min(mode speed, link speed),
#: except cycle superhighways, whose own free_speed (design speed) applies.
MODE_SPEED_KMH: dict[str, float] = {"bike": 16.0, "walk": 5.0}
MODES = ("car", "bike", "walk")
REQUIRED_EDGE = ("length_km", "free_speed_kmh", "capacity_vph", "road_class")

#: Count sections for calibration: key -> (road name, from node name, to node name, value,
#: unit, source). Both directions of the section carry the count.
COUNT_SECTIONS: dict[str, tuple[str, str, str, float, str, str]] = {
    "koege_bugt_greve_n_ishoej": (
        "Køge Bugt Motorvejen",
        "Køge Bugt mv. Ishøj",
        "Køge Bugt mv. Greve N",
        133_400.0,
        "ÅDT (vehicles/day, both directions)",
        "[S2] sn.dk 'Trafiktrængsel: det bliver mere vildt' (Vejdirektoratet statsvejnet ~2019)",
    ),
    "motorring3_jyllingevej_husum": (
        "Motorring 3",
        "M3 Jyllingevej",
        "M3 Frederikssundsvej (Husum)",
        130_000.0,
        "weekday vehicles/day, both directions",
        "[S] Trafikstyrelsen VVM 2020 'Kapacitetsforøgelse på Motorring 3' (~130,000, 2019)",
    ),
    # Per-lane daily flows of the DI ranking (Dansk Industri from Vejdirektoratet counts, ~2020,
    # via bt.dk/Fyens.dk [S2]; domain-facts section 4) times the section's lanes in both
    # directions [D]: the total is only as good as the lane count, tagged beside it.
    "amagermotorvejen_avedoere": (
        "Amagermotorvejen",
        "Avedøre motorvejskryds (M3/Køge Bugt/Amagermotorvejen)",
        "Amagermotorvejen Avedøre Holme (Gl. Køge Landevej)",
        19_268.0 * 6,
        "vehicles/day, both directions [D] = 19,268 per lane x 6 lanes",
        "[S2] bt.dk 'Her er Danmarks mest trafikerede motorvej' (DI from Vejdirektoratet counts "
        "~2020): 19,268 per lane 'ved Avedøre'; 2x3 lanes [S2] domain-facts 5a; total [D]",
    ),
    "koege_bugt_greve_c": (
        "Køge Bugt Motorvejen",
        "Køge Bugt mv. Greve N",
        "Køge Bugt mv. Greve C",
        16_255.0 * 8,
        "vehicles/day, both directions [D] = 16,255 per lane x 8 lanes",
        "[S2] bt.dk (DI from Vejdirektoratet counts ~2020): 16,255 per lane 'ved Greve C'; "
        "2x4 lanes Greve N-Greve S [S] trm.dk 2004 (Hundige-Greve Syd 6 -> 8 lanes); total [D]",
    ),
    "hilleroedmotorvejen_bagsvaerd": (
        "Hillerødmotorvejen",
        "Motorvejskryds Gladsaxe (M3/Hillerødmotorvejen)",
        "Hillerødmotorvejen Bagsværd",
        16_136.0 * 6,
        "vehicles/day, both directions [D] = 16,136 per lane x 6 lanes",
        "[S2] bt.dk (DI from Vejdirektoratet counts ~2020): 16,136 per lane 'ved Bagsværd'; "
        "2x3 lanes M3-Ring 4 [M]; total [D]",
    ),
    "holbaekmotorvejen_vallensbaek": (
        "Holbækmotorvejen",
        "Holbækmotorvejen Glostrup",
        "Motorvejskryds Taastrup (Holbækmv./Motorring 4)",
        15_642.0 * 6,
        "vehicles/day, both directions [D] = 15,642 per lane x 6 lanes",
        "[S2] bt.dk (DI from Vejdirektoratet counts ~2020): 15,642 per lane 'ved Vallensbæk' "
        "(exit Vallensbæk N, west of Brøndbyvester/Ring 3; section [M]); 2x3 lanes "
        "(six-lane to Roskilde V [S2] Wikipedia); total [D]",
    ),
    "helsingoermotorvejen_lundtofte": (
        "Helsingørmotorvejen",
        "Lyngby Omfartsvej (Ring 4/Helsingørmv.)",
        "Helsingørmotorvejen Lundtofte",
        17_793.0 * 6,
        "vehicles/day, both directions [D] = 17,793 per lane x 6 lanes",
        "[S2] bt.dk (DI from Vejdirektoratet counts ~2020): 17,793 per lane 'ved Lundtofte'; "
        "2x3 lanes Jægersborg-Hørsholm [S2] Vejdirektoratet (widened 2012-15); total [D]",
    ),
    "oeresundsbroen": (
        "Øresundsbroen",
        "Øresundsforbindelsen tunnelportal Kastrup",
        "Lernacken betalingsanlæg (Øresundsbroen)",
        19_300.0,
        "vehicles/day, both directions (17,400 cars, 1,230 trucks, 128 buses), 2015",
        "[S2] Øresundsinstituttet 'Fakta: trafikken over Øresund 2015' (Øresundsbro "
        "Konsortiet, Danmarks Statistik, Trafik- og byggestyrelsen)",
    ),
}


def default_roads_path() -> Path:
    """The bundled GMNS road folder."""
    return data_dir() / "roads"


def _open_year(value: Any, *, folder: Path, link_id: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(
            f"link {link_id}: open_year {value!r} is not a year",
            file=folder / "link.csv",
            field="open_year",
            expected="an integer year or empty",
        ) from None


def load_roads(path: str | Path | None = None, *, year: int | None = None) -> nx.MultiDiGraph:
    """Read the region's road network (GMNS) into a ``networkx.MultiDiGraph``.

    Parameters
    ----------
    path
        A GMNS folder (default: the bundled ``mobility/data/roads/``).
    year
        If given, drop links whose ``open_year`` is after ``year`` (e.g. Nordhavnsvej, 2017,
        is not in the 2015 base network).

    Returns
    -------
    networkx.MultiDiGraph
        Node attributes ``x`` (lon), ``y`` (lat), ``name``, ``zone_id`` (centroids only);
        edges keyed by ``link_id`` with ``link_id``, ``name``, ``road_class``, ``lanes``,
        ``capacity_vph`` (whole direction), ``free_speed_kmh``, ``length_km``, ``toll_dkk``,
        ``modes``, ``source`` and ``open_year`` (int or None).

    Raises
    ------
    InputError
        For a missing folder/file/column, a bad number, a link with zero or negative length,
        capacity or speed, or an unknown road class, naming file and field.
    """
    folder = Path(path) if path is not None else default_roads_path()
    graph = read_gmns(folder)
    drop = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        link_id = data.get("link_id", key)
        for name in REQUIRED_EDGE:
            if name not in data:
                raise InputError(
                    f"link {link_id} has no value", file=folder / "link.csv", field=name
                )
        if data["road_class"] not in ROAD_CLASSES:
            raise InputError(
                f"link {link_id}: unknown facility_type {data['road_class']!r}",
                file=folder / "link.csv",
                field="facility_type",
                expected=" | ".join(ROAD_CLASSES),
            )
        for name, gmns_name in (
            ("length_km", "length"),
            ("capacity_vph", "capacity"),
            ("free_speed_kmh", "free_speed"),
        ):
            if not data[name] > 0:
                raise InputError(
                    f"link {link_id} has {gmns_name} {data[name]}",
                    file=folder / "link.csv",
                    field=gmns_name,
                    expected="a positive number",
                )
        data.setdefault("toll_dkk", 0.0)
        data.setdefault("modes", ",".join(MODES))
        data.setdefault("lanes", 1)
        data.setdefault("name", "")
        data.setdefault("source", "")
        data["open_year"] = _open_year(data.get("open_year"), folder=folder, link_id=link_id)
        if year is not None and data["open_year"] is not None and data["open_year"] > year:
            drop.append((u, v, key))
    graph.remove_edges_from(drop)
    graph.graph["year"] = year
    return graph


def _allows(modes: str, mode: str) -> bool:
    return mode in {m.strip() for m in str(modes).split(",")}


def road_link_network(
    graph: nx.MultiDiGraph,
    zones: Zones,
    *,
    modes: str = "car",
    bpr: dict[str, tuple[float, float]] | None = None,
    akcelik: dict[str, tuple[float, float]] | None = None,
) -> LinkNetwork:
    """The links of ``graph`` open to one mode as a :class:`LinkNetwork` in zone order.

    Parameters
    ----------
    graph
        The road graph of :func:`load_roads` (possibly changed by a project).
    zones
        Zone order for the OD matrices; zone ``i``'s centroid is the node whose
        ``zone_id`` equals ``zones.zone_id[i]``.
    modes
        One of ``car``, ``bike``, ``walk``.
    bpr
        Override of :data:`BPR_BY_CLASS` (road class -> (alpha, beta)).
    akcelik
        Road class -> ``(J, T)`` of the classes on Akçelik's function (the others use BPR);
        ``None``: :data:`AKCELIK_BY_CLASS`; ``{}``: BPR everywhere.

    Returns
    -------
    LinkNetwork
        ``free_flow_time`` in minutes, ``length`` in km, ``capacity`` veh/h per direction,
        ``toll`` DKK, ``link_type`` = 1-based index in :data:`ROAD_CLASSES`, centroids
        ``no_thru``; per link ``vdf`` with ``alpha``/``beta`` of :data:`BPR_BY_CLASS`, on
        Akçelik's function ``akcelik_j``/``period_h`` of :data:`AKCELIK_BY_CLASS` (0
        elsewhere). ``meta`` holds per-link ``link_id``, ``name``, ``road_class``,
        ``from_node_id``, ``to_node_id`` lists and ``mode``.

    Raises
    ------
    InputError
        Unknown mode, a zone without centroid, or no link open to the mode.
    """
    mode = modes.strip()
    if mode not in MODES:
        raise InputError(f"unknown mode {modes!r}", field="modes", expected=" | ".join(MODES))
    params = dict(BPR_BY_CLASS)
    if bpr:
        params.update(bpr)
    queue = AKCELIK_BY_CLASS if akcelik is None else akcelik
    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    centroid_of: dict[int, int] = {}
    for n in nodes:
        zid = graph.nodes[n].get("zone_id")
        if zid is not None:
            centroid_of[int(zid)] = n
    zone_nodes = []
    for zid in zones.zone_id.tolist():
        if zid not in centroid_of:
            raise InputError(
                f"zone {zid} has no centroid node in the road network",
                field="zone_id",
                expected="a node with that zone_id",
            )
        zone_nodes.append(index[centroid_of[zid]])
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "init",
            "term",
            "capacity",
            "fft",
            "length",
            "alpha",
            "beta",
            "akcelik_j",
            "period_h",
            "vdf",
            "toll",
            "type",
            "link_id",
            "name",
            "road_class",
            "from",
            "to",
        )
    }
    for u, v, key, data in ordered_edges(graph):
        if not _allows(data.get("modes", ",".join(MODES)), mode):
            continue
        cls = data["road_class"]
        speed = float(data["free_speed_kmh"])
        if mode != "car" and cls != "cycle_superhighway":
            speed = min(speed, MODE_SPEED_KMH[mode])
        if mode == "walk" and cls == "cycle_superhighway":
            speed = MODE_SPEED_KMH["walk"]
        alpha, beta = params.get(cls, (0.15, 4.0))
        code = VDF_CODES["bpr"]
        j, period_h = 0.0, 0.0  # not on Akçelik's function
        if mode != "car":
            alpha, beta = 0.0, 1.0
        elif cls in queue:
            (j, period_h), code = queue[cls], VDF_CODES["akcelik"]
        cols["init"].append(index[u])
        cols["term"].append(index[v])
        cols["capacity"].append(float(data["capacity_vph"]))
        cols["fft"].append(float(data["length_km"]) / speed * 60.0)
        cols["length"].append(float(data["length_km"]))
        cols["alpha"].append(alpha)
        cols["beta"].append(beta)
        cols["akcelik_j"].append(j)
        cols["period_h"].append(period_h)
        cols["vdf"].append(code)
        cols["toll"].append(float(data.get("toll_dkk", 0.0)) if mode == "car" else 0.0)
        cols["type"].append(ROAD_CLASSES.index(cls) + 1)
        cols["link_id"].append(data.get("link_id", key))
        cols["name"].append(data.get("name", ""))
        cols["road_class"].append(cls)
        cols["from"].append(u)
        cols["to"].append(v)
    if not cols["init"]:
        raise InputError(f"no link allows mode {mode!r}", field="allowed_uses")
    no_thru = np.zeros(len(nodes), dtype=bool)
    no_thru[zone_nodes] = True
    return LinkNetwork(
        node_ids=np.asarray(nodes, dtype=np.int64),
        init=np.asarray(cols["init"], dtype=np.int64),
        term=np.asarray(cols["term"], dtype=np.int64),
        capacity=np.asarray(cols["capacity"], dtype=np.float64),
        free_flow_time=np.asarray(cols["fft"], dtype=np.float64),
        length=np.asarray(cols["length"], dtype=np.float64),
        alpha=np.asarray(cols["alpha"], dtype=np.float64),
        beta=np.asarray(cols["beta"], dtype=np.float64),
        akcelik_j=np.asarray(cols["akcelik_j"], dtype=np.float64),
        period_h=np.asarray(cols["period_h"], dtype=np.float64),
        vdf=np.asarray(cols["vdf"], dtype=np.int64),
        toll=np.asarray(cols["toll"], dtype=np.float64),
        link_type=np.asarray(cols["type"], dtype=np.int64),
        zone_nodes=np.asarray(zone_nodes, dtype=np.int64),
        no_thru=no_thru,
        meta={
            "mode": mode,
            "units": {"free_flow_time": "min", "length": "km", "capacity": "veh/h", "toll": "DKK"},
            "link_id": cols["link_id"],
            "name": cols["name"],
            "road_class": cols["road_class"],
            "from_node_id": cols["from"],
            "to_node_id": cols["to"],
        },
    ).validate(source="region road network")


def count_section_links(graph: nx.MultiDiGraph, key: str) -> list[Any]:
    """Link ids (both directions) of a calibration count section of :data:`COUNT_SECTIONS`.

    Raises
    ------
    InputError
        Unknown key, or the section's links are not in ``graph``.
    """
    if key not in COUNT_SECTIONS:
        raise InputError(
            f"unknown count section {key!r}", field="count", expected=" | ".join(COUNT_SECTIONS)
        )
    road, a, b = COUNT_SECTIONS[key][:3]
    found = []
    for u, v, k, data in ordered_edges(graph):
        ends = {graph.nodes[u].get("name"), graph.nodes[v].get("name")}
        if data.get("name") == road and ends == {a, b}:
            found.append(data.get("link_id", k))
    if len(found) != 2:
        raise InputError(
            f"count section {key!r} ({road} {a} - {b}) has {len(found)} links",
            field="count",
            expected="2 (one per direction)",
        )
    return found
