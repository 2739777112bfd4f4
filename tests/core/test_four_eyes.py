"""Four eyes (ATLAS_FOUR_EYES) on everything that changes what the public sees: a change
waits under "Änderungen zur Freigabe" until a second person approves it."""

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client

from atlas.permissions import STATISTICIANS
from core import changes
from core.models import PendingChange
from districts.models import District
from districts.services.boundaries import import_boundaries as service
from facilities.models import Facility, FacilityUpload
from indicators.models import Indicator, Release, Theme
from indicators.services.import_values import import_values
from indicators.services.releases import publish_release, withdraw_release
from tests.auditlog import entries_of
from tests.districts.test_admin_upload import blocks, form, geojson

pytestmark = pytest.mark.django_db

SLUG = "jugendarbeitslosigkeit"
# Kirchhellen-Süd (74) has 2 young unemployed in 2024: withheld at the threshold of 3.
SMALL = {"indicator": SLUG, "level": "statistischer-bezirk", "year": 2024}
CHANGES = "/admin/core/pendingchange/"


@pytest.fixture
def four_eyes(settings):
    settings.ATLAS_FOUR_EYES = True


def signed_in(name: str) -> Client:
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def anna():
    return signed_in("anna")


@pytest.fixture
def ben():
    return signed_in("ben")


def indicator_form(indicator: Indicator, **changed) -> dict:
    """The indicator's change form as the browser sends it, with ``changed`` edited."""
    data = {k: v for k, v in model_to_dict(indicator).items() if v is not None}
    data["components"] = [c.pk for c in indicator.components.all()]
    data["classification_breaks"] = json.dumps(indicator.classification_breaks)
    data.update(changed)
    return data


def edit_indicator(client: Client, **changed):
    indicator = Indicator.objects.get(slug=SLUG)
    url = f"/admin/indicators/indicator/{indicator.pk}/change/"
    return client.post(url, indicator_form(indicator, **changed))


def decide(client: Client, change: PendingChange, **data):
    return client.post(f"{CHANGES}{change.pk}/entscheiden/", data, follow=True)


def shown_value(client: Client, code: str = "74"):
    payload = client.get("/api/v1/values", SMALL).json()
    return next(v["value"] for v in payload["values"] if v["code"] == code)


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_lowered_threshold_waits_and_changes_nothing_public(four_eyes, settings, anna, client):
    settings.ATLAS_DISCLOSURE_FLOOR = 0  # four eyes alone, without the floor's help
    response = edit_indicator(anna, disclosure_threshold=0)
    assert response.status_code == 302 and response.url.startswith(CHANGES)
    assert Indicator.objects.get(slug=SLUG).disclosure_threshold == 3
    change = PendingChange.objects.get(status="pending")
    assert "Geheimhaltungsschwelle: 3 → 0" in change.summary
    assert shown_value(client) is None


def test_the_author_cannot_approve_their_own_change(four_eyes, settings, anna):
    settings.ATLAS_DISCLOSURE_FLOOR = 0
    edit_indicator(anna, disclosure_threshold=0)
    change = PendingChange.objects.get()
    page = decide(anna, change, approve="1")
    assert any("zweite Person" in t for t in texts(page))
    assert PendingChange.objects.get().status == "pending"
    assert Indicator.objects.get(slug=SLUG).disclosure_threshold == 3
    with pytest.raises(PermissionDenied):
        changes.approve(change=change, user=anna.user)


def test_a_second_statistician_approves_and_the_log_names_both(
    four_eyes, settings, anna, ben, client
):
    settings.ATLAS_DISCLOSURE_FLOOR = 0
    edit_indicator(anna, disclosure_threshold=0)
    change = PendingChange.objects.get()
    page = decide(ben, change, approve="1")
    assert any(t.startswith("Freigegeben") for t in texts(page))
    assert Indicator.objects.get(slug=SLUG).disclosure_threshold == 0
    assert shown_value(client) is not None  # what was approved is what now applies
    entry = entries_of(Indicator.objects.get(slug=SLUG)).last()
    assert entry.user.username == "ben"
    assert "vorgelegt von anna, freigegeben von ben" in entry.change_message


