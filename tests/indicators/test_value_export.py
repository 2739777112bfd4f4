"""The export for correction: the values public now or a release's, by year, theme and
indicator, as XLSX or as a German CSV, reads back into the import without a change; the
admin's page serves it to statisticians only, and a department its own themes only."""

import datetime
import io

import pandas as pd
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from openpyxl import load_workbook

from atlas.permissions import DEPARTMENTS
from core.numbers import reader
from districts.models import District
from indicators.models import Indicator, Observation, Release, Theme, ThemeAccess
from indicators.services.export import as_csv, as_xlsx, export_rows, german_number
from indicators.services.import_values import import_values

pytestmark = pytest.mark.django_db

EXPORT = "/admin/indicators/release/export/"
RENDERS = [(as_csv, "csv"), (as_xlsx, "xlsx")]
BOM = b"\xef\xbb\xbf"
PLANTED = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.787402, "0,787402"), (100 / 127, "0,7874015748031497"), (1234.5, "1234,5"),
        (-0.25, "-0,25"), (118800.0, "118800"), (1e-05, "0,00001"), (1e20, str(10**20)),
        (1.234, "1,2340"), (-12.345, "-12,3450"), (1234.567, "1234,567"), (None, ""),
    ],
)  # fmt: skip
def test_a_german_number_keeps_every_digit_and_reads_back_as_german(value, text):
    assert german_number(value) == text
    if value is not None:
        assert reader(german=True)(text) == value


def _published(title: str, *, days_ago: int) -> Release:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return Release.objects.create(title=title, status="published", published_at=when)


@pytest.fixture
def corrected(make_district, make_indicator):
    """A published release of full-precision rates with numerators, the DIN 55301 symbols
    and notes a spreadsheet would take for formulas."""
    release = _published("Zum Korrigieren", days_ago=1)
    districts = [make_district("A"), make_district("B", x=1000)]
    rate = make_indicator("quote-test", decimals=1)
    symbols = [".", "-", "x", "/", "..."]
    notes = [PLANTED, "+49 2041 70-0", "-Korrektur", "'=A1", "Stand 31.12.; vorläufig"]
    for year, (symbol, note) in enumerate(zip(symbols, notes, strict=True), start=2019):
        for i, district in enumerate(districts, start=1):
            denominator = 127.0 * i + year % 7
            Observation.objects.create(
                release=release, indicator=rate, district=district, year=year,
                reference_date=f"{year}-12-31", value=100 * i / denominator, numerator=float(i),
                denominator=denominator, note=note,
                status="provisional" if year == 2020 else "normal",
            )  # fmt: skip
        Observation.objects.create(
            release=release, indicator=rate, district=districts[0], year=year + 10,
            reference_date=f"{year + 10}-12-31", status=symbol, note=note,
        )  # fmt: skip
    return release


def test_the_german_csv_has_a_bom_semicolons_and_decimal_commas(corrected):
    content = as_csv(export_rows(release=corrected))
    assert content.startswith(BOM + b"gebiet;ebene;indikator;jahr;wert;zaehler;nenner;status;")
    assert b";0,7874015748031497;1;127;" in content  # 100/127, A in 2023 (2023 % 7 == 0)
    assert b"0.78" not in content and b",hinweis" not in content


def test_the_german_csv_reads_as_numbers_where_the_comma_is_the_decimal_mark(corrected):
    content = as_csv(export_rows(release=corrected))
    table = pd.read_csv(io.BytesIO(content), sep=";", decimal=",", encoding="utf-8-sig")
    assert table["wert"].dtype == "float64" and table["nenner"].dtype == "float64"
    stored = sorted(corrected.observations.exclude(value=None).values_list("value", flat=True))
    assert sorted(table["wert"].dropna()) == stored


def test_the_xlsx_holds_numbers_as_numbers(corrected):
    sheet = load_workbook(io.BytesIO(as_xlsx(export_rows(release=corrected))), read_only=True)
    rows = list(sheet.active.values)
    header = list(rows[0])
    values = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    numbers = [row["wert"] for row in values if row["status"] in ("normal", "provisional")]
    assert numbers and all(isinstance(number, float | int) for number in numbers)
    assert {row["status"] for row in values if row["wert"] is None} == {".", "-", "x", "/", "..."}


