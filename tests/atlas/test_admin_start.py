"""The admin's start page leads a statistician to the year's tasks and shows what waits."""

import pytest
from django.contrib.auth.models import User

from indicators.services.import_values import import_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(client, statisticians):
    client.force_login(statisticians[0])
    return statisticians[0]


def test_the_start_page_leads_to_uploads_and_the_guide(client, anna):
    html = client.get("/admin/").content.decode()
    start = html[html.index('id="start-tasks"') : html.index('id="start-drafts"')]
    pages = ("upload/", "export/", "anleitung/")
    urls = [f"/admin/indicators/release/{page}" for page in pages]
    for url in [*urls, "/admin/districts/district/upload/"]:
        assert f'href="{url}"' in start
    assert "Kein Entwurf wartet" in html
    assert "Demodaten Bottrop (synthetisch)" in html[html.index('id="start-last"') :]


def test_a_draft_waits_on_the_start_page_with_who_and_a_way_to_publish(client, anna, tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("gebiet,ebene,indikator,jahr,wert\n05512000,stadt,einwohner,2023,118800\n")
    draft = import_values(path=path, title="Korrektur Einwohner", user=anna).release
    html = client.get("/admin/").content.decode()
    drafts = html[html.index('id="start-draft-list"') : html.index('id="start-last"')]
    assert "Korrektur Einwohner" in drafts and "anna" in drafts
    assert f'href="/admin/indicators/release/{draft.pk}/veroeffentlichen/"' in drafts
    assert "1 Entwurf wartet auf Veröffentlichung" in html


def test_staff_without_upload_or_publish_rights_get_the_plain_index(client):
    client.force_login(User.objects.create_user("gast", is_staff=True))
    assert 'id="start-tasks"' not in client.get("/admin/").content.decode()
