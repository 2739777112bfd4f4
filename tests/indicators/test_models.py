import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import MAX_CLASSES, Indicator


@pytest.fixture
def district(make_district):
    return make_district("A")


@pytest.fixture
def share(make_indicator):
    return make_indicator("test-anteil", is_proportion=True)


def test_one_value_per_indicator_district_year_and_release(share, district, make_observation):
    make_observation(share, district, value=10, numerator=1, denominator=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_observation(share, district, value=20, numerator=2, denominator=10)


def test_the_denominator_must_be_positive(share, district, make_observation):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_observation(share, district, value=0, numerator=0, denominator=0)


def test_a_share_cannot_have_a_numerator_above_its_denominator(share, district, make_observation):
    with pytest.raises(IntegrityError, match="numerator_within_denominator"), transaction.atomic():
        make_observation(share, district, value=120, numerator=12, denominator=10)


def test_a_share_cannot_have_a_negative_numerator(share, district, make_observation):
    with pytest.raises(IntegrityError, match="numerator_not_negative"), transaction.atomic():
        make_observation(share, district, value=0, numerator=-1, denominator=10)


def test_a_count_cannot_be_made_negative_later(make_indicator, district, make_observation):
    count = make_indicator("test-anzahl", kind=Indicator.Kind.COUNT, factor=1)
    observation = make_observation(count, district, value=1)
    observation.value = -1
    with pytest.raises(IntegrityError, match="count_not_negative"), transaction.atomic():
        observation.save()


def test_a_quotient_may_exceed_its_denominator(make_indicator, district, make_observation):
    quotient = make_indicator("test-quotient", is_proportion=False)
    observation = make_observation(quotient, district, value=120, numerator=12, denominator=10)
    assert observation.pk


def test_a_count_cannot_be_negative(make_indicator, district, make_observation):
    count = make_indicator("test-anzahl", kind=Indicator.Kind.COUNT, factor=1)
    with pytest.raises(IntegrityError, match="count_not_negative"), transaction.atomic():
        make_observation(count, district, value=-1)


def test_a_normal_value_must_have_a_number(share, district, make_observation):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_observation(share, district, value=None)


@pytest.mark.parametrize("symbol", [".", "-", "x", "/", "..."])
def test_a_din_symbol_stands_in_place_of_a_number(share, district, make_observation, symbol):
    make_observation(share, district, value=None, status=symbol)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_observation(share, district, year=2021, value=5.0, status=symbol)


def test_a_proportion_must_be_a_rate(make_indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator("test-falsch", kind=Indicator.Kind.MEAN, is_proportion=True)


def test_observations_keep_their_status_symbols(share, district, make_observation):
    observation = make_observation(share, district, value=None, status="...")
    observation.refresh_from_db()
    assert observation.get_status_display().startswith("„...“")


def test_a_symbol_row_carries_no_numerator_or_denominator(share, district, make_observation):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_observation(share, district, value=None, numerator=2, denominator=500, status=".")


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        ([30, 20], "aufsteigend"),
        ([10], "2 bis 6 Klassengrenzen (3 bis 7 Klassen)"),
        (list(range(7)), "2 bis 6"),
        (["zehn", 20], "Zahlen"),
        ({"a": 1}, "Liste"),
    ],
)
def test_manual_class_limits_are_checked(make_indicator, breaks, message):
    indicator = make_indicator("grenzen", classification_breaks=breaks)
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert message in str(error.value.message_dict["classification_breaks"])


def test_the_class_count_is_held_to_the_limits_in_the_database(make_indicator):
    indicator = make_indicator("zu-viele-klassen")
    Indicator.objects.filter(pk=indicator.pk).update(classification_classes=MAX_CLASSES)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(classification_classes=MAX_CLASSES + 1)


def test_manual_classification_needs_limits(make_indicator):
    indicator = make_indicator("ohne-grenzen", classification_method="manual")
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "classification_breaks" in error.value.message_dict
    indicator.classification_breaks = [10, 20]
    indicator.full_clean()
