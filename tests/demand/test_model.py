"""Calibration and validation of the hovedstad model against published figures.

Targets (domain-facts.md §4): car delay 16.7 mio h (2015) and 33.4 mio h (2035) ±15 %
(KKR23, "Trafikale scenarier"); mean commute of Region H residents 16 ± 1.5 km (KKR23 citing
Vejdirektoratet 2020); mode shares within 5 points of the TU ranges' normalised midpoints
(tagged [M] in domain-facts: estimates); AADT Køge Bugt Motorvejen Greve N-Ishøj 133,400 and
Motorring 3 ~130,000 ±20 %; +20 % trips 2035 vs 2015 (KKR23). Fitted: ASCs, deterrence
(2015), capacity_factor (both delays), capacity_factor_rural_collector (delay growth); see
mobility/demand/calibration.py and docs/calibration.md. The rest is validation.
"""

from __future__ import annotations

import numpy as np
import pytest

from mobility.demand.calibration import (
    COUNTS,
    TARGET_OERESUND,
    TARGET_SHARES,
    calibration_table,
)
from mobility.demand.model import run_model
from mobility.demand.outputs import write_model_outputs
from mobility.demand.road import links_in_region
from mobility.impacts.congestion import delay_vehicle_hours
from mobility.resources import bundled_file
from mobility.scenario import load_scenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base():
    return run_model(load_scenario(bundled_file("scenarios", "base.yaml")))


@pytest.fixture(scope="module")
def ref():
    return run_model(load_scenario(bundled_file("scenarios", "reference_2035.yaml")))


def _value(result, name):
    return result.indicators[name][0]


def _section_adt(result, key):
    from mobility.region import count_section_links

    ids = result.road_net.meta["link_id"]
    idx = [ids.index(link) for link in count_section_links(result.inputs.roads, key)]
    return float(result.link_adt[idx].sum())


def test_base_delay_within_15_percent(base):
    assert _value(base, "car_delay_hours_per_year") == pytest.approx(16.7e6, rel=0.15)


def test_reference_2035_delay_within_15_percent(ref):
    assert _value(ref, "car_delay_hours_per_year") == pytest.approx(33.4e6, rel=0.15)


def test_delay_grows_to_2035(base, ref):
    assert _value(ref, "car_delay_hours_per_year") > 1.2 * _value(base, "car_delay_hours_per_year")


def test_mean_commute_16_km(base):
    assert _value(base, "mean_commute_km") == pytest.approx(16.0, abs=1.5)


def test_mode_shares_within_5_points(base):
    for mode, target in TARGET_SHARES.items():
        assert abs(_value(base, f"mode_share_{mode}") - target) <= 0.05, mode
    total = sum(_value(base, f"mode_share_{m}") for m in ("car", "pt", "bike", "walk"))
    assert total == pytest.approx(1.0)


def test_oeresund_crossings_2015(base):
    """Person trips a day between Sweden and Denmark (calibrated with asc_border_car/pt to
    Øresundsinstituttet 2015); nobody cycles or walks across the sound."""
    for mode, target in TARGET_OERESUND.items():
        assert _value(base, f"oeresund_{mode}_trips_per_weekday") == pytest.approx(target, rel=0.1)
    swedish = np.array([land == "scania" for land in base.inputs.zones.land])
    across = swedish[:, None] != swedish[None, :]
    for mode in ("bike", "walk"):
        assert base.od[mode][across].sum() == 0.0


def test_twenty_percent_more_trips_2035(base, ref):
    ratio = _value(ref, "trips_per_weekday") / _value(base, "trips_per_weekday")
    assert ratio == pytest.approx(1.20, abs=0.02)


#: Count sections the model does not reproduce within 20 % (docs/calibration.md, "Counts"):
#: Holbækmotorvejen west of Motorring 3 carries 1.30 x its per-lane count x 6 lanes (where on
#: the road the count was taken is itself [M]). Motorring 3 was at +18.5 % until the demand
#: model took the CBA's values of time per purpose (business 4 x the others): business car
#: trips grew longer, and the ring carries more of them, +20.8 % (docs/calibration.md).
KNOWN_COUNT_GAPS = {
    "holbaekmotorvejen_vallensbaek": "Holbækmotorvejen Glostrup-Taastrup ~121,600 (+29.6 %)",
    "motorring3_jyllingevej_husum": "Motorring 3 Jyllingevej-Husum ~157,100 (+20.8 %)",
}