def test_under_the_floor_the_form_refuses_and_nothing_waits(four_eyes, anna):
    response = edit_indicator(anna, disclosure_threshold=1)
    assert response.status_code == 200
    assert "disclosure_threshold" in response.context["adminform"].form.errors
    assert not PendingChange.objects.exists()


def test_a_factor_change_waits_for_the_second_person(four_eyes, anna, ben):
    edit_indicator(anna, factor=1000)
    assert Indicator.objects.get(slug=SLUG).factor == 100
    change = PendingChange.objects.get()
    review = ben.get(f"{CHANGES}{change.pk}/change/").content.decode()
    assert "Faktor" in review and "100" in review and "1.000" in review
    decide(ben, change, approve="1")
    assert Indicator.objects.get(slug=SLUG).factor == 1000


def test_components_change_only_on_approval(four_eyes, anna, ben):
    # The admin's form has no components yet; the catalogue's relations wait all the same.
    births = Indicator.objects.get(slug="geburtenrate")
    indicator = Indicator.objects.get(slug=SLUG)
    changes.submit_model_change(
        obj=indicator, names=["components"], many={"components": [births.pk]}, user=anna.user
    )
    assert not indicator.components.exists()
    assert "Bestandteile: – → Geburtenrate" in PendingChange.objects.get().summary
    decide(ben, PendingChange.objects.get(), approve="1")
    assert list(indicator.components.all()) == [births]


def test_a_change_of_a_meanwhile_edited_indicator_is_refused(four_eyes, anna, ben):
    edit_indicator(anna, disclosure_threshold=5)
    change = PendingChange.objects.get()
    Indicator.objects.filter(slug=SLUG).update(disclosure_threshold=7)
    review = ben.get(f"{CHANGES}{change.pk}/change/").content.decode()
    assert "inzwischen" in review
    page = decide(ben, change, approve="1")
    assert any("seit der Vorlage geändert" in t for t in texts(page))
    assert Indicator.objects.get(slug=SLUG).disclosure_threshold == 7
    assert PendingChange.objects.get().status == "pending"


def test_a_rejection_needs_a_reason_and_changes_nothing(four_eyes, anna, ben):
    edit_indicator(anna, factor=10)
    change = PendingChange.objects.get()
    page = decide(ben, change, reject="1", reason=" ")
    assert any("Begründung" in t for t in texts(page))
    decide(ben, change, reject="1", reason="Faktor passt nicht zur Einheit")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.reason) == (
        "rejected", ben.user, "Faktor passt nicht zur Einheit",
    )  # fmt: skip
    assert Indicator.objects.get(slug=SLUG).factor == 100


def test_a_new_theme_waits_for_approval(four_eyes, anna, ben):
    data = {"slug": "test-neu", "name_de": "Neu", "name_en": "New", "order": 5,
            "indicators-TOTAL_FORMS": 0, "indicators-INITIAL_FORMS": 0}  # fmt: skip
    response = anna.post("/admin/indicators/theme/add/", data)
    assert response.status_code == 302
    assert not Theme.objects.filter(slug="test-neu").exists()
    decide(ben, PendingChange.objects.get(), approve="1")
    assert Theme.objects.get(slug="test-neu").name_de == "Neu"


def test_the_review_list_is_on_the_admin_index(four_eyes, anna, ben):
    edit_indicator(anna, factor=10)
    assert "Änderungen zur Freigabe" in ben.get("/admin/").content.decode()
    listing = ben.get(CHANGES).content.decode()
    assert "Jugendarbeitslosigkeit" in listing and "Faktor" in listing


