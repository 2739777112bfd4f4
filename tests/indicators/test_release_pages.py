"""Publishing and withdrawing one release from its own pages: the confirmation says what will
change in public, the button does it, and the page afterwards leads to the changed map."""

import pytest
from django.contrib.auth.models import User

from core.models import PendingChange
from indicators.models import Observation, Release
from indicators.services.import_values import import_values

pytestmark = pytest.mark.django_db

VALUES = "/api/v1/values"
PARAMS = {"indicator": "einwohner", "level": "statistischer-bezirk", "year": 2023}


def public_value(client, code: str) -> float:
    values = client.get(VALUES, PARAMS).json()["values"]
    return next(v["value"] for v in values if v["code"] == code)


@pytest.fixture
def draft(tmp_path, statisticians):
    """Altstadt's 2023 Einwohner five more; Innenstadt-Nordost's as published."""
    stored = {
        o.district.code: o.value
        for o in Observation.objects.filter(
            indicator__slug="einwohner", year=2023, district__code__in=["11", "12"]
        ).select_related("district")
    }
    path = tmp_path / "korrektur.csv"
    path.write_text(
        "gebiet;ebene;indikator;jahr;wert\n"
        f"11;statistischer-bezirk;einwohner;2023;{stored['11'] + 5:.0f}\n"
        f"12;statistischer-bezirk;einwohner;2023;{stored['12']:.0f}\n"
    )
    release = import_values(path=path, title="Korrektur 2023", user=statisticians[0]).release
    return release, stored


def pages(release):
    base = f"/admin/indicators/release/{release.pk}"
    return f"{base}/veroeffentlichen/", f"{base}/zurueckziehen/", f"{base}/ergebnis/"


def test_the_confirmation_says_what_publishing_changes(client, statisticians, draft):
    release, stored = draft
    client.force_login(statisticians[1])
    page = client.get(pages(release)[0])
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["effect"].preview.changed_count == 1
    assert page.context["effect"].preview.unchanged == 1
    [change] = page.context["effect"].preview.changed
    assert (change.place, change.year) == ("Altstadt (11)", 2023)
    assert (change.old, change.new) == (f"{stored['11']:,.0f}".replace(",", "."),
                                        f"{stored['11'] + 5:,.0f}".replace(",", "."))  # fmt: skip
    # The city's own value no longer matches its districts once this is public.
    assert any("einwohner 2023: Summe (Statistische Bezirke)" in w
               for w in page.context["effect"].warnings)  # fmt: skip
    assert "Jetzt veröffentlichen" in html
    assert Release.objects.get(pk=release.pk).status == Release.Status.DRAFT  # GET changes nothing


def test_publishing_then_withdrawing_shows_and_takes_back_the_value(client, statisticians, draft):
    release, stored = draft
    client.force_login(statisticians[1])
    publish, withdraw, done = pages(release)
    answer = client.post(publish)
    assert answer.status_code == 302 and answer["Location"] == done
    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED
    assert public_value(client, "11") == stored["11"] + 5
    result = client.get(done)
    maps = result.content.decode().split('id="release-maps"')[1].split("</ul>")[0]
    assert "/?indicator=einwohner&amp;year=2023" in maps

    page = client.get(withdraw)
    effect = page.context["effect"]
    assert (effect.restored_count, effect.differing_count, effect.removed_count) == (2, 1, 0)
    back = {c.area: (c.old, c.new) for c in effect.restored}
    assert set(back) == {"11"}  # Innenstadt-Nordost's value was delivered again unchanged
    assert back["11"] == (f"{stored['11'] + 5:,.0f}".replace(",", "."),
                          f"{stored['11']:,.0f}".replace(",", "."))  # fmt: skip
    assert client.post(withdraw)["Location"] == done
    assert Release.objects.get(pk=release.pk).status == Release.Status.WITHDRAWN
    assert public_value(client, "11") == stored["11"]


def test_under_four_eyes_the_uploader_is_told_and_a_withdrawal_waits(
    client, statisticians, draft, settings
):
    settings.ATLAS_FOUR_EYES = True
    release, _stored = draft
    client.force_login(statisticians[0])  # anna uploaded it
    page = client.get(pages(release)[0])
    assert page.context["blocked"] and "Jetzt veröffentlichen" not in page.content.decode()
    client.post(pages(release)[0])
    assert Release.objects.get(pk=release.pk).status == Release.Status.DRAFT
    client.force_login(statisticians[1])
    client.post(pages(release)[0])
    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED
    client.post(pages(release)[1])
    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED
    assert PendingChange.objects.get().payload == {"release": release.pk}


def test_the_second_person_sees_which_values_a_withdrawal_changes(
    client, statisticians, draft, settings
):
    settings.ATLAS_FOUR_EYES = True
    release, stored = draft
    client.force_login(statisticians[1])
    client.post(pages(release)[0])  # published by the second of them
    client.post(pages(release)[1])  # and its withdrawal asked for
    change = PendingChange.objects.get()
    client.force_login(statisticians[0])
    page = client.get(f"/admin/core/pendingchange/{change.pk}/change/").content.decode()
    now, again = (f"{n:,.0f}".replace(",", ".") for n in (stored["11"] + 5, stored["11"]))
    assert f'<th scope="row">einwohner 2023, Altstadt (11)</th><td>{now}</td>' in page
    assert f"<strong>{again}</strong>" in page
    # Innenstadt-Nordost was delivered again unchanged: nothing to decide there.
    assert "Innenstadt-Nordost (12)" not in page
    # Asking again: the page says it waits, and offers no second request.
    again = client.get(pages(release)[1]).content.decode()
    assert 'id="withdrawal-waiting"' in again and "vorgelegt von ben" in again
    assert "Rückzug zur Freigabe vorlegen" not in again


def test_a_published_release_is_not_offered_for_publishing_again(client, statisticians, draft):
    release, _stored = draft
    client.force_login(statisticians[1])
    client.post(pages(release)[0])
    again = client.get(pages(release)[0])
    assert again.status_code == 302
    assert again["Location"] == f"/admin/indicators/release/{release.pk}/change/"


def test_without_the_publish_permission_the_pages_are_refused(client, draft):
    release, _stored = draft
    clerk = User.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(pages(release)[0]).status_code == 403
    assert client.post(pages(release)[1]).status_code == 403
    assert client.get(pages(release)[2]).status_code == 403


def test_the_draft_and_the_list_lead_to_the_confirmation_not_to_an_action(
    client, statisticians, draft
):
    release, _stored = draft
    client.force_login(statisticians[1])
    publish = f'href="{pages(release)[0]}"'
    assert publish in client.get(f"/admin/indicators/release/{release.pk}/change/").content.decode()
    listing = client.get("/admin/indicators/release/")
    assert publish in listing.content.decode()
    actions = [value for value, _label in listing.context["action_form"].fields["action"].choices]
    assert "publish" not in actions and "withdraw" not in actions
