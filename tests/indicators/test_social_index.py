import pytest

from indicators.models import Indicator
from indicators.selectors import available_years, year_table
from indicators.social_index import (
    dynamics_group,
    dynamics_index,
    standardise,
    status_group,
    status_index,
)


def test_standardising_gives_z_values():
    # mean 4, population standard deviation sqrt(((2-4)² + 0 + (6-4)²) / 3) = 1.633
    z = standardise({"a": 2.0, "b": 4.0, "c": 6.0})
    assert z == pytest.approx({"a": -1.224745, "b": 0.0, "c": 1.224745})


def test_the_status_index_is_the_mean_z_value_of_districts_with_every_core_value():
    core = {
        "arbeitslos": {"a": 2.0, "b": 4.0, "c": 6.0, "d": 9.0},
        "sgb2": {"a": 10.0, "b": 30.0, "c": 20.0},  # d has no published value
    }
    # a: (−1.2247 + −1.2247) / 2, b: (0 + 1.2247) / 2, c: (1.2247 + 0) / 2; d: none
    assert status_index(core) == pytest.approx({"a": -1.224745, "b": 0.612372, "c": 0.612372})


def test_the_dynamics_index_standardises_the_changes():
    start = {"x": {"a": 5.0, "b": 5.0, "c": 5.0}}
    end = {"x": {"a": 4.0, "b": 5.0, "c": 6.0}}  # changes −1, 0, +1
    assert dynamics_index(start, end) == pytest.approx({"a": -1.224745, "b": 0.0, "c": 1.224745})


@pytest.mark.django_db
def test_the_demo_status_index_ranks_altstadt_worst_and_averages_zero():
    indicator = Indicator.objects.get(slug="sozialindex-status")
    table = year_table(indicator=indicator, year=2023)
    districts = table.of_level("statistischer-bezirk")
    values = {a.name: a.cell.value for a in districts}
    assert len(values) == 17
    assert max(values, key=values.get) == "Altstadt"
    assert sum(values.values()) == pytest.approx(0, abs=1e-4)
    assert table.city.cell.status == "x"  # an index is not rolled up


@pytest.mark.django_db
def test_a_district_with_a_withheld_core_value_gets_no_index():
    # Kirchhellen-Nord-West has 5 poor children in 2023: below a threshold of 10.
    Indicator.objects.filter(slug="kinderarmut").update(disclosure_threshold=10)
    indicator = Indicator.objects.get(slug="sozialindex-status")
    table = year_table(indicator=indicator, year=2023)
    indexed = {a.name for a in table.of_level("statistischer-bezirk") if a.has_value}
    assert len(indexed) >= 13
    assert "Kirchhellen-Nord-West" not in indexed


@pytest.mark.django_db
def test_the_dynamics_index_starts_two_years_after_the_data():
    indicator = Indicator.objects.get(slug="sozialindex-dynamik")
    assert available_years(indicator=indicator)[0] == 2014


@pytest.mark.parametrize(
    ("z", "status", "dynamics"),
    [(-1.01, "high", "positive"), (-1.0, "medium", "stable"), (0.99, "medium", "stable"),
     (1.0, "low", "stable"), (1.01, "low", "negative"), (1.5, "very_low", "negative")],
)  # fmt: skip
def test_the_groups_follow_the_berlin_limits_of_the_standardised_index(z, status, dynamics):
    assert (status_group(z), dynamics_group(z)) == (status, dynamics)