@pytest.mark.parametrize(
    ("key", "target"),
    [
        pytest.param(
            key,
            target,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"known gap: {KNOWN_COUNT_GAPS[key]}; the western suburbs' long orbital car "
                "trips have no other motorway; docs/calibration.md",
            ),
        )
        if key in KNOWN_COUNT_GAPS
        else (key, target)
        for key, target, _label, _tag in COUNTS
    ],
)
def test_counts_within_20_percent(base, key, target):
    assert _section_adt(base, key) == pytest.approx(target, rel=0.20)


def test_delay_is_sum_over_periods_times_hours(base):
    """The annual delay recomputed independently from the period assignments."""
    net, tod = base.road_net, base.time_of_day
    inside = links_in_region(net, base.inputs.roads, base.inputs.zones)
    weekday_pcu_h = sum(
        q.hours
        * delay_vehicle_hours(
            np.where(inside, base.period_assignments[q.name].flows, 0.0),
            base.period_assignments[q.name].times,
            net.free_flow_time,
        )
        for q in tod.periods
    )
    trips = base.od_by_purpose
    persons = sum(trips[q]["car"].sum() for q in trips)
    swedish = np.array([land == "scania" for land in base.inputs.zones.land])
    across = swedish[:, None] != swedish[None, :]
    vehicles = sum(
        (
            trips[q]["car"]
            / np.where(across, base.params.occupancy_border, base.params.occupancy(q))
        ).sum()
        for q in trips
    )
    commercial = _value(base, "commercial_pcu_trips_per_weekday")
    total_pcu = float(np.einsum("p,pij->", tod.hours, base.car_demand_periods))
    expected = weekday_pcu_h * (1.0 - commercial / total_pcu) * (persons / vehicles) * 230.0
    assert _value(base, "car_delay_hours_per_year") == pytest.approx(expected, rel=1e-9)
    assert sum(q.hours for q in tod.periods) == 24
    # the shoulders and the rest of the day carry delay too, not only the two peak hours
    assert 0.2 < _value(base, "car_delay_share_outside_peak_hours") < 0.9


def _function_names(net):
    """The volume-delay function name of each link of ``net`` (from its ``vdf`` codes)."""
    from mobility.network.vdf import VDF_CODES

    names = {code: name for name, code in VDF_CODES.items()}
    return [names[int(c)] for c in net.vdf]


def test_queueing_links_use_each_period_as_flow_period(base):
    """Motorways queue with Akcelik's T = the period's hours; BPR links are unchanged."""
    from mobility.network import vdf

    net = base.road_net
    queue = net.vdf == vdf.VDF_CODES["akcelik"]
    assert queue.any() and (~queue).any()
    functions = _function_names(net)
    for q in base.time_of_day.periods:
        result = base.period_assignments[q.name]
        params = net.vdf_parameters()
        params["period_h"] = np.where(queue, float(q.hours), net.period_h)
        expected = vdf.time(functions, result.flows, net.free_flow_time, net.capacity, **params)
        np.testing.assert_allclose(result.times, expected, rtol=1e-12)
    assert {q.hours for q in base.time_of_day.periods} > {1}  # multi-hour periods exist


def test_one_queue_flow_period_for_every_period(base):
    """``model.queue_flow_period_h`` replaces the periods' own lengths as Akcelik's T."""
    import dataclasses

    from mobility.demand.model import run_model
    from mobility.network import vdf

    settings = dataclasses.replace(base.scenario.settings, queue_flow_period_h=1.0)
    one = run_model(dataclasses.replace(base.scenario, settings=settings), inputs=base.inputs)
    net = one.road_net
    functions = _function_names(net)
    interpeak = one.period_assignments["interpeak"]
    expected = vdf.time(
        functions, interpeak.flows, net.free_flow_time, net.capacity, **net.vdf_parameters()
    )
    np.testing.assert_allclose(interpeak.times, expected, rtol=1e-12)  # period_h is T = 1 h
    assert (net.period_h[net.vdf == vdf.VDF_CODES["akcelik"]] == 1.0).all()
    assert _value(one, "car_delay_hours_per_year") != _value(base, "car_delay_hours_per_year")


