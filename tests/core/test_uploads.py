"""Pending uploads and the copies imports keep of their files."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads
from core.uploads import keep, pending_path, safe_name
from indicators.services import import_values as values_service
from indicators.services.import_values import import_values

LONG_NAME = "Übersicht der Bevölkerung nach Stadtbezirken – endgültige Fassung " * 5 + ".xlsx"


def test_a_long_non_ascii_name_is_shortened_and_keeps_its_ending():
    name = safe_name(LONG_NAME)
    assert name.endswith(".xlsx")
    assert len(name) <= uploads.MAX_NAME
    assert name.startswith("Übersicht_der_Bevölkerung")


def test_a_name_cannot_leave_its_folder():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\\\..\\\\werte.csv") == "werte.csv"


def test_an_upload_with_a_long_name_is_kept_under_a_short_one(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.create_user("lang")
    token, path = keep(SimpleUploadedFile(LONG_NAME, b"a;b\n1;2\n"), user)
    assert path.read_bytes() == b"a;b\n1;2\n"
    assert pending_path(token, path.name, user) == path


def test_a_pending_folder_without_an_owner_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    token = uuid.uuid4().hex
    (tmp_path / uploads.PENDING_DIR / token).mkdir(parents=True)
    with pytest.raises(PermissionDenied):
        pending_path(token, "werte.csv", User.objects.create_user("ohne"))


def test_a_pending_upload_of_someone_else_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner, other = User.objects.create_user("a"), User.objects.create_user("b")
    token, path = keep(SimpleUploadedFile("werte.csv", b"x"), owner)
    with pytest.raises(PermissionDenied):
        pending_path(token, path.name, other)


def source_copies(root) -> list:
    return [p for p in (root / "releases").rglob("*") if p.is_file()] if root.exists() else []


def test_an_import_that_fails_after_its_release_is_made_leaves_no_copy_of_the_file(
    small_catalogue, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "werte.csv"
    path.write_text("gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\n")

    def fail(**kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(values_service.audit, "record", fail)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        import_values(path=path, title="t")
    assert source_copies(settings.MEDIA_ROOT) == []


def test_a_committed_import_keeps_its_file(
    small_catalogue, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "werte.csv"
    path.write_text("gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\n")
    with django_capture_on_commit_callbacks(execute=True):
        release = import_values(path=path, title="t").release
    release.refresh_from_db()
    assert release.source_file.read() == path.read_bytes()
