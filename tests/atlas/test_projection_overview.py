"""The projection's overview page: the probability of a Kita shortfall by district on a map
and in a table, with the children, places and need, the school entrants and entry classes and
the people in need of care, for a chosen year, scenario and quota."""

import re

import pytest

from projections.models import ProjectionRun
from projections.selectors import need_of, published_run, quantiles_of

pytestmark = pytest.mark.django_db
OVERVIEW = "/vorausberechnung/"
QUANTILE = {"q10": 1, "median": 3, "q90": 5}


def page(client, query: str = "", language: str = "de", status: int = 200) -> str:
    response = client.get(OVERVIEW + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    return response.content.decode()


def german(number: float) -> str:
    """A whole number as the German page writes it: 1.234."""
    return f"{round(number):,}".replace(",", ".")


def row_of(html: str, table: str, name: str) -> list[str]:
    """The cells of a district's row in one of the page's tables, as text."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in body.split("<tr") if f">{name}<" in r or f">{name} <" in r)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
    ]


def expected(scenario: str, year: int, quota: float, code: str) -> dict:
    """The district's figures read from the stored arrays, indexed here by the axes' names."""
    result = published_run().result
    axes = result.axes
    s, h = axes["scenarios"].index(scenario), axes["years"].index(year)
    q = axes["kita_quotas"].index(quota)
    d = [area[1] for area in axes["areas"]].index(code)
    quantiles = quantiles_of(result)[s, h, d]
    need = need_of(result)
    group = {name: quantiles[axes["groups"].index(name)] for name in ("0-2", "3-5")}
    spread = {name: {k: float(v[i]) for k, i in QUANTILE.items()} for name, v in group.items()}
    care = axes["care_variants"]
    return {
        "under_three": spread["0-2"],
        "three_to_five": spread["3-5"],
        "places": axes["kita_places"][d],
        "need": float(need["kita_need"][s, q, h, d]),
        "shortfall": float(need["kita_shortfall"][s, q, h, d]),
        "entrants": float(need["entrants"][s, h, d]),
        "classes": int(need["entry_classes"][s, h, d]),
        "care": float(need["care"][s, care.index("konstant"), h, d]),
        "rising": float(need["care"][s, care.index("steigend"), h, d]),
    }


def spread_text(spread: dict) -> str:
    return f"{german(spread['median'])} ({german(spread['q10'])}–{german(spread['q90'])})"


def test_by_default_the_page_shows_2030_trend_and_45_percent(client):
    html = page(client)
    assert '<option value="2030" selected>2030</option>' in html
    assert '<option value="45" selected>45 %</option>' in html
    assert '<option value="trend" selected>Trend</option>' in html
    assert '<form method="get"' in html


def test_batenbrock_sued_2030_trend_45_shows_the_run_s_numbers(client):
    figures = expected("trend", 2030, 0.45, "42")
    cells = row_of(page(client), "kita-table", "Batenbrock-Süd")
    assert cells == [
        spread_text(figures["under_three"]),
        spread_text(figures["three_to_five"]),
        german(figures["places"]),
        german(figures["need"]),
        f"{german(figures['shortfall'] * 100)} %",
    ]
    # The need is the quota's share of the under-threes and 95 % of the 3-to-5s: the median
    # of the trajectories' sums, near the sum of the medians.
    sum_of_medians = (
        0.45 * figures["under_three"]["median"] + 0.95 * figures["three_to_five"]["median"]
    )
    assert figures["need"] == pytest.approx(sum_of_medians, rel=0.05)


def test_the_school_and_care_tables_show_the_run_s_numbers(client):
    figures = expected("trend", 2030, 0.45, "42")
    html = page(client)
    assert row_of(html, "school-table", "Batenbrock-Süd") == [
        german(figures["entrants"]),
        str(figures["classes"]),
    ]
    assert row_of(html, "care-table", "Batenbrock-Süd") == [
        german(figures["care"]),
        german(figures["rising"]),
    ]


def test_the_form_chooses_year_quota_and_scenario(client):
    figures = expected("zuwanderung-hoch", 2035, 0.5, "42")
    html = page(client, "?year=2035&quota=50&scenario=zuwanderung-hoch")
    assert '<option value="zuwanderung-hoch" selected>Zuwanderung hoch</option>' in html
    cells = row_of(html, "kita-table", "Batenbrock-Süd")
    assert cells[0] == spread_text(figures["under_three"])
    assert cells[3:] == [german(figures["need"]), f"{german(figures['shortfall'] * 100)} %"]


def test_the_map_names_every_district_s_probability_in_its_alt_text(client):
    html = page(client)
    figures = expected("trend", 2030, 0.45, "42")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert f"Batenbrock-Süd: {german(figures['shortfall'] * 100)} %" in svg
    assert "Wahrscheinlichkeit" in svg  # the legend's title


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("?year=2019", "year"), ("?year=zwei", "year"), ("?quota=40", "quota"),
     ("?scenario=boom", "scenario")],
)  # fmt: skip
def test_a_choice_the_run_does_not_have_is_refused_naming_the_parameter(client, query, parameter):
    html = page(client, query, status=400)
    alert = html.split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert f"„{parameter}“" in alert


def test_the_page_is_marked_as_a_projection_of_demo_data_and_links_the_method(client):
    html = page(client)
    assert "Demodaten:" in html and "Vorausberechnung 2030" in html
    assert 'href="/vorausberechnung/methode/"' in html
    assert 'href="/vorausberechnung/genauigkeit/"' in html
    # Small districts are flagged rough.
    assert "Kirchhellen-Nord-West <span" in html and "(grob)" in html


def test_the_english_page_is_english(client):
    html = page(client, language="en")
    assert "Population projection: day care, school and care" in html
    assert "Kita-Plätze" not in html


def test_the_footer_links_the_overview(client):
    assert 'href="/vorausberechnung/"' in client.get("/barrierefreiheit/").content.decode()


def test_without_a_published_run_the_page_says_so(client):
    ProjectionRun.objects.update(status=ProjectionRun.Status.WITHDRAWN)
    assert "Es ist noch keine Vorausberechnung veröffentlicht." in page(client)
