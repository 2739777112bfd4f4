"""factory_boy factories for the atlas's models (test data that does not clash with the demo)."""

import datetime

import factory
from django.contrib.gis.geos import MultiPolygon, Polygon

from districts.models import District, Level
from indicators.models import Indicator, Observation, Release, Theme


def square(x: float, y: float, size: float = 1000.0) -> MultiPolygon:
    """A square in EPSG:25832 metres with its lower left corner at (x, y)."""
    ring = ((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))
    return MultiPolygon(Polygon(ring), srid=25832)


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ["slug"]

    slug = "testebene"
    name_de = "Testebene"
    name_en = "Test level"
    name_plural_de = "Testebenen"
    name_plural_en = "Test levels"
    rank = 30


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    class Params:
        x = 0.0
        y = 0.0

    level = factory.SubFactory(LevelFactory)
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.LazyAttribute(lambda d: f"Bezirk {d.code}")
    boundary = factory.LazyAttribute(lambda d: square(d.x, d.y))
    valid_from = datetime.date(2000, 1, 1)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = "test-thema"
    name_de = "Testthema"
    name_en = "Test theme"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    slug = factory.Sequence(lambda n: f"test-indikator-{n}")
    theme = factory.SubFactory(ThemeFactory)
    name_de = factory.LazyAttribute(lambda i: i.slug)
    name_en = factory.LazyAttribute(lambda i: i.slug)
    short_name_de = factory.LazyAttribute(lambda i: i.slug)
    short_name_en = factory.LazyAttribute(lambda i: i.slug)
    definition_de = "Test"
    source = "Test"
    kind = Indicator.Kind.RATE
    factor = 100


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    title = factory.Sequence(lambda n: f"Test {n}")


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    release = factory.SubFactory(ReleaseFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    district = factory.SubFactory(DistrictFactory)
    year = 2020
    reference_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 31))
    status = Observation.Status.NORMAL
