"""Need for places against today's supply, from a projection: Kita places, entry classes of
primary schools, people in need of care. Pure functions over arrays, and one selector
(``kita_places``) for the Kita places of the facility register.

Assumptions, each one named once here and stated on the method page:

- Kita: children under 3 × a demand quota (35, 45 or 50 %; parents in NRW asked for a place
  for 47.8 % of them in 2022, DJI-Kinderbetreuungsstudie) plus children from 3 to school age
  (the planning group 3–5) × 95 %, against the places of the Kitas open in the district at the
  end of the base year (``capacity`` in the facility register), held constant: the question
  is whether today's places will do.
- Probability of a shortfall: the share of trajectories whose need exceeds the places. Each
  planning age group the need counts (under 3, 3–5) has its trajectories first carried onto
  its published, calibrated quantiles (``onto_quantiles``), so that the probability agrees
  with the group's intervals: places at the group's 90 % quantile are short in about 10 % of
  the trajectories, whichever factor the backtest gave that group and horizon.
- Primary school entrants of the school year beginning in August of a year: the cohort aged 6
  at the end of that year (born six years before). NRW's cut-off (six by 30 September), early
  and deferred entries shift about a quarter of a cohort by a year; that is left out.
- Entry classes: class size 25 as the guide value, at most 29 and at least 15 pupils a class
  (the band for primary schools in the Verordnung zur Ausführung des § 93 Abs. 2 SchulG NRW,
  as we read it; not checked against the current text, so an assumption). Counted per
  district, as if its children went to one school: a planning figure, not a school's intake.
- People in need of care: age-specific care rates (Pflegequoten) of Germany in 2021, Destatis
  Pflegestatistik (GBE-Bund table "Pflegebedürftige, Anzahl und Quote"): under 75 2.3 %,
  75–84 23.9 %, 85–89 54.1 %, 90 and over 81.6 %; held constant, or rising by 1 % (relative)
  a year, an assumption standing for longer lives in need of care and more people applying.
"""

import datetime

import numpy as np

from districts.models import District
from facilities.selectors import supply_by_district
from projections.register import AGES

KITA_QUOTAS = (0.35, 0.45, 0.50)
OVER_THREE_QUOTA = 0.95
CLASS_GUIDE, CLASS_MAX, CLASS_MIN = 25, 29, 15
ENTRY_AGE = 6
CARE_BANDS = ((0, 74, 0.023), (75, 84, 0.239), (85, 89, 0.541), (90, 100, 0.816))
CARE_RISE = 0.01
CARE_VARIANTS = ("konstant", "steigend")


def kita_need(under_three: np.ndarray, three_to_school: np.ndarray, quota: float) -> np.ndarray:
    """Places needed: children under 3 × the quota plus children from 3 to school age × 95 %."""
    return np.asarray(under_three) * quota + np.asarray(three_to_school) * OVER_THREE_QUOTA


def onto_quantiles(trajectories: np.ndarray, raw: np.ndarray, published: np.ndarray) -> np.ndarray:
    """Trajectories (first axis, then any shape …) carried onto the published quantiles: the
    monotone map, piecewise linear, that takes each raw quantile (…, Q) of the trajectories to
    the published one (…, Q) of the same level, beyond the outermost ones the distance from
    them scaled as the outermost interval was around the median; never below zero. A
    trajectory at the raw 90 % quantile lands on the published one, so the share of
    trajectories above a published quantile is its level's, as calibrated."""
    x = np.asarray(trajectories, dtype=np.float64)
    raw = np.asarray(raw, dtype=np.float64)
    published = np.asarray(published, dtype=np.float64)
    q = raw.shape[-1]
    median = raw[..., q // 2]

    def ratio(end: int) -> np.ndarray:
        # Published over raw distance from the median at the outermost quantile: the widest
        # interval's factor (less at the low end where the calibration cut it at zero).
        raw_half = raw[..., end] - median
        safe = np.where(raw_half == 0, 1.0, raw_half)
        return np.where(raw_half == 0, 1.0, (published[..., end] - published[..., q // 2]) / safe)

    # The segment between two raw quantiles each trajectory lies in (1 … Q − 1).
    segment = np.clip((x[..., None] > raw).sum(axis=-1), 1, q - 1)
    x0, x1, y0, y1 = (
        np.take_along_axis(np.broadcast_to(a, (*x.shape, q)), s[..., None], axis=-1)[..., 0]
        for a in (raw, published)
        for s in (segment - 1, segment)
    )
    width = x1 - x0
    inside = y0 + np.where(width > 0, (y1 - y0) / np.where(width > 0, width, 1.0), 0.0) * (x - x0)
    above = published[..., -1] + ratio(-1) * (x - raw[..., -1])
    below = published[..., 0] + ratio(0) * (x - raw[..., 0])
    mapped = np.where(x > raw[..., -1], above, np.where(x < raw[..., 0], below, inside))
    return np.maximum(mapped, 0.0)


def shortfall_probability(need: np.ndarray, places: np.ndarray) -> np.ndarray:
    """Share of trajectories (first axis of ``need``, then year, …) in which the need exceeds
    the places (broadcast against a trajectory's shape); unknown places (NaN) give NaN."""
    need = np.asarray(need, dtype=np.float64)
    places = np.asarray(places, dtype=np.float64)
    probability = (need > places).mean(axis=0)
    return np.where(np.isnan(places), np.nan, probability)


def entry_classes(entrants: np.ndarray) -> np.ndarray:
    """Entry classes for a number of entrants: as near to 25 a class as the band 15–29 allows,
    at least one class where there is a child (fewer than 15 make one small class)."""
    n = np.rint(np.asarray(entrants, dtype=np.float64))
    fewest = np.ceil(n / CLASS_MAX)
    most = np.floor(n / CLASS_MIN)
    guide = np.floor(n / CLASS_GUIDE + 0.5)  # round half up, as one counts classes
    classes = np.maximum(fewest, np.minimum(most, guide))
    return np.where(n > 0, np.maximum(classes, 1), 0).astype(np.int64)


def care_rates(years_ahead: int = 0, rising: bool = False) -> np.ndarray:
    """Care rate by single age 0–100 (``CARE_BANDS``), after ``years_ahead`` years of rise."""
    rates = np.zeros(AGES.size)
    for low, high, rate in CARE_BANDS:
        rates[low : high + 1] = rate
    if rising:
        rates = rates * (1 + CARE_RISE) ** years_ahead
    return np.minimum(rates, 1.0)


def care_need(population: np.ndarray, rising: bool = False) -> np.ndarray:
    """People in need of care from the population by year and single age (H, …, 101), the
    first axis counting the years ahead from 1."""
    population = np.asarray(population, dtype=np.float64)
    return np.stack([population[h] @ care_rates(h + 1, rising) for h in range(population.shape[0])])


def kita_places(*, year: int, codes) -> dict[str, int | None]:
    """District code → Kita places (``capacity``) of the Kitas open on 31 December of the year
    in the statistical district; None where a Kita there has no capacity on record."""
    districts = District.objects.valid_on(datetime.date(year, 12, 31)).filter(
        level__slug="statistischer-bezirk", code__in=list(codes)
    )
    ids = dict(districts.values_list("id", "code"))
    supply = supply_by_district(type_slug="kita", year=year, district_ids=list(ids))
    return {ids[i]: s.places for i, s in supply.items()}
