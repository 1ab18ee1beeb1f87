"""Generate the bundled GMNS road network ``mobility/data/roads/`` (deterministic).

Run ``python -m mobility.data.build_roads`` from the repository root (after
``build_zones``); the output is byte-identical on every run.

What is real and what is estimated (also in ``mobility/data/README.md``):

* Node coordinates are junctions, interchanges, squares and ferry ports of the real road
  network, placed from knowledge of the geography (OpenStreetMap / Vejdirektoratet maps) to
  about ±300 m: tag ``[M] geometry from known junction locations``. They are not surveyed.
* Road names, road class, lanes and speed limits follow the real roads; lanes and limits are
  ``[M]`` unless a source is named (Motorring 3 2x3 [S] Trafikstyrelsen; Køge Bugt
  Motorvejen 2x4 Ishøj-Greve [S2]).
* Length = great-circle (haversine) distance between the end nodes x a curvature factor by
  class (:data:`CURVATURE`), because the model does not carry the road's shape points.
* Capacity per lane by class (:data:`CAPACITY_PER_LANE`, veh/h/lane) follows the usual
  planning values: motorway 1,900 (Danish/HCM planning capacity 1,800-2,000 pcu/h/lane),
  2+1 motortrafikvej 1,600, signalised urban arterial 900 (effective green ~50 %), collector
  700, local 500.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from mobility.data import build_zones
from mobility.fileio import write_csv
from mobility.region.vocabulary import LAND_BY_CODE

EARTH_RADIUS_KM = 6371.0088
#: Detour of the real alignment over the straight line between consecutive nodes, by class [M].
#: Motorways are chains of closely spaced junctions that already follow the alignment (1.02;
#: Motorring 3 then sums to 18.0 km vs the published 17 km [S]); other roads have fewer nodes.
CURVATURE = {
    "motorway": 1.02,
    "expressway": 1.10,
    "arterial": 1.15,
    "collector": 1.20,
    "local": 1.20,
    "connector": 1.30,
    "ferry": 1.05,
    "cycle_superhighway": 1.20,
}
#: Capacity, veh/h per lane [M] planning values (see module docstring).
CAPACITY_PER_LANE = {
    "motorway": 1900,
    "expressway": 1600,
    "arterial": 900,
    "collector": 700,
    "local": 500,
    "connector": 4000,
    "ferry": 900,
    "cycle_superhighway": 2000,
}
MODES = {
    "motorway": "car",
    "expressway": "car",
    "arterial": "car,bike,walk",
    "collector": "car,bike,walk",
    "local": "car,bike,walk",
    "connector": "car,bike,walk",
    # ferries carry cars on the road graph; foot and bike passengers are public-transport
    # trips on the ferry lines of the transit data (a ferry crossing is not cycled or walked)
    "ferry": "car",
    "cycle_superhighway": "bike",
}
#: Centroid connectors: speed representing access within the zone [M] and how many nodes.
CONNECTOR_SPEED_KMH = 30.0
CONNECTOR_MAX = 3
CONNECTOR_RADIUS_KM = 6.0
#: Which junctions connectors may end at (see :func:`connector_targets`).
CONNECTOR_RULE = "no_motorway_only"
GEO = "[M] geometry from known junction locations"

# ------------------------------------------------------------------------------------------
# Nodes: key -> (name, lat, lon). All [M] (see module docstring).
NODES: dict[str, tuple[str, float, float]] = {
    # --- Motorring 3 (south to north)
    "m3_avedoere": ("Avedøre motorvejskryds (M3/Køge Bugt/Amagermotorvejen)", 55.6255, 12.4505),
    "m3_brondby": ("M3 Brøndby (Park Allé)", 55.6405, 12.4395),
    "m3_brondbyoster": ("Motorvejskryds Brøndbyøster (M3/Holbækmotorvejen)", 55.6560, 12.4305),
    "m3_roskildevej": ("M3 Roskildevej (Rødovre S)", 55.6700, 12.4325),
    "m3_jyllingevej": ("M3 Jyllingevej", 55.6890, 12.4370),
    # M12 joins M3 at Motorvejskryds Rødovre, between the Roskildevej and Jyllingevej exits
    # (the M3-Ring 3 stage of 2010 was "built south of Jyllingevej" [S2] da.wikipedia 2007
    # dump, Frederikssundmotorvejen; "starts at Motorring 3 in Rødovre" [S2] Vejdirektoratet
    # newsletter 2015), so M3 Jyllingevej-Frederikssundsvej is one section (domain-facts 4).
    # Dict order = node id order: this key keeps its place (id 1006).
    "m3_m12": ("Motorvejskryds Rødovre (M3/Frederikssundmotorvejen)", 55.6835, 12.4350),
    "m3_frederikssundsvej": ("M3 Frederikssundsvej (Husum)", 55.7100, 12.4405),
    "m3_herlev": ("M3 Herlev (Herlev Ringvej)", 55.7230, 12.4485),
    "m3_gladsaxe": ("Motorvejskryds Gladsaxe (M3/Hillerødmotorvejen)", 55.7350, 12.4645),
    "m3_buddinge": ("M3 Buddinge (Søborg)", 55.7430, 12.4850),
    "m3_lyngby_s": ("M3 Lyngby S (Kongevejen)", 55.7540, 12.5030),
    "m3_jaegersborg": ("Motorvejskryds Jægersborg (M3/Helsingørmv./Lyngbyvej)", 55.7620, 12.5230),
    # --- Køge Bugt Motorvejen (north-east to south-west)
    "kb_brondby_strand": ("Køge Bugt mv. Brøndby Strand", 55.6210, 12.4190),
    "kb_vallensbaek": ("Køge Bugt mv. Vallensbæk", 55.6150, 12.3900),
    "kb_ishoej": ("Køge Bugt mv. Ishøj", 55.6075, 12.3560),
    "kb_greve_n": ("Køge Bugt mv. Greve N", 55.5960, 12.3200),
    "kb_greve": ("Køge Bugt mv. Greve C", 55.5800, 12.2900),
    "kb_greve_s": ("Køge Bugt mv. Greve S (Karlslunde)", 55.5600, 12.2620),
    "kb_solroed": ("Køge Bugt mv. Solrød", 55.5350, 12.2250),
    "kb_jersie": ("Køge Bugt mv. Jersie", 55.5150, 12.2050),
    "kb_koege_n": ("Køge Bugt mv. Køge N", 55.4950, 12.1750),
    "koege_vest": ("Motorvejskryds Køge Vest (E20/E47)", 55.4650, 12.1350),
    "koege_s": ("Sydmotorvejen Køge S", 55.4300, 12.1300),
    "ringsted": ("Vestmotorvejen Ringsted", 55.4500, 11.8150),
    # --- Amagermotorvejen / Øresundsmotorvejen
    "am_avedoere_holme": ("Amagermotorvejen Avedøre Holme (Gl. Køge Landevej)", 55.6300, 12.4800),
    "kalvebod_w": ("Kalvebodbroen vest (Hvidovre)", 55.6320, 12.5040),
    "kalvebod_e": ("Kalvebodbroen øst (Amager)", 55.6270, 12.5330),
    "am_vejlands": ("Amagermotorvejen Vejlands Allé (Ørestad S)", 55.6230, 12.5620),
    "am_kastrup": ("Motorvejskryds Kastrup (Amager-/Øresundsmotorvejen)", 55.6230, 12.6000),
    "oe_lufthavn": ("Øresundsmotorvejen Lufthavnen", 55.6190, 12.6380),
    "oe_drogden": ("Øresundsforbindelsen tunnelportal Kastrup", 55.6080, 12.6750),
    "oe_lernacken": ("Lernacken betalingsanlæg (Øresundsbroen)", 55.5640, 12.9080),
    # --- Sweden
    "se_malmoe": ("Malmö Yttre Ringvägen/E6", 55.5750, 13.0300),
    "se_malmoe_c": ("Malmö centrum", 55.6050, 13.0000),
    "se_lund": ("Lund E22", 55.7100, 13.2000),
    "se_landskrona": ("E6 Landskrona", 55.8750, 12.8600),
    "se_hbg": ("Helsingborg E6/E4", 56.0350, 12.7300),
    "se_hbg_port": ("Helsingborg færgehavn", 56.0440, 12.6930),
    "se_svedala": ("E65 Svedala", 55.5100, 13.2300),
    "se_ystad": ("Ystad færgehavn", 55.4280, 13.8260),
    # --- Bornholm
    "bh_roenne": ("Rønne havn", 55.0990, 14.6920),
    "bh_nexoe": ("Nexø", 55.0600, 15.1300),
    "koege_havn": ("Køge havn", 55.4530, 12.1960),
    # --- Holbækmotorvejen / Roskilde
    "hb_glostrup": ("Holbækmotorvejen Glostrup", 55.6610, 12.3900),
    "hb_m4": ("Motorvejskryds Taastrup (Holbækmv./Motorring 4)", 55.6620, 12.3380),
    "hb_hoeje_taastrup": ("Holbækmotorvejen Høje Taastrup", 55.6530, 12.2850),
    "hb_hedehusene": ("Holbækmotorvejen Hedehusene", 55.6530, 12.2100),
    "hb_roskilde_o": ("Holbækmotorvejen Roskilde Ø", 55.6460, 12.1250),
    "hb_roskilde_v": ("Holbækmotorvejen Roskilde V", 55.6280, 12.0400),
    "hb_holbaek": ("Holbækmotorvejen Holbæk", 55.7050, 11.7400),
    "roskilde_c": ("Roskilde centrum (Ringstedvej/Køgevej)", 55.6400, 12.0850),
    "lejre": ("Lejre (Ledreborg Allé)", 55.6040, 11.9750),
    "jyllinge": ("Gundsømagle (rute 6)", 55.7300, 12.1400),
    "tune": ("Tune (Køgevej)", 55.5950, 12.1750),
    # --- Motorring 4 / Ring 4
    "m4_albertslund": ("Motorring 4 Albertslund N (Roskildevej)", 55.6720, 12.3420),
    "m4_ballerup_s": ("Motorring 4 Ballerup S (Ballerupvej)", 55.7000, 12.3520),
    "m4_m12": ("Motorvejskryds Ballerup (M4/M12)", 55.7200, 12.3530),
    "r4_ishoej": ("Ring 4 Ishøj (Ishøj Stationsvej)", 55.6200, 12.3400),
    "r4_vallensbaek": ("Ring 4 Vallensbæk N", 55.6420, 12.3420),
    "r4_hareskov": ("Ring 4 Hareskov (Ballerup-Værløse)", 55.7450, 12.3900),
    "r4_bagsvaerd": ("Ring 4 Bagsværd (Hillerødmv.)", 55.7610, 12.4430),
    "r4_lyngby": ("Lyngby Omfartsvej (Ring 4/Helsingørmv.)", 55.7780, 12.5180),
    # --- Frederikssundmotorvejen / Frederikssundsvej
    "m12_skovlunde": ("Frederikssundmotorvejen Skovlunde", 55.7130, 12.3950),
    "m12_maaloev": ("Frederikssundmotorvejen Måløv", 55.7350, 12.3050),
    "m12_tvaervej": ("Frederikssundmotorvejen Tværvej (Smørum)", 55.7440, 12.2700),
    "stenloese": ("Stenløse (Frederikssundsvej)", 55.7700, 12.1950),
    "oelstykke": ("Ølstykke (Frederikssundsvej)", 55.7950, 12.1500),
    "frederikssund": ("Frederikssund (Kronprins Frederiks Bro)", 55.8370, 12.0750),
    "ballerup_c": ("Ballerup centrum (Frederikssundsvej)", 55.7320, 12.3600),
    "skovlunde": ("Skovlunde (Frederikssundsvej)", 55.7230, 12.4000),
    "herlev_c": ("Herlev (Frederikssundsvej/Herlev Hovedgade)", 55.7210, 12.4230),
    "husum": ("Husum Torv", 55.7090, 12.4650),
    "bellahoej": ("Bellahøj (Frederikssundsvej/Bellahøjvej)", 55.7045, 12.5080),
    "noerrebros_runddel": ("Nørrebros Runddel", 55.6940, 12.5490),
    # --- Hillerødmotorvejen and the north
    "hm_bagsvaerd": ("Hillerødmotorvejen Bagsværd", 55.7640, 12.4420),
    "hm_farum_s": ("Hillerødmotorvejen Farum S (Værløse)", 55.7900, 12.4000),
    "hm_farum": ("Hillerødmotorvejen Farum", 55.8100, 12.3850),
    "hm_alleroed_s": ("Hillerødmotorvejen Allerød S", 55.8550, 12.3700),
    "hm_alleroed": ("Hillerødmotorvejen Allerød (motorvejens ende)", 55.8850, 12.3500),
    "hillerod_s": ("Hillerød S (Hillerødmotorvejens forlængelse)", 55.9150, 12.3200),
    "hillerod_c": ("Hillerød centrum", 55.9260, 12.3050),
    "vaerloese": ("Værløse", 55.7820, 12.3720),
    "farum_c": ("Farum centrum", 55.8100, 12.3650),
    "alleroed_c": ("Lillerød (Allerød)", 55.8720, 12.3450),
    "helsinge": ("Helsinge", 56.0230, 12.1980),
    "gilleleje": ("Gilleleje", 56.1200, 12.3100),
    "frederiksvaerk": ("Frederiksværk", 55.9700, 12.0250),
    "fredensborg": ("Fredensborg", 55.9750, 12.4050),
    # --- Helsingørmotorvejen, Lyngbyvej, Kongevejen
    "hm_lyngby": ("Helsingørmotorvejen Lyngby (Klampenborgvej)", 55.7720, 12.5250),
    "hm_lundtofte": ("Helsingørmotorvejen Lundtofte", 55.7950, 12.5200),
    "hm_naerum": ("Helsingørmotorvejen Nærum", 55.8150, 12.5250),
    "hm_gl_holte": ("Helsingørmotorvejen Gl. Holte (Øverød)", 55.8350, 12.5150),
    "hm_hoersholm_s": ("Helsingørmotorvejen Hørsholm S", 55.8650, 12.5100),
    "hm_hoersholm_n": ("Helsingørmotorvejen Hørsholm N", 55.8880, 12.5130),
    "hm_kokkedal": ("Helsingørmotorvejen Kokkedal", 55.9050, 12.5050),
    "hm_humlebaek": ("Helsingørmotorvejen Humlebæk/Fredensborg", 55.9550, 12.5200),
    "hm_espergaerde": ("Helsingørmotorvejen Espergærde", 55.9950, 12.5600),
    "hm_helsingoer": ("Helsingørmotorvejen Helsingør", 56.0250, 12.5850),
    "helsingoer_c": ("Helsingør færgehavn", 56.0380, 12.6150),
    "lyngby_c": ("Kongens Lyngby centrum", 55.7730, 12.5040),
    "holte": ("Holte (Kongevejen)", 55.8100, 12.4700),
    "birkeroed": ("Birkerød (Kongevejen)", 55.8470, 12.4300),
    "gentofte": ("Lyngbyvej Gentofte (Bernstorffsvej)", 55.7460, 12.5430),
    "ryparken": ("Lyngbyvej Ryparken (Nordhavnsvej)", 55.7215, 12.5620),
    "vibenshus": ("Vibenshus Runddel", 55.7065, 12.5640),
    "nordhavn": ("Nordhavnsvej/Kalkbrænderihavnsgade", 55.7140, 12.5890),
    # --- Strandvejen
    "svanemoellen": ("Strandvejen Svanemøllen", 55.7170, 12.5790),
    "hellerup": ("Strandvejen Hellerup (Tuborg)", 55.7280, 12.5770),
    "charlottenlund": ("Strandvejen Charlottenlund", 55.7500, 12.5840),
    "klampenborg": ("Strandvejen Klampenborg", 55.7710, 12.5920),
    "skodsborg": ("Strandvejen Skodsborg", 55.8200, 12.5700),
    "vedbaek": ("Strandvejen Vedbæk", 55.8530, 12.5700),
    "rungsted": ("Strandvejen Rungsted", 55.8840, 12.5480),
    "nivaa": ("Strandvejen Nivå", 55.9330, 12.5120),
    "humlebaek": ("Strandvejen Humlebæk", 55.9630, 12.5350),
    "espergaerde": ("Strandvejen Espergærde", 56.0000, 12.5700),
    # --- Central København
    "raadhuspladsen": ("Rådhuspladsen", 55.6759, 12.5690),
    "vesterport": ("Vesterbros Torv", 55.6725, 12.5480),
    "dybboelsbro": ("Dybbølsbro (Kalvebod Brygge)", 55.6655, 12.5610),
    "noerreport": ("Nørreport", 55.6835, 12.5715),
    "oesterport": ("Østerport (Oslo Plads)", 55.6925, 12.5870),
    "trianglen": ("Trianglen", 55.6990, 12.5770),
    "langebro_n": ("Langebro N (H.C. Andersens Boulevard)", 55.6715, 12.5755),
    "langebro_s": ("Langebro S (Amager Boulevard)", 55.6685, 12.5800),
    "knippelsbro_w": ("Knippelsbro V (Børsgade)", 55.6755, 12.5855),
    "knippelsbro_e": ("Knippelsbro Ø (Torvegade)", 55.6730, 12.5905),
    "kongens_nytorv": ("Kongens Nytorv", 55.6800, 12.5850),
    "amagerbro": ("Amagerbro (Amagerbrogade/Amager Boulevard)", 55.6660, 12.5945),
    "sundbyvester": ("Amagerbrogade/Øresundsvej", 55.6530, 12.6030),
    "amager_strand": ("Amager Strandvej/Øresundsvej", 55.6570, 12.6300),
    "islands_brygge": ("Islands Brygge (Artillerivej)", 55.6600, 12.5800),
    "bella_center": ("Ørestads Boulevard/Center Boulevard (Bella Center)", 55.6380, 12.5770),
    "ring2_amager": ("Vejlands Allé/Ørestads Boulevard", 55.6300, 12.5780),
    "tarnby": ("Tårnby (Amager Landevej/Englandsvej)", 55.6300, 12.6000),
    "kastrup_strand": ("Kastrup (Amager Strandvej/Kastrupvej)", 55.6350, 12.6480),
    "lufthavn_terminal": ("Københavns Lufthavn terminaler", 55.6290, 12.6460),
    "dragoer": ("Dragør", 55.5930, 12.6700),
    "sjaellandsbro_w": ("Sjællandsbroen V (Sjælør Boulevard)", 55.6450, 12.5270),
    "sjaellandsbro_e": ("Sjællandsbroen Ø (Vejlands Allé)", 55.6400, 12.5460),
    "mozarts_plads": ("Mozarts Plads (Sydhavn)", 55.6520, 12.5380),
    "enghave": ("Enghavevej/Vesterfælledvej", 55.6660, 12.5400),
    "toftegaards": ("Toftegårds Plads (Valby)", 55.6660, 12.5230),
    "valby_bakke": ("Roskildevej Valby Bakke", 55.6710, 12.5150),
    "aalholm": ("Ålholm Plads (Roskildevej/Ålholmvej)", 55.6710, 12.4990),
    "vigerslev": ("Vigerslevvej/Valby Langgade", 55.6640, 12.4970),
    "folehaven": ("Folehaven/Gl. Køge Landevej", 55.6530, 12.5030),
    "frederiksberg_c": ("Frederiksberg Rådhus (Smallegade)", 55.6790, 12.5310),
    "vanloese": ("Vanløse (Jyllingevej/Ålekistevej)", 55.6860, 12.4880),
    "grondal": ("Grøndals Parkvej/Godthåbsvej", 55.6930, 12.5070),
    "tomsgaards": ("Tomsgårdsvej/Frederiksborgvej", 55.7120, 12.5220),
    "tagensvej_r2": ("Tuborgvej/Tagensvej", 55.7180, 12.5420),
    "tuborgvej_lyngbyvej": ("Tuborgvej/Lyngbyvej", 55.7235, 12.5590),
    "emdrup": ("Frederiksborgvej Emdrup/Utterslev", 55.7230, 12.5100),
    "soeborg": ("Søborg Hovedgade", 55.7330, 12.4950),
    "roedovre_c": ("Rødovre (Roskildevej/Tårnvej)", 55.6700, 12.4550),
    "roedovre_n": ("Rødovre N (Jyllingevej/Tårnvej)", 55.6880, 12.4560),
    "hvidovre": ("Hvidovre (Gl. Køge Landevej/Hvidovrevej)", 55.6410, 12.4840),
    "avedoere": ("Avedøre (Gl. Køge Landevej)", 55.6220, 12.4520),
    # --- Ring 3 (O3) and the west
    "r3_lundtofte": ("Ring 3 Lundtofte (DTU)", 55.7880, 12.5120),
    "r3_buddinge": ("Ring 3 Buddinge", 55.7440, 12.4920),
    "r3_gladsaxe": ("Gladsaxe Trafikplads (Ring 3)", 55.7370, 12.4690),
    "r3_herlev": ("Ring 3 Herlev (Herlev Ringvej/Herlev Hovedgade)", 55.7250, 12.4330),
    "r3_roedovre_n": ("Ring 3 Islev/Rødovre N (Jyllingevej)", 55.6960, 12.4170),
    "r3_glostrup": ("Ring 3 Glostrup (Roskildevej)", 55.6660, 12.4060),
    "r3_brondby": ("Ring 3 Brøndbyvester (Park Allé)", 55.6480, 12.4100),
    "r3_vallensbaek": ("Ring 3 Vallensbæk", 55.6260, 12.3880),
    "r3_ishoej": ("Ring 3 Ishøj (Ishøj Stationsvej)", 55.6140, 12.3560),
    "albertslund_c": ("Albertslund (Roskildevej/Vridsløsemagle)", 55.6600, 12.3620),
    "taastrup_c": ("Taastrup (Roskildevej/Taastrup Hovedgade)", 55.6520, 12.3000),
    "hedehusene": ("Hedehusene (Roskildevej)", 55.6500, 12.1950),
    "brondby_strand": ("Brøndby Strand (Gl. Køge Landevej)", 55.6190, 12.4180),
    "vallensbaek_strand": ("Vallensbæk Strand (Gl. Køge Landevej)", 55.6140, 12.3900),
    "ishoej_strand": ("Ishøj Strand (Køge Bugt Landevej)", 55.6060, 12.3600),
    "greve_strand": ("Greve Strand (Køge Bugt Landevej)", 55.5850, 12.3000),
    "karlslunde": ("Karlslunde (Køge Bugt Landevej)", 55.5560, 12.2550),
    "solroed_strand": ("Solrød Strand (Køge Bugt Landevej)", 55.5300, 12.2200),
    "koege_c": ("Køge centrum", 55.4580, 12.1820),
    # --- Holbækmotorvejen inside Motorring 3 (appended: the ids of the nodes above stay)
    "hb_hvidovre": ("Holbækmotorvejen frakørsel 1 Hvidovre (Hvidovrevej)", 55.6520, 12.4730),
    # start of the motorway, 55°39'10" N 12°29'10" E [S2] de.wikipedia Holbækmotorvejen
    "hb_folehaven": ("Holbækmotorvejen/Folehaven/Vigerslevvej (Valby)", 55.6528, 12.4861),
}

# Roads: (name, class, lanes per direction, free speed km/h, node keys in order, source,
# open_year or None). Speeds are the posted limits [M]; lanes [M] unless a source is named.
R = tuple[str, str, int, float, tuple[str, ...], str, int | None]
ROADS: tuple[R, ...] = (
    (
        "Motorring 3",
        "motorway",
        3,
        90.0,
        (
            "m3_avedoere",
            "m3_brondby",
            "m3_brondbyoster",
            "m3_roskildevej",
            "m3_m12",
            "m3_jyllingevej",
            "m3_frederikssundsvej",
            "m3_herlev",
            "m3_gladsaxe",
            "m3_buddinge",
            "m3_lyngby_s",
            "m3_jaegersborg",
        ),
        "Motorring 3 (E47/E55) 2x3 lanes, 17 km [S] Trafikstyrelsen VVM 2020; limit 90 [M]; "
        "M12 interchange (Motorvejskryds Rødovre) south of Jyllingevej [S2]; " + GEO,
        None,
    ),
    # Køge Bugt Motorvejen: one row per lane count (same links, same order as one row)
    (
        "Køge Bugt Motorvejen",
        "motorway",
        3,
        110.0,
        ("m3_avedoere", "kb_brondby_strand", "kb_vallensbaek", "kb_ishoej"),
        "Køge Bugt Motorvejen (E20/E47/E55) Avedøre-Ishøj 2x3 lanes: Gl. Køge Landevej-Søndre "
        "Ringvej widened from 4 to 6 lanes in 2004 [S2] da.wikipedia 2007 dump; no later "
        "widening known [M]; " + GEO,
        None,
    ),
    (
        "Køge Bugt Motorvejen",
        "motorway",
        5,
        110.0,
        ("kb_ishoej", "kb_greve_n"),
        "Køge Bugt Motorvejen (E20/E47/E55) Ishøj (Motorring 4)-Greve N 2x5 lanes: widened from "
        "8 to 10 lanes, law of 6 May 2004, open 2008 [S] trm.dk 2004 'Lov om udbygning af "
        "Danmarks mest trafikerede motorvejsstrækning'; ÅDT 133,400 [S2] sn.dk; " + GEO,
        None,
    ),
    (
        "Køge Bugt Motorvejen",
        "motorway",
        4,
        110.0,
        ("kb_greve_n", "kb_greve", "kb_greve_s", "kb_solroed", "kb_jersie"),
        "Køge Bugt Motorvejen (E20/E47/E55) Greve N-Greve S 2x4 lanes (6 -> 8 lanes, open 2008) "
        "[S] trm.dk 2004; Greve S-Solrød S 2x4 (6 -> 8 lanes, open 2015) [S] trm.dk 2013 "
        "'Køge Bugt Motorvejen udbygges hurtigere end beregnet'; Jersie = Solrød S [M]; " + GEO,
        None,
    ),
    (
        "Køge Bugt Motorvejen",
        "motorway",
        3,
        110.0,
        ("kb_jersie", "kb_koege_n", "koege_vest"),
        "Køge Bugt Motorvejen (E20/E47/E55) Solrød S-Køge 2x3 lanes in 2015; widened to 2x4 by "
        "the end of 2017 [S] trm.dk 2016 (not represented: one lane count per link); " + GEO,
        None,
    ),
    (
        "Vestmotorvejen",
        "motorway",
        2,
        130.0,
        ("koege_vest", "ringsted"),
        "Vestmotorvejen (E20) Køge-Ringsted 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Sydmotorvejen",
        "motorway",
        2,
        130.0,
        ("koege_vest", "koege_s"),
        "Sydmotorvejen (E47/E55) 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Amagermotorvejen",
        "motorway",
        3,
        110.0,
        ("m3_avedoere", "am_avedoere_holme", "kalvebod_w"),
        "Amagermotorvejen (E20) 2x3, 3rd busiest section Avedøre-Gl. Køge Landevej [S2] bt.dk; "
        + GEO,
        None,
    ),
    (
        "Kalvebodbroen",
        "motorway",
        3,
        110.0,
        ("kalvebod_w", "kalvebod_e"),
        "Amagermotorvejen on Kalvebodbroen (E20) 2x3 [M]; " + GEO,
        None,
    ),
    (
        "Amagermotorvejen",
        "motorway",
        3,
        110.0,
        ("kalvebod_e", "am_vejlands", "am_kastrup"),
        "Amagermotorvejen (E20) 2x3 [M]; " + GEO,
        None,
    ),
    (
        "Øresundsmotorvejen",
        "motorway",
        2,
        110.0,
        ("am_kastrup", "oe_lufthavn", "oe_drogden"),
        "Øresundsmotorvejen (E20) 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Øresundsbroen",
        "motorway",
        2,
        90.0,
        ("oe_drogden", "oe_lernacken"),
        "Øresundsforbindelsen (Drogdentunnel, Peberholm, bridge) 2x2, toll one-way car [M] "
        "≈415 DKK list price (BroPas commuters pay less); " + GEO,
        None,
    ),
    (
        "E20 Yttre Ringvägen",
        "motorway",
        2,
        110.0,
        ("oe_lernacken", "se_malmoe"),
        "E20/Yttre Ringvägen Malmö [M]; " + GEO,
        None,
    ),
    (
        "E6 Malmö-Helsingborg",
        "motorway",
        2,
        110.0,
        ("se_malmoe", "se_lund", "se_landskrona", "se_hbg"),
        "E6/E20 Malmö-Lund-Helsingborg [M]; " + GEO,
        None,
    ),
    (
        "E65 Malmö-Ystad",
        "expressway",
        2,
        100.0,
        ("se_malmoe", "se_svedala", "se_ystad"),
        "E65 Malmö-Ystad [M]; " + GEO,
        None,
    ),
    (
        "Malmö local roads",
        "arterial",
        2,
        50.0,
        ("se_malmoe", "se_malmoe_c"),
        "Malmö inner roads (representative) [M]; " + GEO,
        None,
    ),
    (
        "Helsingborg local roads",
        "arterial",
        2,
        50.0,
        ("se_hbg", "se_hbg_port"),
        "Helsingborg inner roads (representative) [M]; " + GEO,
        None,
    ),
    (
        "Skåne country roads",
        "collector",
        1,
        70.0,
        ("se_malmoe", "se_lund", "se_landskrona", "se_hbg"),
        "Skåne main roads parallel to the E6 (rv 108/Landskronavägen), open to bikes [M]; " + GEO,
        None,
    ),
    (
        "Skåne country roads",
        "collector",
        1,
        70.0,
        ("se_malmoe", "se_svedala", "se_ystad"),
        "Skåne main roads parallel to the E65, open to bikes [M]; " + GEO,
        None,
    ),
    (
        "Holbækmotorvejen",
        "motorway",
        3,
        110.0,
        ("m3_brondbyoster", "hb_glostrup", "hb_m4", "hb_hoeje_taastrup"),
        "Holbækmotorvejen (rute 21) 2x3 M3-Høje Taastrup [M]; " + GEO,
        None,
    ),
    (
        "Holbækmotorvejen",
        "motorway",
        2,
        130.0,
        ("hb_hoeje_taastrup", "hb_hedehusene", "hb_roskilde_o", "hb_roskilde_v", "hb_holbaek"),
        "Holbækmotorvejen (rute 21) 2x2 west of Høje Taastrup [M]; " + GEO,
        None,
    ),
    (
        "Motorring 4",
        "motorway",
        2,
        110.0,
        ("hb_m4", "m4_albertslund", "m4_ballerup_s", "m4_m12"),
        "Motorring 4 (O4) Taastrup-Ballerup 2x2, ~10 km [S2] ythat.dk (M4×M12); " + GEO,
        None,
    ),
    (
        "Ring 4",
        "arterial",
        2,
        70.0,
        ("r4_ishoej", "r4_vallensbaek", "hb_m4"),
        "Ring 4 (O4) Ishøj-Taastrup arterial 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Ring 4",
        "arterial",
        2,
        70.0,
        ("m4_m12", "r4_hareskov", "r4_bagsvaerd", "r4_lyngby"),
        "Ring 4 (O4) Ballerup-Bagsværd-Lyngby arterial 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Frederikssundmotorvejen",
        "motorway",
        2,
        110.0,
        ("m3_m12", "m12_skovlunde", "m4_m12", "m12_maaloev", "m12_tvaervej"),
        "Frederikssundmotorvejen (M12) 2x2: M3-M4 2011, M4-Tværvej 2015 [S2]; " + GEO,
        None,
    ),
    (
        "Frederikssundsvej",
        "collector",
        1,
        80.0,
        ("m12_tvaervej", "stenloese", "oelstykke", "frederikssund"),
        "Frederikssundsvej (rute 211/53) 2-lane rural road beyond the motorway end [M]; " + GEO,
        None,
    ),
    (
        "Frederikssundsvej",
        "arterial",
        2,
        50.0,
        (
            "noerrebros_runddel",
            "bellahoej",
            "husum",
            "m3_frederikssundsvej",
            "herlev_c",
            "skovlunde",
            "ballerup_c",
        ),
        "Frederikssundsvej (rute 211) urban 2x2 with signals [M]; " + GEO,
        None,
    ),
    (
        "Frederikssundsvej",
        "collector",
        1,
        70.0,
        ("ballerup_c", "m12_maaloev"),
        "Frederikssundsvej Ballerup-Måløv [M]; " + GEO,
        None,
    ),
    (
        "Hillerødmotorvejen",
        "motorway",
        3,
        110.0,
        ("m3_gladsaxe", "hm_bagsvaerd"),
        "Hillerødmotorvejen (rute 16) M3-Bagsværd 2x3 [M] (widening M3-Ring 4 in IP2035 [S2]); "
        + GEO,
        None,
    ),
    (
        "Hillerødmotorvejen",
        "motorway",
        2,
        110.0,
        ("hm_bagsvaerd", "hm_farum_s", "hm_farum", "hm_alleroed_s", "hm_alleroed"),
        "Hillerødmotorvejen (rute 16) Bagsværd-Allerød 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Hillerødmotorvejens forlængelse",
        "expressway",
        1,
        80.0,
        ("hm_alleroed", "hillerod_s"),
        "Allerød-Hillerød 2+1 motortrafikvej (13 km; upgrade to motorway decided IP2035 [S2]); "
        + GEO,
        None,
    ),
    (
        "Hillerødvej",
        "arterial",
        1,
        50.0,
        ("hillerod_s", "hillerod_c"),
        "Hillerød S-Hillerød centrum [M]; " + GEO,
        None,
    ),
    (
        "Hillerødgade/Frederiksborgvej",
        "arterial",
        2,
        50.0,
        ("noerrebros_runddel", "tomsgaards", "emdrup", "soeborg", "m3_gladsaxe"),
        "Hillerødgade/Frederiksborgvej radial 2x2 [M]; " + GEO,
        None,
    ),
    (
        "Helsingørmotorvejen",
        "motorway",
        3,
        110.0,
        (
            "m3_jaegersborg",
            "hm_lyngby",
            "r4_lyngby",
            "hm_lundtofte",
            "hm_naerum",
            "hm_gl_holte",
            "hm_hoersholm_s",
        ),
        "Helsingørmotorvejen (E47/E55) 2x3 Jægersborg-Hørsholm (widened 2012-15) [S2] VD; " + GEO,
        None,
    ),
    (
        "Helsingørmotorvejen",
        "motorway",
        2,
        110.0,
        (
            "hm_hoersholm_s",
            "hm_hoersholm_n",
            "hm_kokkedal",
            "hm_humlebaek",
            "hm_espergaerde",
            "hm_helsingoer",
        ),
        "Helsingørmotorvejen (E47/E55) 2x2 north of Hørsholm [M]; " + GEO,
        None,
    ),
    (
        "Helsingør ferry approach",
        "arterial",
        2,
        50.0,
        ("hm_helsingoer", "helsingoer_c"),
        "Helsingør town roads to the ferry port [M]; " + GEO,
        None,
    ),
    (
        "Lyngbyvej",
        "expressway",
        3,
        80.0,
        ("m3_jaegersborg", "gentofte", "tuborgvej_lyngbyvej", "ryparken", "vibenshus"),
        "Lyngbyvej (motortrafikvej) Jægersborg-Ryparken 2x3 [M]; " + GEO,
        None,
    ),
    (
        "Lyngbyvej",
        "arterial",
        2,
        60.0,
        ("m3_jaegersborg", "lyngby_c"),
        "Lyngbyvej Jægersborg-Lyngby [M]; " + GEO,
        None,
    ),
    (
        "Nordhavnsvej",
        "expressway",
        2,
        60.0,
        ("ryparken", "svanemoellen", "nordhavn"),
        "Nordhavnsvej (tunnel, opened 2017) [S2]; " + GEO,
        2017,
    ),
    (
        "Strandvejen",
        "arterial",
        1,
        50.0,
        (
            "oesterport",
            "trianglen",
            "svanemoellen",
            "hellerup",
            "charlottenlund",
            "klampenborg",
            "skodsborg",
            "vedbaek",
            "rungsted",
            "nivaa",
            "humlebaek",
            "espergaerde",
            "helsingoer_c",
        ),
        "Strandvejen (rute 152) mostly 1 lane + signals [M]; " + GEO,
        None,
    ),
    (
        "Østerbrogade",
        "arterial",
        2,
        50.0,
        ("oesterport", "trianglen", "vibenshus"),
        "Østerbrogade [M]; " + GEO,
        None,
    ),
    (
        "Kongevejen",
        "collector",
        1,
        70.0,
        ("lyngby_c", "holte", "birkeroed", "alleroed_c", "hillerod_c"),
        "Kongevejen (rute 19/Lyngby-Hillerød) [M]; " + GEO,
        None,
    ),
    (
        "Kongevejen",
        "collector",
        1,
        60.0,
        ("m3_lyngby_s", "lyngby_c"),
        "Kongevejen Lyngby S [M]; " + GEO,
        None,
    ),
    (
        "Isterødvejen",
        "collector",
        1,
        80.0,
        ("hm_kokkedal", "hillerod_c"),
        "Isterødvejen (rute 6/19) Kokkedal-Hillerød [M]; " + GEO,
        None,
    ),
    (
        "Helsingørvej",
        "collector",
        1,
        80.0,
        ("hillerod_c", "fredensborg", "hm_helsingoer"),
        "Helsingørvej (rute 6) Hillerød-Fredensborg-Helsingør [M]; " + GEO,
        None,
    ),
    (
        "Gribskovvej",
        "collector",
        1,
        80.0,
        ("hillerod_c", "helsinge", "gilleleje"),
        "Hillerød-Helsinge-Gilleleje (rute 205/227) [M]; " + GEO,
        None,
    ),
    (
        "Frederiksværkvej",
        "collector",
        1,
        80.0,
        ("hillerod_c", "frederiksvaerk"),
        "Hillerød-Frederiksværk (rute 16) [M]; " + GEO,
        None,
    ),
    (
        "Frederiksværk-Frederikssund",
        "collector",
        1,
        80.0,
        ("frederiksvaerk", "frederikssund"),
        "Frederiksværk-Frederikssund (rute 53) [M]; " + GEO,
        None,
    ),
    (
        "Frederikssund-Hillerød",
        "collector",
        1,
        80.0,
        ("frederikssund", "hillerod_c"),
        "Frederikssund-Hillerød (rute 6) [M]; " + GEO,
        None,
    ),
    (
        "Roskildevej (rute 6) Roskilde-Frederikssund",
        "collector",
        1,
        80.0,
        ("roskilde_c", "jyllinge", "frederikssund"),
        "Roskilde-Gundsømagle-Frederikssund (rute 6) [M]; " + GEO,
        None,
    ),
    (
        "Farumvej/Ballerupvej",
        "collector",
        1,
        60.0,
        ("ballerup_c", "vaerloese", "farum_c", "hm_farum"),
        "Ballerup-Værløse-Farum [M]; " + GEO,
        None,
    ),
    (
        "Allerødvej",
        "collector",
        1,
        60.0,
        ("hm_alleroed_s", "alleroed_c"),
        "Allerød S exit-Lillerød [M]; " + GEO,
        None,
    ),
    (
        "Stenløse-Ballerup",
        "collector",
        1,
        70.0,
        ("stenloese", "m12_maaloev"),
        "Stenløse-Måløv [M]; " + GEO,
        None,
    ),
    (
        "Hørsholm Kongevej",
        "collector",
        1,
        60.0,
        ("holte", "hm_gl_holte", "hm_hoersholm_n", "rungsted"),
        "Holte-Hørsholm-Rungsted (Øverødvej/Hørsholm Kongevej) [M]; " + GEO,
        None,
    ),
    (
        "Klampenborgvej",
        "arterial",
        1,
        60.0,
        ("lyngby_c", "hm_lyngby", "klampenborg"),
        "Klampenborgvej Lyngby-Klampenborg [M]; " + GEO,
        None,
    ),
    (
        "Nærum-Vedbæk",
        "collector",
        1,
        60.0,
        ("hm_naerum", "vedbaek"),
        "Vejlesøvej/Vedbæk Stationsvej [M]; " + GEO,
        None,
    ),
    (
        "Bernstorffsvej/Jægersborg Allé",
        "collector",
        1,
        50.0,
        ("gentofte", "charlottenlund"),
        "Jægersborg Allé Gentofte-Charlottenlund [M]; " + GEO,
        None,
    ),
    (
        "Tuborgvej (Ring 2)",
        "arterial",
        2,
        50.0,
        ("hellerup", "tuborgvej_lyngbyvej", "tagensvej_r2", "tomsgaards"),
        "Ring 2 (O2): Tuborgvej [M]; " + GEO,
        None,
    ),
    (
        "Ring 2 (Tomsgårdsvej/Hulgårdsvej/Bellahøjvej)",
        "arterial",
        2,
        50.0,
        ("tomsgaards", "bellahoej", "grondal", "vanloese"),
        "Ring 2 (O2) north-west section [M]; " + GEO,
        None,
    ),
    (
        "Ålholmvej (Ring 2)",
        "arterial",
        2,
        50.0,
        ("vanloese", "aalholm", "vigerslev"),
        "Ring 2 (O2): Ålholmvej/Vigerslevvej [M]; " + GEO,
        None,
    ),
    (
        "Folehaven (Ring 2)",
        "arterial",
        2,
        50.0,
        ("vigerslev", "folehaven", "sjaellandsbro_w"),
        "Ring 2 (O2): Folehaven/Sjælør Boulevard [M]; " + GEO,
        None,
    ),
    (
        "Sjællandsbroen",
        "arterial",
        2,
        60.0,
        ("sjaellandsbro_w", "sjaellandsbro_e"),
        "Sjællandsbroen (Ring 2 harbour crossing, 1959) [M]; " + GEO,
        None,
    ),
    (
        "Vejlands Allé",
        "arterial",
        2,
        60.0,
        ("sjaellandsbro_e", "ring2_amager", "am_vejlands"),
        "Vejlands Allé (Ring 2 on Amager) [M]; " + GEO,
        None,
    ),
    (
        "Vejlands Allé",
        "arterial",
        2,
        60.0,
        ("ring2_amager", "tarnby"),
        "Vejlands Allé/Englandsvej [M]; " + GEO,
        None,
    ),
    (
        "Ørestads Boulevard",
        "arterial",
        2,
        50.0,
        ("ring2_amager", "bella_center", "islands_brygge"),
        "Ørestads Boulevard/Artillerivej [M]; " + GEO,
        None,
    ),
    (
        "Langebro",
        "arterial",
        3,
        50.0,
        ("langebro_n", "langebro_s"),
        "Langebro (H.C. Andersens Boulevard harbour crossing) 2x3 [M]; " + GEO,
        None,
    ),
    (
        "Knippelsbro",
        "arterial",
        2,
        50.0,
        ("knippelsbro_w", "knippelsbro_e"),
        "Knippelsbro (Børsgade-Torvegade harbour crossing) [M]; " + GEO,
        None,
    ),
    (
        "H.C. Andersens Boulevard",
        "arterial",
        3,
        50.0,
        ("oesterport", "noerreport", "raadhuspladsen", "langebro_n"),
        "H.C. Andersens Boulevard/Nørre Voldgade/Østervoldgade [M]; " + GEO,
        None,
    ),
    (
        "Holmens Kanal/Børsgade",
        "arterial",
        2,
        40.0,
        ("raadhuspladsen", "knippelsbro_w", "kongens_nytorv", "oesterport"),
        "Christiansborg-Børsgade-Kongens Nytorv-Bredgade [M]; " + GEO,
        None,
    ),
    (
        "Amager Boulevard",
        "arterial",
        2,
        50.0,
        ("langebro_s", "amagerbro", "knippelsbro_e"),
        "Amager Boulevard/Torvegade [M]; " + GEO,
        None,
    ),
    (
        "Amagerbrogade/Amager Landevej",
        "arterial",
        2,
        50.0,
        ("amagerbro", "sundbyvester", "tarnby", "dragoer"),
        "Amagerbrogade-Amager Landevej-Dragør [M]; " + GEO,
        None,
    ),
    (
        "Øresundsvej/Amager Strandvej",
        "arterial",
        2,
        50.0,
        ("sundbyvester", "amager_strand", "kastrup_strand", "lufthavn_terminal", "oe_lufthavn"),
        "Øresundsvej-Amager Strandvej-Kastrup-Lufthavnen [M]; " + GEO,
        None,
    ),
    (
        "Amager Landevej",
        "arterial",
        2,
        60.0,
        ("tarnby", "am_kastrup"),
        "Tårnby-Kastrup junction [M]; " + GEO,
        None,
    ),
    (
        "Islands Brygge/Langebrogade",
        "collector",
        1,
        40.0,
        ("langebro_s", "islands_brygge"),
        "Islands Brygge [M]; " + GEO,
        None,
    ),
    (
        "Vesterbrogade/Roskildevej",
        "arterial",
        2,
        50.0,
        (
            "raadhuspladsen",
            "vesterport",
            "valby_bakke",
            "aalholm",
            "roedovre_c",
            "m3_roskildevej",
            "r3_glostrup",
            "albertslund_c",
            "taastrup_c",
            "hedehusene",
            "roskilde_c",
        ),
        "Vesterbrogade-Roskildevej (rute 156) [M]; " + GEO,
        None,
    ),
    (
        "Kalvebod Brygge/Sydhavnsgade",
        "arterial",
        3,
        50.0,
        ("langebro_n", "dybboelsbro", "mozarts_plads", "sjaellandsbro_w"),
        "Kalvebod Brygge-Sydhavnsgade-Sjælør Boulevard 2x3 [M]; " + GEO,
        None,
    ),
    (
        "Enghavevej/Vesterfælledvej",
        "collector",
        1,
        40.0,
        ("vesterport", "enghave", "dybboelsbro"),
        "Vesterbro local main roads [M]; " + GEO,
        None,
    ),
    (
        "Vigerslev Allé/Toftegårds Allé",
        "collector",
        1,
        50.0,
        ("enghave", "toftegaards", "valby_bakke"),
        "Vesterbro-Valby [M]; " + GEO,
        None,
    ),
    (
        "Gammel Køge Landevej",
        "arterial",
        2,
        60.0,
        ("mozarts_plads", "toftegaards"),
        "Gammel Køge Landevej north end (Sydhavn-Valby) [M]; " + GEO,
        None,
    ),
    (
        "Gammel Køge Landevej",
        "arterial",
        2,
        60.0,
        (
            "folehaven",
            "hvidovre",
            "am_avedoere_holme",
            "avedoere",
            "brondby_strand",
            "vallensbaek_strand",
            "ishoej_strand",
        ),
        "Gammel Køge Landevej (rute 151) [M]; " + GEO,
        None,
    ),
    (
        "Køge Bugt Landevej",
        "collector",
        1,
        60.0,
        ("ishoej_strand", "greve_strand", "karlslunde", "solroed_strand", "koege_c"),
        "Køge Bugt Landevej/Strandvejen (rute 151) Ishøj-Køge [M]; " + GEO,
        None,
    ),
    (
        "Køge local roads",
        "collector",
        1,
        50.0,
        ("koege_c", "kb_koege_n"),
        "Køge town to the motorway [M]; " + GEO,
        None,
    ),
    (
        "Køge local roads",
        "collector",
        1,
        50.0,
        ("koege_c", "koege_havn"),
        "Køge town to the port [M]; " + GEO,
        None,
    ),
    (
        "Køgevej",
        "collector",
        1,
        80.0,
        ("roskilde_c", "tune", "koege_vest"),
        "Køgevej (rute 6) Roskilde-Tune-Køge [M]; " + GEO,
        None,
    ),
    (
        "Ringstedvej",
        "collector",
        1,
        80.0,
        ("roskilde_c", "ringsted"),
        "Ringstedvej (rute 14) Roskilde-Ringsted [M]; " + GEO,
        None,
    ),
    (
        "Roskilde local roads",
        "arterial",
        2,
        50.0,
        ("roskilde_c", "hb_roskilde_o"),
        "Roskilde town to Holbækmotorvejen [M]; " + GEO,
        None,
    ),
    (
        "Holbækvej",
        "collector",
        1,
        80.0,
        ("roskilde_c", "hb_roskilde_v", "hb_holbaek"),
        "Holbækvej (old main road Roskilde-Holbæk, parallel to the motorway) [M]; " + GEO,
        None,
    ),
    (
        "Ledreborg Allé",
        "collector",
        1,
        70.0,
        ("hb_roskilde_v", "lejre"),
        "Roskilde V-Lejre (rute 155) [M]; " + GEO,
        None,
    ),
    (
        "Greve local roads",
        "collector",
        1,
        50.0,
        ("greve_strand", "kb_greve", "tune"),
        "Greve Strand-Greve-Tune [M]; " + GEO,
        None,
    ),
    (
        "Solrød local roads",
        "collector",
        1,
        50.0,
        ("solroed_strand", "kb_solroed"),
        "Solrød Strand-motorway [M]; " + GEO,
        None,
    ),
    (
        "Ishøj Stationsvej",
        "collector",
        1,
        50.0,
        ("ishoej_strand", "kb_ishoej", "r3_ishoej", "r4_ishoej"),
        "Ishøj Stationsvej [M]; " + GEO,
        None,
    ),
    (
        "Vallensbæk local roads",
        "collector",
        1,
        50.0,
        ("vallensbaek_strand", "kb_vallensbaek", "r3_vallensbaek"),
        "Vallensbæk [M]; " + GEO,
        None,
    ),
    (
        "Brøndby Strand local roads",
        "collector",
        1,
        50.0,
        ("brondby_strand", "kb_brondby_strand"),
        "Brøndby Strand [M]; " + GEO,
        None,
    ),
    (
        "Avedøre local roads",
        "collector",
        1,
        50.0,
        ("avedoere", "m3_avedoere"),
        "Avedøre [M]; " + GEO,
        None,
    ),
    (
        "Ring 3",
        "arterial",
        2,
        60.0,
        ("lyngby_c", "r3_lundtofte"),
        "Ring 3 (O3) Lyngby-Lundtofte [M]; " + GEO,
        None,
    ),
    (
        "Ring 3",
        "arterial",
        2,
        60.0,
        (
            "lyngby_c",
            "r3_buddinge",
            "r3_gladsaxe",
            "r3_herlev",
            "r3_roedovre_n",
            "r3_glostrup",
            "r3_brondby",
            "r3_vallensbaek",
            "r3_ishoej",
        ),
        "Ring 3 (O3) Lyngby-Ishøj, the light-rail corridor [M]; " + GEO,
        None,
    ),
    (
        "Ring 3 access",
        "collector",
        1,
        50.0,
        ("r3_lundtofte", "hm_lundtofte"),
        "Lundtoftevej to Helsingørmotorvejen [M]; " + GEO,
        None,
    ),
    (
        "Buddingevej",
        "collector",
        1,
        50.0,
        ("r3_buddinge", "m3_buddinge", "soeborg"),
        "Buddingevej/Søborg Hovedgade [M]; " + GEO,
        None,
    ),
    (
        "Gladsaxevej",
        "collector",
        1,
        50.0,
        ("r3_gladsaxe", "m3_gladsaxe"),
        "Gladsaxe Trafikplads access [M]; " + GEO,
        None,
    ),
    (
        "Herlev Ringvej",
        "arterial",
        2,
        60.0,
        ("r3_herlev", "m3_herlev"),
        "Herlev Ringvej to M3 [M]; " + GEO,
        None,
    ),
    (
        "Herlev Hovedgade",
        "collector",
        1,
        50.0,
        ("r3_herlev", "herlev_c"),
        "Herlev Hovedgade [M]; " + GEO,
        None,
    ),
    (
        "Jyllingevej",
        "arterial",
        2,
        50.0,
        ("vanloese", "roedovre_n", "m3_jyllingevej", "r3_roedovre_n"),
        "Jyllingevej [M]; " + GEO,
        None,
    ),
    (
        "Tårnvej/Rødovrevej",
        "collector",
        1,
        50.0,
        ("roedovre_c", "roedovre_n", "husum"),
        "Tårnvej/Rødovrevej [M]; " + GEO,
        None,
    ),
    (
        "Hvidovrevej",
        "collector",
        1,
        50.0,
        ("hvidovre", "hb_hvidovre", "roedovre_c"),
        "Hvidovrevej, crossing Holbækmotorvejen at its exit 1 [M]; " + GEO,
        None,
    ),
    (
        "Park Allé",
        "collector",
        1,
        50.0,
        ("m3_brondby", "r3_brondby", "hb_glostrup"),
        "Park Allé (Brøndby) [M]; " + GEO,
        None,
    ),
    (
        "Park Allé",
        "collector",
        1,
        50.0,
        ("m3_brondby", "hvidovre"),
        "Brøndbyøstervej/Park Allé to Hvidovre [M]; " + GEO,
        None,
    ),
    (
        "Glostrup local roads",
        "collector",
        1,
        50.0,
        ("r3_glostrup", "hb_glostrup"),
        "Glostrup [M]; " + GEO,
        None,
    ),
    (
        "Albertslund local roads",
        "collector",
        1,
        50.0,
        ("albertslund_c", "m4_albertslund", "r4_vallensbaek"),
        "Albertslund [M]; " + GEO,
        None,
    ),
    (
        "Ballerupvej",
        "collector",
        1,
        60.0,
        ("m4_ballerup_s", "ballerup_c"),
        "Ballerupvej [M]; " + GEO,
        None,
    ),
    (
        "Ballerupvej",
        "collector",
        1,
        60.0,
        ("m4_ballerup_s", "r3_roedovre_n"),
        "Ballerupvej/Islevbrovej to Ring 3 [M]; " + GEO,
        None,
    ),
    (
        "Skovlunde local roads",
        "collector",
        1,
        50.0,
        ("skovlunde", "m12_skovlunde"),
        "Skovlunde [M]; " + GEO,
        None,
    ),
    (
        "Taastrup local roads",
        "collector",
        1,
        50.0,
        ("taastrup_c", "hb_hoeje_taastrup"),
        "Taastrup to Holbækmotorvejen [M]; " + GEO,
        None,
    ),
    (
        "Taastrup-Måløv",
        "collector",
        1,
        70.0,
        ("taastrup_c", "m12_maaloev"),
        "Taastrup-Måløv (Ballerup-Høje Taastrup link) [M]; " + GEO,
        None,
    ),
    (
        "Hedehusene local roads",
        "collector",
        1,
        50.0,
        ("hedehusene", "hb_hedehusene"),
        "Hedehusene [M]; " + GEO,
        None,
    ),
    (
        "Bagsværd Hovedgade",
        "collector",
        1,
        50.0,
        ("r4_bagsvaerd", "hm_bagsvaerd", "soeborg"),
        "Bagsværd Hovedgade/Søborg Hovedgade [M]; " + GEO,
        None,
    ),
    (
        "Frederiksberg main roads",
        "arterial",
        2,
        50.0,
        ("vesterport", "frederiksberg_c", "vanloese"),
        "Gammel Kongevej/Smallegade/Godthåbsvej [M]; " + GEO,
        None,
    ),
    (
        "Frederiksberg main roads",
        "collector",
        1,
        40.0,
        ("frederiksberg_c", "grondal"),
        "Falkoner Allé/Godthåbsvej [M]; " + GEO,
        None,
    ),
    (
        "Frederiksberg main roads",
        "collector",
        1,
        40.0,
        ("frederiksberg_c", "valby_bakke"),
        "Pile Allé/Valby Langgade [M]; " + GEO,
        None,
    ),
    (
        "Søringen (Ågade/Åboulevard/Søgaderne)",
        "arterial",
        2,
        50.0,
        ("vesterport", "noerrebros_runddel", "noerreport"),
        "Åboulevard/Ågade and Nørre Søgade [M]; " + GEO,
        None,
    ),
    (
        "Tagensvej/Nørre Allé",
        "arterial",
        2,
        50.0,
        ("noerreport", "trianglen"),
        "Øster Søgade/Fredensgade [M]; " + GEO,
        None,
    ),
    (
        "Tagensvej",
        "arterial",
        2,
        50.0,
        ("noerrebros_runddel", "tagensvej_r2"),
        "Tagensvej [M]; " + GEO,
        None,
    ),
    (
        "Jagtvej",
        "arterial",
        1,
        50.0,
        ("noerrebros_runddel", "vibenshus"),
        "Jagtvej [M]; " + GEO,
        None,
    ),
    (
        "Kalkbrænderihavnsgade",
        "collector",
        1,
        50.0,
        ("nordhavn", "oesterport"),
        "Kalkbrænderihavnsgade/Folke Bernadottes Allé [M]; " + GEO,
        None,
    ),
    (
        "Bornholm main road",
        "collector",
        1,
        80.0,
        ("bh_roenne", "bh_nexoe"),
        "Rønne-Nexø (rute 38) [M]; " + GEO,
        None,
    ),
    # --- appended rows (the link ids above, used by projects, stay)
    (
        "Holbækmotorvejen",
        "motorway",
        3,
        90.0,
        ("m3_brondbyoster", "hb_hvidovre", "hb_folehaven"),
        "Holbækmotorvejen (rute 21) inside Motorring 3: Folehaven/Vigerslevvej (Valby) - exit 1 "
        "Hvidovre - Motorvejskryds Brøndby, six lanes, opened 1968 [S2] da.wikipedia 2007 dump "
        "('Vigerslevvej - Søndre Ringvej, 6 spor, 1968') and de.wikipedia (starts at Hvidovre); "
        "limit 90 [M]; " + GEO,
        None,
    ),
    (
        "Folehaven (Ring 2)",
        "arterial",
        2,
        50.0,
        ("hb_folehaven", "folehaven"),
        "Folehaven (Ring 2) from the end of Holbækmotorvejen [M]; " + GEO,
        None,
    ),
    (
        "Vigerslevvej",
        "arterial",
        2,
        50.0,
        ("hb_folehaven", "vigerslev"),
        "Vigerslevvej from the end of Holbækmotorvejen to Valby [M]; " + GEO,
        None,
    ),
)

# Ferries: (name, from, to, crossing time incl. average wait and boarding (min), toll DKK, source)
FERRIES: tuple[tuple[str, str, str, float, float, str], ...] = (
    (
        "Helsingør-Helsingborg færgen",
        "helsingoer_c",
        "se_hbg_port",
        40.0,
        400.0,
        "ForSea ferry, 20 min crossing + ~20 min average wait/boarding (4 departures/h) [M]; "
        "car fare [M]",
    ),
    (
        "Rønne-Ystad færgen (Bornholmslinjen)",
        "bh_roenne",
        "se_ystad",
        110.0,
        600.0,
        "Bornholmslinjen fast ferry 80 min + 30 min check-in [M] (domain-facts §2); fare [M]",
    ),
    (
        "Rønne-Køge færgen (Bornholmslinjen)",
        "bh_roenne",
        "koege_havn",
        360.0,
        600.0,
        "night ferry Rønne-Køge ~5.5 h + check-in [M] (domain-facts §2); fare [M]",
    ),
)

# Cycle superhighways (supercykelstier), bike-only: (name, node keys, source). Routes [M].
CYCLE_ROUTES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "Albertslundruten",
        ("albertslund_c", "r3_glostrup", "roedovre_c", "aalholm", "frederiksberg_c", "vesterport"),
        "Supercykelsti Albertslundruten (C95) [S2] supercykelstier.dk; alignment [M]",
    ),
    (
        "Farumruten",
        (
            "farum_c",
            "vaerloese",
            "r4_hareskov",
            "m3_herlev",
            "husum",
            "bellahoej",
            "noerrebros_runddel",
        ),
        "Supercykelsti Farumruten (C99) [S2] supercykelstier.dk; alignment [M]",
    ),
    (
        "Allerødruten",
        ("alleroed_c", "birkeroed", "holte", "lyngby_c", "gentofte", "ryparken", "vibenshus"),
        "Supercykelsti Allerødruten [S2] supercykelstier.dk; alignment [M]",
    ),
    (
        "Ishøjruten",
        (
            "ishoej_strand",
            "vallensbaek_strand",
            "brondby_strand",
            "avedoere",
            "hvidovre",
            "folehaven",
            "mozarts_plads",
            "dybboelsbro",
        ),
        "Supercykelsti Ishøjruten [S2] supercykelstier.dk; alignment [M]",
    ),
    (
        "Frederikssundsruten",
        ("ballerup_c", "skovlunde", "herlev_c", "husum", "bellahoej", "noerrebros_runddel"),
        "Supercykelsti Frederikssundsruten [S2] supercykelstier.dk; alignment [M]",
    ),
    (
        "Vestvoldruten",
        ("avedoere", "hvidovre", "roedovre_c", "roedovre_n", "husum"),
        "Supercykelsti Vestvoldruten (along Vestvolden) [S2] supercykelstier.dk; alignment [M]",
    ),
    (
        "Indre Ringrute",
        ("vesterport", "noerrebros_runddel", "trianglen", "oesterport"),
        "Inner-ring cycle route (name [M]); alignment [M]",
    ),
    (
        "Inderhavnsbroen",
        ("kongens_nytorv", "knippelsbro_e"),
        "Inderhavnsbroen, walk/bike bridge Nyhavn-Christianshavn opened 2016 [S2]; " + GEO,
    ),
    (
        "Bryggebroen",
        ("dybboelsbro", "islands_brygge"),
        "Bryggebroen, walk/bike bridge Kalvebod Brygge-Islands Brygge (2006) [S2]; " + GEO,
    ),
)
CYCLE_OPEN_YEAR = {"Inderhavnsbroen": 2016}
CYCLE_SPEED_KMH = 20.0  # design speed of the cycle superhighways [M]

NODE_HEADER = ("node_id", "name", "x_coord", "y_coord", "node_type", "zone_id")
LINK_HEADER = (
    "link_id",
    "name",
    "from_node_id",
    "to_node_id",
    "directed",
    "length",
    "facility_type",
    "lanes",
    "capacity",
    "free_speed",
    "toll",
    "allowed_uses",
    "open_year",
    "source",
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6,371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _road_nodes() -> tuple[dict[str, int], list[list[object]]]:
    """Node ids (zones first: node_id == zone_id; then junctions in NODES order)."""
    zones = build_zones.zone_rows()
    rows: list[list[object]] = []
    for z in zones:
        rows.append([z[0], f"Centroid {z[1]}", z[5], z[6], "centroid", z[0]])
    ids: dict[str, int] = {}
    next_id = 1001
    for key, (name, lat, lon) in NODES.items():
        ids[key] = next_id
        rows.append([next_id, name, f"{lon:.4f}", f"{lat:.4f}", "junction", ""])
        next_id += 1
    return ids, rows


def connector_targets() -> list[str]:
    """Junctions a centroid connector may end at (NODES order), by :data:`CONNECTOR_RULE`.

    ``"any"``: every junction reachable by car. ``"no_motorway_only"``: not a junction whose
    car links are all motorway or expressway (a motorway-to-motorway interchange has no
    local access). ``"no_motorway"``: not a junction on a motorway or expressway at all, so
    zone traffic reaches an interchange over the local road that feeds its ramps.
    """
    classes: dict[str, set[str]] = {}
    for _, cls, _, _, keys, _, _ in ROADS:
        for k in keys:
            classes.setdefault(k, set()).add(cls)
    for f in FERRIES:
        for k in f[1:3]:
            classes.setdefault(k, set()).add("ferry")
    fast = {"motorway", "expressway"}
    if CONNECTOR_RULE == "no_motorway_only":
        return [k for k in NODES if k in classes and not classes[k] <= fast]
    if CONNECTOR_RULE == "no_motorway":
        return [k for k in NODES if k in classes and not classes[k] & fast]
    return [k for k in NODES if k in classes]


def node_land(key: str) -> str:
    """The land a junction lies on: ``scania`` (Sweden, with the bridge's toll plaza at
    Lernacken), ``bornholm`` or ``zealand`` (with Amager and the Kastrup tunnel portal)."""
    if key.startswith("se_") or key == "oe_lernacken":
        return "scania"
    if key.startswith("bh_"):
        return "bornholm"
    return "zealand"


def zone_land(row: list[object]) -> str:
    """The land of a zone row of :func:`build_zones.zone_rows` (by its kommunekode, as
    :attr:`mobility.region.zones.Zones.land`)."""
    return LAND_BY_CODE.get(int(str(row[3])), "zealand")


def build() -> tuple[list[list[object]], list[list[object]]]:
    """Node and link rows of the region network."""
    ids, node_rows = _road_nodes()
    coord = {key: (lat, lon) for key, (_, lat, lon) in NODES.items()}
    links: list[list[object]] = []

    def add(name, u, v, cls, lanes, speed, toll, uses, year, src, length=None):
        if length is None:
            (la1, lo1), (la2, lo2) = coord[u], coord[v]
            length = haversine_km(la1, lo1, la2, lo2) * CURVATURE[cls]
        cap = CAPACITY_PER_LANE[cls]
        for a, b in ((u, v), (v, u)):
            links.append(
                [
                    len(links) + 1,
                    name,
                    ids[a] if isinstance(a, str) else a,
                    ids[b] if isinstance(b, str) else b,
                    "true",
                    f"{length:.3f}",
                    cls,
                    lanes,
                    cap,
                    f"{speed:.1f}",
                    f"{toll:.1f}",
                    uses,
                    "" if year is None else year,
                    src,
                ]
            )

    for name, cls, lanes, speed, keys, src, year in ROADS:
        for u, v in itertools.pairwise(keys):
            add(name, u, v, cls, lanes, speed, 0.0, MODES[cls], year, src)
    for name, u, v, minutes, toll, src in FERRIES:
        (la1, lo1), (la2, lo2) = coord[u], coord[v]
        length = haversine_km(la1, lo1, la2, lo2) * CURVATURE["ferry"]
        speed = length / (minutes / 60.0)
        add(name, u, v, "ferry", 1, speed, toll, MODES["ferry"], None, src, length=length)
    # the Øresund toll sits on the bridge link in both directions
    for row in links:
        if row[1] == "Øresundsbroen":
            row[10] = "180.0"
    for name, keys, src in CYCLE_ROUTES:
        for u, v in itertools.pairwise(keys):
            add(
                name,
                u,
                v,
                "cycle_superhighway",
                1,
                CYCLE_SPEED_KMH,
                0.0,
                "bike",
                CYCLE_OPEN_YEAR.get(name),
                src,
            )
    # centroid connectors: up to CONNECTOR_MAX nearest junctions reachable by car, on the
    # zone's own land (a connector is access within the zone: it never crosses the sound,
    # e.g. Helsingborg's centroid is 6.6 km from Helsingør's ferry port)
    car_nodes = connector_targets()
    bike_nodes = {k for _, cls, _, _, keys, _, _ in ROADS if "bike" in MODES[cls] for k in keys}
    for z in build_zones.zone_rows():
        zid, lon, lat = int(z[0]), float(z[5]), float(z[6])
        land = zone_land(z)
        dists = sorted(
            (haversine_km(lat, lon, coord[k][0], coord[k][1]), i, k)
            for i, k in enumerate(car_nodes)
            if node_land(k) == land
        )
        chosen = [d for d in dists[:CONNECTOR_MAX] if d[0] <= CONNECTOR_RADIUS_KM] or dists[:1]
        if not any(k in bike_nodes for _, _, k in chosen):
            chosen.append(next(d for d in dists if d[2] in bike_nodes))
        for dist, _, key in chosen:
            length = max(dist * CURVATURE["connector"], 0.5)
            add(
                f"Connector zone {zid}",
                zid,
                key,
                "connector",
                1,
                CONNECTOR_SPEED_KMH,
                0.0,
                MODES["connector"],
                None,
                "centroid connector: access within the zone at 30 km/h over 1.3 x the straight "
                "distance (min 0.5 km) [M]",
                length=length,
            )
    return node_rows, links


def main(folder: Path | None = None) -> Path:
    """Write node.csv, link.csv and config.csv into ``folder`` (default: bundled roads/)."""
    target = folder or Path(__file__).resolve().parent / "roads"
    nodes, links = build()
    write_csv(target / "node.csv", NODE_HEADER, nodes)
    write_csv(target / "link.csv", LINK_HEADER, links)
    write_csv(
        target / "config.csv",
        ("dataset_name", "short_length", "long_length", "speed", "crs", "currency"),
        [("hovedstad_region_roads", "m", "km", "kph", "EPSG:4326", "DKK")],
    )
    return target


if __name__ == "__main__":
    main()