@pytest.mark.parametrize(("render", "suffix"), RENDERS)
def test_an_exported_release_reads_back_without_a_change(corrected, tmp_path, render, suffix):
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(render(export_rows(release=corrected)))
    result = import_values(path=path, title="Rückimport", dry_run=True)
    count = corrected.observations.count()
    preview = result.preview
    assert (result.rows, preview.new, preview.changed_count, preview.unchanged) == (
        count, 0, 0, count,
    )  # fmt: skip


@pytest.mark.parametrize(("render", "suffix"), RENDERS)
def test_an_exported_release_imports_to_the_same_numbers_statuses_and_notes(
    corrected, tmp_path, render, suffix
):
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(render(export_rows(release=corrected)))
    again = import_values(path=path, title="Rückimport").release

    def content(release):
        return sorted(release.observations.values_list(
            "indicator_id", "district_id", "year", "value", "numerator", "denominator",
            "status", "note",
        ))  # fmt: skip

    assert content(again) == content(corrected)


@pytest.mark.slow
@pytest.mark.parametrize(("render", "suffix"), RENDERS)
def test_the_public_demo_values_read_back_without_a_change(tmp_path, render, suffix):
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(render(export_rows()))
    result = import_values(path=path, title="Rückimport", dry_run=True)
    count = (
        Observation.objects.published().filter(indicator__computation="").latest_per_key().count()
    )
    assert count > 13000
    preview = result.preview
    assert (result.rows, preview.new, preview.changed_count, preview.unchanged) == (
        count, 0, 0, count,
    )  # fmt: skip


def _keys(rows) -> set[tuple]:
    return {(row[2], row[3]) for row in rows}


def test_a_year_filter_gives_exactly_that_years_values():
    rows = list(export_rows(years=[2023]))
    expected = Observation.objects.published().latest_per_key().filter(year=2023).count()
    assert len(rows) == expected and {row[3] for row in rows} == {2023}


def test_a_theme_filter_gives_exactly_that_themes_values():
    pflege = Theme.objects.get(slug="pflege")
    rows = list(export_rows(themes=[pflege.pk]))
    indicators = Indicator.objects.filter(theme=pflege, computation="")
    slugs = set(indicators.values_list("slug", flat=True))
    assert rows and {row[2] for row in rows} <= slugs
    public = Observation.objects.published().latest_per_key()
    assert len(rows) == public.filter(indicator__slug__in=slugs).count()


def test_year_and_indicator_filters_combine():
    einwohner = Indicator.objects.get(slug="einwohner")
    rows = list(export_rows(years=[2022, 2024], indicators=[einwohner.pk]))
    assert _keys(rows) == {("einwohner", 2022), ("einwohner", 2024)}
    assert len(rows) == Observation.objects.filter(indicator=einwohner,
                                                   year__in=[2022, 2024]).count()  # fmt: skip


def test_the_public_state_takes_the_latest_published_release_and_no_draft(
    make_district, make_indicator
):
    district = make_district("A")
    indicator = make_indicator("zweimal-test", kind=Indicator.Kind.COUNT, factor=1)

    def value(release, year, number):
        Observation.objects.create(
            release=release, indicator=indicator, district=district, year=year,
            reference_date=f"{year}-12-31", value=number,
        )  # fmt: skip

    # The later publication has the smaller id: the publication decides, not the id.
    later, older = _published("neu", days_ago=2), _published("alt", days_ago=10)
    withdrawn = Release.objects.create(
        title="zurückgezogen", status="withdrawn", published_at=timezone.now()
    )
    draft = Release.objects.create(title="Entwurf")
    value(later, 2023, 2.0)
    value(older, 2023, 1.0)
    value(older, 2022, 5.0)
    value(draft, 2023, 3.0)
    value(draft, 2021, 7.0)
    value(withdrawn, 2022, 9.0)
    rows = export_rows(indicators=[indicator.pk])
    assert [(row[3], row[4]) for row in rows] == [(2022, 5.0), (2023, 2.0)]
    assert [row[4] for row in export_rows(release=draft)] == [7.0, 3.0]


# The admin page


def test_the_page_downloads_a_german_csv_named_after_what_it_holds(statistician):
    response = statistician.get(EXPORT, {"year": "2023", "format": "csv"})
    day = timezone.localdate().isoformat()
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="werte-2023-stand-{day}.csv"'
    assert response.content.startswith(BOM + b"gebiet;")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        len(lines) - 1 == Observation.objects.filter(year=2023, indicator__computation="").count()
    )


