"""Generate ``mobility/data/zones.csv`` from the tabulated sources below (deterministic).

Run ``python -m mobility.data.build_zones`` from the repository root; the output is
byte-identical on every run. Every number below carries its source tag (see
``/work/shared/research/domain-facts.md`` §2 and ``mobility/data/README.md``):

``[S]`` official, ``[S2]`` secondary, ``[D]`` derived here, ``[M]`` unverified estimate.

The 2035 residents and jobs come from the sourced growth table ``zone_growth_2035.csv`` by the rule
of :mod:`mobility.data.zone_growth` (municipal projections and prognoses, København's bydel
prognosis, Region H's total held to MOB24's +6 %).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from mobility.data.zone_growth import (
    GROWTH_FILE,
    ZoneGrowth,
    ZoneInput,
    growth_factors,
    read_growth_table,
)
from mobility.errors import MobilityError
from mobility.fileio import write_csv
from mobility.region.zones import HEADER as ZONES_HEADER

__all__ = ["HEADER", "backcast_factor_2015", "main", "zone_growth", "zone_rows"]

#: Region Hovedstaden population 1 Jan 2023 [S2] (DST FOLK1A via de.wikipedia Region_Hovedstaden).
REGION_TOTAL_2023 = 1_891_871
#: Københavns Kommune population 1 Jan 2023 [S2].
COPENHAGEN_2023 = 653_664
#: Region H population growth 2012-2022, +9 % [S] KKR23 -> annual rate (1.09)^(1/10) - 1 [D].
GROWTH_2012_2022 = 1.09
#: Population growth to 2035 vs today, +6 % [S] MOB24: Region H's 2035 total is held to 2023 x
#: this, and the external zones grow by it (zone_growth_2035.csv and zone_growth.py) [D].
GROWTH_TO_2035 = 1.06
#: The later model year of the appraisal's growth path (issue 11, item 6) and its step from 2035.
LATER_YEAR = 2045
#: MOB24's yearly rate continued ten more years: 1.06^(10/12) for Region H 2035 -> 2045 [D]
#: (no source gives a regional total for 2045; the zone-level rows run to 2045 and 2050).
GROWTH_2035_2045 = GROWTH_TO_2035 ** ((LATER_YEAR - 2035) / (2035 - 2023))

SRC_POP = "[S2] DST FOLK1A 1.1.2023 via Wikipedia (domain-facts §2)"
SRC_POP_RESID = (
    "[D] residual: region total 1,891,871 minus the 26 sourced municipalities, split over "
    "Høje-Taastrup/Ishøj/Rudersdal by their 2021-2024 values (domain-facts §2)"
)
SRC_JOBS = "jobs [M] unverified estimate ±25 % (domain-facts §2; replace with DST RAS)"
SRC_BACKCAST = "2015 = 2023 / 1.09^(8/10) [D] from Region H +9 % 2012-2022 [S] KKR23"
SRC_2035 = "2035 = 2023 x {factor:.4f}: {note} (zone_growth_2035.csv); jobs x the same factor [D]"
SRC_2045 = (
    "2045 = 2035 x {factor:.4f}: the same rule over 2035-2045 with MOB24's yearly rate "
    "continued (x{regional:.4f}) and municipal programmes as shapes: {note}; jobs x the same [D]"
)
SRC_BYDEL = (
    "bydel residents [M] ±10 % (domain-facts §2) scaled x{scale:.4f} to sum to the official "
    "653,664 [S2]; job share of København's 450,000 [M]; centroid [M]"
)
SRC_EXT = "external zone: residents, jobs and centroid [M] unverified estimates (domain-facts §2)"

# (name, residents [M], share of København jobs [M], lat, lon [M] centroid of the bydel)
BYDELE: tuple[tuple[str, int, float, float, float], ...] = (
    ("Indre By", 56_000, 0.30, 55.6805, 12.5800),
    ("Østerbro", 80_000, 0.11, 55.7060, 12.5760),
    ("Nørrebro", 79_000, 0.06, 55.6950, 12.5440),
    ("Vesterbro/Kongens Enghave", 78_000, 0.13, 55.6620, 12.5400),
    ("Valby", 63_000, 0.07, 55.6600, 12.5050),
    ("Vanløse", 41_000, 0.03, 55.6870, 12.4880),
    ("Brønshøj-Husum", 45_000, 0.03, 55.7060, 12.4850),
    ("Bispebjerg", 55_000, 0.07, 55.7130, 12.5350),
    ("Amager Øst", 63_000, 0.07, 55.6600, 12.6150),
    ("Amager Vest", 85_000, 0.13, 55.6420, 12.5720),
)
COPENHAGEN_JOBS = 450_000  # [M]

# (code, name, residents 2023, resident tag, jobs [M], lat, lon, coordinate tag, region_part)
MUNICIPALITIES: tuple[tuple[int, str, int, str, int, float, float, str, str], ...] = (
    (147, "Frederiksberg", 104_664, "S2", 50_000, 55.6786, 12.5323, "S2", "central"),
    (151, "Ballerup", 50_039, "S2", 38_000, 55.7317, 12.3633, "S2", "frederikssund"),
    (153, "Brøndby", 37_128, "S2", 28_000, 55.6480, 12.4180, "M", "koege_bugt"),
    (155, "Dragør", 14_609, "S2", 3_500, 55.5928, 12.6722, "S2", "koege_bugt"),
    (157, "Gentofte", 74_838, "S2", 38_000, 55.7475, 12.5530, "M", "helsingoer"),
    (159, "Gladsaxe", 70_001, "S2", 45_000, 55.7330, 12.4880, "M", "hilleroed"),
    (161, "Glostrup", 23_635, "S2", 22_000, 55.6666, 12.4038, "S2", "roskilde"),
    (163, "Herlev", 29_215, "S2", 20_000, 55.7240, 12.4390, "M", "frederikssund"),
    (165, "Albertslund", 27_530, "S2", 17_000, 55.6569, 12.3638, "S2", "roskilde"),
    (167, "Hvidovre", 53_443, "S2", 20_000, 55.6426, 12.4750, "M", "koege_bugt"),
    (169, "Høje-Taastrup", 55_700, "D", 40_000, 55.6501, 12.3016, "S2", "roskilde"),
    (173, "Lyngby-Taarbæk", 58_434, "S2", 40_000, 55.7704, 12.5038, "S2", "helsingoer"),
    (175, "Rødovre", 42_563, "S2", 15_000, 55.6806, 12.4537, "S2", "frederikssund"),
    (183, "Ishøj", 23_300, "D", 8_000, 55.6154, 12.3518, "S2", "koege_bugt"),
    (185, "Tårnby", 43_042, "S2", 30_000, 55.6303, 12.6004, "S2", "koege_bugt"),
    (187, "Vallensbæk", 17_031, "S2", 5_000, 55.6220, 12.3851, "S2", "koege_bugt"),
    (190, "Furesø", 42_077, "S2", 12_000, 55.8086, 12.3607, "S2", "hilleroed"),
    (201, "Allerød", 26_061, "S2", 10_000, 55.8750, 12.3458, "S2", "hilleroed"),
    (210, "Fredensborg", 41_689, "S2", 11_000, 55.9118, 12.4995, "S2", "helsingoer"),
    (217, "Helsingør", 63_399, "S2", 21_000, 56.0361, 12.6136, "S2", "helsingoer"),
    (219, "Hillerød", 54_159, "S2", 30_000, 55.9279, 12.3008, "S2", "hilleroed"),
    (223, "Hørsholm", 24_715, "S2", 14_000, 55.8810, 12.5011, "S2", "helsingoer"),
    (230, "Rudersdal", 57_001, "D", 25_000, 55.8110, 12.4700, "M", "helsingoer"),
    (240, "Egedal", 45_202, "S2", 10_000, 55.7800, 12.1800, "M", "frederikssund"),
    (250, "Frederikssund", 46_117, "S2", 14_000, 55.8396, 12.0690, "S2", "frederikssund"),
    (260, "Halsnæs", 31_466, "S2", 8_000, 55.9707, 12.0225, "S2", "hilleroed"),
    (270, "Gribskov", 41_547, "S2", 9_000, 56.0228, 12.1975, "S2", "hilleroed"),
    (400, "Bornholm", 39_602, "S2", 17_000, 55.1009, 14.7066, "S2", "bornholm"),
)

# External zones [M]: (code (0 = Sweden), name, residents, jobs, lat, lon)
EXTERNAL: tuple[tuple[int, str, int, int, float, float], ...] = (
    (265, "Roskilde", 90_000, 50_000, 55.6420, 12.0800),
    (259, "Køge", 62_000, 28_000, 55.4580, 12.1820),
    (253, "Greve", 51_000, 15_000, 55.5830, 12.2960),
    (269, "Solrød", 24_000, 6_000, 55.5340, 12.2190),
    (350, "Lejre", 29_000, 7_000, 55.6040, 11.9750),
    (316, "Holbæk", 73_000, 32_000, 55.7160, 11.7130),
    (329, "Ringsted", 36_000, 15_000, 55.4430, 11.7900),
    (0, "Malmö", 360_000, 190_000, 55.6050, 13.0040),
    (0, "Lund", 128_000, 90_000, 55.7050, 13.1910),
    (0, "Helsingborg", 150_000, 80_000, 56.0460, 12.6950),
)

HEADER = ZONES_HEADER  # one schema with the reader (mobility.region.zones)


def backcast_factor_2015() -> float:
    """Factor 2015/2023 from Region H's +9 % over 2012-2022 (constant annual rate) [D]."""
    return 1.0 / GROWTH_2012_2022 ** (8.0 / 10.0)


