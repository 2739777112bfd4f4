import datetime

import pytest
from django.contrib.gis.geos import Point

from facilities.models import Facility, FacilityType
from indicators.models import Indicator


@pytest.fixture
def facility_type(db):
    return FacilityType.objects.create(
        slug="test-kita",
        name_de="Test-Kita",
        name_en="Test day-care",
        icon="kita",
        served_group_de="Kinder",
        served_indicator="test-kinder",
        served_part=FacilityType.ServedPart.VALUE,
    )


@pytest.fixture
def make_facility(facility_type):
    def make(name: str, x: float, y: float, **fields) -> Facility:
        fields.setdefault("type", facility_type)
        return Facility.objects.create(name=name, location=Point(x, y, srid=25832), **fields)

    return make


@pytest.fixture
def two_districts(make_district):
    """Squares A (0–1000 m) and B (1000–2000 m) of the test level."""
    return make_district("A", name="Altstadt"), make_district("B", x=1000, name="Boy")


@pytest.fixture
def three_kitas(two_districts, make_facility):
    """Two Kitas in A (one closed during 2020), one in B."""
    make_facility("Kita Sonne", 200, 200, capacity=40)
    make_facility("Kita Mond", 700, 700, capacity=20, closed_on=datetime.date(2020, 7, 1))
    make_facility("Kita Stern", 1500, 500, capacity=60, opened_on=datetime.date(2015, 8, 1))


@pytest.fixture
def facility_indicators(make_indicator, facility_type):
    """Count, places per 100 children and children per Kita for the test type."""
    common = {"facility_type": facility_type.slug, "disclosure_threshold": 0}
    return {
        "count": make_indicator(
            "test-kitas", kind=Indicator.Kind.COUNT, factor=1, decimals=0,
            computation=Indicator.Computation.FACILITY_COUNT, **common,
        ),
        "places": make_indicator(
            "test-kitaplaetze", kind=Indicator.Kind.RATE, factor=100,
            computation=Indicator.Computation.FACILITY_PLACES, **common,
        ),
        "persons": make_indicator(
            "test-kinder-je-kita", kind=Indicator.Kind.RATE, factor=1,
            denominator_is_count=False,
            computation=Indicator.Computation.FACILITY_PERSONS, **common,
        ),
    }  # fmt: skip


@pytest.fixture
def children(make_indicator, make_observation, two_districts):
    """Children per district: A 80 and B 150 in 2020 and 2021."""
    indicator = make_indicator("test-kinder", kind=Indicator.Kind.COUNT, factor=1, decimals=0)
    a, b = two_districts
    for year in (2020, 2021):
        make_observation(indicator, a, year=year, value=80)
        make_observation(indicator, b, year=year, value=150)
    return indicator
