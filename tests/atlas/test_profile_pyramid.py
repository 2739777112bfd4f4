"""The population pyramid (Altersaufbau) on the district profile."""

import json
import re

import pytest
from django.utils import timezone, translation

from districts.models import District
from indicators.models import Indicator, Observation
from indicators.presenters import shown
from indicators.pyramid import pyramid
from indicators.selectors import year_tables
from tests.factories import ObservationFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

URL = "/gebiet/statistischer-bezirk/11/"


def table_rows(html: str) -> list[list[str]]:
    body = html.split('class="values-table pyramid-table"')[1].split("</table>")[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    ]


def chart(html: str) -> dict:
    config = re.search(r'<script id="profile-config" type="application/json">(.*?)</script>', html)
    return json.loads(config.group(1))["pyramid"]


def expected_shares(year: int, code: str | None) -> dict[str, float]:
    """Each group's share of its area, computed here from the read path."""
    parts = list(Indicator.objects.exclude(sex=""))
    tables = year_tables(indicators=parts, years=[year])
    values = {}
    for indicator in parts:
        table = tables[(indicator.slug, year)]
        area = (
            table.city
            if code is None
            else next(a for a in table.of_level("statistischer-bezirk") if a.code == code)
        )
        values[indicator.slug] = area.cell.value
    total = sum(values.values())
    return {slug: value / total * 100 for slug, value in values.items()}


def test_the_profile_shows_the_age_structure_with_a_table_in_german_format(client):
    html = client.get(URL, {"year": 2023}).content.decode()
    assert '<h2 id="pyramid-heading">Altersaufbau</h2>' in html
    rows = table_rows(html)
    assert [r[0] for r in rows][:2] == ["0–9", "10–19"] and len(rows) == 10
    own, city = expected_shares(2023, "11"), expected_shares(2023, None)
    with translation.override("de"):
        assert rows[0][3] == shown(own["bevoelkerung-m-0-9"], 1)
        assert rows[-1][4] == shown(own["bevoelkerung-w-90-plus"], 1)
        assert rows[5][5] == shown(city["bevoelkerung-m-50-59"], 1)
    assert all(re.fullmatch(r"\d+,\d", cell) for row in rows for cell in row[3:])


def test_the_table_counts_are_the_published_counts(client):
    html = client.get(URL, {"year": 2023}).content.decode()
    tables = year_tables(
        indicators=[Indicator.objects.get(slug="bevoelkerung-w-50-59")], years=[2023]
    )
    area = next(
        a
        for a in tables[("bevoelkerung-w-50-59", 2023)].of_level("statistischer-bezirk")
        if a.code == "11"
    )
    assert table_rows(html)[5][2] == shown(area.cell.value, 0)


def test_the_chart_data_are_the_shares_with_the_city_beside_them(client):
    data = chart(client.get(URL, {"year": 2023}).content.decode())
    own = expected_shares(2023, "11")
    assert data["groups"][-1] == "90+"
    assert data["men"][0] == round(own["bevoelkerung-m-0-9"], 2)
    assert sum(data["men"]) + sum(data["women"]) == pytest.approx(100, abs=0.1)
    assert sum(data["cityMen"]) + sum(data["cityWomen"]) == pytest.approx(100, abs=0.1)


def test_the_age_groups_are_not_repeated_as_profile_rows(client):
    html = client.get(URL, {"year": 2023}).content.decode()
    assert "?indicator=bevoelkerung-m-0-9&" not in html
    assert 'id="theme-altersaufbau"' not in html


def test_a_withheld_group_is_a_dot_in_the_table_and_a_gap_in_the_chart(client):
    release = ReleaseFactory(status="published", published_at=timezone.now())
    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    ObservationFactory(
        release=release, indicator=Indicator.objects.get(slug="bevoelkerung-m-90-plus"),
        district=altstadt, year=2023, value=2, status=Observation.Status.NORMAL,
    )  # fmt: skip
    html = client.get(URL, {"year": 2023}).content.decode()
    last = table_rows(html)[-1]
    assert last[:2] == ["90+", "."] and last[3] == "."
    assert chart(html)["men"][-1] is None
    assert "„.“ gesperrt (Geheimhaltung)" in html


def test_no_pyramid_without_age_groups():
    assert pyramid([]) is None


def test_a_complement_is_labelled_like_the_small_value_it_protects(client):
    # "zu geringe Fallzahl" would be wrong for a complement: one label for both kinds.
    indicator = Indicator.objects.get(slug="kinderarmut")
    ObservationFactory(
        release=ReleaseFactory(status="published", published_at=timezone.now()),
        indicator=indicator, year=2023, value=2 / 737 * 100, numerator=2, denominator=737,
        district=District.objects.get(level__slug="statistischer-bezirk", code="11"),
    )  # fmt: skip
    table = year_tables(indicators=[indicator], years=[2023])[(indicator.slug, 2023)]
    counts = dict(
        Observation.objects.filter(
            indicator=indicator, year=2023, release__title="Demodaten Bottrop (synthetisch)"
        ).values_list("district__code", "numerator")
    )
    complement = next(
        area.code
        for area in table.of_level("statistischer-bezirk")
        if area.cell is not None
        and area.cell.suppressed
        and counts[area.code] >= indicator.applied_threshold
    )

    def verdict(code: str) -> str:
        html = client.get(f"/gebiet/statistischer-bezirk/{code}/", {"year": 2023}).content
        row = re.search(rf'data-indicator="{indicator.slug}".*?</tr>', html.decode(), re.S)
        texts = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
        return " ".join(texts[4].split())

    assert verdict("11") == verdict(complement) == "„.“ gesperrt (Geheimhaltung)"
