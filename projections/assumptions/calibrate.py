#!/usr/bin/env python3
"""Write the vendored NRW schedules (``nrw_mortality.csv``, ``nrw_fertility.csv``) from the
published NRW figures in ``README.md``: parametric schedules calibrated to them, not the
official tables. Deterministic; run from the repository root:

    .venv/bin/python -m projections.assumptions.calibrate
"""

import csv
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from projections.schedules import life_expectancy

HERE = Path(__file__).resolve().parent
AGES = np.arange(101)  # 100 stands for 100 and over

# IT.NRW, allgemeine Sterbetafel NRW 2021/2023: life expectancy at birth and at 70, in years.
LIFE_EXPECTANCY = {"m": (77 + 11 / 12, 13 + 10 / 12), "w": (82 + 5 / 12, 16 + 5 / 12)}
# Held fixed, not calibrated (no NRW figure at hand): deaths in the first year of life per
# newborn, about Germany's in the 2020s, and the age-independent Makeham term.
INFANT_DEATH_PROBABILITY = {"m": 0.0034, "w": 0.0029}
MAKEHAM = {"m": 2.0e-4, "w": 1.5e-4}
# IT.NRW: total fertility rate of women aged 15–49 in NRW, 2023.
TOTAL_FERTILITY_RATE = 1.39
# Held fixed, not calibrated: mean and standard deviation of the mother's age at birth.
FERTILITY_MEAN_AGE, FERTILITY_SD = 31.5, 5.6
MOTHER_AGES = np.arange(15, 50)


def death_probabilities(sex: str, level: float, slope: float) -> np.ndarray:
    """q(x) by single age: a fixed infant value, then Gompertz–Makeham hazards; at 100 the
    yearly death probability of those aged 100 and over (the hazard at 100.5)."""
    hazard = MAKEHAM[sex] + np.exp(level + slope * (AGES + 0.5))
    q = 1 - np.exp(-hazard)
    q[0] = INFANT_DEATH_PROBABILITY[sex]
    return q


def calibrated_mortality(sex: str) -> np.ndarray:
    e0, e70 = LIFE_EXPECTANCY[sex]

    def misfit(parameters):
        level, slope = parameters
        e = life_expectancy(death_probabilities(sex, level, slope))
        return [e[0] - e0, e[70] - e70]

    level, slope = optimize.fsolve(misfit, [-10.0, 0.1], xtol=1e-12)
    assert max(abs(r) for r in misfit([level, slope])) < 1e-6, f"no fit for {sex}"
    return death_probabilities(sex, level, slope)


def calibrated_fertility() -> np.ndarray:
    """Age-specific fertility rates (births per woman and year) summing to the TFR: a gamma
    density over the exact ages [a, a+1) of the mother."""
    shape = (FERTILITY_MEAN_AGE / FERTILITY_SD) ** 2
    scale = FERTILITY_SD**2 / FERTILITY_MEAN_AGE
    mass = np.diff(stats.gamma.cdf(np.append(MOTHER_AGES, 50), shape, scale=scale))
    return TOTAL_FERTILITY_RATE * mass / mass.sum()


def main() -> None:
    mortality = {sex: calibrated_mortality(sex) for sex in LIFE_EXPECTANCY}
    with (HERE / "nrw_mortality.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["age", "q_m", "q_w"])
        for age in AGES:
            writer.writerow([age, f"{mortality['m'][age]:.8f}", f"{mortality['w'][age]:.8f}"])
    fertility = calibrated_fertility()
    with (HERE / "nrw_fertility.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["mother_age", "asfr"])
        for age, rate in zip(MOTHER_AGES, fertility, strict=True):
            writer.writerow([age, f"{rate:.8f}"])


if __name__ == "__main__":
    main()
