"""Every legend the atlas serves is checked: limits from the smallest to the largest value,
strictly increasing, no empty class unless the method defines one, one class per value when
there are no more values than classes.
"""

import itertools
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.datastate import one_state_per_request
from districts.models import Level
from indicators.classify import METHODS, classification_problem, classify
from indicators.models import CLASS_COUNTS, MAX_CLASSES, MIN_CLASSES, Indicator
from indicators.payloads import area_dict
from indicators.selectors import available_years, indicator_levels, level_values

values = st.lists(
    st.one_of(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=32),
        # Few distinct values, many ties: the cases where classes collapse.
        st.sampled_from([0.0, 1.0, 2.5, 42.0, 99.5]),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    data=values, method=st.sampled_from(sorted(METHODS)), k=st.integers(MIN_CLASSES, MAX_CLASSES)
)
def test_every_method_gives_a_valid_legend_for_any_values(data, method, k):
    classes = classify(data, method=method, k=k, palette_name="Blues")
    assert classification_problem(classes, data, k=k) == ""


def test_standard_deviation_of_a_compact_set_gives_the_asked_classes_inside_the_data():
    # Durchschnittsalter 2024 by Statistischer Bezirk: every value within two σ of the mean.
    data = [42.0, 42.6, 43.1, 43.5, 43.9, 44.2, 44.6, 45.0, 45.3, 45.9, 46.4, 47.0]
    classes = classify(data, method="std_mean", k=5, palette_name="Blues")
    assert (classes.lower, classes.breaks[-1], len(classes.breaks)) == (42.0, 47.0, 5)


def test_natural_breaks_with_as_many_classes_as_values_gives_one_class_per_value():
    data = [3064.0, 1926.0, 1933.0, 2097.0, 2115.0, 2500.0, 3064.0]
    classes = classify(data, method="natural_breaks", k=6, palette_name="Blues")
    assert classes.breaks == [1926.0, 1933.0, 2097.0, 2115.0, 2500.0, 3064.0]


def test_quantiles_leave_no_empty_class_between_close_quantiles():
    data = [1.0, 2.0, 3.0, 100.0]
    classes = classify(data, method="quantiles", k=3, palette_name="Blues")
    assert 0 not in classes.counts


def test_standard_deviation_fills_every_class_where_a_smaller_step_does():
    # Bevölkerungsentwicklung 2013: whole σ left the class 99,5 – 99,5 empty.
    data = [99.5, 99.6, 99.6, 99.65, 99.7, 99.8, 99.85, 99.9, 100.0, 100.1, 100.2, 100.22]
    classes = classify(data, method="std_mean", k=5, palette_name="Blues")
    assert 0 not in classes.counts


def test_equal_interval_keeps_an_empty_class_and_counts_it_as_zero():
    classes = classify([0.0, 1.0, 9.0, 10.0], method="equal_interval", k=3, palette_name="Blues")
    assert classes.counts == [2, 0, 2]


# Reading all 2,618 indicator × level × year tables of the demo data takes about 30 s; the
# suite takes a seeded sample of them, the same every run. CLASSIFY_SWEEP=all reads them all.
SAMPLE = None if os.environ.get("CLASSIFY_SWEEP") == "all" else 300


def _demo_cases():
    """A seeded sample of the indicator × level × year tables of the demo data, with values."""
    levels = {level.slug: level for level in Level.objects.all()}
    indicators = Indicator.objects.in_bulk()
    tables = [
        (indicators[indicator_id], slug, year)
        for indicator_id, slugs in sorted(indicator_levels().items())
        for slug, year in itertools.product(
            slugs, available_years(indicator=indicators[indicator_id])
        )
    ]
    for indicator, slug, year in random.Random(17).sample(
        tables, len(tables) if SAMPLE is None else min(SAMPLE, len(tables))
    ):
        result = level_values(indicator=indicator, level=levels[slug], year=year)
        # Exactly what the API classifies: the published values, withheld cells left out.
        data = [v for a in result.areas if (v := area_dict(a, indicator)["value"]) is not None]
        if data:
            yield indicator, slug, year, data


def _invalid(cases, combinations):
    return [
        f"{indicator.slug} {slug} {year} {method} {k}: {problem}"
        for indicator, slug, year, data in cases
        for method, k in combinations(indicator)
        if (problem := classification_problem(
            classify(data, method=method, k=k, palette_name=indicator.palette), data, k=k
        ))
    ]  # fmt: skip


@pytest.fixture(scope="module")
def demo_cases(django_db_setup, django_db_blocker):
    """The sample read once for the tests below, as one request reads it (each year's table
    built once for all levels): the demo data they read is the same for both."""
    with django_db_blocker.unblock(), one_state_per_request():
        return list(_demo_cases())


@pytest.mark.django_db
@pytest.mark.xdist_group("demo-legends")  # one worker reads the sample for both
def test_every_default_legend_of_the_demo_data_is_valid(demo_cases):
    cases = demo_cases
    invalid = _invalid(cases, lambda i: [(i.classification_method, i.classification_classes)])
    assert invalid == [], f"{len(invalid)} von {len(cases)} Standardlegenden ungültig"


@pytest.mark.django_db
@pytest.mark.xdist_group("demo-legends")
def test_every_method_and_class_count_of_the_demo_data_gives_a_valid_legend(demo_cases):
    cases = demo_cases
    every = list(itertools.product(sorted(METHODS), CLASS_COUNTS))
    invalid = _invalid(cases, lambda i: every)
    assert invalid == [], f"{len(invalid)} von {len(cases) * len(every)} Legenden ungültig"
