import json

import pytest

from indicators.models import Indicator
from indicators.services.catalogue import import_catalogue

pytestmark = pytest.mark.django_db


def entry(slug: str, **fields) -> dict:
    return {
        "slug": slug, "theme": "altersaufbau", "name_de": slug, "name_en": slug,
        "short_name_de": slug, "short_name_en": slug, "definition_de": "Test", "kind": "count",
        "source": "Test", **fields,
    }  # fmt: skip


def test_sex_and_age_group_survive_a_catalogue_import(tmp_path):
    path = tmp_path / "catalogue.json"
    catalogue = {"indicators": [entry("frauen-75-plus", sex="w", age_group="75+", age_from=75)]}
    path.write_text(json.dumps(catalogue), encoding="utf-8")
    import_catalogue(path=path)
    indicator = Indicator.objects.get(slug="frauen-75-plus")
    assert (indicator.sex, indicator.age_group, indicator.age_from) == ("w", "75+", 75)


def test_a_catalogue_entry_without_sex_and_age_group_has_neither(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"indicators": [entry("ohne-alter")]}), encoding="utf-8")
    import_catalogue(path=path)
    indicator = Indicator.objects.get(slug="ohne-alter")
    assert (indicator.sex, indicator.age_group, indicator.age_from) == ("", "", None)


def test_a_catalogue_entry_may_name_its_source_in_english(tmp_path):
    path = tmp_path / "catalogue.json"
    entries = [entry("mit-quelle", source_en="Job centre"), entry("ohne-englische-quelle")]
    path.write_text(json.dumps({"indicators": entries}), encoding="utf-8")
    import_catalogue(path=path)
    found = Indicator.objects.filter(slug__in=["mit-quelle", "ohne-englische-quelle"])
    sources = dict(found.values_list("slug", "source_en"))
    assert sources == {"mit-quelle": "Job centre", "ohne-englische-quelle": ""}


def test_the_demo_catalogue_has_both_sexes_in_ten_age_groups():
    parts = Indicator.objects.exclude(sex="").order_by("sex", "age_from")
    assert [i.age_group for i in parts.filter(sex="m")] == [
        "0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90+",
    ]  # fmt: skip
    assert parts.filter(sex="w").count() == 10
    assert {i.kind for i in parts} == {"count"}
    assert Indicator.objects.get(slug="bevoelkerung-w-90-plus").name_de == (
        "Frauen 90 Jahre und älter"
    )