def test_without_four_eyes_the_admin_saves_directly(anna):
    edit_indicator(anna, factor=1000)
    assert Indicator.objects.get(slug=SLUG).factor == 1000
    assert not PendingChange.objects.exists()


# --- Releases ---------------------------------------------------------------------------------


@pytest.fixture
def published():
    return Release.objects.get(status=Release.Status.PUBLISHED)


def withdraw(client: Client, release: Release):
    return client.post(f"/admin/indicators/release/{release.pk}/zurueckziehen/", follow=True)


def test_a_withdrawal_waits_for_the_second_person(four_eyes, anna, ben, published):
    page = withdraw(anna, published)
    assert any("zur Freigabe vorgelegt" in t for t in texts(page))
    assert Release.objects.get(pk=published.pk).status == "published"
    change = PendingChange.objects.get()
    decide(anna, change, approve="1")
    assert Release.objects.get(pk=published.pk).status == "published"
    decide(ben, change, approve="1")
    assert Release.objects.get(pk=published.pk).status == "withdrawn"
    entry = entries_of(published).last()
    assert entry.user.username == "ben"
    assert "zurückgezogen (vorgelegt von anna, freigegeben von ben)" in entry.change_message


def test_under_four_eyes_nobody_withdraws_alone(four_eyes, anna, published):
    with pytest.raises(PermissionDenied, match="Vier-Augen"):
        withdraw_release(release=published, user=anna.user)


def test_a_withdrawal_is_asked_for_once(four_eyes, anna, ben, published):
    withdraw(anna, published)
    page = withdraw(ben, published)
    assert any("wartet schon" in t for t in texts(page))
    assert PendingChange.objects.count() == 1


def test_a_publication_names_uploader_and_publisher(four_eyes, anna, ben, tmp_path):
    # Publishing keeps its own four eyes: the uploader may not publish (test_release_files).
    path = tmp_path / "w.csv"
    path.write_text("gebiet,ebene,indikator,jahr,wert\n05512000,stadt,einwohner,2023,118800\n")
    draft = import_values(path=path, title="Entwurf", user=anna.user).release
    publish_release(release=draft, user=ben.user)
    entry = entries_of(draft).last()
    assert entry.change_message == "veröffentlicht (hochgeladen von anna, veröffentlicht von ben)"


def test_without_four_eyes_a_withdrawal_is_direct(anna, published):
    withdraw(anna, published)
    assert Release.objects.get(pk=published.pk).status == "withdrawn"


# --- Boundary and facility imports, facility edits ---------------------------------------------

BOUNDARIES = "/admin/districts/district/upload/"
FACILITIES = "/admin/facilities/facility/upload/"
KITA = b"typ,name,lon,lat,plaetze\nkita,Kita Vier Augen,6.9234,51.52471,40\n"


def import_boundaries(client, level):
    check = client.post(BOUNDARIES, {**form(level), "file": geojson(blocks())})
    pending = {"token": check.context["token"], "filename": check.context["filename"]}
    return client.post(BOUNDARIES, {**form(level), **pending, "confirm": "1"}, follow=True)


def test_a_boundary_import_waits_for_the_second_person(four_eyes, anna, ben, level):
    page = import_boundaries(anna, level)
    assert any(t.startswith("Zur Freigabe vorgelegt: Grenzen") for t in texts(page))
    assert not District.objects.filter(level=level).exists()
    change = PendingChange.objects.get()
    assert "2 neu" in change.summary
    decide(anna, change, approve="1")
    assert not District.objects.filter(level=level).exists()
    decide(ben, change, approve="1")
    assert District.objects.filter(level=level).count() == 2
    (entry,) = entries_of(level)
    assert entry.user.username == "ben"
    assert "2 neu" in entry.change_message
    assert "vorgelegt von anna, freigegeben von ben" in entry.change_message