def _years(residents: float, jobs: float, factor_2035: float, factor_2045: float) -> list[int]:
    f15 = backcast_factor_2015()
    return [
        round(residents * f15),
        round(jobs * f15),
        round(residents),
        round(jobs),
        round(residents * factor_2035),
        round(jobs * factor_2035),
        round(residents * factor_2035 * factor_2045),
        round(jobs * factor_2035 * factor_2045),
    ]


@dataclass(frozen=True)
class _Base:
    """A zone before its years: the 2023 values and their source."""

    name: str
    kind: str
    code: int
    municipality: str
    lon: float
    lat: float
    residents: float
    jobs: float
    region_part: str
    in_region: bool
    source: str


def _base_rows() -> list[_Base]:
    """The zones in zone order (bydele, municipalities by code, external), without years."""
    rows: list[_Base] = []
    scale = COPENHAGEN_2023 / sum(b[1] for b in BYDELE)
    scaled = [b[1] * scale for b in BYDELE]
    ints = [int(x) for x in scaled]
    # largest-remainder rounding so the bydele sum exactly to the official total
    order = sorted(range(len(ints)), key=lambda i: (-(scaled[i] - ints[i]), i))
    for i in order[: COPENHAGEN_2023 - sum(ints)]:
        ints[i] += 1
    src_bydel = SRC_BYDEL.format(scale=scale)
    for (name, _, share, lat, lon), res in zip(BYDELE, ints, strict=True):
        jobs = COPENHAGEN_JOBS * share
        rows.append(
            _Base(name, "bydel", 101, "København", lon, lat, res, jobs, "central", True, src_bydel)
        )
    for code, name, res, rtag, jobs_m, lat, lon, ctag, part in MUNICIPALITIES:
        pop_src = SRC_POP if rtag == "S2" else SRC_POP_RESID
        src = f"residents {pop_src}; {SRC_JOBS}; centroid [{ctag}] town hall"
        rows.append(_Base(name, "municipality", code, name, lon, lat, res, jobs_m, part, True, src))
    for code, name, res, jobs_m, lat, lon in EXTERNAL:
        muni = name if code else f"{name} (Sweden)"
        rows.append(
            _Base(name, "external", code, muni, lon, lat, res, jobs_m, "external", False, SRC_EXT)
        )
    return rows