def test_adt_is_weekday_volume_over_periods(base):
    tod = base.time_of_day
    flows = np.array([base.period_assignments[q.name].flows for q in tod.periods])
    # PCU to vehicles: cars 1, vans and trucks 0.8 per PCU, in the day's mix
    commercial = _value(base, "commercial_pcu_trips_per_weekday")
    total_pcu = float(np.einsum("p,pij->", tod.hours, base.car_demand_periods))
    vehicles_per_pcu = 1.0 - (commercial / total_pcu) * (1.0 - 0.8)
    assert 0.95 < vehicles_per_pcu < 1.0
    np.testing.assert_allclose(
        base.link_adt, tod.hours @ flows * 0.926 * vehicles_per_pcu, rtol=1e-12
    )
    am = base.period_assignments["am_peak"]
    assert base.assignment is am


def test_afternoon_is_mostly_the_reverse_of_the_morning(base):
    tod = base.time_of_day
    am = base.car_demand_periods[tod.index("am_peak")]
    pm = base.car_demand_periods[tod.index("pm_peak")]
    asym = am - am.T
    # the directional (antisymmetric) part flips sign between morning and afternoon
    assert float(np.sum(asym * (pm - pm.T))) < 0


def test_car_traffic_growth_matches_mob24(base, ref):
    """MOB24 (+10 % vehicle-km 2024-2035) at the same yearly rate: +19 % 2015-2035 [D]."""
    growth = _value(ref, "car_vehicle_km_per_year") / _value(base, "car_vehicle_km_per_year")
    assert growth == pytest.approx(1.10 ** (20 / 11), abs=0.05)


def test_every_zone_reaches_every_other(base):
    for mode in ("car", "pt"):
        assert np.all(np.isfinite(base.skims[mode]["time_min"])), mode


def test_feedback_and_assignment_converged(base):
    assert base.assignment.rel_gap <= 1e-5
    assert _value(base, "feedback_demand_change") < 0.05
    assert base.feedback and len(base.feedback) <= base.scenario.settings.feedback_max_iter + 1


def test_outputs_written_and_contract_fields(base, tmp_path):
    out = write_model_outputs(base, tmp_path)
    assert set(out) == {
        "indicators",
        "link_flows",
        "pt_lines",
        "zones",
        "committed",
        "map",
        "manifest",
    }
    header = (tmp_path / "link_flows.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "link_id,from,to,name,road_class,volume_peak_hour,adt,capacity,"
        "free_flow_time_min,congested_time_min"
    )
    pt_lines = (tmp_path / "pt_lines.csv").read_text(encoding="utf-8").splitlines()
    assert pt_lines[0] == (
        "line,mode,boardings_per_weekday,passenger_km_per_weekday,max_load_per_weekday"
    )
    rows = {r.split(",")[0]: r.split(",") for r in pt_lines[1:]}
    # every boarding rides at least one segment; a line's heaviest segment carries at most
    # all its boardings
    for line in ("A", "C", "E", "H", "M1", "OTAG", "KYST"):
        boardings, pkm, max_load = (float(v) for v in rows[line][2:])
        assert 0 < max_load <= boardings + 0.5 and pkm > boardings * 0.5, line
    assert rows["local_bus_intrazonal"][4] == ""
    text = (tmp_path / "link_flows.csv").read_text(encoding="utf-8")
    assert "Køge Bugt Motorvejen" in text and "Motorring 3" in text
    names = [r.split(",")[0] for r in (tmp_path / "indicators.csv").read_text().splitlines()[1:]]
    for required in (
        "car_delay_hours_per_year",
        "car_vehicle_km_per_year",
        "road_co2e_t_per_year",
        "pt_boardings_per_weekday",
        "bike_trips_per_weekday",
        "mode_share_car",
        "mode_share_pt",
        "mode_share_bike",
        "mode_share_walk",
        "mean_commute_km",
        "jobs_within_45min_car",
        "jobs_within_45min_pt",
    ):
        assert required in names
    assert set(base.od) == {"car", "pt", "bike", "walk"}
    assert set(base.gen_cost) == {"car", "pt", "bike", "walk"}
    assert sum(base.pt_boardings.values()) > 0


