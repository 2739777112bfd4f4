"""The vendored NRW age patterns (projections/assumptions/, see its README): what the model
scales to the city's own levels."""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ASSUMPTIONS = Path(__file__).resolve().parent / "assumptions"


@cache
def nrw_mortality() -> np.ndarray:
    """Yearly death probabilities (2 sexes, ages 0..100; 100 = 100 and over)."""
    table = pd.read_csv(ASSUMPTIONS / "nrw_mortality.csv")
    return table[["q_m", "q_w"]].to_numpy().T.copy()


@cache
def nrw_fertility() -> np.ndarray:
    """Births per woman and year at the mother's ages 15..49."""
    return pd.read_csv(ASSUMPTIONS / "nrw_fertility.csv")["asfr"].to_numpy().copy()


def life_expectancy(q: np.ndarray) -> np.ndarray:
    """Period life expectancy at every age from yearly death probabilities (deaths at
    mid-year, a0 = 0.1, the open top age lived 1 / its hazard years)."""
    survivors = np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
    lived = survivors - survivors * q * np.where(np.arange(q.size) == 0, 0.9, 0.5)
    lived[-1] = survivors[-1] / -np.log1p(-q[-1])
    return np.cumsum(lived[::-1])[::-1] / survivors


@cache
def new_build_occupants() -> np.ndarray:
    """People per newly built dwelling in its first year (2 sexes, cohort ages 0..100): the
    assumed profile of ``new_build_occupants.csv``, each band spread evenly over its ages."""
    table = pd.read_csv(ASSUMPTIONS / "new_build_occupants.csv")
    occupants = np.zeros((2, 101))
    for row in table.itertuples():
        ages = slice(row.age_from, row.age_to + 1)
        width = row.age_to - row.age_from + 1
        occupants[0, ages], occupants[1, ages] = row.m / width, row.w / width
    return occupants
