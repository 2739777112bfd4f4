"""A read pinned to a release (``as_of``) sees what was published up to it, and only that read."""

import datetime

import pytest
from django.utils import timezone

from core.datastate import one_state_per_request
from districts.models import District, Level
from indicators.models import Indicator, Observation, Release
from indicators.payloads import values_payload
from indicators.selectors import available_years, level_values

pytestmark = pytest.mark.django_db

YEAR = 2023


@pytest.fixture
def demo():
    return Release.objects.get(status=Release.Status.PUBLISHED)


def publish(indicator: Indicator, district: District, value: float, year: int = YEAR) -> Release:
    """A release published now with one value."""
    release = Release.objects.create(
        title=f"Korrektur {value}", status=Release.Status.PUBLISHED, published_at=timezone.now()
    )
    Observation.objects.create(
        release=release, indicator=indicator, district=district, year=year,
        reference_date=datetime.date(year, 12, 31), value=value,
    )  # fmt: skip
    return release


def altstadt() -> District:
    return District.objects.current().get(level__slug="statistischer-bezirk", code="11")


def value_11(values) -> float:
    return next(a.cell.value for a in values.areas if a.code == "11")


@pytest.mark.parametrize("kept", [False, True], ids=["uncached", "kept-across-requests"])
def test_reads_as_of_two_releases_in_one_thread_see_each_their_own(demo, kept):
    einwohner = Indicator.objects.get(slug="einwohner")
    level = Level.objects.get(slug="statistischer-bezirk")
    before = value_11(level_values(indicator=einwohner, level=level, year=YEAR))
    publish(einwohner, altstadt(), before + 100)

    def read(as_of):
        return value_11(level_values(indicator=einwohner, level=level, year=YEAR, as_of=as_of))

    def reads():
        return [read(demo.published_at), read(None), read(demo.published_at), read(None)]

    if kept:
        with one_state_per_request():
            seen = reads()
    else:
        seen = reads()
    assert seen == [before, before + 100, before, before + 100]


def test_a_year_published_after_the_pinned_release_is_not_among_its_years(demo):
    einwohner = Indicator.objects.get(slug="einwohner")
    years = available_years(indicator=einwohner)
    publish(einwohner, altstadt(), 1.0, year=years[-1] + 1)
    with one_state_per_request():
        pinned = available_years(indicator=einwohner, as_of=demo.published_at)
        now = available_years(indicator=einwohner)
    assert (pinned, now) == (years, [*years, years[-1] + 1])


def test_a_pinned_social_index_is_computed_from_the_core_values_of_its_release(demo):
    status = Indicator.objects.get(slug="sozialindex-status")
    level = Level.objects.get(slug="statistischer-bezirk")

    def index(as_of=None):
        values = level_values(indicator=status, level=level, year=YEAR, as_of=as_of)
        return {a.code: a.cell.value for a in values.areas if a.has_value}

    before = index()
    publish(Indicator.objects.get(slug="kinderarmut"), altstadt(), 0.0)
    with one_state_per_request():
        assert index() != before
        assert index(demo.published_at) == before


def test_two_values_payloads_as_of_different_releases_in_one_thread_stay_apart(demo):
    einwohner = Indicator.objects.get(slug="einwohner")
    level = Level.objects.get(slug="statistischer-bezirk")

    def altstadt_value(as_of):
        payload = values_payload(indicator=einwohner, level=level, year=YEAR, as_of=as_of)
        return next(row["value"] for row in payload["values"] if row["code"] == "11")

    before = altstadt_value(None)
    correction = publish(einwohner, altstadt(), before + 100)
    with one_state_per_request():
        seen = [altstadt_value(demo.published_at), altstadt_value(correction.published_at)]
        seen.append(altstadt_value(demo.published_at))
    assert seen == [before, before + 100, before]
