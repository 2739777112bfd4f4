"""Need for places against supply, checked against sums done by hand."""

import numpy as np
import pytest

from facilities.models import Facility
from projections import need
from projections.model import SCENARIOS
from projections.models import ProjectionRun
from projections.selectors import need_of
from projections.services.runs import run_projection


def test_kita_need_is_the_quota_of_the_under_threes_and_95_percent_of_the_older():
    # 200 under 3 × 45 % = 90, 180 aged 3–5 × 95 % = 171.
    assert need.kita_need(200, 180, 0.45) == pytest.approx(261.0)
    assert need.kita_need(np.array([100, 0]), np.array([0, 100]), 0.35).tolist() == [35.0, 95.0]


def test_the_shortfall_probability_is_the_share_of_trajectories_above_the_places():
    trajectories = np.array([[90.0], [100.0], [110.0], [120.0]])  # 4 trajectories, 1 year
    # Above 105 places: 110 and 120 of four; 100 is not a shortfall at 100 places.
    assert need.shortfall_probability(trajectories, np.array([105.0]))[0] == 0.5
    assert need.shortfall_probability(trajectories, np.array([100.0]))[0] == 0.5
    assert np.isnan(need.shortfall_probability(trajectories, np.array([np.nan]))[0])


def test_trajectories_at_a_raw_quantile_land_on_the_published_one():
    trajectories = np.array([[90.0], [100.0], [110.0], [120.0]])
    raw = np.array([[90.0, 105.0, 120.0]])  # low, median, high of the one year
    published = np.array([[75.0, 105.0, 135.0]])  # the interval twice as wide
    # Between the quantiles linearly (100 → 95, 110 → 115), the ends onto the ends.
    assert need.onto_quantiles(trajectories, raw, published)[:, 0].tolist() == [75, 95, 115, 135]


def test_beyond_the_outermost_quantiles_trajectories_keep_the_widest_interval_s_factor():
    raw = np.array([[90.0, 105.0, 120.0]])
    published = np.array([[75.0, 105.0, 135.0]])
    # 130 is 10 above the raw high end: 20 above the published one; 40 would fall below zero.
    assert need.onto_quantiles(np.array([[130.0], [40.0]]), raw, published)[:, 0].tolist() == [
        155,
        0,
    ]


def test_a_shortfall_at_the_published_90_percent_quantile_is_10_percent_likely():
    trajectories = np.random.default_rng(0).gamma(50.0, 2.0, size=(1000, 1))
    levels = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
    raw = np.quantile(trajectories, levels, axis=0).T
    published = raw[:, 3:4] + np.array([1.6, 1.4, 1.2, 1.0, 1.2, 1.4, 1.6]) * (raw - raw[:, 3:4])
    carried = need.onto_quantiles(trajectories, raw, published)
    assert need.shortfall_probability(carried, published[:, 5]) == pytest.approx(0.1, abs=0.002)
    assert need.shortfall_probability(carried, published[:, 6]) == pytest.approx(0.025, abs=0.002)


@pytest.mark.parametrize(
    ("entrants", "classes"),
    [(0, 0), (10, 1), (29, 1), (30, 2), (40, 2), (62, 3), (75, 3), (88, 4), (100, 4), (113, 5)],
)
def test_entry_classes_stay_near_25_pupils_within_15_to_29(entrants, classes):
    # 30: one class would be 30 > 29, so two of 15. 62: 62/25 = 2.48 → 2 classes of 31 are too
    # many, so 3 (about 21). 88: 3.52 → 4 (22). 113: 4.52 → 5 (22.6).
    assert need.entry_classes(entrants) == classes


def test_care_need_applies_the_age_bands_and_their_rise():
    population = np.zeros((2, 101))
    population[:, 70] = 1000  # 2.3 % → 23
    population[:, 80] = 100  # 23.9 % → 23.9
    population[:, 95] = 10  # 81.6 % → 8.16
    constant = need.care_need(population)
    assert constant.tolist() == pytest.approx([55.06, 55.06])
    rising = need.care_need(population, rising=True)
    assert rising.tolist() == pytest.approx([55.06 * 1.01, 55.06 * 1.01**2])


def test_care_rates_never_exceed_one():
    assert need.care_rates(100, rising=True).max() == 1.0


@pytest.mark.django_db
def test_kita_places_are_the_capacities_of_the_kitas_open_at_the_end_of_the_year():
    places = need.kita_places(year=2024, codes=["42"])
    kitas = Facility.objects.filter(type__slug="kita", capacity__isnull=False)
    assert places["42"] > 0
    assert places["42"] <= sum(kitas.values_list("capacity", flat=True))


@pytest.mark.django_db
def test_a_stored_run_holds_the_shortfall_probability_per_quota_year_and_district():
    run = run_projection(horizon=2, trajectories=20, seed=1, dry_run=True)
    arrays = need_of(run.result)
    shortfall = arrays["kita_shortfall"]  # (scenario, quota, year, district)
    assert shortfall.shape == (len(SCENARIOS), 3, 2, 17)
    assert ((shortfall >= 0) & (shortfall <= 1)).all()
    # A higher quota needs more places: never a smaller probability of a shortfall.
    assert (np.diff(shortfall, axis=1) >= 0).all()
    assert (np.diff(arrays["kita_need"], axis=1) > 0).all()
    assert isinstance(run, ProjectionRun)
