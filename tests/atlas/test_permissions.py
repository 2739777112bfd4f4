"""Who may do what: every role against every admin page, the uploads, the release actions and
the read-only API.

Roles: an anonymous visitor; a district council member (a signed-in account without staff
status); a department contributor (group "Fachbereich", with a theme released to it); a
statistician (group "Statistik"); an administrator (superuser).
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from atlas.permissions import DEPARTMENTS, STATISTICIANS
from core.models import PendingChange
from districts.models import District, Level, Overlap
from facilities.models import Facility, FacilityType, FacilityUpload
from indicators.models import (
    ColumnMapping,
    Identity,
    Indicator,
    Observation,
    Release,
    Theme,
    ThemeAccess,
)
from projections.models import ProjectionRun
from reports.models import Chapter, Report

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "council", "department", "statistician", "administrator"]
STAFF = ROLES[2:]

# What each staff role may do per model: v(iew), a(dd), c(hange), d(elete). Releases come only
# from uploads, observations only from imports, districts only from the boundary import:
# nobody adds those by hand, and releases and observations are never deleted. A projection run
# is added by computing it (the add page is the start form) and never changed or deleted.
RIGHTS = {
    "department": {
        "districts.level": "v", "districts.district": "v", "indicators.theme": "v",
        "indicators.indicator": "v", "indicators.release": "v", "indicators.observation": "v",
        "indicators.columnmapping": "vac",
    },
    "statistician": {
        "districts.level": "v", "districts.district": "vc", "districts.overlap": "v",
        "indicators.theme": "vac", "indicators.indicator": "vac", "indicators.release": "vc",
        "indicators.identity": "vac",
        "indicators.observation": "v", "indicators.themeaccess": "vac",
        "indicators.columnmapping": "vac", "facilities.facilitytype": "vac",
        "facilities.facility": "vac", "facilities.facilityupload": "v",
        "core.pendingchange": "v", "projections.projectionrun": "va",
        "reports.report": "vac", "reports.chapter": "vac",
    },
    "administrator": {
        "auth.group": "vacd", "auth.user": "vacd", "axes.accessattempt": "vcd",
        "axes.accesslog": "vcd", "axes.accessfailurelog": "vcd", "otp_totp.totpdevice": "vacd",
        "districts.level": "vacd", "districts.district": "vcd", "districts.overlap": "vacd",
        "indicators.theme": "vacd", "indicators.indicator": "vacd", "indicators.release": "vc",
        "indicators.identity": "vacd",
        "indicators.observation": "v", "indicators.themeaccess": "vacd",
        "indicators.columnmapping": "vacd", "facilities.facilitytype": "vacd",
        "facilities.facility": "vacd", "facilities.facilityupload": "vc",
        "core.pendingchange": "v", "projections.projectionrun": "va",
        "reports.report": "vacd", "reports.chapter": "vacd",
    },
}  # fmt: skip

MODELS = sorted(model._meta.label_lower for model in admin.site._registry)


def test_the_matrix_names_every_model_of_the_admin():
    assert sorted(RIGHTS["administrator"]) == MODELS


@pytest.fixture
def department_user():
    user = User.objects.create_user("pflegeamt", is_staff=True)
    group = Group.objects.get(name=DEPARTMENTS)
    user.groups.add(group)
    ThemeAccess.objects.create(group=group, theme=Theme.objects.get(slug="pflege"))
    return user


@pytest.fixture
def users(department_user):
    statistician = User.objects.create_user("statistik", is_staff=True)
    statistician.groups.add(Group.objects.get(name=STATISTICIANS))
    return {
        "anonymous": None,
        "council": User.objects.create_user("bezirksvertretung"),
        "department": department_user,
        "statistician": statistician,
        "administrator": User.objects.create_superuser("chefin"),
    }


@pytest.fixture
def as_role(client, users):
    def sign_in(role):
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return sign_in


@pytest.fixture
def instances(users):
    """One object per admin model, to open its change and delete pages; those a department
    sees only of its themes are of its theme (Pflege)."""
    user = users["statistician"]
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    draft_report = Report.objects.create(slug="entwurf", title="Entwurf", author="Statistik")
    pflege = Observation.objects.filter(indicator__theme__slug="pflege").first()
    own_release = Release.objects.create(title="Pflege 2024")
    Observation.objects.create(
        release=own_release, indicator=pflege.indicator, district=pflege.district, year=2024,
        reference_date=datetime.date(2024, 12, 31), value=pflege.value,
    )  # fmt: skip
    made = {
        "auth.group": Group.objects.first(),
        "auth.user": user,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="127.0.0.1", user_agent="", attempt_time=now,
            get_data="", post_data="", http_accept="", path_info="/admin/login/",
            failures_since_start=1,
        ),
        "axes.accesslog": AccessLog.objects.create(
            username="x", ip_address="127.0.0.1", user_agent="", attempt_time=now,
            http_accept="", path_info="/admin/login/",
        ),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="x", ip_address="127.0.0.1", user_agent="", attempt_time=now,
            http_accept="", path_info="/admin/login/",
        ),
        # Another account's device: one's own would make one's unverified session invalid.
        "otp_totp.totpdevice": TOTPDevice.objects.create(
            user=User.objects.create_user("mit-handy"), name="Handy"
        ),
        "districts.level": Level.objects.first(),
        "districts.district": District.objects.first(),
        "districts.overlap": Overlap.objects.first(),
        "indicators.theme": Theme.objects.first(),
        "indicators.indicator": Indicator.objects.first(),
        "indicators.identity": Identity.objects.first(),
        "indicators.release": own_release,
        "indicators.observation": pflege,
        "indicators.themeaccess": ThemeAccess.objects.first(),
        "indicators.columnmapping": ColumnMapping.objects.create(
            source="Jobcenter", theme=pflege.indicator.theme, mapping={}
        ),
        "facilities.facilitytype": FacilityType.objects.first(),
        "facilities.facility": Facility.objects.first(),
        "facilities.facilityupload": FacilityUpload.objects.first(),
        "core.pendingchange": PendingChange.objects.create(
            kind="indicators.theme", target="Themenfeld", summary="neu", requested_by=user
        ),
        "projections.projectionrun": ProjectionRun.objects.first(),
        # A draft: a published report is read, not changed or deleted, by anybody.
        "reports.report": draft_report,
        "reports.chapter": Chapter.objects.create(report=draft_report, heading="Eins"),
    }  # fmt: skip
    return made


def admin_url(label: str, page: str, obj=None) -> str:
    base = "/admin/" + label.replace(".", "/") + "/"
    return base + {"list": "", "add": "add/"}.get(page, f"{obj.pk}/{page}/")


def expected(role: str, label: str, page: str) -> int:
    if role not in STAFF:
        return 302  # to the login page
    rights = RIGHTS[role].get(label, "")
    needed = {"list": "vc", "change": "vc", "history": "vc", "add": "a", "delete": "d"}[page]
    return 200 if set(needed) & set(rights) else 403


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_each_role_as_the_matrix_says(role, as_role, instances):
    client = as_role(role)
    answers, wanted = {}, {}
    for label in MODELS:
        for page in ["list", "add", "change", "delete", "history"]:
            url = admin_url(label, page, instances[label])
            answers[url] = client.get(url).status_code
            wanted[url] = expected(role, label, page)
    assert answers == wanted


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_index_is_for_staff_only(role, as_role):
    assert as_role(role).get("/admin/").status_code == (200 if role in STAFF else 302)


UPLOADS = {
    # Value upload: departments (their themes) and statisticians; boundaries: statisticians.
    "/admin/indicators/release/upload/": {"department": 200, "statistician": 200},
    "/admin/indicators/release/anleitung/": {"department": 200, "statistician": 200},
    "/admin/districts/district/upload/": {"department": 403, "statistician": 200},
    # The projection's inputs: those who may start runs (statisticians, planners).
    "/admin/projections/projectionrun/register-hochladen/": {"department": 403},
    "/admin/projections/projectionrun/wohnungen-hochladen/": {"department": 403},
}


@pytest.mark.parametrize("url", UPLOADS)
@pytest.mark.parametrize("role", ROLES)
def test_the_upload_pages_open_only_for_those_who_may_upload(role, url, as_role):
    want = 302 if role not in STAFF else UPLOADS[url].get(role, 200)
    assert as_role(role).get(url).status_code == want


def value_file(indicator: str, value: int) -> SimpleUploadedFile:
    text = f"gebiet,ebene,indikator,jahr,wert\n05512000,stadt,{indicator},2023,{value}\n"
    return SimpleUploadedFile("werte.csv", text.encode(), content_type="text/csv")


def upload_and_confirm(client, indicator: str) -> bool:
    """Upload a one-value file and confirm it; whether a draft was created."""
    before = Release.objects.count()
    check = client.post(
        "/admin/indicators/release/upload/",
        {"title": "Rechte", "file": value_file(indicator, 4321)},
    )
    token = check.context.get("token") if check.context else None
    if token and check.context.get("result"):
        client.post(
            "/admin/indicators/release/upload/",
            {"token": token, "filename": "werte.csv", "title": "Rechte", "confirm": "1",
             "mapping": "{}"},
        )  # fmt: skip
    return Release.objects.count() > before


@pytest.mark.parametrize(
    ("role", "indicator", "creates"),
    [
        ("anonymous", "pflegebeduerftige", False),
        ("council", "pflegebeduerftige", False),
        ("department", "pflegebeduerftige", True),  # its own theme
        ("department", "einwohner", False),  # another theme
        ("statistician", "einwohner", True),
        ("administrator", "einwohner", True),
    ],
)
def test_value_uploads_create_drafts_only_within_the_rights(role, indicator, creates, as_role):
    assert upload_and_confirm(as_role(role), indicator) is creates


BOUNDARY = (
    '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
    '"urn:ogc:def:crs:EPSG::25832"}}, "features": [{"type": "Feature", "properties": '
    '{"code": "R1", "name": "Rechteblock"}, "geometry": {"type": "Polygon", "coordinates": '
    "[[[354000, 5711000], [355000, 5711000], [355000, 5712000], [354000, 5712000], "
    "[354000, 5711000]]]}}]}"
)


@pytest.mark.parametrize(
    ("role", "imports"),
    [("anonymous", False), ("council", False), ("department", False),
     ("statistician", True), ("administrator", True)],
)  # fmt: skip
def test_boundary_uploads_only_by_statisticians_and_administrators(role, imports, as_role):
    client = as_role(role)
    level = Level.objects.create(
        slug="rechte", name_de="Rechte", name_en="Rights", name_plural_de="Rechte",
        name_plural_en="Rights", rank=40,
    )  # fmt: skip
    form = {"level": level.pk, "valid_from": "01.01.2024", "code_field": "code",
            "name_field": "name", "srid": ""}  # fmt: skip
    url = "/admin/districts/district/upload/"
    check = client.post(url, {**form, "file": SimpleUploadedFile("r.geojson", BOUNDARY.encode())})
    if check.status_code == 200 and check.context.get("token"):
        pending = {"token": check.context["token"], "filename": check.context["filename"]}
        client.post(url, {**form, **pending, "confirm": "1"})
    assert District.objects.filter(level=level).exists() is imports


@pytest.fixture
def draft():
    """A draft that changes the city's population in 2023."""
    release = Release.objects.create(title="Korrektur 2023")
    Observation.objects.create(
        release=release, indicator=Indicator.objects.get(slug="einwohner"),
        district=District.objects.get(level__slug="stadt"), year=2023,
        reference_date=datetime.date(2023, 12, 31), value=118_800,
    )  # fmt: skip
    return release


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("anonymous", False), ("council", False), ("department", False),
     ("statistician", True), ("administrator", True)],
)  # fmt: skip
def test_publishing_and_withdrawing_need_the_publish_permission(role, allowed, as_role, draft):
    client = as_role(role)
    client.post(f"/admin/indicators/release/{draft.pk}/veroeffentlichen/")
    draft.refresh_from_db()
    assert (draft.status == Release.Status.PUBLISHED) is allowed
    if not allowed:
        return
    client.post(f"/admin/indicators/release/{draft.pk}/zurueckziehen/")
    draft.refresh_from_db()
    assert draft.status == Release.Status.WITHDRAWN


@pytest.mark.parametrize("role", ["anonymous", "council", "department"])
def test_those_without_the_permission_cannot_withdraw(role, as_role, draft, users):
    from indicators.services.releases import publish_release

    publish_release(release=draft, user=users["statistician"])
    as_role(role).post(f"/admin/indicators/release/{draft.pk}/zurueckziehen/")
    draft.refresh_from_db()
    assert draft.status == Release.Status.PUBLISHED


API = ["levels", "districts", "indicators", "values", "series", "change", "profile",
       "openapi.json"]  # fmt: skip


@pytest.mark.parametrize("endpoint", API)
@pytest.mark.parametrize("role", ["anonymous", "administrator"])
def test_the_api_refuses_every_write(role, endpoint, as_role):
    client = as_role(role)
    url = f"/api/v1/{endpoint}"
    before = (Release.objects.count(), Observation.objects.count(), District.objects.count())
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url, data="{}", content_type="application/json").status_code == 405
    after = (Release.objects.count(), Observation.objects.count(), District.objects.count())
    assert after == before
