"""The disclosure floor (ATLAS_DISCLOSURE_FLOOR): no threshold below it, wherever it is set."""

import json

import pytest
from django.core.exceptions import ValidationError

from core.importing import ImportRejected
from indicators.models import Indicator
from indicators.services.catalogue import import_catalogue

pytestmark = pytest.mark.django_db

# Kirchhellen-Süd (74) has 2 young unemployed in 2024: withheld at the default threshold 3.
SMALL = {"indicator": "jugendarbeitslosigkeit", "level": "statistischer-bezirk", "year": 2024}


def shown_value(client, code: str):
    payload = client.get("/api/v1/values", SMALL).json()
    return next(v["value"] for v in payload["values"] if v["code"] == code)


def test_a_threshold_below_the_floor_is_refused_by_clean():
    indicator = Indicator.objects.get(slug="jugendarbeitslosigkeit")
    indicator.disclosure_threshold = 0
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "disclosure_threshold" in refused.value.message_dict
    assert "nicht unter 3" in refused.value.message_dict["disclosure_threshold"][0]


def test_the_floor_comes_from_the_settings(settings):
    settings.ATLAS_DISCLOSURE_FLOOR = 5
    indicator = Indicator.objects.get(slug="jugendarbeitslosigkeit")
    indicator.disclosure_threshold = 4
    with pytest.raises(ValidationError, match="nicht unter 5"):
        indicator.full_clean()


def test_the_catalogue_import_refuses_a_threshold_below_the_floor(tmp_path):
    item = {
        "slug": "test-schwelle", "theme": "bevoelkerung", "name_de": "Test", "name_en": "Test",
        "short_name_de": "Test", "short_name_en": "Test", "definition_de": "Test",
        "kind": "count", "source": "Test", "disclosure_threshold": 1,
    }  # fmt: skip
    path = tmp_path / "katalog.json"
    path.write_text(json.dumps({"indicators": [item]}))
    with pytest.raises(ImportRejected) as rejected:
        import_catalogue(path=path)
    assert [e.field for e in rejected.value.errors] == ["disclosure_threshold"]
    assert not Indicator.objects.filter(slug="test-schwelle").exists()


def test_a_threshold_lowered_behind_clean_still_withholds_in_the_api(client):
    assert shown_value(client, "74") is None
    Indicator.objects.filter(slug="jugendarbeitslosigkeit").update(disclosure_threshold=0)
    assert shown_value(client, "74") is None


def test_without_a_floor_a_threshold_of_0_would_show_the_value(client, settings):
    # The control for the test above: the floor is what keeps the 2 cases withheld.
    settings.ATLAS_DISCLOSURE_FLOOR = 0
    Indicator.objects.filter(slug="jugendarbeitslosigkeit").update(disclosure_threshold=0)
    assert shown_value(client, "74") is not None


def test_supply_indicators_count_facilities_and_need_no_floor():
    indicator = Indicator.objects.get(slug="anzahl-kitas")
    assert indicator.disclosure_threshold == 0
    indicator.full_clean()
    assert indicator.applied_threshold == 0


def test_the_admin_form_names_the_threshold_field(admin_client):
    from django.forms.models import model_to_dict

    indicator = Indicator.objects.get(slug="jugendarbeitslosigkeit")
    data = {k: v for k, v in model_to_dict(indicator).items() if v is not None}
    data.update(disclosure_threshold=1, components=[c.pk for c in indicator.components.all()])
    data["classification_breaks"] = json.dumps(indicator.classification_breaks)
    page = admin_client.post(f"/admin/indicators/indicator/{indicator.pk}/change/", data)
    assert page.status_code == 200
    assert "disclosure_threshold" in page.context["adminform"].form.errors
    assert Indicator.objects.get(pk=indicator.pk).disclosure_threshold == 3
