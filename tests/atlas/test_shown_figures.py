"""Figures shown side by side add up, counts are set beside the city as shares, and every
change carries the unit its indicator's metadata gives it: profile, fact sheet and API."""

import html as htmllib
import re
from decimal import Decimal

import pytest

from indicators import units
from indicators.models import Indicator

from .test_api import assert_matches

pytestmark = pytest.mark.django_db

YEARS = (2014, 2019, 2024)
ALTSTADT = "/gebiet/statistischer-bezirk/11/"


def number(text: str) -> Decimal:
    """A figure as the German interface writes it ("≈ −1.234,5 p"), as a number; the mark of a
    provisional (p) or estimated (s) value after it is not part of the number, nor is the
    year a fact sheet row shows where it is earlier than the sheet's ("5,2 (2023)")."""
    text = re.sub(r"\s*\(\d{4}\)$", "", text.strip())
    text = re.sub(r"\s*[ps]$", "", text)
    text = text.replace("≈", "").replace("\xa0", "").replace(" ", "")
    text = text.replace(".", "").replace(",", ".").replace("−", "-").replace("+", "")
    return Decimal(text)


def cells(row: str) -> list[str]:
    texts = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # Runs of ASCII white space only: a no-break space inside a figure is part of it.
    return [
        htmllib.unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", t))).strip(" ")
        for t in texts
    ]


def profile_rows(client, path: str, year: int) -> dict[str, list[str]]:
    """Indicator slug → the cells of its row on a district profile."""
    page = client.get(path, {"year": year}).content.decode()
    rows = re.findall(
        r'<tr>\s*<th scope="row"><a href="[^"]*indicator=([^&"]+)&.*?</th>(.*?)</tr>', page, re.S
    )
    return {slug: cells(row) for slug, row in rows}


def fact_sheet_rows(client, bezirk: str, year: int) -> dict[str, list[str]]:
    page = client.get(f"/bezirk/{bezirk}/steckbrief/", {"year": year}).content.decode()
    rows = re.findall(r'<tr class="factsheet-row" data-indicator="([^"]+)">(.*?)</tr>', page, re.S)
    return {slug: cells(row) for slug, row in rows}


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) and "%" not in text


# --- the profile ----------------------------------------------------------------------------


def test_a_count_in_the_profile_shows_its_share_of_the_city_not_a_difference(client):
    rows = profile_rows(client, ALTSTADT, 2024)
    assert rows["einwohner"][:3] == ["5.695", "118.826", "4,8\xa0% der Stadt"]
    for slug in ("haushalte", "auslaender", "personen-in-bedarfsgemeinschaften"):
        assert rows[slug][2].endswith("% der Stadt"), slug


def test_a_profile_row_of_a_count_has_a_share_and_no_difference():
    from districts.models import District
    from indicators.selectors import profile

    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    rows = {r.indicator.slug: r for r in profile(district=altstadt, year=2024)}
    assert rows["einwohner"].difference is None
    assert rows["einwohner"].share_of_city == 4.8  # 5.695 of 118.826
    assert rows["arbeitslosenanteil"].share_of_city is None
    assert rows["arbeitslosenanteil"].difference == 9.6


def test_the_difference_in_the_profile_is_that_of_the_figures_beside_it(client):
    rows = profile_rows(client, ALTSTADT, 2024)
    # 16.16… and 6.65…: shown as 16,2 and 6,6, so the difference is 9,6 (9,5 unrounded).
    assert rows["arbeitslosenanteil"][:3] == ["16,2", "6,6", "+9,6"]


@pytest.mark.parametrize("year", YEARS)
def test_every_difference_on_every_profile_adds_up(client, year):
    checked = 0
    for code in ("11", "12", "42", "61", "73"):
        for slug, (value, city, difference, *_) in profile_rows(
            client, f"/gebiet/statistischer-bezirk/{code}/", year
        ).items():
            if has_number(value) and has_number(city) and has_number(difference):
                assert number(difference) == number(value) - number(city), (code, slug)
                checked += 1
    assert checked > 100


