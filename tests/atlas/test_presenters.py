"""Figures as text: a shown difference or change is the difference of the shown figures."""

from decimal import Decimal

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import units
from indicators.models import Indicator
from indicators.presenters import shown, shown_change, signed


def number(text: str, language: str = "de") -> Decimal:
    """A figure as the interface writes it ("−1.234,5" in German), as a number."""
    text = text.replace("\xa0", "").replace("−", "-").replace("+", "")
    if language == "de":
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text.replace(",", ""))


values = st.floats(min_value=-1e8, max_value=1e8, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    value=values,
    reference=values,
    decimals=st.integers(0, 6),
    language=st.sampled_from(["de", "en"]),
)
def test_a_shown_difference_is_the_shown_value_minus_the_shown_reference(
    value, reference, decimals, language
):
    with translation.override(language):
        difference = signed(units.difference(value, reference, decimals), decimals)
        left, right = shown(value, decimals), shown(reference, decimals)
    assert number(difference, language) == number(left, language) - number(right, language)


@settings(max_examples=200, deadline=None)
@given(start=st.integers(0, 10**7), end=st.integers(0, 10**7), noise=st.floats(-0.5, 0.5))
def test_a_shown_change_of_a_count_is_the_shown_end_minus_the_shown_start(start, end, noise):
    count = Indicator(kind="count", factor=1, unit_de="Personen", unit_en="persons", decimals=0)
    change = units.change(count, start + noise, float(end))
    with translation.override("de"):
        text = shown_change(change, 0)
        figure, _, percent = text.partition(" (")
        assert number(figure) == number(shown(float(end), 0)) - number(shown(start + noise, 0))
        if change.relative is not None:
            assert percent.endswith("\xa0%)")


def test_a_difference_that_rounds_to_zero_has_no_sign():
    with translation.override("de"):
        assert signed(units.difference(15.04, 14.96, 1), 1) == "0,0"
        assert signed(-0.04, 1) == "0,0"
        assert signed(-1.25, 1) == "−1,3"
