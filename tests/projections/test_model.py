"""The projection model on the demo register: it balances, stays possible, adds up, and is
reproducible."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from projections.model import COMPONENTS, GROUPS, SCENARIOS, project
from projections.rates import aged_on, estimate
from projections.register import read_register_files

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "register"
HORIZON, TRAJECTORIES = 6, 40


@pytest.fixture(scope="module")
def register():
    return read_register_files(DEMO)


@pytest.fixture(scope="module")
def rates(register):
    return estimate(register, 2024)


def run(register, rates, **options):
    options = {"horizon": HORIZON, "trajectories": TRAJECTORIES, "seed": 7, **options}
    return project(rates=rates, base=register.population[-1], **options)


@pytest.fixture(scope="module")
def projection(register, rates):
    return run(register, rates, scenarios=SCENARIOS[:2], keep_trajectories=True)


def test_every_district_balances_every_year(projection):
    """next = this + births − deaths + moves in − moves out, cell by cell (in the mean of the
    trajectories, as in each of them)."""
    c = projection.components
    previous = projection.base.astype(float)
    for h in range(HORIZON):
        births = c["births"][0, h][..., 0]
        aged = aged_on(previous, births)
        flows = c["arrivals"][0, h] + c["moved_in"][0, h] - c["out"][0, h] - c["moved_out"][0, h]
        expected = aged - c["deaths"][0, h] + flows
        assert np.allclose(projection.mean[0, h], expected, rtol=1e-4, atol=1e-3), h
        previous = projection.mean[0, h]


def test_moves_within_the_city_leave_its_total_unchanged(projection):
    moved_out = projection.components["moved_out"].sum(axis=2)
    moved_in = projection.components["moved_in"].sum(axis=2)
    assert np.allclose(moved_in, moved_out, rtol=1e-4, atol=1e-3)


def test_no_count_is_negative(projection):
    assert (projection.quantiles >= 0).all()
    assert (projection.mean >= 0).all()
    assert all((projection.components[name] >= 0).all() for name in COMPONENTS)


def test_the_districts_add_up_to_the_city_in_every_trajectory(projection):
    kept = projection.trajectories
    assert np.allclose(kept[..., :-1, :].sum(axis=-2), kept[..., -1, :], rtol=1e-5)


def test_the_age_groups_add_up_to_the_total_in_every_trajectory(projection):
    kept = projection.trajectories
    assert np.allclose(kept[..., :-1].sum(axis=-1), kept[..., -1], rtol=1e-5)


def test_quantiles_are_ordered_also_when_calibrated(projection):
    assert (np.diff(projection.quantiles, axis=-1) >= 0).all()
    factors = {h: {50: 1.5, 80: 1.3, 95: 2.0} for h in range(1, HORIZON + 1)}
    assert (np.diff(projection.calibrated(factors).quantiles, axis=-1) >= 0).all()


def test_calibration_widens_the_intervals_around_the_same_median(projection):
    wider = projection.calibrated({1: {50: 2.0, 80: 2.0, 95: 2.0}})
    low, high = projection.interval(80)
    wide_low, wide_high = wider.interval(80)
    assert np.array_equal(wider.median(), projection.median())
    assert (wide_high - wide_low >= high - low).all()
    assert (wide_high - wide_low > high - low).any()


def test_the_same_seed_gives_the_same_run_in_one_process_or_two(register, rates):
    one = run(register, rates, scenarios=SCENARIOS[:2])
    two = run(register, rates, scenarios=SCENARIOS[:2], workers=2)
    assert np.array_equal(one.quantiles, two.quantiles)
    assert np.array_equal(one.mean, two.mean)


def test_another_seed_gives_another_run(register, rates):
    one = run(register, rates, scenarios=SCENARIOS[:1])
    other = run(register, rates, scenarios=SCENARIOS[:1], seed=8)
    assert not np.array_equal(one.quantiles, other.quantiles)


def test_more_newcomers_mean_more_inhabitants(register, rates):
    low, high = run(register, rates, scenarios=(SCENARIOS[1], SCENARIOS[2])).median()
    city_total = (slice(None), -1, len(GROUPS) - 1)
    assert (high[city_total] > low[city_total]).all()


def test_the_rows_name_scenario_year_area_group_and_quantile(projection):
    first = next(projection.rows())
    assert first[:5] == ("trend", 2025, projection.codes[0], "0-2", 0.025)


def test_the_housing_scenario_adds_the_planned_dwellings_occupants(register, rates):
    """100 dwellings in the first district in the first year: about 210 more arrivals there
    (2.1 people per new dwelling, new_build_occupants.csv), mostly young families, and the
    district still balances."""
    dwellings = np.zeros((HORIZON, len(register.codes)))
    dwellings[0, 0] = 100
    scenarios = (SCENARIOS[0], next(s for s in SCENARIOS if s.housing))
    projection = run(register, rates, scenarios=scenarios, dwellings=dwellings)
    arrivals = projection.components["arrivals"][:, 0]  # (S, D, 2, A) in the first year
    extra = arrivals[1, 0] - arrivals[0, 0]
    assert extra.sum() == pytest.approx(210, rel=0.15)
    assert extra[:, 30:40].sum() > extra[:, 65:].sum() * 2
    assert abs(arrivals[1, 1:].sum() - arrivals[0, 1:].sum()) < 0.05 * arrivals[0, 1:].sum()
    c = projection.components
    births = c["births"][1, 0][..., 0]
    flows = c["arrivals"][1, 0] + c["moved_in"][1, 0] - c["out"][1, 0] - c["moved_out"][1, 0]
    expected = aged_on(projection.base.astype(float), births) - c["deaths"][1, 0] + flows
    assert np.allclose(projection.mean[1, 0], expected, rtol=1e-4, atol=1e-3)


def test_without_planned_dwellings_the_housing_scenario_is_the_trend(register, rates):
    housing = next(s for s in SCENARIOS if s.housing)
    none = run(register, rates, scenarios=(housing,))
    zero = run(register, rates, scenarios=(housing,), dwellings=np.zeros((HORIZON, 17)))
    assert np.array_equal(none.quantiles, zero.quantiles)


def _arrivals_only(rates, common_sd: float):
    """The rates with newcomers' levels fixed per district and only the city's common yearly
    level (``common_sd``) left to wander."""
    d = len(rates.codes)
    arrivals = replace(rates.arrivals, level_sd=np.zeros(d), yearly_sd=0.0, common_sd=common_sd)
    return replace(rates, arrivals=arrivals)


def _district_correlation(register, rates) -> float:
    kept = run(register, rates, horizon=4, trajectories=300, scenarios=SCENARIOS[:1],
               keep_trajectories=True).trajectories  # fmt: skip
    totals = kept[0, :, -1, :-1, -1]  # (T, D) four years ahead
    correlation = np.corrcoef(totals.T)
    return float(correlation[np.triu_indices_from(correlation, 1)].mean())


def test_the_city_s_common_migration_shock_moves_all_districts_of_a_trajectory_together(
    register, rates
):
    """One draw per trajectory and year for the whole city: where newcomers come in a wave,
    they come to every district, so the districts' totals rise and fall together."""
    together = _district_correlation(register, _arrivals_only(rates, 0.3))
    apart = _district_correlation(register, _arrivals_only(rates, 0.0))
    assert together > 0.5
    assert apart < 0.2


def test_the_common_shock_widens_the_city_s_interval(register, rates):
    def width(common_sd):
        projection = run(register, _arrivals_only(rates, common_sd), scenarios=SCENARIOS[:1])
        low, high = projection.interval(80)
        return float(high[0, -1, -1, -1] - low[0, -1, -1, -1])

    assert width(0.1) > 1.5 * width(0.0)