def test_a_boundary_import_that_no_longer_fits_is_refused(four_eyes, anna, ben, level):
    import_boundaries(anna, level)
    change = PendingChange.objects.get()
    # Meanwhile the same boundaries arrived by command: the import would now change nothing.
    service(path=changes.file_of(change), level=level, valid_from=datetime.date(2024, 1, 1))
    review = ben.get(f"/admin/core/pendingchange/{change.pk}/change/").content.decode()
    assert "inzwischen" in review and "2 unverändert" in review
    page = decide(ben, change, approve="1")
    assert any("seit der Vorlage geändert" in t for t in texts(page))
    assert PendingChange.objects.get().status == "pending"


def test_without_four_eyes_boundaries_are_imported_directly(anna, level):
    import_boundaries(anna, level)
    assert District.objects.filter(level=level).count() == 2
    assert not PendingChange.objects.exists()


def import_facilities(client):
    upload = SimpleUploadedFile("angebote.csv", KITA, content_type="text/csv")
    preview = client.post(FACILITIES, {"file": upload, "srid": 25832}).context
    pending = {"token": preview["token"], "filename": preview["filename"], "srid": 25832}
    return client.post(FACILITIES, pending, follow=True)


def test_a_facility_import_waits_for_the_second_person(four_eyes, anna, ben):
    page = import_facilities(anna)
    assert any("Zur Freigabe vorgelegt: Angebote aus angebote.csv" in t for t in texts(page))
    assert not Facility.objects.filter(name="Kita Vier Augen").exists()
    change = PendingChange.objects.get()
    assert change.summary == "1 neu, 0 geändert, 0 unverändert"
    decide(anna, change, approve="1")
    assert not Facility.objects.filter(name="Kita Vier Augen").exists()
    decide(ben, change, approve="1")
    assert Facility.objects.filter(name="Kita Vier Augen").exists()
    upload = FacilityUpload.objects.get(source_filename="angebote.csv")
    assert upload.created_by.username == "anna"
    entry = entries_of(upload).last()
    assert entry.user.username == "ben"
    assert "vorgelegt von anna, freigegeben von ben" in entry.change_message


def test_the_waiting_file_outlives_the_pending_uploads(four_eyes, anna, settings):
    import_facilities(anna)
    change = PendingChange.objects.get()
    assert change.file.startswith("changes/")
    assert (settings.MEDIA_ROOT / change.file).is_file()


def test_a_rejected_import_writes_nothing_and_drops_its_file(
    four_eyes, anna, ben, settings, django_capture_on_commit_callbacks
):
    import_facilities(anna)
    change = PendingChange.objects.get()
    path = settings.MEDIA_ROOT / change.file
    with django_capture_on_commit_callbacks(execute=True):
        decide(ben, change, reject="1", reason="falsche Datei")
    assert PendingChange.objects.get().status == "rejected"
    assert not Facility.objects.filter(name="Kita Vier Augen").exists()
    assert not path.exists()


def test_a_facility_edit_waits_for_the_second_person(four_eyes, anna, ben):
    facility = Facility.objects.filter(capacity__isnull=False).first()
    url = f"/admin/facilities/facility/{facility.pk}/change/"
    data = {
        "type": facility.type_id, "key": facility.key, "name": facility.name,
        "address": facility.address, "location": facility.location.ewkt,
        "capacity": facility.capacity + 10, "contact_url": facility.contact_url,
        "source": facility.source, "is_demo": facility.is_demo,
    }  # fmt: skip
    response = anna.post(url, data)
    assert response.status_code == 302
    change = PendingChange.objects.get()
    assert change.summary == f"geändert: Plätze: {facility.capacity} → {facility.capacity + 10}"
    assert Facility.objects.get(pk=facility.pk).capacity == facility.capacity
    decide(ben, change, approve="1")
    assert Facility.objects.get(pk=facility.pk).capacity == facility.capacity + 10
    entry = entries_of(facility).last()
    assert "vorgelegt von anna, freigegeben von ben" in entry.change_message