def test_the_page_downloads_a_release_as_xlsx_by_default(statistician):
    demo = Release.objects.get(title="Demodaten Bottrop (synthetisch)")
    form = statistician.get(EXPORT, {"release": demo.pk}).context["form"]
    assert (form["release"].value(), form["format"].value()) == (str(demo.pk), "xlsx")
    response = statistician.get(EXPORT, {"release": demo.pk, "theme": "pflege",
                                         "format": "xlsx"})  # fmt: skip
    assert response["Content-Disposition"].endswith(f'-pflege-datenstand-{demo.pk}.xlsx"')
    assert response.content.startswith(b"PK")


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"year": "1800"}, "Jahr(e)"), ({"release": "999999"}, "Datenstand"),
        ({"indicator": "gibt-es-nicht"}, "Indikator(en)"), ({"theme": "x"}, "Themenfeld(er)"),
    ],
)  # fmt: skip
def test_a_bad_parameter_shows_the_form_with_the_field_named(statistician, query, label):
    response = statistician.get(EXPORT, {**query, "format": "xlsx"})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert f"<br>{label}: " in response.content.decode()


def test_a_bad_format_is_named_too(statistician):
    response = statistician.get(EXPORT, {"format": "pdf"})
    assert response.status_code == 400 and "<br>Format: " in response.content.decode()


def test_the_release_pages_link_to_the_export(statistician):
    demo = Release.objects.get(title="Demodaten Bottrop (synthetisch)")
    change = statistician.get(f"/admin/indicators/release/{demo.pk}/change/").content.decode()
    assert f'href="{EXPORT}?release={demo.pk}"' in change
    assert "Werte dieses Datenstands exportieren" in change
    assert f'href="{EXPORT}"' in statistician.get("/admin/indicators/release/").content.decode()


def test_the_release_action_opens_the_export_with_the_release_chosen(statistician):
    demo = Release.objects.get(title="Demodaten Bottrop (synthetisch)")
    response = statistician.post(
        "/admin/indicators/release/", {"action": "export", "_selected_action": [demo.pk]}
    )
    assert response.status_code == 302 and response["Location"] == f"{EXPORT}?release={demo.pk}"


@pytest.fixture
def department(client):
    """A department of Pflege, given the publish permission (which alone would be all)."""
    user = User.objects.create_user("pflegeamt", is_staff=True)
    group = Group.objects.get(name=DEPARTMENTS)
    user.groups.add(group)
    ThemeAccess.objects.create(group=group, theme=Theme.objects.get(slug="pflege"))
    client.force_login(user)
    return user


def test_a_user_without_the_publish_permission_gets_no_export(client, department):
    assert client.get(EXPORT).status_code == 403
    assert client.get(EXPORT, {"format": "csv"}).status_code == 403


def test_a_department_exports_its_own_themes_values_only(client, department):
    department.user_permissions.add(Permission.objects.get(codename="publish_release"))
    table = pd.read_csv(io.BytesIO(client.get(EXPORT, {"format": "csv"}).content), sep=";",
                        decimal=",", encoding="utf-8-sig")  # fmt: skip
    pflege = set(Indicator.objects.filter(theme__slug="pflege").values_list("slug", flat=True))
    assert len(table) > 0 and set(table["indikator"]) <= pflege


def test_a_department_cannot_ask_for_another_themes_values(client, department):
    department.user_permissions.add(Permission.objects.get(codename="publish_release"))
    other = Release.objects.create(title="Wohnungslose (Entwurf)")
    Observation.objects.create(
        release=other, indicator=Indicator.objects.get(slug="wohnungslose"),
        district=District.objects.get(code="11", valid_to__isnull=True), year=2025,
        reference_date="2025-12-31", value=2,
    )  # fmt: skip
    for query, label in (({"release": other.pk}, "Datenstand"),
                         ({"theme": "wohnen-und-wohnungslosigkeit"}, "Themenfeld(er)"),
                         ({"indicator": "wohnungslose"}, "Indikator(en)")):  # fmt: skip
        response = client.get(EXPORT, {**query, "format": "csv"})
        assert response.status_code == 400 and f"<br>{label}: " in response.content.decode()