# --- the fact sheet -------------------------------------------------------------------------


def test_the_change_in_the_fact_sheet_is_that_of_the_figures_it_shows(client):
    # Mitte, share of minors: ≈ 15,0 now and ≈ 15,0 in 2019 (unrounded +0,07).
    trend = fact_sheet_rows(client, "1", 2024)["anteil-unter-18"][4]
    assert trend == "0,0\xa0Pp. seit 2019 (≈\xa015,0)"


@pytest.mark.parametrize("year", YEARS)
def test_every_difference_and_change_on_the_fact_sheets_adds_up(client, year):
    changes = 0
    for bezirk in ("1", "2", "3"):
        for slug, (value, city, difference, _, trend, *_) in fact_sheet_rows(
            client, bezirk, year
        ).items():
            if has_number(value) and has_number(city) and has_number(difference):
                assert number(difference) == number(value) - number(city), (bezirk, slug)
            match = re.fullmatch(r"([+−]?[\d.,]+)(?:\xa0\S+)?(?: \(.*\))? seit \d+ \((.*)\)", trend)
            if match and has_number(value):
                change, start = match.groups()
                assert number(change) == number(value) - number(start), (bezirk, slug)
                changes += 1
    assert changes >= 20


def test_a_count_in_the_fact_sheet_shows_its_share_and_changes_in_percent_too(client):
    rows = fact_sheet_rows(client, "3", 2024)  # Kirchhellen: whole districts, no "≈"
    value, city, share, _, trend = rows["einwohner"][:5]
    assert share.endswith("% der Stadt")
    expected = Decimal(str(units.share(float(number(value)), float(number(city)), 0)))
    assert number(share.removesuffix(" der Stadt").removesuffix("%")) == expected
    pattern = r"([+−]?[\d.]+) \(([+−]?[\d,]+)\xa0%\) seit \d+ \((.*)\)"
    change, percent, start = re.fullmatch(pattern, trend).groups()
    assert number(change) == number(value) - number(start)
    relative = (number(value) - number(start)) / number(start) * 100
    assert abs(number(percent) - relative) <= Decimal("0.05")


def test_ratios_per_100_change_in_points_and_rates_per_1000_in_per_mille_points(client, settings):
    settings.ATLAS_FACTSHEET_INDICATORS = ["jugendquotient", "geburtenrate", "anteil-65-plus"]
    rows = fact_sheet_rows(client, "3", 2024)
    assert re.match(r"[+−]?[\d,]+\xa0Punkte seit", rows["jugendquotient"][4])
    assert re.match(r"[+−]?[\d,]+\xa0‰-Punkte seit", rows["geburtenrate"][4])
    assert re.match(r"[+−]?[\d,]+\xa0Pp\. seit", rows["anteil-65-plus"][4])


def test_the_fact_sheet_writes_the_units_of_changes_and_shares_in_english(client, settings):
    settings.ATLAS_FACTSHEET_INDICATORS = ["einwohner", "jugendquotient", "anteil-65-plus"]
    client.cookies["django_language"] = "en"
    rows = fact_sheet_rows(client, "3", 2024)
    assert rows["einwohner"][2].endswith("% of the city")
    assert "\xa0points since" in rows["jugendquotient"][4]
    assert "\xa0pp since" in rows["anteil-65-plus"][4]


# --- the API --------------------------------------------------------------------------------


def test_the_profile_api_gives_counts_a_share_and_rates_the_shown_difference(client):
    params = {"level": "statistischer-bezirk", "code": "11", "year": 2024}
    payload = client.get("/api/v1/profile", params).json()
    assert_matches("/profile", payload)
    rows = {r["indicator"]: r for r in payload["indicators"]}
    assert (rows["einwohner"]["difference"], rows["einwohner"]["share_of_city"]) == (None, 4.8)
    assert (
        rows["arbeitslosenanteil"]["difference"],
        rows["arbeitslosenanteil"]["share_of_city"],
    ) == (9.6, None)


