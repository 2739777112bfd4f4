"""The rates a projection runs on, estimated from the register up to its base year.

- Mortality: the NRW schedule (``schedules.nrw_mortality``) × a city mortality ratio per sex and
  broad age band (the NRW pattern is assumed, and Bottrop's oldest need not die as the NRW
  pattern says relative to its younger) × a district level shrunk toward 1 by empirical Bayes
  (the backtest showed the districts' differences in mortality too large to leave out). The
  ratio's trend: the yearly decline of the city's ratio over up to ``MORTALITY_TREND_YEARS``
  event years, shrunk toward the assumed ``MORTALITY_IMPROVEMENT``; the ratio is carried from
  the middle of the base period to the base year along it, and the model continues it.
- Fertility: the NRW age pattern × a city level × a district multiplier shrunk toward 1 by
  empirical Bayes (Poisson–gamma, moments as in Clayton & Kaldor 1987).
- Migration, four flows by district, sex and age: out of the city and into another district
  (rates per inhabitant), into the district from outside the city (per inhabitant of the whole
  district, so that newcomers do not depend on who already lives there), and where those who
  move within the city go (by origin and broad age band). Each is smoothed over age (events and
  exposures kernel-smoothed separately, the ratio of the two; narrow kernels where rates change
  fast, wide ones in old age) and shrunk toward the city: the district's level by empirical
  Bayes, then each age toward the city's age pattern at that level, with the district's own
  smoothed exposure as its weight. How the levels wander from year to year is split, for moves
  in and out of the city, into the city's common part (``common_spread``: waves that reach all
  districts at once, the register's estimate combined with an assumed spread) and each
  district's own (``own_spread``).

Ages are cohort ages (``projections.register``). Events of year t by cohort age a happen to
the people aged a − 1 at the end of year t − 1 (for a = 0: the year's births), which is their
exposure. No Django here.
"""

from dataclasses import dataclass

import numpy as np

from projections.register import AGES, MOTHER_AGES, Register
from projections.schedules import nrw_fertility, nrw_mortality

BASE_PERIOD = 5  # event years the rates are estimated from (fewer where the register is short)
# Each earlier base year counts this much less than the one after it. The backtest on the demo
# register did best with equal weights (1.0); 0.5 and 0.7 did worse beyond three years.
YEAR_WEIGHT = 1.0
PRIOR_EXPOSURE = 150.0  # person-years an age's city pattern counts against the district's own
# Broad age bands in which the destinations of moves within the city are counted.
DESTINATION_BANDS = np.array([0, 18, 30, 50, 65, 101])
DESTINATION_PRIOR = 20.0  # moves the city's pattern of destinations counts per origin and band
# Mortality: start ages at which the bands of the city's ratio begin, and the deaths the
# sex's overall ratio counts in each band against the band's own.
MORTALITY_BANDS = np.array([0, 65, 80, 90, 101])
MORTALITY_PRIOR_DEATHS = 50.0
# The trend of mortality: the yearly decline of death probabilities assumed where the register
# says little (about the pace at which NRW's life expectancy rose from the 1990s to the 2010s,
# some 0.2 years a year), how far the city's own trend may pull away from it (sd of the prior),
# over how many event years that trend is read, and the city's year-to-year spread of its
# mortality ratio beyond Poisson noise (flu seasons, heat), an assumption.
MORTALITY_IMPROVEMENT = 0.015
MORTALITY_IMPROVEMENT_SD = 0.01
MORTALITY_TREND_YEARS = 10
MORTALITY_YEARLY_SD = 0.03
# Migration waves move all districts at once (the 2015/16 refugee immigration, 2022). The sd of
# the city's log rate of newcomers and of moves out from year to year assumed where the
# register says little (an assumption: German cities' in-migration moved by some 5–10 % a
# year in the waves, moves out less), and how many years of the register's own spread it
# counts as.
COMMON_PRIOR_SD = {"arrivals": 0.06, "out": 0.03}
COMMON_PRIOR_YEARS = 4


def kernel(ages: np.ndarray = AGES) -> np.ndarray:
    """Gaussian smoothing weights (age × age): 1.2 years wide at 15–30, where migration changes
    fastest, up to 4 years in old age; newborns (age 0) are kept apart."""
    width = np.interp(ages, [0, 15, 30, 50, 80, 100], [1.5, 1.2, 1.2, 2.5, 4.0, 4.0])
    weights = np.exp(-0.5 * ((ages[None, :] - ages[:, None]) / width[:, None]) ** 2)
    weights[0, 1:] = weights[1:, 0] = 0.0
    return weights


