"""Register data as arrays: what the projection model reads, from the database or from files.

Every count is indexed by (year, district, sex, age), ages 0..100 with 100 standing for 100 and
over, sexes 0 = male (``m``), 1 = female (``w``). Ages are the register's cohort ages: reference
year − year of birth, for the stock on 31 December and for every event of the year. With that
convention a district's stock balances exactly:

    P(t, a) = P(t−1, a−1) + births(t)·[a = 0] − deaths(t, a) + in(t, a) − out(t, a)
              + from other districts(t, a) − to other districts(t, a)

No Django here: the model, the backtest and the benchmark use this without a database.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

TOP_AGE = 100
AGES = np.arange(TOP_AGE + 1)
MOTHER_AGES = np.arange(15, 50)
SEXES = ("m", "w")
COUNTS = ("population", "deaths", "moves_in", "moves_out")


@dataclass(frozen=True)
class Register:
    years: np.ndarray  # (Y,) consecutive reference years
    codes: tuple[str, ...]  # (D,) district codes
    population: np.ndarray  # (Y, D, 2, 101) on 31 Dec
    deaths: np.ndarray  # (Y, D, 2, 101) in the year
    moves_in: np.ndarray  # (Y, D, 2, 101) from outside the city
    moves_out: np.ndarray  # (Y, D, 2, 101) to outside the city
    births: np.ndarray  # (Y, D, 2 sexes of the child, 35 mothers' ages 15..49)
    within: np.ndarray  # (Y, D from, D to, 2, 101) between the districts

    def year_index(self, year: int) -> int:
        return int(year - self.years[0])

    def until(self, year: int) -> "Register":
        """The register as it stood after ``year``: what a projection from that base may see."""
        k = self.year_index(year) + 1
        return Register(self.years[:k], self.codes, *(getattr(self, n)[:k] for n in ARRAYS))

    def aged_on(self, k: int) -> np.ndarray:
        """Year k−1's stock one year older, with year k's births at age 0 (D, 2, 101)."""
        previous = self.population[k - 1]
        aged = np.zeros_like(previous)
        aged[..., 1:] = previous[..., :-1]
        aged[..., -1] += previous[..., -1]
        aged[..., 0] += self.births[k].sum(axis=-1)
        return aged

    def imbalance(self, k: int) -> np.ndarray:
        """Year k's stock minus what year k−1's stock and year k's events explain (D, 2, 101):
        zero everywhere in a consistent register."""
        within = self.within[k]
        flows = self.moves_in[k] - self.moves_out[k] + within.sum(axis=0) - within.sum(axis=1)
        return self.population[k] - (self.aged_on(k) - self.deaths[k] + flows)


ARRAYS = ("population", "deaths", "moves_in", "moves_out", "births", "within")


def register_from_frames(
    cells: pd.DataFrame, births: pd.DataFrame, within: pd.DataFrame
) -> Register:
    """Arrays from three tables with the columns of the register files (sex ``m``/``w``; codes
    as text). Cells a table leaves out are zero."""
    years = np.arange(int(cells["year"].min()), int(cells["year"].max()) + 1)
    codes = tuple(sorted(cells["code"].astype(str).unique()))
    y, d = len(years), len(codes)
    code_index = {code: i for i, code in enumerate(codes)}
    sex_index = {sex: i for i, sex in enumerate(SEXES)}

    def index(frame: pd.DataFrame, column: str) -> np.ndarray:
        return frame[column].astype(str).map(code_index).to_numpy()

    def place(shape, frame, keys, value) -> np.ndarray:
        array = np.zeros(shape, dtype=np.int64)
        np.add.at(array, tuple(keys), frame[value].to_numpy(dtype=np.int64))
        return array

    year_of = cells["year"].to_numpy() - years[0]
    sex_of = cells["sex"].map(sex_index).to_numpy()
    keys = [year_of, index(cells, "code"), sex_of, cells["age"].to_numpy()]
    arrays = {name: place((y, d, 2, AGES.size), cells, keys, name) for name in COUNTS}
    birth_keys = [
        births["year"].to_numpy() - years[0],
        index(births, "code"),
        births["sex"].map(sex_index).to_numpy(),
        births["mother_age"].to_numpy() - MOTHER_AGES[0],
    ]
    arrays["births"] = place((y, d, 2, MOTHER_AGES.size), births, birth_keys, "births")
    within_keys = [
        within["year"].to_numpy() - years[0],
        index(within, "from_code"),
        index(within, "to_code"),
        within["sex"].map(sex_index).to_numpy(),
        within["age"].to_numpy(),
    ]
    arrays["within"] = place((y, d, d, 2, AGES.size), within, within_keys, "moves")
    return Register(years, codes, **arrays)


def read_register_files(directory: Path) -> Register:
    """The register as the demo generator writes it (fixtures/bottrop/register/)."""
    text = {"code": str, "from_code": str, "to_code": str, "sex": str}
    return register_from_frames(
        pd.read_csv(directory / "population.csv", dtype=text),
        pd.read_csv(directory / "births.csv", dtype=text),
        pd.read_csv(directory / "moves_within.csv", dtype=text),
    )
