import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from districts.models import District, Level
from indicators.models import Indicator, Observation, Release
from indicators.selectors import (
    change_values,
    level_values,
    plausibility_warnings,
    profile,
    time_series,
)
from indicators.units import rounded

pytestmark = pytest.mark.django_db


@pytest.fixture
def einwohner():
    return Indicator.objects.get(slug="einwohner")


def level(slug):
    return Level.objects.get(slug=slug)


def city():
    return District.objects.get(level__slug="stadt")


def release(status="published", **fields):
    if status == "published":
        fields.setdefault("published_at", timezone.now())
    return Release.objects.create(title="Korrektur", status=status, **fields)


def set_city_population(value, year=2023, **release_fields):
    return Observation.objects.create(
        release=release(**release_fields), indicator=Indicator.objects.get(slug="einwohner"),
        district=city(), year=year, reference_date=datetime.date(year, 12, 31), value=value,
    )  # fmt: skip


def test_the_newest_published_release_wins(einwohner):
    set_city_population(120_000)
    values = level_values(indicator=einwohner, level=level("statistischer-bezirk"), year=2023)
    assert values.city.cell.value == 120_000


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_releases_are_not_public(einwohner, status):
    set_city_population(120_000, status=status)
    values = level_values(indicator=einwohner, level=level("statistischer-bezirk"), year=2023)
    assert values.city.cell.value == 118_705


def test_a_city_value_that_disagrees_with_its_districts_is_reported(einwohner, capsys):
    set_city_population(120_000)
    warnings = plausibility_warnings(year=2023)
    assert [(w.indicator, w.year, w.observed, w.rolled_up) for w in warnings] == [
        ("einwohner", 2023, 120_000, 118_705)
    ]
    call_command("check_plausibility", year=2023)
    assert "Einwohnerinnen und Einwohner 2023" in capsys.readouterr().out


def test_the_release_list_shows_plausibility_warnings(admin_client):
    set_city_population(120_000)
    page = admin_client.get("/admin/indicators/release/")
    assert "Plausibilität: Einwohnerinnen und Einwohner 2023" in page.content.decode()


def test_kirchhellen_is_rolled_up_exactly_from_its_four_districts(einwohner):
    boroughs = level_values(indicator=einwohner, level=level("stadtbezirk"), year=2023)
    kirchhellen = next(a for a in boroughs.areas if a.name == "Kirchhellen")
    districts = level_values(indicator=einwohner, level=level("statistischer-bezirk"), year=2023)
    expected = sum(a.cell.value for a in districts.areas if a.name.startswith("Kirchhellen"))
    assert kirchhellen.cell.value == expected
    assert not kirchhellen.approximate
    assert [s.weight for s in kirchhellen.sources] == [1.0] * 4


def test_mitte_and_sued_are_approximate_and_name_their_parts(einwohner):
    boroughs = level_values(indicator=einwohner, level=level("stadtbezirk"), year=2023)
    mitte = next(a for a in boroughs.areas if a.name == "Mitte")
    assert mitte.approximate
    assert any(0 < s.weight < 1 for s in mitte.sources)
    assert all(a.cell.value == round(a.cell.value) for a in boroughs.areas if a.approximate)
    districts = {
        a.code: a.cell.value
        for a in level_values(
            indicator=einwohner, level=level("statistischer-bezirk"), year=2023
        ).areas
    }
    # The weights of every part add up to 1: the boroughs and the slivers left out of them
    # give the city, up to the rounding of each estimate.
    left_out = sum(districts[s.code] * s.weight for a in boroughs.areas for s in a.ignored)
    total = sum(a.cell.value for a in boroughs.areas)
    assert total + left_out == pytest.approx(118_705, abs=0.5 * len(boroughs.areas))


def test_slivers_below_the_minimum_share_are_left_out_and_named(einwohner, settings):
    boroughs = level_values(indicator=einwohner, level=level("stadtbezirk"), year=2023)
    ignored = [s for a in boroughs.areas for s in a.ignored]
    assert ignored and all(s.weight < settings.ATLAS_MIN_PART_SHARE for s in ignored)
    assert all(s.weight >= settings.ATLAS_MIN_PART_SHARE for a in boroughs.areas for s in a.sources)


def test_a_bezirk_view_lists_only_the_districts_in_it(einwohner):
    kirchhellen = District.objects.get(level__slug="stadtbezirk", name="Kirchhellen")
    values = level_values(
        indicator=einwohner, level=level("statistischer-bezirk"), year=2023, within=kirchhellen
    )
    assert sorted(a.code for a in values.areas) == ["71", "72", "73", "74"]
    assert all(a.share_inside == 1 for a in values.areas)


