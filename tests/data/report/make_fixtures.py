"""Regenerate the SYNTHETIC report fixtures in this folder (``python make_fixtures.py``).

Every number written here is invented (seeded RNG) to exercise the report: the shapes, column
names and orders follow issues 3-6, the values are not model results and must not be quoted.
Project names are real catalogue names so that the report shows Danish characters.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mobility.report.writers import write_table

HERE = Path(__file__).resolve().parent

PROJECTS = [
    # id, name, kind, status, municipalities, opening year, capex, opex, co2e, region part
    (
        "V1",
        "Ring 5 Syd",
        "road",
        "vip",
        "Køge;Høje-Taastrup;Egedal",
        2035,
        6500.0,
        45.0,
        310000.0,
        "roskilde",
    ),
    (
        "V2",
        "Frederikssundmotorvejen 3. etape",
        "road",
        "vip",
        "Egedal;Frederikssund",
        2030,
        2900.0,
        18.0,
        120000.0,
        "frederikssund",
    ),
    (
        "V4",
        "Automatisering af S-banen",
        "rail",
        "vip",
        "København;Frederiksberg;Ballerup",
        2032,
        4350.0,
        -120.0,
        40000.0,
        "central",
    ),
    (
        "C3",
        "Supercykelsti Ring 4",
        "cycle",
        "candidate",
        "Lyngby-Taarbæk;Gladsaxe;Herlev",
        2028,
        180.0,
        2.5,
        1500.0,
        "hilleroed",
    ),
    (
        "C5",
        "Trængselsafgift København",
        "pricing",
        "candidate",
        "København;Frederiksberg",
        2029,
        900.0,
        60.0,
        800.0,
        "central",
    ),
    (
        "V10",
        "Østlig Ringvej",
        "road",
        "vip",
        "København;Tårnby",
        2036,
        18000.0,
        95.0,
        650000.0,
        "central",
    ),
]

SUBCRITERIA = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]
INDICATORS = {
    "1.1": [("municipalities_benefiting", "count"), ("outer_municipalities_benefiting", "count")],
    "1.2": [("residents_in_benefiting_zones", "persons")],
    "2.1": [("hours_saved_per_year", "h/year")],
    "2.2": [("innovation_grade", "grade 0-4")],
    "3.1": [("operating_co2e_change_t_per_year", "t/year")],
    "3.2": [("construction_co2e_t", "t"), ("co2e_payback_years", "years")],
    "4.1": [("cycle_trips_change_per_weekday", "trips/weekday")],
    "4.2": [("noise_exposure_change", "resident-weighted veh/day")],
    "5.1": [("pt_boardings_change_per_weekday", "boardings/weekday")],
    "5.2": [("transfer_minutes_saved_per_weekday", "min/weekday")],
    "6.1": [("npv_mdkk", "mDKK"), ("bcr", "ratio")],
    "6.2": [("transparency_grade", "grade 0-4")],
}
JUDGED = {"2.2", "6.2"}
#: (mean, sd) of the invented values per indicator.
SCALE = {
    "municipalities_benefiting": (9, 4),
    "outer_municipalities_benefiting": (4, 2),
    "residents_in_benefiting_zones": (420000, 150000),
    "hours_saved_per_year": (2.1e6, 1.2e6),
    "operating_co2e_change_t_per_year": (-3000, 6000),
    "construction_co2e_t": (150000, 60000),
    "co2e_payback_years": (45, 20),
    "cycle_trips_change_per_weekday": (1500, 2500),
    "noise_exposure_change": (-800, 1500),
    "pt_boardings_change_per_weekday": (9000, 12000),
    "transfer_minutes_saved_per_weekday": (40000, 30000),
    "npv_mdkk": (2500, 3000),
    "bcr": (2.0, 1.2),
}


def main() -> None:
    rng = np.random.default_rng(20261123)
    write_nodes_links(rng)
    write_projects()
    write_impacts(rng)
    write_ranking_and_more(rng)


def write_nodes_links(rng: np.random.Generator) -> None:
    lons = np.linspace(12.25, 12.65, 7)
    lats = np.linspace(55.58, 55.82, 6)
    nodes = []
    for j, lat in enumerate(lats):
        for i, lon in enumerate(lons):
            nodes.append((100 + j * len(lons) + i, round(float(lon), 5), round(float(lat), 5)))
    write_table(HERE / "node.csv", ["node_id", "x_coord", "y_coord"], nodes)
    names_h = [
        "Køge Bugt Motorvejen",
        "Holbækmotorvejen",
        "Roskildevej",
        "Frederikssundsvej",
        "Ring 4",
        "Hillerødmotorvejen",
    ]
    names_v = [
        "Ring 5",
        "Motorring 4",
        "Motorring 3",
        "Ring 2",
        "Amagermotorvejen",
        "Øresundsmotorvejen",
        "Helsingørmotorvejen",
    ]
    links = []
    base = []
    lid = 1
    centre = np.array([12.55, 55.68])
    for j in range(len(lats)):
        for i in range(len(lons)):
            a = 100 + j * len(lons) + i
            for di, dj, name in ((1, 0, names_h[j]), (0, 1, names_v[i])):
                if i + di >= len(lons) or j + dj >= len(lats):
                    continue
                b = 100 + (j + dj) * len(lons) + (i + di)
                mid = np.array([(lons[i] + lons[i + di]) / 2, (lats[j] + lats[j + dj]) / 2])
                dist = float(np.hypot(*((mid - centre) * [0.56, 1.0])))
                cls = "motorway" if "otorvej" in name or "Motorring" in name else "arterial"
                cap = 6000.0 if cls == "motorway" else 2400.0
                for frm, to in ((a, b), (b, a)):
                    vc = float(np.clip(1.15 - 4.5 * dist + rng.normal(0, 0.08), 0.1, 1.3))
                    vol = round(vc * cap, 1)
                    free = round(
                        float(
                            np.hypot(
                                *(mid * 0 + [lons[i + di] - lons[i], lats[j + dj] - lats[j]])
                                * [63.0, 111.0]
                            )
                        )
                        / (90 if cls == "motorway" else 50)
                        * 60,
                        3,
                    )
                    cong = round(free * (1 + 0.15 * vc**4), 3)
                    links.append([lid, frm, to, name, cls, vol, round(vol * 10.5), cap, free, cong])
                    base.append((lid, vol))
                    lid += 1
    header = [
        "link_id",
        "from",
        "to",
        "name",
        "road_class",
        "volume_peak_hour",
        "adt",
        "capacity",
        "free_flow_time_min",
        "congested_time_min",
    ]
    write_table(HERE / "link_flows.csv", header, links)
    # One project's link flows (V1 Ring 5 Syd): relief inside, more traffic on the outer ring.
    proj = []
    for row in links:
        frm = row[1]
        col = (frm - 100) % len(lons)
        factor = 1.25 if col == 0 else (0.93 if col in (1, 2) else 1.0)
        new = list(row)
        new[5] = round(row[5] * factor, 1)
        new[6] = round(new[5] * 10.5)
        proj.append(new)
    (HERE / "link_flows").mkdir(exist_ok=True)
    write_table(HERE / "link_flows" / "V1.csv", header, proj)


def write_projects() -> None:
    header = [
        "id",
        "name",
        "kind",
        "status",
        "municipalities",
        "opening_year",
        "capex_mdkk",
        "opex_mdkk_per_year",
        "construction_co2e_t",
        "region_part",
    ]
    write_table(HERE / "projects.csv", header, PROJECTS)


def write_impacts(rng: np.random.Generator) -> None:
    rows = []
    for pid, name, *_ in PROJECTS:
        for sub in SUBCRITERIA:
            for ind, unit in INDICATORS[sub]:
                if sub in JUDGED or (sub == "5.2" and pid in ("V1", "V2", "V10")):
                    basis = "judged"
                    value = int(rng.integers(0, 5))
                    if sub == "5.2":
                        ind, unit = "integration_grade", "grade 0-4"
                else:
                    basis = "modelled"
                    mean, sd = SCALE[ind]
                    value = round(float(rng.normal(mean, sd)), 3)
                    if unit in ("count", "persons"):
                        value = max(0, round(value))
                rows.append([pid, name, sub, ind, value, unit, basis])
    header = ["project_id", "name", "subcriterion", "indicator", "value", "unit", "basis"]
    write_table(HERE / "impacts.csv", header, rows)


def write_ranking_and_more(rng: np.random.Generator) -> None:
    n = len(PROJECTS)
    crit = np.clip(rng.normal(55, 22, size=(n, 6)), 0, 100).round(2)
    weights = np.ones(6) / 6
    score = (crit @ weights).round(3)
    order = np.argsort(-score, kind="stable")
    judged = rng.uniform(0.05, 0.3, size=n).round(4)
    npv = [2100.0, 3400.5, 5100.0, 640.0, 7800.0, -4200.0]
    bcr = [1.32, 2.17, 2.2, 4.55, 9.6, 0.77]
    header = [
        "rank",
        "project_id",
        "name",
        "score",
        *[f"pejlemaerke_{k}" for k in range(1, 7)],
        "judged_share",
        "capex_mdkk",
        "npv_mdkk",
        "bcr",
        "region_part",
    ]
    rows = []
    for r, i in enumerate(order, start=1):
        p = PROJECTS[i]
        rows.append(
            [
                r,
                p[0],
                p[1],
                float(score[i]),
                *map(float, crit[i]),
                float(judged[i]),
                p[6],
                npv[i],
                bcr[i],
                p[9],
            ]
        )
    write_table(HERE / "ranking.csv", header, rows)

    # portfolio under a 12,000 mDKK budget and the frontier: best subset by enumeration
    def best_subset(b: float) -> tuple[float, list[int]]:
        best: tuple[float, list[int]] = (0.0, [])
        for mask in range(1 << n):
            subset = [i for i in range(n) if mask >> i & 1]
            if sum(PROJECTS[i][6] for i in subset) <= b:
                total = float(sum(score[i] for i in subset))
                if total > best[0] + 1e-9:
                    best = (total, subset)
        return best

    budget = 12000.0
    chosen = best_subset(budget)[1]
    prow = []
    year = 2027
    for i in order:
        p = PROJECTS[i]
        sel = i in chosen
        prow.append([p[0], p[1], 1 if sel else 0, year if sel else None, p[6], float(score[i])])
        year += 1 if sel else 0
    write_table(
        HERE / "portfolio.csv",
        ["project_id", "name", "selected", "start_year", "capex_mdkk", "score"],
        prow,
    )
    frontier = []
    for b in (0.0, 1000.0, 2500.0, 5000.0, 7500.0, 10000.0, 12000.0, 20000.0, 35000.0):
        total, subset = best_subset(b)
        ids = ";".join(PROJECTS[i][0] for i in subset)
        capex = sum(PROJECTS[i][6] for i in subset)
        total_npv = sum(npv[i] for i in subset)
        frontier.append([b, "optimal", round(total, 3), capex, len(subset), ids, total_npv])
    write_table(
        HERE / "frontier.csv",
        [
            "budget_mdkk",
            "status",
            "total_score",
            "total_capex_mdkk",
            "n_selected",
            "selected_ids",
            "total_npv_mdkk",
        ],
        frontier,
    )

    # rank acceptability (Dirichlet draws around equal weights), long form as `mobility rank`
    draws = rng.dirichlet(np.full(6, 30.0), size=2000)
    ranks = np.argsort(np.argsort(-(draws @ crit.T), axis=1, kind="stable"), axis=1) + 1
    srow = []
    extra = {}
    for r0, i in enumerate(order, start=1):
        p = [float((ranks[:, i] == k).mean()) for k in range(1, n + 1)]
        cum = np.cumsum(p)
        srow.extend(
            [PROJECTS[i][0], k, round(p[k - 1], 4), round(min(float(cum[k - 1]), 1.0), 4)]
            for k in range(1, n + 1)
        )
        stable = p[r0 - 1]
        extra[PROJECTS[i][0]] = [
            round(float((ranks[:, i] <= 3).mean()), 4),
            round(float(ranks[:, i].mean()), 3),
            int(np.percentile(ranks[:, i], 5, method="inverted_cdf")),
            int(np.percentile(ranks[:, i], 95, method="inverted_cdf")),
            round(stable, 4),
            1 if stable < 0.8 else 0,
        ]
    write_table(HERE / "sensitivity.csv", ["project_id", "rank", "probability", "cumulative"], srow)
    header = [*header, "p_top_k", "rank_mean", "rank_p05", "rank_p95", "p_rank_stable", "unstable"]
    rows = [[*row, *extra[row[1]]] for row in rows]
    write_table(HERE / "ranking.csv", header, rows)

    # cba.csv as `mobility evaluate` writes it: per item the undiscounted sum over the
    # appraisal years (value_mdkk) and its present value (pv_mdkk), year "all"; then npv rows.
    cba = []
    for (pid, _name, *_), v in zip(PROJECTS, npv, strict=True):
        capex = next(p[6] for p in PROJECTS if p[0] == pid)
        pv = {
            "construction": -capex * 0.92,
            "operation_maintenance": -abs(v) * 0.05,
            "residual_value": capex * 0.12,
            "travel_time_user_benefit": 0.0,
            "vehicle_operating_costs": v * 0.1,
            "co2e": v * 0.05,
            "noise": v * 0.01,
            "accidents": v * 0.02,
            "air_pollution": v * 0.01,
            "health_cycling": v * 0.02,
            "fuel_tax_revenue": -v * 0.04,
            "toll_revenue": 0.0,
            "tax_distortion": 0.0,
        }
        pv["travel_time_user_benefit"] = v - sum(pv.values())
        for item, value in pv.items():
            cba.append([pid, item, "all", round(value * 2.1, 3), round(value, 3)])
        cba.append([pid, "npv", "all", None, round(v, 3)])
        cba.append([pid, "npv_high_co2", "all", None, round(v + abs(pv["co2e"]) * 4, 3)])
    write_table(HERE / "cba.csv", ["project_id", "item", "year", "value_mdkk", "pv_mdkk"], cba)

    indicators = [
        ("car_delay_hours_per_year", 33400000.0, "h/year"),
        ("car_vehicle_km_per_year", 14200000000.0, "vkm/year"),
        ("road_co2e_t_per_year", 1650000.0, "t/year"),
        ("pt_boardings_per_weekday", 1620000.0, "boardings/weekday"),
        ("bike_trips_per_weekday", 1150000.0, "trips/weekday"),
        ("mode_share_car", 0.43, "share"),
        ("mode_share_pt", 0.15, "share"),
        ("mode_share_bike", 0.23, "share"),
        ("mode_share_walk", 0.19, "share"),
        ("mean_commute_km", 16.2, "km"),
        ("jobs_within_45min_car", 612000.0, "jobs"),
        ("jobs_within_45min_pt", 388000.0, "jobs"),
    ]
    write_table(HERE / "indicators.csv", ["indicator", "value", "unit"], indicators)
    manifest = {
        "mobility_version": "0.1.0",
        "settings": {
            "scenario": "reference_2035",
            "year": 2035,
            "method": "weighted_sum",
            "weights": {str(k): 1.0 for k in range(1, 7)},
            "budget_mdkk": budget,
            "rel_gap": 1e-5,
            "synthetic_fixture": True,
        },
        "inputs": {},
        "outputs": {},
        "timings_s": {},
    }
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
