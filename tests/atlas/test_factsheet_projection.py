"""The fact sheet's projection section: a Stadtbezirk's inhabitants and children in the base
year and 5 and 10 years on beside the city, its districts' Kita need, a fan chart; marked as a
projection of demo data, on the page and in the PDF."""

import io
import re
from html import unescape

import numpy as np
import pytest
from django.db.models import F
from pypdf import PdfReader

from districts.models import Overlap
from projections.model import GROUP_MATRIX
from projections.models import ProjectionRun, RegisterCell
from projections.selectors import need_of, published_run, quantiles_of, register_of

pytestmark = pytest.mark.django_db


def sheet(client, code: str = "1", language: str = "de") -> str:
    response = client.get(f"/bezirk/{code}/steckbrief/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str) -> str:
    return html.split('class="factsheet-projection"', 1)[1].split("</section>", 1)[0]


def german(number: float) -> str:
    return f"{round(number):,}".replace(",", ".")


def cells(html: str, label: str, group: str) -> list[str]:
    """The cells of a group's row under a row-group heading (the Bezirk or the city)."""
    body = html.split(f">{label}</th>", 1)[1].split("</tbody>", 1)[0]
    row = body.split(f'data-group="{group}"', 1)[1].split("</tr>", 1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def district_rows(html: str) -> dict[str, list[str]]:
    body = html.split('id="factsheet-kita"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = {}
    for row in body.split("<tr>")[1:]:
        name = re.sub(r"<[^>]+>|\(grob\)", "", row.split("</th>", 1)[0]).strip()
        rows[name] = [unescape(c.strip()) for c in re.findall(r'<td class="num">(.*?)</td>', row)]
    return rows


def test_the_section_shows_the_bezirk_s_projected_children_from_the_run(client):
    run = published_run()
    axes = run.result.axes
    area = axes["areas"].index(["stadtbezirk", "1", "Mitte"])
    for horizon, column in ((5, 1), (10, 2)):
        year = axes["years"].index(run.base_year + horizon)
        q = quantiles_of(run.result)[0, year, area, axes["groups"].index("0-2")]
        expected = f"{german(q[3])} ({german(q[1])}–{german(q[5])})"
        assert cells(section(sheet(client)), "Mitte", "0-2")[column] == expected


def test_the_base_year_is_the_register_s_for_the_city_and_the_bezirk_s_districts(client):
    run = published_run()
    register = register_of()
    k = list(register.years).index(run.base_year)
    by_group = register.population[k].sum(axis=1) @ GROUP_MATRIX  # (district, group)
    html = section(sheet(client))
    assert cells(html, "Stadt insgesamt", "total")[0] == german(by_group[:, -1].sum())
    # A district lying partly in Mitte counts with its share, as the atlas rolls values up.
    weights = {
        o.source.code: o.population_share if o.population_share is not None else o.area_share
        for o in Overlap.objects.filter(
            target__level__slug="stadtbezirk", target__code="1",
            source__level__slug="statistischer-bezirk",
        ).select_related("source")
    }  # fmt: skip
    weight = np.array([weights.get(code, 0.0) for code in register.codes])
    weight[weight < 0.01] = 0
    assert ((weight > 0) & (weight < 1)).any()
    assert cells(html, "Mitte", "3-5")[0] == german(by_group[:, 1] @ weight)


def test_the_districts_kita_need_and_shortfall_are_the_run_s(client):
    run = published_run()
    axes = run.result.axes
    need = need_of(run.result)
    s, q = axes["scenarios"].index("trend"), axes["kita_quotas"].index(0.45)
    h = axes["years"].index(2030)
    rows = district_rows(section(sheet(client)))
    assert "Altstadt" in rows and "Kirchhellen-Mitte" not in rows
    d = [a[2] for a in axes["areas"]].index("Altstadt")
    assert rows["Altstadt"] == [
        german(axes["kita_places"][d]),
        german(need["kita_need"][s, q, h, d]),
        percent(need["kita_shortfall"][s, q, h, d]),
    ]


def percent(probability: float) -> str:
    """A share of simulations is never shown as impossible or certain."""
    value = round(probability * 100)
    return "< 1 %" if value < 1 else "> 99 %" if value > 99 else f"{value} %"


def test_the_section_is_marked_as_a_projection_of_demo_data_with_a_fan_chart(client):
    html = section(sheet(client))
    assert "Vorausberechnung" in html and "Demodaten:" in html
    assert 'href="/vorausberechnung/methode/"' in html
    fan = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in fan and "Vorausberechnung (Szenario Trend)" in fan


def test_the_english_section_is_english(client):
    html = section(sheet(client, language="en"))
    assert "Projection: population and day-care need" in html
    assert "Einwohnerinnen" not in html


def test_without_a_published_run_the_sheet_has_no_projection_section(client):
    ProjectionRun.objects.update(status=ProjectionRun.Status.WITHDRAWN)
    assert 'class="factsheet-projection"' not in sheet(client)


def test_the_pdf_carries_the_section_and_stays_tagged(client):
    response = client.get("/bezirk/3/steckbrief.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Vorausberechnung: Bevölkerung und Kita-Bedarf" in text
    assert "Kinder unter 3 Jahren in Kirchhellen: Vorausberechnung" in text
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])


def test_a_register_changed_after_the_run_changes_nothing_on_the_sheet(client, nothing_kept):
    # What a single person's register import would do: the published section stays the run's
    # until a run computed from the new register is published (under four eyes).
    run = published_run()
    register = register_of()
    k = list(register.years).index(run.base_year)
    by_group = register.population[k].sum(axis=1) @ GROUP_MATRIX
    city = german(by_group[:, -1].sum())
    RegisterCell.objects.filter(year__lte=run.base_year).update(population=F("population") * 2)
    html = section(sheet(client))
    assert cells(html, "Stadt insgesamt", "total")[0] == city