def test_a_time_series_includes_the_city(einwohner):
    series = time_series(
        indicator=einwohner, codes=["11"], level=level("statistischer-bezirk"), years=[2013, 2018]
    )
    assert [(year, a.cell.value) for year, a in series["stadt"]] == [
        (2013, 116_055),
        (2018, 117_383),
    ]


def test_a_change_of_a_rate_is_in_percentage_points():
    kinderarmut = Indicator.objects.get(slug="kinderarmut")
    rows = change_values(
        indicator=kinderarmut, level=level("statistischer-bezirk"), start=2013, end=2023
    )
    altstadt = next(r for r in rows if r.code == "11")
    assert altstadt.unit == "percentage_points"
    # From the values as shown, to one decimal: 54,3 − 48,8 = 5,5 (unrounded 5.478…).
    start, end = (rounded(a.cell.value, 1) for a in (altstadt.start, altstadt.end))
    assert altstadt.change == pytest.approx(end - start)
    assert altstadt.change == rounded(altstadt.change, 1)


def test_a_profile_ranks_the_district_among_its_peers():
    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    rows = {r.indicator.slug: r for r in profile(district=altstadt, year=2023)}
    assert rows["kinderarmut"].rank == 1  # the highest child poverty
    assert rows["kinderarmut"].ranked == 17
    assert rows["kinderarmut"].difference > 0
    assert rows["kinderarmut"].value.verdict == "worse"


def publish(indicator, district, year, **fields):
    fields.setdefault("status", "normal")
    return Observation.objects.create(
        release=release(), indicator=indicator, district=district, year=year,
        reference_date=datetime.date(year, 12, 31), **fields,
    )  # fmt: skip


def test_a_value_the_source_keeps_secret_is_protected_from_subtraction(einwohner):
    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    publish(einwohner, altstadt, 2023, value=None, status=".")
    values = level_values(indicator=einwohner, level=level("statistischer-bezirk"), year=2023)
    hidden = [a.code for a in values.areas if not a.has_value]
    assert "11" in hidden
    assert len(hidden) >= 2  # the city total alone would give Altstadt back
    assert values.city.cell.value == 118_705


def test_a_missing_district_makes_roll_ups_incomplete_not_smaller(make_indicator):
    indicator = make_indicator("test-luecke", kind=Indicator.Kind.COUNT, factor=1)
    for district in District.objects.filter(level__slug="statistischer-bezirk").exclude(code="73"):
        publish(indicator, district, 2023, value=100)
    boroughs = level_values(indicator=indicator, level=level("stadtbezirk"), year=2023)
    by_name = {a.name: a.cell for a in boroughs.areas}
    assert (by_name["Kirchhellen"].value, by_name["Kirchhellen"].reason) == (None, "incomplete")
    assert by_name["Süd"].has_value  # the other boroughs are still shown
    assert boroughs.city.cell.reason == "incomplete"


def test_a_stray_finer_row_does_not_change_the_level_an_indicator_is_read_from():
    wohnungslose = Indicator.objects.get(slug="wohnungslose")
    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    publish(wohnungslose, altstadt, 2023, value=40)
    values = level_values(indicator=wohnungslose, level=level("statistischer-bezirk"), year=2023)
    assert values.city.cell.value != 40  # the city's own total stays the reference
    assert values.city.cell.has_value


def test_births_withheld_cannot_be_worked_out_from_the_balance_and_deaths():
    # Balance = births − deaths (a declared identity): with births withheld, the balance and
    # the deaths of that district together must not give them back.
    births = Indicator.objects.get(slug="geburtenrate")
    births.disclosure_threshold = 11  # Kirchhellen-Nord-West has 10 births in 2023
    births.save()
    balance = Indicator.objects.get(slug="natuerlicher-saldo")
    deaths = Indicator.objects.get(slug="sterberate")
    districts = level("statistischer-bezirk")

    def shown(indicator):
        areas = level_values(indicator=indicator, level=districts, year=2023).areas
        return {a.code: a.cell for a in areas}

    births_shown, balance_shown, deaths_shown = shown(births), shown(balance), shown(deaths)
    assert births_shown["73"].suppressed
    # Every district whose births are withheld has its balance or its deaths withheld too.
    for code, cell in births_shown.items():
        if cell.suppressed:
            assert balance_shown[code].suppressed or deaths_shown[code].suppressed, code
    assert level_values(indicator=balance, level=districts, year=2023).city.has_value
