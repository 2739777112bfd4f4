import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied

from atlas.permissions import STATISTICIANS
from districts.models import District, Level
from indicators.models import Indicator, Observation, Release
from indicators.selectors import level_values
from indicators.services.releases import publish_release, withdraw_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistician():
    user = User.objects.create_user("stat", is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    return user


@pytest.fixture
def correction():
    """A draft that changes the city's population in 2023."""
    draft = Release.objects.create(title="Korrektur 2023")
    Observation.objects.create(
        release=draft, indicator=Indicator.objects.get(slug="einwohner"),
        district=District.objects.get(level__slug="stadt"), year=2023,
        reference_date=datetime.date(2023, 12, 31), value=118_800,
    )  # fmt: skip
    return draft


def city_population():
    values = level_values(
        indicator=Indicator.objects.get(slug="einwohner"),
        level=Level.objects.get(slug="statistischer-bezirk"),
        year=2023,
    )
    return values.city.cell.value


def test_publishing_makes_a_draft_public_and_withdrawing_restores_the_old_value(
    correction, statistician
):
    assert city_population() == 118_705
    publish_release(release=correction, user=statistician)
    assert city_population() == 118_800
    withdraw_release(release=correction, user=statistician)
    assert city_population() == 118_705


def test_only_users_with_the_publish_permission_may_publish(correction):
    visitor = User.objects.create_user("gast", is_staff=True)
    with pytest.raises(PermissionDenied):
        publish_release(release=correction, user=visitor)
    assert Release.objects.get(pk=correction.pk).status == Release.Status.DRAFT


def test_a_published_release_cannot_be_published_again(correction, statistician):
    publish_release(release=correction, user=statistician)
    with pytest.raises(ValueError, match="Entwürfe"):
        publish_release(release=correction, user=statistician)


def test_the_admin_publishes_from_the_releases_page(client, correction, statistician):
    client.force_login(statistician)
    client.post(f"/admin/indicators/release/{correction.pk}/veroeffentlichen/")
    assert Release.objects.get(pk=correction.pk).status == Release.Status.PUBLISHED
    assert city_population() == 118_800
