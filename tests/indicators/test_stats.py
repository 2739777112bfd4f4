import pytest

from indicators.classify import classify, classify_change, palette
from indicators.stats import (
    Cell,
    difference_interval,
    is_below_threshold,
    wilson_interval,
    withheld,
)


def test_a_count_below_the_threshold_is_withheld():
    assert is_below_threshold(Cell(2, None, None, "normal"), kind="count", threshold=3)


def test_a_count_at_the_threshold_is_shown():
    assert not is_below_threshold(Cell(3, None, None, "normal"), kind="count", threshold=3)


def test_a_withheld_rate_hides_numerator_and_denominator():
    cell = Cell(2 / 1436 * 100, 2, 1436, "normal")
    assert is_below_threshold(cell, kind="rate", threshold=3)
    assert withheld(cell) == Cell(None, None, None, ".", "disclosure")


def test_a_negative_balance_is_not_a_case_count():
    assert not is_below_threshold(Cell(-1.4, -2, 1436, "normal"), kind="rate", threshold=3)


def test_a_mean_over_too_few_people_is_withheld():
    # The mean age of two people gives away their ages.
    assert is_below_threshold(Cell(41.5, 83, 2, "normal"), kind="mean", threshold=3)


def test_a_rate_over_a_tiny_population_is_withheld():
    # 3 young people per 100 adults where there are 2 adults: the denominator is a count.
    assert is_below_threshold(Cell(150.0, 3, 2, "normal"), kind="rate", threshold=3)


def test_a_density_over_a_small_area_is_shown():
    cell = Cell(8300.0, 5337, 0.643, "normal")
    assert not is_below_threshold(cell, kind="rate", threshold=3, denominator_is_count=False)


def test_a_symbol_is_not_withheld_again():
    assert not is_below_threshold(Cell(None, None, None, "..."), kind="count", threshold=3)


def test_quantiles_put_equal_numbers_of_values_in_each_class():
    classes = classify(list(range(1, 21)), method="quantiles", k=4, palette_name="Blues")
    assert classes.counts == [5, 5, 5, 5]
    assert classes.breaks == [5.75, 10.5, 15.25, 20.0]


def test_every_value_gets_the_class_its_break_says():
    data = [3.0, 9.0, 1.0, 7.0, 5.0]
    classes = classify(data, method="equal_interval", k=2, palette_name="Blues")
    assert classes.breaks == [5.0, 9.0]
    assert classes.bins == [0, 1, 0, 1, 0]


def test_fewer_distinct_values_mean_fewer_classes():
    classes = classify([4.0, 4.0, 4.0], method="natural_breaks", k=5, palette_name="Blues")
    assert len(classes.breaks) == len(classes.colors) == 1


def test_nothing_to_classify_gives_no_classes():
    assert classify([], method="quantiles", k=5, palette_name="Blues") is None


@pytest.mark.parametrize("k", [3, 5, 7])
def test_palettes_run_from_light_to_dark_without_repeating(k):
    colours = palette("YlOrRd", k)
    assert len(set(colours)) == k
    brightness = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours]
    assert brightness == sorted(brightness, reverse=True)


@pytest.mark.parametrize("k", [3, 4, 5, 6, 7])
def test_change_classes_are_symmetric_around_zero(k):
    changes = [5.2, -0.7, 2.1, -0.1, 1.0, -0.4, -0.8, -0.6, 0.4, -1.3, 1.4, 0.8, 0.6, -0.1, 0.5]
    classes = classify_change(changes, k=k, polarity="neutral")
    limits = [classes.lower, *classes.breaks]
    assert len(classes.breaks) == k == len(classes.colors)
    assert limits == pytest.approx([-x for x in reversed(limits)])
    assert sum(classes.counts) == len(changes)
    for value, b in zip(changes, classes.bins, strict=True):
        assert limits[b] <= value <= limits[b + 1]
    # An even number of classes splits at zero; an odd one has a middle class around it.
    assert (0.0 in limits) == (k % 2 == 0)


def test_an_outlier_does_not_put_every_other_change_in_the_middle_class():
    changes = [5.2, -0.7, 2.1, -0.1, 1.0, -0.4, -0.8, -0.6, 0.4, -1.3, 1.4, 0.8, 0.6, -0.1, 0.5]
    quantiles = classify_change(changes, k=5, polarity="neutral")
    equal = classify_change(changes, k=5, polarity="neutral", method="equal_interval")
    assert max(quantiles.counts) < 8 <= max(equal.counts)


def test_the_interval_of_a_difference_of_proportions_is_newcombes():
    # Newcombe (1998), example (e): 56/70 against 48/80, difference 0.2000, 95 % interval
    # 0.0524 to 0.3339 (method 10, from the two Wilson intervals).
    first, second = wilson_interval(48, 80), wilson_interval(56, 70)
    low, high = difference_interval(48 / 80, first, 56 / 70, second)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