def zone_growth(growth_file: str | Path = GROWTH_FILE) -> ZoneGrowth:
    """The 2023 -> 2035 factor of every zone (zone order) from the sourced growth table.

    Parameters
    ----------
    growth_file
        The growth table (default: the bundled ``zone_growth_2035.csv``).
    """
    zones = [ZoneInput(b.name, b.kind, b.residents, b.in_region) for b in _base_rows()]
    table = read_growth_table(growth_file)
    return growth_factors(zones, table, regional_growth=GROWTH_TO_2035, file=growth_file)


def later_growth(growth: ZoneGrowth, growth_file: str | Path = GROWTH_FILE) -> ZoneGrowth:
    """The 2035 -> 2045 factor of every zone (zone order): the rule of
    :func:`mobility.data.zone_growth.growth_factors` applied again to the 2035 residents over
    ten years, with Region H's total at MOB24's yearly rate continued and ``level`` rows as
    shapes [D].

    Parameters
    ----------
    growth
        The 2023 -> 2035 factors (:func:`zone_growth`).
    growth_file
        The growth table (default: the bundled ``zone_growth_2035.csv``).
    """
    zones = [
        ZoneInput(b.name, b.kind, b.residents * f, b.in_region)
        for b, f in zip(_base_rows(), growth.factors, strict=True)
    ]
    table = read_growth_table(growth_file)
    return growth_factors(
        zones,
        table,
        regional_growth=GROWTH_2035_2045,
        file=growth_file,
        years=LATER_YEAR - 2035,
        levels_as_shape=True,
    )


def zone_rows(growth_file: str | Path = GROWTH_FILE) -> list[list[object]]:
    """All zone rows of ``zones.csv`` in zone order (bydele, municipalities by code, external).

    Parameters
    ----------
    growth_file
        The growth table (default: the bundled ``zone_growth_2035.csv``).
    """
    growth = zone_growth(growth_file)
    later = later_growth(growth, growth_file)
    out: list[list[object]] = []
    bases = _base_rows()
    for zid, (b, factor, note, f45, n45) in enumerate(
        zip(bases, growth.factors, growth.notes, later.factors, later.notes, strict=True), start=1
    ):
        src45 = SRC_2045.format(factor=f45, regional=GROWTH_2035_2045, note=n45)
        source = f"{b.source}; {SRC_BACKCAST}; {SRC_2035.format(factor=factor, note=note)}; {src45}"
        head = [zid, b.name, b.kind, b.code, b.municipality, f"{b.lon:.4f}", f"{b.lat:.4f}"]
        tail = [b.region_part, "true" if b.in_region else "false", source]
        out.append([*head, *_years(b.residents, b.jobs, factor, f45), *tail])
    return out


def main(folder: Path | None = None, *, growth_file: str | Path = GROWTH_FILE) -> Path:
    """Write ``zones.csv`` into ``folder`` (default: this package folder)."""
    target = (folder or Path(__file__).resolve().parent) / "zones.csv"
    return write_csv(target, HEADER, zone_rows(growth_file))


if __name__ == "__main__":
    try:
        main()
    except MobilityError as exc:
        print(f"mobility: {exc}", file=sys.stderr)
        sys.exit(2)
