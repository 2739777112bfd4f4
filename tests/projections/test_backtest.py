"""The rolling-origin backtest on the demo register."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from projections.backtest import (
    _needed,
    by_group,
    calibrated_cases,
    calibration_factors,
    combination,
    combined,
    district_totals,
    group_calibration,
    growth,
    hamilton_perry,
    naive,
    out_of_sample,
    run_backtest,
    supported,
    with_city,
)
from projections.model import GROUPS, INTERVALS
from projections.register import read_register_files

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "register"


@pytest.fixture(scope="module")
def register():
    return read_register_files(DEMO)


@pytest.fixture(scope="module")
def backtest(register):
    return run_backtest(register, trajectories=20)


def test_the_backtest_measures_every_horizon_and_group(backtest):
    totals = district_totals(backtest)
    assert list(totals.index) == list(range(1, 11))
    assert (totals["cases"] == [102] * 5 + [85, 68, 51, 34, 17]).all()
    assert set(by_group(backtest).index) == {g[0] for g in GROUPS}
    # The cohort model knows who ages into an age group; the constant population does not.
    groups = by_group(backtest)
    assert groups.loc["3-5", "MAPE model"] < groups.loc["3-5", "MAPE constant"]


def test_the_benchmarks_see_nothing_after_the_base_year(register):
    seen = register.until(2016)
    assert seen.years[-1] == 2016
    for name, values in naive(seen, 2016, 4).items():
        assert values.shape == (4, len(register.codes) + 1, len(GROUPS)), name
    constant = naive(seen, 2016, 4)["constant"]
    assert np.array_equal(constant[0], constant[3])


def test_hamilton_perry_districts_add_up_to_its_city(register):
    projected = hamilton_perry(register.until(2019), 2019, 5)
    assert np.allclose(projected[:, :-1].sum(axis=1), projected[:, -1])


def test_calibration_makes_the_intervals_cover_as_claimed_in_sample(backtest):
    cases = backtest.cases
    factors = calibration_factors(cases)
    assert all(factors[h][80] <= factors[h + 1][80] for h in range(1, 10))
    calibrated = calibrated_cases(cases, factors)
    for level, (low, high) in INTERVALS.items():
        inside = (calibrated["actual"] >= calibrated[f"q{low}"]) & (
            calibrated["actual"] <= calibrated[f"q{high}"]
        )
        assert abs(100 * inside.mean() - level) < 5, level


def test_out_of_sample_calibration_keeps_every_case(backtest):
    calibrated = out_of_sample(backtest.cases)
    assert calibrated.index.equals(backtest.cases.index)


def test_the_combination_picks_the_method_that_was_right():
    cases = pd.DataFrame(
        {
            "origin": [2014, 2015, 2014, 2015],
            "horizon": [1, 1, 2, 2],
            "actual": [100.0, 200.0, 100.0, 200.0],
            "cohort": [90.0, 210.0, 80.0, 230.0],
            "linear": [100.0, 200.0, 100.0, 200.0],
            "constant": [95.0, 190.0, 120.0, 170.0],
        }
    )
    weights = combination(cases)
    assert weights == {1: (0.0, 1.0, 0.0), 2: (0.0, 1.0, 0.0)}


def test_combined_trajectories_take_the_weighted_totals_and_keep_the_age_structure():
    rng = np.random.default_rng(1)
    kept = rng.uniform(10, 20, (50, 2, 4, len(GROUPS)))  # T, H, 3 districts + city, G
    kept[..., -1] = kept[..., :-1].sum(axis=-1)
    kept[..., -1, :] = kept[..., :-1, :].sum(axis=-2)
    flat = np.full((2, 4, len(GROUPS)), 100.0)
    benchmarks = {"linear": flat, "constant": flat * 2}
    out = with_city(combined(kept, benchmarks, {1: (0.5, 0.25, 0.25), 2: (0.0, 0.0, 1.0)}))
    cohort = np.median(kept[..., :-1, -1], axis=0)
    assert np.allclose(np.median(out[:, 0, :-1, -1], axis=0), 0.5 * cohort[0] + 25 + 50)
    assert np.allclose(np.median(out[:, 1, :-1, -1], axis=0), 200)
    assert np.allclose(out[..., -1, :], out[..., :-1, :].sum(axis=-2))
    shares = kept[..., :-1, :-1] / kept[..., :-1, -1:]
    assert np.allclose(out[..., :-1, :-1] / out[..., :-1, -1:], shares)


def test_the_published_projection_is_no_worse_than_the_cohort_model_alone(backtest):
    """Weights fitted on the other origins: the districts' totals, all horizons pooled."""
    totals = district_totals(backtest)
    pooled = (totals["MAPE model"] * totals["cases"]).sum() / totals["cases"].sum()
    cohort = (totals["MAPE cohort"] * totals["cases"]).sum() / totals["cases"].sum()
    assert pooled < cohort
    assert sum(backtest.weights[1]) == pytest.approx(1.0)


def test_a_horizon_is_supported_when_two_base_years_reach_it(backtest):
    # Six base years 2014–2019 on a register to 2024: 9 years ahead from 2014 and 2015.
    assert supported(backtest.cases) == 9
    assert supported(backtest.cases[backtest.cases["origin"] == 2014]) == 1


