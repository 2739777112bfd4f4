"""The overview of a level with very many areas: a coarser level, while its areas are specks."""

import math

import pytest

from districts.models import Level, Overlap
from districts.selectors import overview_of
from districts.zoom import OVERVIEW_PIXELS, overview_max_zoom, pixel_size_m

pytestmark = pytest.mark.django_db

LATITUDE = 51.0


@pytest.mark.parametrize("side_km", [0.5, 2.4, 5.3, 40.0])
def test_the_overview_ends_at_the_last_zoom_where_an_area_is_a_speck(side_km):
    side = side_km * 1000
    zoom = overview_max_zoom(mean_area_m2=side**2, latitude=LATITUDE)
    assert side / pixel_size_m(zoom, LATITUDE) < OVERVIEW_PIXELS
    assert side / pixel_size_m(zoom + 1, LATITUDE) >= OVERVIEW_PIXELS


def test_germanys_municipalities_are_specks_up_to_zoom_seven():
    # 11,000 municipalities share 357,000 km²: about 5.7 km across, 3.7 pixels at zoom 6.
    assert overview_max_zoom(mean_area_m2=357_000e6 / 11_000, latitude=LATITUDE) == 7


def test_areas_wide_even_at_zoom_zero_need_no_overview():
    side = 8 * pixel_size_m(0, LATITUDE)
    assert overview_max_zoom(mean_area_m2=side**2, latitude=LATITUDE) is None


def test_the_statistical_districts_overview_is_the_stadtbezirke():
    overview = overview_of(Level.objects.get(slug="statistischer-bezirk"))
    assert overview.level.slug == "stadtbezirk"
    # Bottrop's 17 districts: 100.6 km², 2.4 km across; 8 pixels at zoom 9.
    side = math.sqrt(100.6e6 / 17)
    assert side / pixel_size_m(overview.max_zoom, 51.57) < OVERVIEW_PIXELS
    assert overview.max_zoom == 8


def test_a_single_area_is_no_overview():
    # The Stadtbezirke's only coarser level is the city itself.
    assert overview_of(Level.objects.get(slug="stadtbezirk")) is None


def test_a_coarser_level_with_too_many_areas_is_no_overview(settings):
    settings.ATLAS_OVERVIEW_AREAS = 2  # Bottrop has 3 Stadtbezirke
    assert overview_of(Level.objects.get(slug="statistischer-bezirk")) is None


def test_a_level_the_areas_are_not_crosswalked_to_is_no_overview():
    Overlap.objects.filter(target__level__slug="stadtbezirk").delete()
    assert overview_of(Level.objects.get(slug="statistischer-bezirk")) is None
