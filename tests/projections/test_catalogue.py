"""The indicators a projection continues name groups and quantiles the model computes."""

from projections.catalogue import PROJECTED, QUANTILE_FIELDS, projected_group
from projections.model import GROUPS, QUANTILES
from projections.overview import probability_text


def test_every_projected_indicator_names_a_planning_group():
    assert set(PROJECTED.values()) <= {name for name, _, _ in GROUPS}


def test_one_field_per_quantile_and_the_median_in_the_middle():
    assert len(QUANTILE_FIELDS) == len(QUANTILES)
    assert QUANTILE_FIELDS[QUANTILES.index(0.5)] == "median"


def test_an_indicator_not_continued_has_no_group():
    assert projected_group("einwohner") == "total"
    assert projected_group("sgb-ii-quote") is None


def test_a_shortfall_probability_is_never_shown_as_impossible_or_certain():
    assert probability_text(0.0) == "< 1 %"
    assert probability_text(0.004) == "< 1 %"
    assert probability_text(0.5) == "50 %"
    assert probability_text(0.99) == "99 %"
    assert probability_text(1.0) == "> 99 %"
    assert probability_text(None) == "–"