def test_the_combination_fits_no_weights_on_one_base_year_alone():
    cases = pd.DataFrame(
        {
            "origin": [2014, 2015, 2014],
            "horizon": [1, 1, 2],
            "actual": [100.0, 200.0, 100.0],
            "cohort": [100.0, 200.0, 130.0],
            "linear": [90.0, 190.0, 100.0],
            "constant": [90.0, 190.0, 80.0],
        }
    )
    assert list(combination(cases)) == [1]  # 2 years ahead: weights of 1 (scale_factors)


def test_calibration_factors_reach_every_horizon_asked_for_and_never_shrink_beyond_the_checked(
    backtest,
):
    factors = calibration_factors(backtest.cases, reach=16)
    assert sorted(factors) == list(range(1, 17))
    longest = supported(backtest.cases)
    for level in INTERVALS:
        assert all(factors[h][level] <= factors[h + 1][level] for h in range(longest, 16)), level


def test_a_checked_horizon_s_factor_is_what_its_cases_need_even_below_a_shorter_one_s(backtest):
    """Forced to grow with the horizon, the factors made the districts' totals, more accurate
    at 6 and 7 years than at 5, cover 94 % with their 80 % intervals."""
    cases = backtest.cases
    factors = calibration_factors(cases)
    for h in range(1, supported(cases) + 1):
        near = cases[(cases["horizon"] - h).abs() <= 1]
        for level in INTERVALS:
            needed = np.quantile(_needed(near, level), level / 100)
            assert factors[h][level] == pytest.approx(needed)
    # A horizon whose cases all hit their medians needs no width at all, whatever came before.
    exact = cases.assign(
        actual=np.where(cases["horizon"].between(4, 6), cases["q0.5"], cases["actual"])
    )
    assert calibration_factors(exact)[5][80] == pytest.approx(0)
    assert calibration_factors(exact)[3][80] > 0


def test_beyond_the_supported_horizons_factors_grow_at_the_fitted_rate(backtest):
    factors = calibration_factors(backtest.cases, reach=16)
    counts = backtest.cases["horizon"].value_counts()
    rate = growth({h: factors[h] for h in range(1, 10)}, counts)
    for level in INTERVALS:
        assert factors[16][level] == pytest.approx(factors[10][level] * 1.6 ** rate[level])


def test_one_base_year_can_widen_a_horizon_s_intervals_but_not_narrow_them(backtest):
    cases = backtest.cases.copy()
    alone = cases["horizon"] == 10  # only 2014 reaches it
    exact = cases.assign(actual=np.where(alone, cases["q0.5"], cases["actual"]))
    far = cases.assign(actual=np.where(alone, 10 * cases["q0.975"], cases["actual"]))
    factors, narrow, wide = (calibration_factors(c) for c in (cases, exact, far))
    rate = growth({h: narrow[h] for h in range(1, 10)}, cases["horizon"].value_counts())
    for level in INTERVALS:
        # Horizon 9 pools the cases of 10 too, so each is compared with its own.
        assert narrow[10][level] >= narrow[9][level] * (10 / 9) ** rate[level] * (1 - 1e-12)
        assert wide[10][level] > factors[10][level]


def test_growth_is_the_slope_of_a_power_law_and_never_negative():
    counts = pd.Series({h: 100 for h in range(1, 9)})
    rising = {h: dict.fromkeys(INTERVALS, 0.9 * h**0.3) for h in range(1, 9)}
    falling = {h: dict.fromkeys(INTERVALS, 2.0 / h) for h in range(1, 9)}
    assert growth(rising, counts) == pytest.approx(dict.fromkeys(INTERVALS, 0.3))
    assert growth(falling, counts) == dict.fromkeys(INTERVALS, 0.0)
    assert growth({1: rising[1]}, counts) == dict.fromkeys(INTERVALS, 0.0)


def test_out_of_sample_the_longest_horizon_is_calibrated_as_a_run_extrapolates(backtest):
    """2014 alone reaches 10 years: its intervals there are rescaled with the other base
    years' factors, extrapolated beyond the horizons they support."""
    cases = backtest.cases
    calibrated = out_of_sample(cases)
    others = group_calibration(cases[cases["origin"] != 2014], reach=10)
    case = cases[(cases["origin"] == 2014) & (cases["horizon"] == 10)].iloc[0]
    high = INTERVALS[95][1]
    assert calibrated.loc[case.name, f"q{high}"] == pytest.approx(
        case["q0.5"] + others[case["group"]][10][95] * (case[f"q{high}"] - case["q0.5"])
    )


def test_each_age_group_has_its_own_factors_between_its_cases_and_all_groups(backtest):
    cases = backtest.cases
    pooled = calibration_factors(cases)
    by_group = group_calibration(cases)
    assert set(by_group) == {g[0] for g in GROUPS}
    own = calibration_factors(cases[cases["group"] == "total"])
    for h in (1, 5):
        low, high = sorted((own[h][80], pooled[h][80]))
        assert low <= by_group["total"][h][80] <= high
    assert by_group["total"][1][80] != pooled[1][80]


def test_the_measures_are_those_of_the_intervals_as_published(backtest):
    """The districts' totals are calibrated with the factors a run applies to them (the
    total's, fitted on every area), not refitted on the districts' totals alone."""
    published = out_of_sample(backtest.cases[backtest.cases["actual"] > 0])
    totals = published[(published["area"] != "stadt") & (published["group"] == "total")]
    low, high = (totals[f"q{q}"] for q in INTERVALS[80])
    covered = 100 * ((totals["actual"] >= low) & (totals["actual"] <= high))
    measured = district_totals(backtest)["coverage 80"]
    assert np.allclose(measured, covered.groupby(totals["horizon"]).mean())
