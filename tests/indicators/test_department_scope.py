"""A department sees and changes only its themes in the admin: observations, releases,
drafts, exports, column mappings and plausibility warnings. Statisticians see everything.

The department here may upload values of *Pflege* only; another theme's draft holds a value
below the disclosure threshold, which must not appear in any admin page it can reach.
"""

import datetime
import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile

from atlas.permissions import DEPARTMENTS, STATISTICIANS
from districts.models import District
from indicators.models import ColumnMapping, Indicator, Observation, Release, Theme, ThemeAccess

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/indicators/release/upload/"
SECRET_NOTE = "Fallakte 4711: zwei Personen in der Notunterkunft"
SECRET_TITLE = "Wohnungslose 2025 (vertraulicher Entwurf)"


@pytest.fixture
def department():
    user = User.objects.create_user("pflegeamt", is_staff=True)
    group = Group.objects.get(name=DEPARTMENTS)
    user.groups.add(group)
    ThemeAccess.objects.create(group=group, theme=Theme.objects.get(slug="pflege"))
    return user


@pytest.fixture
def as_department(client, department):
    client.force_login(department)
    return client


@pytest.fixture
def as_statistician(client):
    user = User.objects.create_user("statistik", is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    client.force_login(user)
    return client


def _observation(release, slug, value, *, year=2025, code="11", note=""):
    return Observation.objects.create(
        release=release, indicator=Indicator.objects.get(slug=slug),
        district=District.objects.get(code=code, valid_to__isnull=True), year=year,
        reference_date=datetime.date(year, 12, 31), value=value, note=note,
    )  # fmt: skip


@pytest.fixture
def secret_draft():
    """Another theme's draft: 2 homeless people in one district, below the threshold of 3."""
    release = Release.objects.create(title=SECRET_TITLE)
    _observation(release, "wohnungslose", 2, note=SECRET_NOTE)
    return release


@pytest.fixture
def mixed_release():
    """A release holding a value of Pflege and one of another theme."""
    release = Release.objects.create(title="Gemischter Datenstand")
    _observation(release, "pflegebeduerftige", 5000, code="05512000", year=2024)
    _observation(release, "wohnungslose", 1, year=2024, note=SECRET_NOTE)
    return release


def _pages(secret_draft, mixed_release):
    secret = secret_draft.observations.get()
    hidden = mixed_release.observations.get(indicator__slug="wohnungslose")
    return [
        "/admin/",
        "/admin/indicators/observation/",
        "/admin/indicators/observation/?q=wohnungslose",
        f"/admin/indicators/observation/?release__id__exact={secret_draft.pk}",
        "/admin/indicators/observation/?indicator__theme__slug=wohnen-und-wohnungslosigkeit",
        f"/admin/indicators/observation/{secret.pk}/change/",
        f"/admin/indicators/observation/{secret.pk}/history/",
        f"/admin/indicators/observation/{hidden.pk}/change/",
        "/admin/indicators/release/",
        f"/admin/indicators/release/?q={secret_draft.title[:11]}",
        f"/admin/indicators/release/{secret_draft.pk}/change/",
        f"/admin/indicators/release/{secret_draft.pk}/history/",
        f"/admin/indicators/release/{mixed_release.pk}/change/",
        "/admin/indicators/columnmapping/",
    ]


def test_another_themes_draft_appears_in_no_admin_page_of_the_department(
    as_department, secret_draft, mixed_release
):
    for url in _pages(secret_draft, mixed_release):
        response = as_department.get(url, follow=True)
        html = response.content.decode()
        assert SECRET_NOTE not in html, url
        assert SECRET_TITLE not in html, url


def test_another_themes_values_and_releases_do_not_open_for_the_department(
    as_department, secret_draft, mixed_release
):
    secret = secret_draft.observations.get()
    for url in [
        f"/admin/indicators/observation/{secret.pk}/change/",
        f"/admin/indicators/release/{secret_draft.pk}/change/",
        f"/admin/indicators/release/{mixed_release.pk}/change/",
    ]:
        assert as_department.get(url).status_code in (302, 403, 404), url


def test_the_department_lists_only_observations_of_its_themes(as_department, secret_draft):
    page = as_department.get("/admin/indicators/observation/")
    themes = {o.indicator.theme.slug for o in page.context["cl"].result_list}
    assert themes == {"pflege"}


def test_the_filters_list_no_other_themes_releases(as_department, secret_draft):
    page = as_department.get("/admin/indicators/observation/")
    choices = [
        choice["display"]
        for spec in page.context["cl"].filter_specs
        for choice in spec.choices(page.context["cl"])
    ]
    assert SECRET_TITLE not in choices
    assert "Pflegebedürftige" in choices
    assert "Einwohnerinnen und Einwohner" not in choices and "Bevölkerung" not in choices


def test_a_mixed_release_is_hidden_but_its_own_rows_are_shown(as_department, mixed_release):
    releases = as_department.get("/admin/indicators/release/").context["cl"].result_list
    assert mixed_release not in list(releases)
    answers = {
        o.indicator.slug: as_department.get(
            f"/admin/indicators/observation/{o.pk}/change/"
        ).status_code
        for o in mixed_release.observations.all()
    }
    assert answers == {"pflegebeduerftige": 200, "wohnungslose": 302}


def test_the_department_cannot_export_another_themes_release(
    as_department, department, secret_draft
):
    # Even with the export permission, the action runs on the visible releases only.
    department.user_permissions.add(Permission.objects.get(codename="publish_release"))
    response = as_department.post(
        "/admin/indicators/release/",
        {"action": "export", "_selected_action": [secret_draft.pk]},
        follow=True,
    )
    assert "Content-Disposition" not in response
    assert SECRET_NOTE.encode() not in response.content
    for query in ({"release": secret_draft.pk, "format": "csv"}, {"format": "xlsx"}):
        response = as_department.get("/admin/indicators/release/export/", query)
        assert SECRET_NOTE.encode() not in response.content


def test_the_department_sees_no_plausibility_warnings_of_other_themes(as_department, monkeypatch):
    from indicators import admin as indicators_admin
    from indicators.selectors import PlausibilityWarning

    warnings = [
        PlausibilityWarning("wohnungslose", 2024, 120, 118),
        PlausibilityWarning("pflegebeduerftige", 2024, 5000, 4990),
    ]
    monkeypatch.setattr(indicators_admin, "cached_plausibility_warnings", lambda: warnings)
    shown = [str(m) for m in as_department.get("/admin/indicators/release/").context["messages"]]
    assert any("pflegebeduerftige" in m for m in shown)
    assert not any("wohnungslose" in m for m in shown)


def test_the_statistician_sees_every_theme(as_statistician, secret_draft, mixed_release):
    secret = secret_draft.observations.get()
    page = as_statistician.get(f"/admin/indicators/observation/{secret.pk}/change/")
    assert SECRET_NOTE in page.content.decode()
    assert (
        as_statistician.get(f"/admin/indicators/release/{mixed_release.pk}/change/").status_code
        == 200
    )


def _upload(client, text, *, source="", name="pflege.csv"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(UPLOAD, {"title": "Pflege 2025", "source": source, "file": file})


def _confirm(client, page, *, source=""):
    return client.post(UPLOAD, {
        "token": page.context["token"], "filename": page.context["filename"],
        "title": "Pflege 2025", "source": source, "confirm": "1",
        "mapping": page.context["mapping_json"],
    })  # fmt: skip


def test_the_department_uploads_a_draft_of_its_theme_and_sees_it(as_department):
    page = _upload(as_department, "gebiet,ebene,indikator,jahr,wert\n"
                                  "05512000,stadt,pflegebeduerftige,2025,5100\n")  # fmt: skip
    assert page.context["result"].rows == 1
    _confirm(as_department, page)
    release = Release.objects.get(title="Pflege 2025")
    assert as_department.get(f"/admin/indicators/release/{release.pk}/change/").status_code == 200
    listed = as_department.get("/admin/indicators/release/").context["cl"].result_list
    assert release in list(listed)
    observation = release.observations.get()
    url = f"/admin/indicators/observation/{observation.pk}/change/"
    assert as_department.get(url).status_code == 200


# Column mappings


@pytest.fixture
def other_mapping():
    """The Jobcenter's mapping for another theme, kept by a statistician."""
    return ColumnMapping.objects.create(
        source="Jobcenter", theme=Theme.objects.get(slug="arbeit-und-transferleistungen"),
        mapping={"Bezirk": "area", "SGB II-Quote 2023": "indicator:sgb-ii-quote:2023"},
    )  # fmt: skip


def _mapping_form(theme, mapping, source="Pflegekasse"):
    return {"source": source, "theme": theme.pk if theme else "", "mapping": json.dumps(mapping)}


def test_the_department_neither_sees_nor_changes_another_themes_mapping(
    as_department, other_mapping
):
    listed = as_department.get("/admin/indicators/columnmapping/").context["cl"].result_list
    assert other_mapping not in list(listed)
    url = f"/admin/indicators/columnmapping/{other_mapping.pk}/change/"
    assert as_department.get(url).status_code in (302, 403, 404)
    as_department.post(url, _mapping_form(other_mapping.theme, {"Bezirk": "ignore"}, "Jobcenter"))
    other_mapping.refresh_from_db()
    assert other_mapping.mapping["Bezirk"] == "area"


def test_the_department_cannot_add_a_mapping_for_another_theme(as_department):
    other = Theme.objects.get(slug="arbeit-und-transferleistungen")
    page = as_department.post(
        "/admin/indicators/columnmapping/add/", _mapping_form(other, {"Bezirk": "area"})
    )
    assert page.status_code == 200 and page.context["adminform"].form.errors
    assert not ColumnMapping.objects.exists()


def test_the_department_keeps_a_mapping_of_its_theme(as_department, department):
    pflege = Theme.objects.get(slug="pflege")
    mapping = {"Bezirk": "area", "Pflege 2024": "indicator:pflegebeduerftige:2024"}
    response = as_department.post(
        "/admin/indicators/columnmapping/add/", _mapping_form(pflege, mapping)
    )
    assert response.status_code == 302
    saved = ColumnMapping.objects.get()
    assert (saved.theme, saved.mapping, saved.updated_by) == (pflege, mapping, department)


@pytest.mark.parametrize(
    "mapping",
    [
        ["Bezirk", "area"],
        {"Bezirk": 42},
        {"Bezirk": {"nested": ["garbage", {"x": None}]}},
        {"Bezirk": "indicator:gibt-es-nicht"},
        {"Bezirk": "indicator:pflegebeduerftige:zwanzig"},
        {"Bezirk": "indicator:pflegebeduerftige:1800"},
        {"Bezirk": "drop table"},
        {"": "area"},
        {"Bezirk": "indicator:wohnungslose"},  # another theme's indicator
        "nur ein Text",
    ],
)
def test_a_crafted_mapping_is_refused_with_a_form_error(as_department, mapping):
    pflege = Theme.objects.get(slug="pflege")
    page = as_department.post(
        "/admin/indicators/columnmapping/add/", _mapping_form(pflege, mapping)
    )
    assert page.status_code == 200
    assert "mapping" in page.context["adminform"].form.errors
    assert not ColumnMapping.objects.exists()


def test_a_statistician_may_not_file_another_themes_indicator_under_a_theme(as_statistician):
    pflege = Theme.objects.get(slug="pflege")
    page = as_statistician.post(
        "/admin/indicators/columnmapping/add/",
        _mapping_form(pflege, {"Quote": "indicator:sgb-ii-quote"}),
    )
    assert "mapping" in page.context["adminform"].form.errors


def test_a_department_upload_does_not_overwrite_another_themes_mapping(
    as_department, other_mapping
):
    text = "Bezirk;Pflege 2025\n11;310\n12;280\n"
    page = _upload(as_department, text, source="Jobcenter")
    # The other theme's mapping is not used: the columns are asked for.
    assert page.context["columns"] == ["Bezirk", "Pflege 2025"]
    mapped = as_department.post(UPLOAD, {
        "token": page.context["token"], "filename": page.context["filename"],
        "title": "Pflege 2025", "source": "Jobcenter", "mapping": "{}", "map": "1",
        "columns": '["Bezirk", "Pflege 2025"]', "target-0": "area",
        "target-1": "indicator:pflegebeduerftige", "year-1": "2025",
    })  # fmt: skip
    assert mapped.context["result"].rows == 2
    _confirm(as_department, mapped, source="Jobcenter")
    other_mapping.refresh_from_db()
    assert other_mapping.mapping["Bezirk"] == "area"
    own = ColumnMapping.objects.get(source="Jobcenter", theme__slug="pflege")
    assert own.mapping["Pflege 2025"] == "indicator:pflegebeduerftige:2025"


def test_the_mapping_step_offers_only_the_departments_indicators(as_department):
    page = _upload(as_department, "Bezirk;Spalte\n11;1\n")
    offered = {value for value, _label in page.context["choices"]}
    assert "indicator:pflegebeduerftige" in offered
    assert "indicator:wohnungslose" not in offered


@pytest.mark.parametrize(
    "broken",
    [
        {"Bezirk": 42},
        {"Bezirk": "area", "Quote": "indicator:gelöscht:2023"},
        ["Bezirk", "area"],
        {"Bezirk": {"a": [1, 2]}},
        {"Quote": "indicator:sgb-ii-quote:²⁰²³"},
    ],
)
def test_a_mapping_broken_in_the_database_is_a_clear_upload_error(as_statistician, broken):
    ColumnMapping.objects.create(source="Kaputt", mapping=broken)
    page = _upload(as_statistician, "Bezirk;Quote\n11;30,5\n", source="Kaputt")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Spaltenzuordnung „Kaputt“" in html
    errors = page.context["errors"]
    assert errors and all("Spaltenzuordnung „Kaputt“" in e.field for e in errors)
    if isinstance(broken, dict):
        bad = next(k for k, v in broken.items() if v != "area")
        assert any(e.value.startswith(bad) for e in errors)


def test_a_crafted_mapping_in_the_form_is_an_upload_error_not_a_500(as_statistician):
    page = _upload(as_statistician, "Bezirk;Quote\n11;30,5\n")
    response = as_statistician.post(UPLOAD, {
        "token": page.context["token"], "filename": page.context["filename"],
        "title": "x", "mapping": json.dumps({"Bezirk": ["area"]}), "confirm": "1",
    })  # fmt: skip
    assert response.status_code == 200
    assert response.context["errors"][0].message == "Ziel muss ein Text sein"
