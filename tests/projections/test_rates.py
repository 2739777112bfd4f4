"""The rates the projection runs on: mortality by age band and its trend."""

from pathlib import Path

import numpy as np
import pytest

from projections import rates
from projections.rates import MORTALITY_IMPROVEMENT, band_ratios, estimate, mortality_trend
from projections.register import Register, read_register_files
from projections.schedules import nrw_mortality

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "register"


@pytest.fixture(scope="module")
def register():
    return read_register_files(DEMO)


def test_with_two_event_years_the_mortality_trend_stays_near_the_assumption(register):
    trend, sd = mortality_trend(register, register.year_index(2014), nrw_mortality())
    assert abs(trend + MORTALITY_IMPROVEMENT) < 0.005
    assert sd > 0.007


def test_with_ten_event_years_the_register_s_own_decline_counts(register):
    """The demo's deaths stay about level while its old grow in number: its ratio to the NRW
    schedule falls faster than the assumed 1.5 % a year, and the trend follows it."""
    trend, sd = mortality_trend(register, register.year_index(2024), nrw_mortality())
    assert trend < -MORTALITY_IMPROVEMENT - 0.002
    assert sd < 0.005


def synthetic(ratios) -> Register:
    """One district of 1,000 people at every age whose deaths are the NRW schedule's times
    ``ratios``, one a year (all counted at cohort age 81: the trend reads only their sum)."""
    n = len(ratios) + 1
    population = np.full((n, 1, 2, 101), 1000, dtype=np.int64)
    expected = (population[0] * nrw_mortality()).sum()
    deaths = np.zeros_like(population)
    deaths[1:, 0, 0, 81] = np.rint(expected * np.asarray(ratios))
    zeros = np.zeros_like(population)
    births, within = np.zeros((n, 1, 2, 35), np.int64), np.zeros((n, 1, 1, 2, 101), np.int64)
    years = np.arange(2010, 2010 + n)
    return Register(years, ("1",), population, deaths, zeros, zeros, births, within)


def test_a_register_without_a_trend_pulls_the_assumption_toward_none():
    register = synthetic([1.0] * 10)
    trend, _ = mortality_trend(register, 10, nrw_mortality())
    assert -MORTALITY_IMPROVEMENT / 2 < trend < 0


def test_a_register_with_a_steep_decline_pulls_the_assumption_toward_it():
    register = synthetic(np.exp(-0.04 * np.arange(10)))
    trend, _ = mortality_trend(register, 10, nrw_mortality())
    assert trend < -0.03


def test_each_age_band_has_its_own_ratio_shrunk_toward_the_sex_s(register):
    years = list(range(8, 13))
    start = register.population[[k - 1 for k in years]]
    ratio = band_ratios(start, register.deaths[years])
    assert ratio.shape == (2, 101)
    assert np.unique(ratio[0]).size == len(rates.MORTALITY_BANDS) - 1
    assert (ratio > 0.5).all() and (ratio < 2.0).all()
    assert ratio[0, 0] == ratio[0, 64] != ratio[0, 65]


def test_the_death_probabilities_are_carried_to_the_base_year(register):
    """The base period's ratio stands for its middle year; carried two years along a falling
    trend, the base year's probabilities are lower than the period's mean."""
    estimated = estimate(register, 2024)
    assert estimated.mortality_trend < 0
    years = list(range(8, 13))
    start = register.population[[k - 1 for k in years]]
    period = band_ratios(start, register.deaths[years]) * nrw_mortality()
    city = (estimated.death * register.population[-1]).sum() / register.population[-1].sum()
    mean = (period * register.population[-1].sum(axis=0)).sum() / register.population[-1].sum()
    assert city < mean


def test_a_city_wide_wave_is_common_and_not_the_districts_own():
    """Ten districts whose newcomers rise and fall together by 20 % (far beyond Poisson
    noise), over 40 years (the assumption counts little): the wave is the city's common
    spread, none of it the districts' own."""
    wave = np.tile([1.0, 1.0, 1.2, 1.2, 1.0, 1.0, 0.85, 1.0], 5)
    expected = np.full((len(wave), 10), 1000.0)
    observed = expected * wave[:, None]
    common = rates.common_spread(observed, expected, prior_sd=0.0)
    assert common == pytest.approx(np.log(wave).std(ddof=1), rel=0.1)
    assert rates.own_spread(observed, expected) == 0.0


def test_districts_wandering_apart_are_their_own_spread_not_the_city_s():
    rng = np.random.default_rng(1)
    expected = np.full((8, 10), 1000.0)
    observed = expected * np.exp(rng.normal(0, 0.15, expected.shape))
    observed *= expected.sum(axis=1, keepdims=True) / observed.sum(axis=1, keepdims=True)
    assert rates.own_spread(observed, expected) > 0.1
    assert rates.common_spread(observed, expected, prior_sd=0.0) < 0.02


def test_a_short_calm_register_leaves_the_common_spread_near_the_assumption():
    expected = np.full((2, 10), 1000.0)
    spread = rates.common_spread(expected.copy(), expected, prior_sd=0.06)
    assert 0.04 < spread <= 0.06
    long_calm = np.full((40, 10), 1000.0)
    assert rates.common_spread(long_calm.copy(), long_calm, prior_sd=0.06) < 0.02
