"""The indicators a projection continues name groups and quantiles the model computes."""

from projections.catalogue import PROJECTED, QUANTILE_FIELDS, projected_group
from projections.model import GROUPS, QUANTILES


def test_every_projected_indicator_names_a_planning_group():
    assert set(PROJECTED.values()) <= {name for name, _, _ in GROUPS}


def test_one_field_per_quantile_and_the_median_in_the_middle():
    assert len(QUANTILE_FIELDS) == len(QUANTILES)
    assert QUANTILE_FIELDS[QUANTILES.index(0.5)] == "median"


def test_an_indicator_not_continued_has_no_group():
    assert projected_group("einwohner") == "total"
    assert projected_group("sgb-ii-quote") is None