def test_map_links_equal_link_flows_csv(base, tmp_path):
    """map.gpkg read back with geopandas: EPSG:25832, the four model layers, and ``links``
    row by row equal to link_flows.csv (ids, volumes, ÅDT, capacity)."""
    import csv

    import geopandas as gpd
    import pyogrio

    write_model_outputs(base, tmp_path)
    path = tmp_path / "map.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == [
        "links",
        "zones",
        "pt_lines",
        "pt_stops",
    ]
    links = gpd.read_file(path, layer="links")
    assert links.crs.to_epsg() == 25832
    with open(tmp_path / "link_flows.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(links) == len(rows) > 700
    assert list(links["link_id"]) == [r["link_id"] for r in rows]
    assert list(links["name"]) == [r["name"] for r in rows]
    for col in ("volume_peak_hour", "adt", "capacity", "congested_time_min"):
        assert links[col].tolist() == [float(r[col]) for r in rows], col
    # the geometry runs between the link's nodes: its length is at most the link's length
    # (GMNS lengths follow the road, the line is straight), typically most of it
    ratio = links.geometry.length / 1000.0 / links["length_km"]
    assert ratio.max() <= 1.01 and ratio.median() > 0.6
    zones = gpd.read_file(path, layer="zones")
    assert len(zones) == base.inputs.zones.n_zones
    assert (zones.geometry.geom_type != "Point").sum() == 35  # 28 + 7 whole municipalities
    with open(tmp_path / "pt_lines.csv", encoding="utf-8", newline="") as fh:
        pt = list(csv.DictReader(fh))
    lines = gpd.read_file(path, layer="pt_lines")
    assert list(lines["line"]) == [r["line"] for r in pt]
    boardings = [float(r["boardings_per_weekday"]) for r in pt]
    assert lines["boardings_per_weekday"].tolist() == boardings


def test_calibration_table(base, ref):
    rows = calibration_table(base, ref)
    assert rows[0][0].startswith("car delay") and len(rows) == 9 + len(COUNTS) + 2
    assert all(len(r) == 6 for r in rows)


def test_reference_has_lower_co2_per_km(base, ref):
    per_km = [
        _value(r, "road_co2e_t_per_year") / _value(r, "car_vehicle_km_per_year")
        for r in (base, ref)
    ]
    assert per_km[1] < per_km[0]  # fleet electrification by 2035


def test_fixed_point_converges_and_reports_it(ref):
    """The reference meets its own tolerance: demand change below feedback_tol with every
    period's assignment at rel_gap, reported per period in the indicators."""
    s = ref.scenario.settings
    assert ref.converged
    assert ref.feedback[-1]["demand_change"] < s.feedback_tol
    assert _value(ref, "feedback_demand_change") < s.feedback_tol
    for period in ref.time_of_day.periods:
        assert _value(ref, f"assignment_rel_gap_{period.name}") <= s.rel_gap


def test_warm_start_reaches_the_cold_start_equilibrium(ref):
    """A run warm-started from the converged reference, on the same inputs and ten times
    tighter, lands where a cold start at that tolerance lands, in fewer iterations; and the
    warm run's distance to it is below the looser run's distance (the noise band shrinks)."""
    tight = ref.scenario.tightened(10.0)
    warm = run_model(tight, warm_start=ref.state)
    cold = run_model(tight)
    assert warm.converged and cold.converged
    assert len(warm.feedback) < len(cold.feedback)

    def delay(r):
        return _value(r, "car_delay_hours_per_year")

    loose_gap = abs(delay(ref) - delay(cold))
    tight_gap = abs(delay(warm) - delay(cold))
    assert tight_gap <= 1e-4 * delay(cold)
    assert tight_gap < loose_gap or loose_gap <= 1e-6 * delay(cold)
    np.testing.assert_allclose(warm.link_adt, cold.link_adt, rtol=1e-3, atol=20.0)
