"""The Bottrop demo data as loaded: geography that tiles the city, counts that add up."""

import csv
from pathlib import Path

import pytest
from django.db import connection

from districts.models import District, Overlap
from indicators.models import Indicator, Observation, Theme

pytestmark = pytest.mark.django_db

CITY_POPULATION = {2013: 116_055, 2018: 117_383, 2023: 118_705}  # Destatis, 31 Dec


def tiling(level: str) -> tuple[float, float, float]:
    """(city area, union area of the level, largest pairwise overlap) in m², from PostGIS."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH d AS (
                SELECT d.id, d.boundary FROM districts_district d
                JOIN districts_level l ON l.id = d.level_id WHERE l.slug = %s
            )
            SELECT
                (SELECT ST_Area(boundary) FROM districts_district d
                 JOIN districts_level l ON l.id = d.level_id WHERE l.slug = 'stadt'),
                (SELECT ST_Area(ST_Union(boundary)) FROM d),
                (SELECT COALESCE(MAX(ST_Area(ST_Intersection(a.boundary, b.boundary))), 0)
                 FROM d a JOIN d b ON a.id < b.id AND ST_Intersects(a.boundary, b.boundary))
            """,
            [level],
        )
        return cursor.fetchone()


@pytest.mark.parametrize(("level", "count"), [("statistischer-bezirk", 17), ("stadtbezirk", 3)])
def test_districts_tile_the_city(level, count):
    assert District.objects.filter(level__slug=level).count() == count
    city, union, largest_overlap = tiling(level)
    assert union == pytest.approx(city, rel=0.001)
    assert largest_overlap <= 1.0


def test_the_city_is_the_real_dvg2_boundary():
    city = District.objects.get(level__slug="stadt")
    assert (city.code, city.is_demo) == ("05512000", False)
    assert city.area_km2 == pytest.approx(100.60, abs=0.05)


def test_kirchhellen_is_its_four_districts_in_the_north():
    kirchhellen = District.objects.get(level__slug="stadtbezirk", name="Kirchhellen")
    inside = Overlap.objects.filter(target=kirchhellen, source__level__slug="statistischer-bezirk")
    assert sorted(o.source.name for o in inside) == [
        "Kirchhellen-Mitte", "Kirchhellen-Nord-Ost", "Kirchhellen-Nord-West",
        "Kirchhellen-Süd/Grafenwald",
    ]  # fmt: skip
    assert all(o.area_share == 1 for o in inside)
    assert kirchhellen.area_km2 == pytest.approx(58, abs=3)


def test_mitte_and_sued_do_not_nest_with_the_statistical_districts():
    split = [
        d.name
        for d in District.objects.filter(level__slug="statistischer-bezirk")
        if d.overlaps_out.filter(target__level__slug="stadtbezirk", area_share__lt=0.99).exists()
    ]
    assert len(split) >= 3


def test_the_catalogue_has_thirty_indicators_in_six_themes():
    assert Indicator.objects.count() >= 30
    assert Theme.objects.filter(indicators__isnull=False).distinct().count() >= 6
    assert not Indicator.objects.filter(is_demo=False).exists()


def city_and_district_sum(slug: str, year: int) -> tuple[float, float]:
    rows = Observation.objects.filter(indicator__slug=slug, year=year)
    city = rows.get(district__level__slug="stadt").value
    districts = sum(r.value for r in rows.filter(district__level__slug="statistischer-bezirk"))
    return city, districts


@pytest.mark.parametrize(("year", "population"), CITY_POPULATION.items())
def test_city_population_matches_destatis(year, population):
    city, districts = city_and_district_sum("einwohner", year)
    assert city == districts == population


def test_every_count_adds_up_to_the_city():
    for indicator in Indicator.objects.filter(kind="count"):
        for year in range(2012, 2025):
            rows = Observation.objects.filter(indicator=indicator, year=year, value__isnull=False)
            if not rows.filter(district__level__slug="statistischer-bezirk").exists():
                continue  # a city-only indicator
            city, districts = city_and_district_sum(indicator.slug, year)
            assert city == districts, (indicator.slug, year)


def test_every_rate_is_its_numerator_over_its_denominator():
    rates = Observation.objects.filter(
        indicator__kind="rate", value__isnull=False, numerator__isnull=False
    ).select_related("indicator")
    assert rates.count() > 1000
    for o in rates:
        assert o.value == pytest.approx(o.numerator / o.denominator * o.indicator.factor, abs=1e-5)


def test_city_rates_are_pooled_not_averaged():
    rows = Observation.objects.filter(indicator__slug="kinderarmut", year=2023)
    districts = rows.filter(district__level__slug="statistischer-bezirk")
    city = rows.get(district__level__slug="stadt")
    assert city.numerator == sum(d.numerator for d in districts)
    assert city.denominator == sum(d.denominator for d in districts)
    assert 15 <= city.value <= 25


def test_some_small_district_counts_fall_below_the_disclosure_threshold():
    small = Observation.objects.filter(
        district__level__slug="statistischer-bezirk", numerator__lt=3, numerator__gte=0
    )
    assert small.exists()


def observations_file() -> dict[tuple[str, str, str], float]:
    path = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "observations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (r["indicator"], r["code"], r["year"]): float(r["value"])
            for r in csv.DictReader(handle)
            if r["value"]
        }


@pytest.mark.parametrize(
    ("code", "year"), [("05512000", "2012"), ("11", "2023"), ("73", "2019"), ("71", "2024")]
)
def test_the_age_groups_of_both_sexes_add_up_to_the_inhabitants(code, year):
    values = observations_file()
    slugs = {
        slug for slug, _, _ in values if slug.startswith(("bevoelkerung-m-", "bevoelkerung-w-"))
    }
    assert len(slugs) == 20
    assert sum(values[(slug, code, year)] for slug in slugs) == values[("einwohner", code, year)]
