import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import Level
from facilities.models import FacilityType
from facilities.selectors import facilities_in
from indicators import supply
from indicators.models import Indicator, Release
from indicators.selectors import available_years, level_values, year_table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def published(release):
    release.status = Release.Status.PUBLISHED
    release.published_at = datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC)
    release.save()


def values(indicator, year) -> dict:
    table = year_table(indicator=indicator, year=year)
    return {a.code: a for a in table.of_level("testebene")}


def test_facilities_are_counted_in_the_district_that_contains_them(
    three_kitas, facility_indicators, children
):
    counted = values(facility_indicators["count"], 2019)
    assert (counted["A"].cell.value, counted["B"].cell.value) == (2, 1)


def test_a_facility_closed_in_2020_is_not_counted_for_2021(
    three_kitas, facility_indicators, children
):
    counted = values(facility_indicators["count"], 2021)
    assert (counted["A"].cell.value, counted["B"].cell.value) == (1, 1)


def test_a_facility_opened_later_is_not_counted_before(make_facility, two_districts,
                                                       facility_indicators, children):  # fmt: skip
    make_facility("Kita Neu", 1200, 200, opened_on=datetime.date(2021, 3, 1))
    assert values(facility_indicators["count"], 2020)["B"].cell.value == 0
    assert values(facility_indicators["count"], 2021)["B"].cell.value == 1


def test_places_per_100_children_divide_open_places_by_the_children(
    three_kitas, facility_indicators, children
):
    places = values(facility_indicators["places"], 2021)
    # A: 40 places for 80 children; B: 60 places for 150 children.
    assert places["A"].cell.value == pytest.approx(50.0)
    assert places["B"].cell.value == pytest.approx(40.0)
    assert (places["A"].cell.numerator, places["A"].cell.denominator) == (40, 80)


def test_children_per_kita_divide_the_children_by_the_open_kitas(
    three_kitas, facility_indicators, children
):
    per_kita = values(facility_indicators["persons"], 2020)
    # 2020 ends with Kita Mond closed: A 80 children for one Kita, B 150 for one.
    assert per_kita["A"].cell.value == pytest.approx(80.0)
    assert per_kita["B"].cell.value == pytest.approx(150.0)


def test_persons_per_facility_where_there_is_none_is_not_applicable(
    two_districts, make_facility, facility_indicators, children
):
    make_facility("Kita Sonne", 200, 200, capacity=40)
    per_kita = values(facility_indicators["persons"], 2020)
    assert per_kita["B"].cell.value is None
    assert per_kita["B"].cell.status == "x"


def test_a_ratio_is_withheld_where_the_served_group_is_withheld(
    three_kitas, facility_indicators, make_indicator, make_observation, two_districts
):
    few = make_indicator("test-kinder", kind=Indicator.Kind.COUNT, factor=1, decimals=0)
    a, b = two_districts
    make_observation(few, a, year=2021, value=80)
    make_observation(few, b, year=2021, value=2)  # below the threshold of 3
    places = values(facility_indicators["places"], 2021)
    assert places["B"].cell.value is None and places["B"].cell.suppressed
    assert places["B"].cell.denominator is None
    assert places["A"].cell.value == pytest.approx(50.0)


def test_a_ratio_is_missing_where_a_facility_has_no_capacity(
    two_districts, make_facility, facility_indicators, children
):
    make_facility("Kita Sonne", 200, 200, capacity=40)
    make_facility("Kita ohne Angabe", 300, 300)
    places = values(facility_indicators["places"], 2020)
    assert places["A"].cell.value is None


def test_counts_on_a_level_that_does_not_nest_use_its_own_polygons(
    three_kitas, facility_indicators, children, make_district
):
    other = Level.objects.create(
        slug="querebene", name_de="Quer", name_en="Across", name_plural_de="Quer",
        name_plural_en="Across", rank=40,
    )  # fmt: skip
    # A square straddling A and B holds Kita Stern (1500, 500) but not Kita Sonne (200, 200).
    make_district("Q", x=600, level=other)
    table = year_table(indicator=facility_indicators["count"], year=2021)
    (straddling,) = table.of_level("querebene")
    assert straddling.cell.value == 1
    assert not straddling.approximate


def test_facility_indicators_have_the_years_of_the_served_group(facility_indicators, children):
    assert available_years(indicator=facility_indicators["places"]) == [2020, 2021]


def test_counts_for_all_districts_take_one_query(three_kitas, facility_indicators, children):
    with CaptureQueriesContext(connection) as queries:
        year_table(indicator=facility_indicators["count"], year=2021)
    assert sum("ST_Contains" in q["sql"] for q in queries.captured_queries) == 1


def test_the_profile_selector_lists_the_open_facilities_of_a_district(three_kitas, two_districts):
    a, _ = two_districts
    assert [f.name for f in facilities_in(district=a, year=2021)] == ["Kita Sonne"]
    assert [f.name for f in facilities_in(district=a, year=2019)] == ["Kita Mond", "Kita Sonne"]


def test_a_facility_indicator_needs_a_known_type(make_indicator):
    from django.core.exceptions import ValidationError

    indicator = Indicator(
        slug="x", computation=Indicator.Computation.FACILITY_COUNT, facility_type="gibt-es-nicht"
    )
    with pytest.raises(ValidationError) as raised:
        indicator.clean()
    assert "facility_type" in raised.value.message_dict


def test_demo_types_name_their_served_group():
    kita = FacilityType.objects.get(slug="kita")
    assert (kita.served_indicator, kita.served_part) == ("anteil-unter-6", "numerator")


def test_level_values_carry_the_counts(three_kitas, facility_indicators, children):
    level = Level.objects.get(slug="testebene")
    result = level_values(indicator=facility_indicators["count"], level=level, year=2021)
    assert {a.code: a.cell.value for a in result.areas} == {"A": 1, "B": 1}


def test_the_statistics_know_facility_types_only_through_the_registered_provider(
    facility_type, monkeypatch
):
    assert supply.supply_types(["test-kita", "gibt-es-nicht"]) == {
        "test-kita": supply.SupplyType("test-kita", "test-kinder", "value")
    }
    monkeypatch.setattr(supply, "_provider", None)
    assert supply.supply_types(["test-kita"]) == {}
