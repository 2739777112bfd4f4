"""The rolling-origin backtest on the demo register."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from projections.backtest import (
    by_group,
    calibrated_cases,
    calibration_factors,
    combination,
    combined,
    district_totals,
    hamilton_perry,
    naive,
    out_of_sample,
    run_backtest,
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
