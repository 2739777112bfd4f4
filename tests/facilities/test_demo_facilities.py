import datetime
import json
from collections import Counter

import pytest
from django.core.management import call_command

from atlas.demo import DEMO_DIR
from facilities.models import Facility
from indicators import units
from indicators.models import Indicator
from tests.atlas.test_api import assert_matches
from tests.template_db import TEST_TRAJECTORIES

pytestmark = pytest.mark.django_db


def open_kitas_by_district_in(year: int) -> int:
    """Hand count from the demo file: Kitas open on 31 Dec of the year."""
    day = datetime.date(year, 12, 31)
    features = json.loads((DEMO_DIR / "facilities.geojson").read_text())["features"]
    count = 0
    for feature in features:
        p = feature["properties"]
        opened = datetime.date.fromisoformat(p["eroeffnet"]) if p["eroeffnet"] else None
        closed = datetime.date.fromisoformat(p["geschlossen"]) if p["geschlossen"] else None
        if (
            p["typ"] == "kita"
            and (opened is None or opened <= day)
            and (closed is None or closed > day)
        ):
            count += 1
    return count


def test_the_demo_facilities_are_loaded_and_marked_as_demo():
    kitas = Facility.objects.filter(type__slug="kita")
    assert kitas.count() > 50
    assert not Facility.objects.filter(is_demo=False).exists()
    assert Facility.objects.filter(
        type__slug="stadtteilbuero", name__contains="Batenbrock"
    ).exists()


def test_the_city_count_of_kitas_matches_the_file(client):
    payload = client.get(
        "/api/v1/values",
        {"indicator": "anzahl-kitas", "level": "statistischer-bezirk", "year": 2021},
    ).json()
    assert_matches("/values", payload)
    assert payload["city"]["value"] == open_kitas_by_district_in(2021)
    assert sum(v["value"] for v in payload["values"]) == open_kitas_by_district_in(2021)


def test_places_per_100_children_appear_for_every_district(client):
    payload = client.get(
        "/api/v1/values",
        {"indicator": "kita-plaetze-je-100-unter-6", "level": "statistischer-bezirk", "year": 2024},
    ).json()
    assert_matches("/values", payload)
    assert len(payload["values"]) == 17
    assert all(v["value"] is not None and v["value"] > 0 for v in payload["values"])
    assert payload["classes"] is not None
    assert 2012 in payload["years"] and 2024 in payload["years"]


def published(row: dict, ratio: float, slug: str):
    """A ratio as the API writes it: an estimate across levels that do not nest rounded to the
    indicator's decimals, an exact value in full."""
    if row["approximate"]:
        return units.rounded(ratio, Indicator.objects.get(slug=slug).decimals)
    return pytest.approx(ratio)


def test_children_per_kita_on_the_boroughs_divide_their_own_counts(client):
    def get(indicator):
        return client.get(
            "/api/v1/values", {"indicator": indicator, "level": "stadtbezirk", "year": 2024}
        ).json()["values"]

    per_kita = {v["code"]: v for v in get("kinder-unter-6-je-kita")}
    kitas = {v["code"]: v["value"] for v in get("anzahl-kitas")}
    for code, row in per_kita.items():
        assert row["denominator"] == kitas[code]
        per_kita_here = row["numerator"] / kitas[code]
        assert row["value"] == published(row, per_kita_here, "kinder-unter-6-je-kita")


def test_facility_indicators_are_in_the_catalogue_on_every_level(client):
    payload = client.get("/api/v1/indicators").json()
    found = {i["slug"]: i for i in payload["indicators"]}
    assert found["anzahl-kitas"]["levels"] == ["stadt", "stadtbezirk", "statistischer-bezirk"]
    assert found["kita-plaetze-je-100-unter-6"]["theme"] == "angebote"


def test_facility_indicators_give_no_plausibility_warnings():
    from indicators.selectors import plausibility_warnings

    facility = set(Indicator.objects.exclude(facility_type="").values_list("slug", flat=True))
    assert not [w for w in plausibility_warnings(year=2024) if w.indicator in facility]


def test_the_demo_facilities_file_is_reproducible(tmp_path, monkeypatch):
    import fixtures.bottrop.facilities as generator

    monkeypatch.setattr(generator, "OUTPUT_FILE", tmp_path / "facilities.geojson")
    generator.main()
    committed = (DEMO_DIR / "facilities.geojson").read_text()
    assert (tmp_path / "facilities.geojson").read_text() == committed


def test_loading_the_demo_again_changes_no_facility(capsys):
    before = Counter(Facility.objects.values_list("type__slug", flat=True))
    call_command("load_demo_data", trajectories=TEST_TRAJECTORIES)
    assert Counter(Facility.objects.values_list("type__slug", flat=True)) == before
    assert "unverändert: 121" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("ratio", "count", "group"),
    [
        ("kinder-6-bis-9-je-grundschule", "anzahl-grundschulen", "kinder-6-bis-9"),
        ("junge-menschen-10-bis-20-je-jugendzentrum", "anzahl-jugendzentren",
         "junge-menschen-10-bis-20"),
    ],
)  # fmt: skip
def test_schools_and_youth_centres_serve_their_age_group(client, ratio, count, group):
    def values(indicator):
        payload = client.get(
            "/api/v1/values", {"indicator": indicator, "level": "stadtbezirk", "year": 2024}
        ).json()
        return {v["code"]: v for v in payload["values"]}

    per_facility, facilities, people = values(ratio), values(count), values(group)
    assert len(per_facility) == 3
    for code, row in per_facility.items():
        assert row["numerator"] == people[code]["value"]
        assert row["denominator"] == facilities[code]["value"]
        per_one = people[code]["value"] / facilities[code]["value"]
        assert row["value"] == published(row, per_one, ratio)


def test_the_age_groups_of_schools_and_youth_centres_add_up_to_the_pyramid(client):
    def city(indicator):
        return client.get(
            "/api/v1/values",
            {"indicator": indicator, "level": "statistischer-bezirk", "year": 2024},
        ).json()["city"]["value"]

    young = city("kinder-6-bis-9") + city("junge-menschen-10-bis-20")
    pyramid = sum(city(f"bevoelkerung-{sex}-{low}-{low + 9}") for sex in "mw" for low in (0, 10))
    under_6 = city("anteil-unter-6") * city("einwohner") / 100
    # 6 to 20 years are the two pyramid bars 0–19 without the under-6s, plus the 20-year-olds.
    assert 0 < young - (pyramid - under_6) < city("einwohner") * 0.02
