"""What every output does to a value: approximate ones rounded, surveys every few years."""

import pytest

from indicators.marks import between_surveys, numbers, survey_interval
from indicators.models import Indicator
from indicators.selectors import AreaValue
from indicators.stats import Cell


def area(value, numerator=None, denominator=None, *, approximate=True, status="normal"):
    cell = Cell(value, numerator, denominator, status)
    return AreaValue(1, "1", "Mitte", "stadtbezirk", cell, approximate=approximate)


def test_an_approximate_count_is_written_with_the_indicator_s_decimals():
    einwohner = Indicator(kind="count", decimals=0)
    assert numbers(area(51939.20063290277), einwohner).value == 51939


def test_an_approximate_rate_is_rounded_and_its_numerator_and_denominator_are_whole():
    quote = Indicator(kind="rate", factor=100, decimals=1)
    shown = numbers(area(12.791059691744639, 5014.090427366615, 39199.961130685), quote)
    assert (shown.value, shown.numerator, shown.denominator) == (12.8, 5014, 39200)


def test_a_counted_value_keeps_every_digit_the_read_path_has():
    quote = Indicator(kind="rate", factor=100, decimals=1)
    shown = numbers(area(3.7433871291769907, 559, 14933, approximate=False), quote)
    assert shown.value == 3.7433871291769907


def test_a_cell_without_a_value_has_no_numbers():
    quote = Indicator(kind="rate", factor=100, decimals=1)
    assert numbers(area(None, status="."), quote).value is None
    assert numbers(None, quote).value is None


@pytest.mark.parametrize(
    ("years", "interval"),
    [
        ([2013, 2015, 2017, 2019, 2021, 2023], 2),
        ([2012, 2015, 2018], 3),
        (list(range(2012, 2025)), 1),
        ([2013, 2015, 2016], 1),  # irregular
        ([2023], 1),  # one year tells nothing
        ([], 1),
    ],
)
def test_the_survey_interval_is_the_one_gap_between_published_years(years, interval):
    assert survey_interval(years) == interval


def test_a_year_between_two_surveys_is_known_as_such():
    care = [2013, 2015, 2017, 2019, 2021, 2023]
    assert between_surveys(2024, care) == 2
    assert between_surveys(2018, care) == 2
    # A survey year without values yet, a survey year with values, a year before the first.
    assert between_surveys(2025, care) is None
    assert between_surveys(2023, care) is None
    assert between_surveys(2012, care) is None
    assert between_surveys(2024, list(range(2012, 2024))) is None