def test_without_four_eyes_facilities_are_imported_directly(anna):
    import_facilities(anna)
    assert Facility.objects.filter(name="Kita Vier Augen").exists()


# --- What a second look found ----------------------------------------------------------------


def test_the_kind_of_an_indicator_with_values_cannot_change(anna):
    # An index has no case count: as one, the withheld counts would be shown.
    response = edit_indicator(anna, kind=Indicator.Kind.INDEX)
    assert response.status_code == 200
    assert "solange Werte zu diesem Indikator gespeichert sind" in str(
        response.context["adminform"].form.errors["kind"]
    )
    assert Indicator.objects.get(slug=SLUG).kind != Indicator.Kind.INDEX


def test_the_kind_of_an_indicator_without_values_can_change(anna, make_indicator):
    indicator = make_indicator("neu-ohne-werte", kind=Indicator.Kind.COUNT)
    indicator.kind = Indicator.Kind.INDEX
    indicator.full_clean()


def test_a_release_title_waits_for_the_second_person(four_eyes, anna, ben, published):
    url = f"/admin/indicators/release/{published.pk}/change/"
    data = {"title": "Neuer öffentlicher Titel", "note": published.note}
    anna.post(url, data)
    assert Release.objects.get(pk=published.pk).title == published.title
    decide(ben, PendingChange.objects.get(), approve="1")
    assert Release.objects.get(pk=published.pk).title == "Neuer öffentlicher Titel"


def test_a_theme_released_to_a_department_waits_for_the_second_person(four_eyes, anna, ben):
    from indicators.models import ThemeAccess

    department = Group.objects.get(name="Fachbereich")
    theme = Theme.objects.exclude(access__group=department).first()
    data = {"group": department.pk, "theme": theme.pk}
    anna.post("/admin/indicators/themeaccess/add/", data)
    assert not ThemeAccess.objects.filter(group=department, theme=theme).exists()
    decide(ben, PendingChange.objects.get(), approve="1")
    assert ThemeAccess.objects.filter(group=department, theme=theme).exists()


def test_staff_without_the_permission_learn_nothing_of_a_change(four_eyes, settings, anna):
    settings.ATLAS_DISCLOSURE_FLOOR = 0
    edit_indicator(anna, disclosure_threshold=0)
    change = PendingChange.objects.get()
    outsider = User.objects.create_user("aussen", is_staff=True)
    client = Client()
    client.force_login(outsider)
    for data in ({"approve": "1"}, {"reject": "1", "reason": ""}):
        response = client.post(f"{CHANGES}{change.pk}/entscheiden/", data, follow=True)
        assert response.status_code == 403
        assert "Geheimhaltungsschwelle" not in client.get("/admin/", follow=True).content.decode()
    assert PendingChange.objects.get().status == "pending"


def test_a_facility_confirmation_with_a_malformed_srid_is_refused(four_eyes, anna):
    upload = SimpleUploadedFile("angebote.csv", KITA, content_type="text/csv")
    preview = anna.post(FACILITIES, {"file": upload, "srid": 25832}).context
    pending = {"token": preview["token"], "filename": preview["filename"], "srid": "abc"}
    assert anna.post(FACILITIES, pending).status_code == 403


def test_a_facility_confirmation_sent_twice_submits_once(four_eyes, anna, settings):
    upload = SimpleUploadedFile("angebote.csv", KITA, content_type="text/csv")
    preview = anna.post(FACILITIES, {"file": upload, "srid": 25832}).context
    pending = {"token": preview["token"], "filename": preview["filename"], "srid": 25832}
    anna.post(FACILITIES, pending)
    again = anna.post(FACILITIES, pending, follow=True)
    assert again.status_code == 200
    assert PendingChange.objects.count() == 1
    # No empty folder is left behind by the second confirmation.
    folders = list((Path(settings.MEDIA_ROOT) / changes.FILES_DIR).iterdir())
    assert [p.name for p in folders] == [PendingChange.objects.get().file.split("/")[1]]
