"""The map page's query string: each parameter parsed by a form, a value the map cannot show
replaced by its default."""

import pytest
from django.http import QueryDict

from atlas.forms import MAX_SELECTION, MapQuery
from districts.models import District
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def state(query: str, **kwargs):
    return MapQuery(QueryDict(query), **kwargs).state()


def test_the_form_names_the_parameters_it_cannot_use():
    form = MapQuery(QueryDict("level=stadt&method=x&classes=9&year=-1&embed=0&release=a"))
    assert not form.is_valid()
    assert set(form.errors) == {"level", "method", "classes", "year", "embed", "release"}


def test_a_query_of_valid_values_opens_the_map_on_them():
    shown = state(
        "level=stadtbezirk&indicator=kinderarmut&method=equal_interval&classes=4&year=2023"
        "&from=2019&sel=1,2&chart=bars&y=einwohner&embed=1&release=3"
    )
    assert (shown.level, shown.indicator.slug, shown.method, shown.classes) == (
        "stadtbezirk", "kinderarmut", "equal_interval", 4,
    )  # fmt: skip
    assert (shown.year, shown.year_note, shown.start, shown.selection) == (
        "2023", "", "2019", ["1", "2"],
    )  # fmt: skip
    assert (shown.chart, shown.scatter, shown.embed, shown.release) == (
        "bars",
        "einwohner",
        True,
        "3",
    )


def test_values_the_map_cannot_show_fall_back_to_the_defaults(settings):
    kinderarmut = Indicator.objects.get(slug="kinderarmut")
    settings.ATLAS_DEFAULT_INDICATOR = "kinderarmut"
    shown = state("level=stadt&indicator=unbekannt&method=x&classes=9&year=zwei&embed=0&release=-1")
    assert (shown.level, shown.indicator, shown.method, shown.classes) == (
        "statistischer-bezirk", kinderarmut, kinderarmut.classification_method,
        kinderarmut.classification_classes,
    )  # fmt: skip
    assert (shown.year, shown.year_note) == ("2024", "")
    assert (shown.embed, shown.release) == (False, "")


def test_a_bezirk_view_shows_statistical_districts_whatever_level_is_asked_for():
    bezirk = District.objects.current().get(level__slug="stadtbezirk", code="1")
    assert state("level=stadtbezirk", within=bezirk).level == "statistischer-bezirk"


def test_the_selection_keeps_the_first_codes_the_chart_can_show():
    codes = [str(n) for n in range(11, 21)]
    assert state("sel=" + ",".join(codes) + ",,").selection == codes[:MAX_SELECTION]


def test_a_manual_classification_without_breaks_takes_the_indicator_s_own():
    indicator = Indicator.objects.get(slug="kinderarmut")
    indicator.classification_breaks = [10, 20.5]
    indicator.save()
    assert state("indicator=kinderarmut&method=manual").breaks == "10,20.5"
    assert state("indicator=kinderarmut&method=manual&breaks=1,2").breaks == "1,2"


def test_a_year_without_values_opens_the_nearest_earlier_one_and_says_so():
    shown = state("indicator=kinderarmut&year=2099")
    assert shown.year == "2024"
    assert "Für 2099 liegen noch keine Werte vor, gezeigt wird 2024." in shown.year_note
