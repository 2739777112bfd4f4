import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.core.management import call_command
from django.utils import timezone

from districts.models import District, Level, Overlap
from indicators.models import Indicator, Observation, Release
from indicators.selectors import level_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocks():
    """Two Baublöcke that split the Altstadt along the Mitte/Süd line: 1,000 and 3,000 people."""
    fine = Level.objects.create(
        slug="baublock", name_de="Baublock", name_en="Block", name_plural_de="Baublöcke",
        name_plural_en="Blocks", rank=30,
    )  # fmt: skip
    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    release = Release.objects.create(
        title="Blöcke", status="published", published_at=timezone.now()
    )
    einwohner = Indicator.objects.get(slug="einwohner")
    for code, borough, people in (("11-M", "Mitte", 1000), ("11-S", "Süd", 3000)):
        part = altstadt.boundary.intersection(
            District.objects.get(level__slug="stadtbezirk", name=borough).boundary
        )
        polygons = [g for g in (part if part.geom_type.startswith("Multi") else [part])
                    if g.geom_type == "Polygon"]  # fmt: skip
        block = District.objects.create(
            level=fine, code=code, name=code, boundary=MultiPolygon(*polygons, srid=25832),
            valid_from=datetime.date(2000, 1, 1),
        )  # fmt: skip
        Observation.objects.create(
            release=release, indicator=einwohner, district=block, year=2023,
            reference_date=datetime.date(2023, 12, 31), value=people,
        )  # fmt: skip
    return fine


def altstadt_shares():
    overlaps = Overlap.objects.filter(
        source__code="11", source__level__slug="statistischer-bezirk",
        target__level__slug="stadtbezirk",
    ).select_related("target")  # fmt: skip
    return {o.target.name: (round(o.area_share, 3), o.population_share) for o in overlaps}


def test_population_shares_come_from_the_finer_level(blocks, capsys):
    assert altstadt_shares() == {"Mitte": (0.636, None), "Süd": (0.364, None)}
    call_command("compute_population_shares", level="baublock", year=2023)
    shares = altstadt_shares()
    assert shares["Mitte"][1] == pytest.approx(0.25, abs=1e-6)
    assert shares["Süd"][1] == pytest.approx(0.75, abs=1e-6)
    assert "Überschneidungen mit Bevölkerungsanteil" in capsys.readouterr().out


def test_roll_ups_use_population_shares_where_known(blocks):
    einwohner = Indicator.objects.get(slug="einwohner")
    boroughs = Level.objects.get(slug="stadtbezirk")

    def mitte():
        values = level_values(indicator=einwohner, level=boroughs, year=2023)
        return next(a for a in values.areas if a.name == "Mitte")

    before = mitte()
    call_command("compute_population_shares", level="baublock", year=2023)
    after = mitte()
    altstadt = 5_667  # inhabitants 2023 (demo data)
    # Mitte held 63.6 % of the Altstadt by area, now 25 % by population.
    expected = before.cell.value - altstadt * (before_weight(before) - 0.25)
    assert after.cell.value == pytest.approx(expected, abs=0.5)
    assert next(s.weight for s in after.sources if s.code == "11") == pytest.approx(0.25)


def before_weight(area_value):
    return next(s.weight for s in area_value.sources if s.code == "11")