KERNEL = kernel()


def aged_on(population: np.ndarray, births: np.ndarray) -> np.ndarray:
    """(…, 2, 101) stock one year older, the births (…, 2) at age 0."""
    aged = np.zeros_like(population)
    aged[..., 1:] = population[..., :-1]
    aged[..., -1] += population[..., -1]
    aged[..., 0] = births
    return aged


@dataclass(frozen=True)
class Shrunk:
    rates: np.ndarray  # (D, 2, 101) or (D, …)
    level: np.ndarray  # (D,) district level relative to the city
    level_sd: np.ndarray  # (D,) posterior sd of the log level
    yearly_sd: float  # sd of a district's own log level from year to year, beyond Poisson noise
    # sd of the city's log level from year to year, common to all districts (``common_spread``)
    common_sd: float = 0.0


def empirical_bayes(observed: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """District levels θ = (O + α) / (E + β) under a gamma prior with mean 1 fitted by moments;
    returns (θ, posterior sd of log θ)."""
    ratio = observed / np.maximum(expected, 1e-9)
    mean = observed.sum() / max(expected.sum(), 1e-9)
    spread = (expected * (ratio - mean) ** 2).sum() / max(expected.sum(), 1e-9)
    variance = max(spread - mean / max(expected.mean(), 1e-9), 1e-6)
    alpha, beta = mean**2 / variance, mean / variance
    shape = observed + alpha
    return shape / (expected + beta), 1 / np.sqrt(shape)


def yearly_spread(observed: np.ndarray, expected: np.ndarray) -> float:
    """The sd of log(O/E) of district-years beyond what Poisson noise explains (pooled)."""
    keep = (expected > 5) & (observed > 0)
    if keep.sum() < 3:
        return 0.0
    logs = np.log(observed[keep] / expected[keep])
    excess = logs.var() - np.mean(1 / observed[keep])
    return float(np.sqrt(max(excess, 0.0)))


def common_spread(observed: np.ndarray, expected: np.ndarray, prior_sd: float) -> float:
    """The sd of the city's log(O/E) from year to year (``observed``, ``expected``: years ×
    districts) beyond Poisson noise: what moves all districts at once. A base period of a few
    calm years says little about waves, so the estimate is combined with ``prior_sd`` counted
    as ``COMMON_PRIOR_YEARS`` years (a scaled inverse-χ² prior)."""
    city_observed, city_expected = observed.sum(axis=1), expected.sum(axis=1)
    keep = (city_expected > 5) & (city_observed > 0)
    n = int(keep.sum())
    excess = 0.0
    if n >= 2:
        logs = np.log(city_observed[keep] / city_expected[keep])
        excess = max(logs.var(ddof=1) - np.mean(1 / city_observed[keep]), 0.0)
    freedom = max(n - 1, 0)
    variance = (COMMON_PRIOR_YEARS * prior_sd**2 + freedom * excess) / (
        COMMON_PRIOR_YEARS + freedom
    )
    return float(np.sqrt(variance))


def own_spread(observed: np.ndarray, expected: np.ndarray) -> float:
    """``yearly_spread`` of the districts around their city's year (years × districts): the
    part of their yearly wandering that ``common_spread`` does not already draw."""
    city = observed.sum(axis=1, keepdims=True) / np.maximum(
        expected.sum(axis=1, keepdims=True), 1e-9
    )
    return yearly_spread(observed, expected * city)


def weighted_sum(values: np.ndarray) -> np.ndarray:
    """Sum over the base years (first axis), the latest counting most (``YEAR_WEIGHT``)."""
    weights = YEAR_WEIGHT ** np.arange(len(values))[::-1]
    return np.tensordot(weights * len(values) / weights.sum(), values, axes=1)


def smoothed_shrunk(events: np.ndarray, exposure: np.ndarray, common_prior_sd=None) -> Shrunk:
    """Rates by district, sex and age from events and exposures (year, D, 2, 101); with
    ``common_prior_sd`` the yearly wandering is split into the city's (``common_spread``) and
    each district's own (``own_spread``), else it is all the district's."""
    ev, ex = weighted_sum(events), weighted_sum(exposure)  # (D, 2, A)
    ev_s, ex_s = ev @ KERNEL.T, ex @ KERNEL.T
    city = ev_s.sum(axis=0) / np.maximum(ex_s.sum(axis=0), 1e-9)  # (2, A)
    expected = (ex * city).sum(axis=(1, 2))
    level, level_sd = empirical_bayes(ev.sum(axis=(1, 2)), expected)
    prior = level[:, None, None] * city
    rates = (ev_s + PRIOR_EXPOSURE * prior) / (ex_s + PRIOR_EXPOSURE)
    yearly_expected = (exposure * rates).sum(axis=(2, 3))
    observed = events.sum(axis=(2, 3))
    if common_prior_sd is None:
        return Shrunk(rates, level, level_sd, yearly_spread(observed, yearly_expected))
    common = common_spread(observed, yearly_expected, common_prior_sd)
    return Shrunk(rates, level, level_sd, own_spread(observed, yearly_expected), common)


def _by_start_age(deaths: np.ndarray) -> np.ndarray:
    """Deaths by cohort age (…, 101) → by age at the start of the year (…, 101); those of
    cohort age 100 are counted at 99 (they were 99 or 100 at the start)."""
    shifted = np.zeros(deaths.shape, dtype=float)
    shifted[..., :-1] = deaths[..., 1:]
    return shifted


def band_ratios(start: np.ndarray, deaths: np.ndarray) -> np.ndarray:
    """The city's deaths against the NRW schedule (2, 101): a ratio per sex and age band
    (``MORTALITY_BANDS``), each shrunk toward the sex's overall ratio by
    ``MORTALITY_PRIOR_DEATHS``; ``start`` and ``deaths`` are (years, D, 2, 101)."""
    expected = weighted_sum(start * nrw_mortality()).sum(axis=0)  # (2, A)
    observed = weighted_sum(_by_start_age(deaths)).sum(axis=0)
    overall = observed.sum(axis=1) / np.maximum(expected.sum(axis=1), 1e-9)  # (2,)
    bands = np.searchsorted(MORTALITY_BANDS, AGES, side="right") - 1
    ratio = np.empty_like(expected)
    for band in range(len(MORTALITY_BANDS) - 1):
        ages = bands == band
        o, e = observed[:, ages].sum(axis=1), expected[:, ages].sum(axis=1)
        ratio[:, ages] = ((o + MORTALITY_PRIOR_DEATHS * overall) / (e + MORTALITY_PRIOR_DEATHS))[
            :, None
        ]
    return ratio


def mortality_trend(register: Register, k_base: int, schedule: np.ndarray) -> tuple[float, float]:
    """The yearly change of the city's log mortality ratio against ``schedule`` (2, 101) over
    up to ``MORTALITY_TREND_YEARS`` event years to the base year: a weighted least-squares
    slope (each year weighted by the inverse of its Poisson and yearly variance), combined
    with the prior −``MORTALITY_IMPROVEMENT`` ± ``MORTALITY_IMPROVEMENT_SD`` by their
    precisions. Returns the posterior mean and sd."""
    years = np.arange(max(1, k_base - MORTALITY_TREND_YEARS + 1), k_base + 1)
    prior_precision = 1 / MORTALITY_IMPROVEMENT_SD**2
    observed = register.deaths[years][..., 1:].sum(axis=(1, 2, 3)).astype(float)
    expected = (register.population[years - 1] * schedule).sum(axis=(1, 2, 3))
    if len(years) < 2 or (observed <= 0).any():
        return -MORTALITY_IMPROVEMENT, MORTALITY_IMPROVEMENT_SD
    weights = 1 / (1 / observed + MORTALITY_YEARLY_SD**2)
    x = years - np.average(years, weights=weights)
    logs = np.log(observed / expected)
    precision = (weights * x**2).sum()
    slope = (weights * x * logs).sum() / precision
    posterior = precision + prior_precision
    trend = (slope * precision - MORTALITY_IMPROVEMENT * prior_precision) / posterior
    return float(trend), float(1 / np.sqrt(posterior))


@dataclass(frozen=True)
class Rates:
    codes: tuple[str, ...]
    base_year: int
    death: np.ndarray  # (D, 2, 101) yearly death probability by age at the start of the year
    mortality_sd: float  # sd of the log city mortality ratio (parameter and yearly)
    mortality_trend: float  # yearly change of log death probabilities after the base year
    mortality_trend_sd: float  # its posterior sd
    fertility: np.ndarray  # (D, 35) births per woman by cohort age of the mother 15..49
    fertility_level_sd: np.ndarray  # (D,)
    fertility_yearly_sd: float
    boy_share: float
    out: Shrunk  # to outside the city, per inhabitant of the cell
    within: Shrunk  # to another district, per inhabitant of the cell
    arrivals: Shrunk  # from outside the city, per inhabitant of the whole district
    destinations: np.ndarray  # (bands, D from, D to): where movers within the city go


def estimate(register: Register, base_year: int, period: int = BASE_PERIOD) -> Rates:
    """Rates from the register's event years base_year − period + 1 … base_year (those it has)."""
    k_base = register.year_index(base_year)
    years = [k for k in range(max(1, k_base - period + 1), k_base + 1)]
    population = register.population
    births = register.births.sum(axis=-1)  # (Y, D, 2)
    aged = np.stack([aged_on(population[k - 1], births[k]) for k in years])  # (n, D, 2, A)
    deaths = register.deaths[years]
    survivors = np.maximum(aged - deaths, 0)

    # Mortality: deaths by start age against the NRW schedule: a city ratio per sex and age
    # band, carried to the base year along the city's trend, and a district level shrunk
    # toward it (empirical Bayes; poorer districts die younger).
    nrw = nrw_mortality()
    start = population[[k - 1 for k in years]]  # (n, D, 2, A) by age at the start
    ratio = band_ratios(start, deaths)  # (2, A)
    expected_deaths = weighted_sum(start * nrw * ratio)  # (D, 2, A)
    observed_deaths = weighted_sum(deaths[..., 1:].sum(axis=-1))  # (D, 2)
    mortality_level, _ = empirical_bayes(observed_deaths.sum(axis=1), expected_deaths.sum((1, 2)))
    trend, trend_sd = mortality_trend(register, k_base, nrw * ratio)
    ratio = ratio * np.exp(trend * (k_base - np.mean(years)))
    yearly = deaths[..., 1:].sum(axis=(1, 2, 3)) / (start * nrw).sum(axis=(1, 2, 3))
    mortality_sd = float(np.sqrt(1 / observed_deaths.sum() + np.var(np.log(yearly))))

    # Fertility: the NRW pattern by cohort age of the mother (half a year older on average).
    pattern = nrw_fertility()
    cohort_pattern = (pattern + np.concatenate([[0.0], pattern[:-1]])) / 2
    women = population[[k - 1 for k in years]][:, :, 1, MOTHER_AGES - 1]  # (n, D, 35)
    born = register.births[years].sum(axis=2)  # (n, D, 35)
    city_level = born.sum() / (women * cohort_pattern).sum()
    expected_births = (women * cohort_pattern).sum(axis=2) * city_level  # (n, D)
    level, level_sd = empirical_bayes(weighted_sum(born.sum(axis=2)), weighted_sum(expected_births))
    fertility = (city_level * level)[:, None] * cohort_pattern[None, :]
    fertility_yearly_sd = yearly_spread(born.sum(axis=2), expected_births * level[None, :])

    # Migration.
    within = register.within[years]  # (n, D, D, 2, A)
    totals = population[[k - 1 for k in years]].sum(axis=(2, 3))  # (n, D)
    per_district = np.broadcast_to(totals[:, :, None, None], aged.shape).astype(float)
    out = smoothed_shrunk(register.moves_out[years], survivors, COMMON_PRIOR_SD["out"])
    moved = smoothed_shrunk(within.sum(axis=2), survivors)
    arrivals = smoothed_shrunk(register.moves_in[years], per_district, COMMON_PRIOR_SD["arrivals"])

    flows = within.sum(axis=(0, 3))  # (D, D, A)
    bands = np.searchsorted(DESTINATION_BANDS, AGES, side="right") - 1
    destinations = []
    for band in range(len(DESTINATION_BANDS) - 1):
        counts = flows[..., bands == band].sum(axis=-1)  # (D, D)
        pull = counts.sum(axis=0) + 1.0
        prior = np.broadcast_to(pull, counts.shape).copy()
        np.fill_diagonal(prior, 0.0)
        prior *= DESTINATION_PRIOR / prior.sum(axis=1, keepdims=True)
        shares = counts + prior
        destinations.append(shares / shares.sum(axis=1, keepdims=True))

    boys = register.births[years][:, :, 0].sum() / max(register.births[years].sum(), 1)
    return Rates(
        codes=register.codes,
        base_year=base_year,
        death=np.clip(mortality_level[:, None, None] * ratio * nrw, 0, 0.95),
        mortality_sd=mortality_sd,
        mortality_trend=trend,
        mortality_trend_sd=trend_sd,
        fertility=fertility,
        fertility_level_sd=level_sd,
        fertility_yearly_sd=fertility_yearly_sd,
        boy_share=float(boys),
        out=out,
        within=moved,
        arrivals=arrivals,
        destinations=np.stack(destinations),
    )