@pytest.mark.parametrize(
    ("slug", "unit", "unit_de"),
    [
        ("anteil-65-plus", "percentage_points", "Prozentpunkte"),
        ("jugendquotient", "points", "Punkte"),
        ("altenquotient", "points", "Punkte"),
        ("geburtenrate", "per_mille_points", "‰-Punkte"),
        ("durchschnittsalter", "", "Jahre"),
        ("einwohner", "", "Personen"),
    ],
)
def test_a_change_carries_the_unit_of_its_indicator(client, slug, unit, unit_de):
    params = {"indicator": slug, "level": "statistischer-bezirk", "from": 2019, "to": 2024}
    payload = client.get("/api/v1/change", params).json()
    assert_matches("/change", payload)
    assert (payload["unit"], payload["unit_de"]) == (unit, unit_de)
    assert {row["unit"] for row in payload["values"]} == {unit}
    change_map = client.get(
        "/api/v1/values",
        {"indicator": slug, "level": "statistischer-bezirk", "year": 2024, "from": 2019},
    ).json()
    assert_matches("/values", change_map)
    assert change_map["unit_de"] == unit_de


def test_a_count_changes_in_percent_too_in_the_api_and_the_change_map(client):
    params = {"indicator": "einwohner", "level": "statistischer-bezirk"}
    changes = client.get("/api/v1/change", {**params, "from": 2019, "to": 2024}).json()
    change_map = client.get("/api/v1/values", {**params, "from": 2019, "year": 2024}).json()
    altstadt = next(r for r in changes["values"] if r["code"] == "11")
    start, end = altstadt["start"]["value"], altstadt["end"]["value"]
    assert altstadt["change"] == units.rounded(end, 0) - units.rounded(start, 0)
    expected = (units.rounded(end, 0) / units.rounded(start, 0) - 1) * 100
    assert altstadt["change_percent"] == pytest.approx(expected, abs=0.05)
    mapped = next(r for r in change_map["values"] if r["code"] == "11")
    assert (mapped["value"], mapped["change_percent"]) == (
        altstadt["change"],
        altstadt["change_percent"],
    )
    rate = client.get(
        "/api/v1/change",
        {"indicator": "kinderarmut", "level": "statistischer-bezirk", "from": 2019},
    ).json()
    assert all(r["change_percent"] is None for r in rate["values"])


def test_a_withheld_count_has_neither_share_nor_change_in_percent(
    client, make_indicator, make_observation, release
):
    from django.utils import timezone

    from districts.models import District

    release.status, release.published_at = "published", timezone.now()
    release.save()
    count = make_indicator("kleine-anzahl", kind=Indicator.Kind.COUNT, factor=1, decimals=0)
    for district in District.objects.filter(level__slug="statistischer-bezirk"):
        # Altstadt has 2 cases in 2024 (40 in 2019), every other district 50.
        small = district.code == "11"
        make_observation(count, district, 2019, value=40 if small else 50)
        make_observation(count, district, 2024, value=2 if small else 50)
    params = {"level": "statistischer-bezirk", "code": "11", "year": 2024}
    payload = client.get("/api/v1/profile", params).json()
    row = next(r for r in payload["indicators"] if r["indicator"] == "kleine-anzahl")
    assert row["value"]["status"] == "." and row["share_of_city"] is None
    assert row["city"]["value"] is not None
    params = {"indicator": "kleine-anzahl", "level": "statistischer-bezirk", "from": 2019}
    changes = client.get("/api/v1/change", {**params, "to": 2024}).json()
    altstadt = next(r for r in changes["values"] if r["code"] == "11")
    assert (altstadt["change"], altstadt["change_percent"]) == (None, None)
    html = client.get(ALTSTADT, {"year": 2024}).content.decode()
    row = re.search(r"indicator=kleine-anzahl&amp;.*?</tr>", html, re.S).group(0)
    assert cells(row)[:3][0] == "." and "der Stadt" not in row
