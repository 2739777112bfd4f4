"""The demo register files (fixtures/bottrop/register/): they balance and agree with the
published demo indicators."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from projections.register import read_register_files

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop"


@pytest.fixture(scope="module")
def register():
    return read_register_files(DEMO / "register")


@pytest.fixture(scope="module")
def indicators():
    """District values of the demo indicators, (indicator, code, year) → numerator or value."""
    frame = pd.read_csv(DEMO / "observations.csv", dtype={"code": str})
    frame = frame[frame["level"] == "statistischer-bezirk"]
    keys = frame[["indicator", "code", "year"]].itertuples(index=False, name=None)
    return dict(zip(keys, frame["numerator"].fillna(frame["value"]), strict=True))


def district_totals(indicators, slug, register) -> np.ndarray:
    return np.array(
        [
            [indicators[(slug, code, int(year))] for code in register.codes]
            for year in register.years
        ]
    )


def test_the_register_covers_2012_to_2024_for_17_districts(register):
    assert (register.years[0], register.years[-1], len(register.codes)) == (2012, 2024, 17)


def test_every_district_balances_every_year(register):
    for k in range(1, len(register.years)):
        imbalance = register.imbalance(k)
        assert not imbalance.any(), f"{register.years[k]}: {np.abs(imbalance).sum()} off"


def test_no_count_is_negative(register):
    for name in ("population", "deaths", "moves_in", "moves_out", "births", "within"):
        assert (getattr(register, name) >= 0).all(), name


def test_nobody_moves_between_a_district_and_itself(register):
    diagonal = np.einsum("yiisa->yisa", register.within)
    assert not diagonal.any()


def test_the_population_is_the_published_einwohner(register, indicators):
    population = register.population.sum(axis=(2, 3))
    assert (population == district_totals(indicators, "einwohner", register)).all()


@pytest.mark.parametrize(
    ("slug", "counts"),
    [
        ("geburtenrate", lambda r: r.births.sum(axis=(2, 3))),
        ("sterberate", lambda r: r.deaths.sum(axis=(2, 3))),
        ("zuzuege", lambda r: r.moves_in.sum(axis=(2, 3))),
        ("fortzuege", lambda r: r.moves_out.sum(axis=(2, 3))),
    ],
)
def test_the_events_are_the_published_counts(register, indicators, slug, counts):
    assert (counts(register) == district_totals(indicators, slug, register)).all()


@pytest.mark.parametrize("sex", ["m", "w"])
def test_the_ten_year_age_groups_are_the_published_ones(register, indicators, sex):
    stock = register.population[:, :, 0 if sex == "m" else 1]
    for low in range(0, 100, 10):
        slug = f"bevoelkerung-{sex}-{low}-{'plus' if low == 90 else low + 9}"
        group = stock[..., low:].sum(axis=-1) if low == 90 else stock[..., low : low + 10].sum(-1)
        assert (group == district_totals(indicators, slug, register)).all(), slug


@pytest.mark.parametrize(
    ("slug", "low", "high"), [("kinder-unter-3", 0, 2), ("kinder-3-bis-5", 3, 5)]
)
def test_the_kita_age_groups_are_the_register_ages_summed(register, indicators, slug, low, high):
    """The projection continues these two indicators from the register's ages: an observed year
    and a projected one must count the same people."""
    group = register.population[..., low : high + 1].sum(axis=(2, 3))
    assert (group == district_totals(indicators, slug, register)).all()


def test_moves_within_the_city_change_the_districts_age_structure(register):
    """The demo's moves between districts are no zero-sum at every age: families leave the
    centre, young adults come to it."""
    net = register.within.sum(axis=1) - register.within.sum(axis=2)  # (year, district, sex, age)
    altstadt = register.codes.index("11")
    children = net[:, altstadt, :, 0:6].sum()
    young_adults = net[:, altstadt, :, 19:27].sum()
    assert children < 0 < young_adults
