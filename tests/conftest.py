import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from atlas.demo import load_demo_data
from districts.models import District, Level
from indicators.models import Indicator, Observation, Release, Theme


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the Bottrop demo data for every test that uses ``db``.

    Transactional tests (the browser tests) empty the tables afterwards; pytest-django runs
    them after all others, and they load what they need themselves.
    """
    with django_db_blocker.unblock():
        load_demo_data()


def square(x: float, y: float, size: float = 1000.0) -> MultiPolygon:
    """A square in EPSG:25832 metres with its lower left corner at (x, y)."""
    ring = ((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))
    return MultiPolygon(Polygon(ring), srid=25832)


@pytest.fixture
def level(db):
    return Level.objects.create(
        slug="testebene", name_de="Testebene", name_en="Test level",
        name_plural_de="Testebenen", name_plural_en="Test levels", rank=30,
    )  # fmt: skip


@pytest.fixture
def make_district(level):
    def make(code: str, *, x: float = 0.0, y: float = 0.0, **fields) -> District:
        fields.setdefault("level", level)
        fields.setdefault("name", f"Bezirk {code}")
        fields.setdefault("valid_from", datetime.date(2000, 1, 1))
        return District.objects.create(code=code, boundary=square(x, y), **fields)

    return make


@pytest.fixture
def theme(db):
    return Theme.objects.create(slug="test-thema", name_de="Testthema", name_en="Test theme")


@pytest.fixture
def make_indicator(theme):
    def make(slug: str, **fields) -> Indicator:
        fields.setdefault("kind", Indicator.Kind.RATE)
        fields.setdefault("factor", 100)
        return Indicator.objects.create(
            slug=slug, theme=theme, name_de=slug, name_en=slug, short_name_de=slug,
            short_name_en=slug, definition_de="Test", source="Test", **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def release(db):
    return Release.objects.create(title="Test")


@pytest.fixture
def make_observation(release):
    def make(indicator, district, year=2020, **fields) -> Observation:
        fields.setdefault("status", Observation.Status.NORMAL)
        return Observation.objects.create(
            release=fields.pop("release", release), indicator=indicator, district=district,
            year=year, reference_date=datetime.date(year, 12, 31), **fields,
        )  # fmt: skip

    return make
