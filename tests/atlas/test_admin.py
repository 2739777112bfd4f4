import pytest
from django.contrib.auth.models import Group

from atlas.permissions import STATISTICIANS
from districts.models import District
from indicators.models import Indicator, Observation

pytestmark = pytest.mark.django_db


def test_a_statistician_sees_a_district_on_a_leaflet_map(statistician):
    district = District.objects.get(level__slug="statistischer-bezirk", code="11")
    page = statistician.get(f"/admin/districts/district/{district.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "leaflet/leaflet" in html
    assert "id_boundary" in html


def test_a_statistician_sees_the_indicator_catalogue(statistician):
    page = statistician.get("/admin/indicators/indicator/", {"all": ""})
    assert page.status_code == 200
    html = page.content.decode()
    for name in Indicator.objects.values_list("name_de", flat=True):
        assert name in html


def test_observations_are_filtered_but_never_edited_in_the_admin(statistician):
    observation = Observation.objects.first()
    listing = statistician.get("/admin/indicators/observation/", {"year": "2023"})
    assert listing.status_code == 200
    assert statistician.get("/admin/indicators/observation/add/").status_code == 403
    view = statistician.get(f"/admin/indicators/observation/{observation.pk}/change/")
    assert b'name="value"' not in view.content


def test_a_statistician_cannot_delete_anything(statistician):
    district = District.objects.first()
    page = statistician.get(f"/admin/districts/district/{district.pk}/delete/")
    assert page.status_code == 403


def test_the_statistik_group_has_no_delete_permission():
    codenames = Group.objects.get(name=STATISTICIANS).permissions.values_list("codename", flat=True)
    assert "publish_release" in codenames
    assert not [c for c in codenames if c.startswith("delete_")]
