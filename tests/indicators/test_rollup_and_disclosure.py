"""Hand-computed examples and properties of roll-up and intervals (complements and their
audit: test_disclosure_audit.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.stats import (
    Cell,
    compare,
    confidence_interval,
    garwood_interval,
    judge,
    roll_up,
    wilson_interval,
)


def rate(numerator, denominator, factor=100):
    return Cell(numerator / denominator * factor, numerator, denominator, "normal")


def count(value):
    return Cell(value, None, None, "normal")


# --- roll-up, worked by hand ---------------------------------------------------------------


def test_a_rate_rolls_up_as_pooled_cases_not_as_a_mean_of_rates():
    # A: 1 of 10 (10 %), B: 90 of 100 (90 %). Pooled: 91 / 110 = 82.727 %; the mean of the
    # two rates would be 50 %.
    cell = roll_up([(rate(1, 10), 1), (rate(90, 100), 1)], kind="rate", factor=100)
    assert (cell.numerator, cell.denominator) == (91, 110)
    assert cell.value == pytest.approx(82.7272727)


def test_a_non_nested_roll_up_weights_numerators_and_denominators():
    # Mitte holds all of A (20 of 200) and 40 % of B (50 of 500):
    # (20 + 0.4 × 50) / (200 + 0.4 × 500) = 40 / 400 = 10 %.
    cell = roll_up([(rate(20, 200), 1.0), (rate(50, 500), 0.4)], kind="rate", factor=100)
    assert (cell.numerator, cell.denominator) == pytest.approx((40, 400))
    assert cell.value == pytest.approx(10.0)


def test_counts_sum_with_their_weights():
    # 120 + 0.4 × 50 = 140
    assert roll_up([(count(120), 1), (count(50), 0.4)], kind="count", factor=1).value == 140


def test_means_are_weighted_by_their_denominators():
    # A: mean age 40 over 100 people, B: 50 over 300 → (4,000 + 15,000) / 400 = 47.5,
    # not the mean of the means (45).
    a = Cell(40, 4000, 100, "normal")
    b = Cell(50, None, 300, "normal")  # delivered without its sum
    assert roll_up([(a, 1), (b, 1)], kind="mean", factor=1).value == pytest.approx(47.5)


@pytest.mark.parametrize("kind", ["index", "median"])
def test_indices_and_medians_are_not_rolled_up(kind):
    cell = roll_up([(count(3), 1), (count(4), 1)], kind=kind, factor=1)
    assert (cell.value, cell.status, cell.reason) == (None, "x", "not_rollable")


def test_a_roll_up_with_a_missing_part_has_no_value():
    missing = Cell(None, None, None, "...")
    cell = roll_up([(rate(1, 10), 1), (missing, 1)], kind="rate", factor=100)
    assert (cell.value, cell.reason) == (None, "incomplete")


def test_a_provisional_part_makes_the_roll_up_provisional():
    provisional = Cell(10.0, 1, 10, "provisional")
    cell = roll_up([(rate(1, 10), 1), (provisional, 1)], kind="rate", factor=100)
    assert cell.status == "provisional"


# --- intervals, against published reference values ----------------------------------------


def test_wilson_interval_matches_the_reference_for_10_of_100():
    # Newcombe (1998), Statistics in Medicine 17:857–872, method 3: 0.0552–0.1744.
    low, high = wilson_interval(10, 100)
    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)


@pytest.mark.parametrize(
    ("events", "expected"),
    # Exact Poisson limits as tabulated e.g. by Ulm (1990), Am J Epidemiol 131:373–375.
    [(0, (0.0, 3.689)), (1, (0.0253, 5.572)), (10, (4.795, 18.390)), (100, (81.364, 121.627))],
)
def test_garwood_interval_matches_the_tabulated_exact_limits(events, expected):
    low, high = garwood_interval(events)
    assert low == pytest.approx(expected[0], abs=6e-4)
    assert high == pytest.approx(expected[1], abs=6e-4)


def test_a_birth_rate_per_1000_uses_the_exact_poisson_interval():
    # 10 births among 2,000 inhabitants: 5.0 ‰, interval 4.795 / 2 … 18.390 / 2 ‰.
    interval = confidence_interval(
        Cell(5.0, 10, 2000, "normal"), kind="rate", is_proportion=False, factor=1000
    )
    assert interval == pytest.approx((2.3977, 9.1952), abs=1e-4)


def test_significance_needs_the_interval_to_exclude_the_city_value():
    assert compare((5.5, 17.4), 20.0) == "below"
    assert compare((5.5, 17.4), 12.0) == "not_different"
    assert compare((21.0, 30.0), 20.0) == "above"


@pytest.mark.parametrize(
    ("comparison", "polarity", "verdict"),
    [
        ("above", "higher_worse", "worse"),
        ("below", "higher_worse", "better"),
        ("above", "higher_better", "better"),
        ("above", "neutral", None),
        ("not_different", "higher_worse", None),
    ],
)
def test_polarity_turns_a_significant_difference_into_a_verdict(comparison, polarity, verdict):
    assert judge(comparison, polarity) == verdict


# --- properties ---------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=5000)


@given(st.lists(counts, min_size=1, max_size=20))
def test_counts_roll_up_to_their_sum(values):
    cell = roll_up([(count(v), 1) for v in values], kind="count", factor=1)
    assert cell.value == sum(values)


@given(st.lists(st.tuples(counts, st.integers(1, 5000)), min_size=1, max_size=20))
def test_rate_roll_ups_equal_pooled_numerators_over_pooled_denominators(pairs):
    pairs = [(min(n, d), d) for n, d in pairs]
    cell = roll_up([(rate(n, d), 1) for n, d in pairs], kind="rate", factor=100)
    total_n, total_d = sum(n for n, _ in pairs), sum(d for _, d in pairs)
    assert cell.value == pytest.approx(total_n / total_d * 100)
