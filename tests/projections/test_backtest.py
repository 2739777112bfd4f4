"""The rolling-origin backtest on the demo register."""

from pathlib import Path

import numpy as np
import pytest

from projections.backtest import (
    by_group,
    calibrated_cases,
    calibration_factors,
    district_totals,
    hamilton_perry,
    naive,
    out_of_sample,
    run_backtest,
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
