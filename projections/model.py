"""The cohort-component projection: annual steps, single ages 0–100+, two sexes, per district,
many simulated trajectories at once.

One year of one trajectory, per district, sex and cohort age (``projections.rates`` gives the
rates and what they mean):

    births    = Σ women aged 14..48 at the start × fertility of cohort age 15..49
    aged      = last year's stock one year older, the births at age 0
    deaths    = aged × death probability (NRW × city ratio × district level, changing by
                the city's estimated trend a year)
    survivors = aged − deaths
    out       = survivors × rate of moving out of the city
    moved     = survivors × rate of moving to another district, sent to the districts by
                where movers of that origin and age band went in the base period
    arrivals  = the district's inhabitants × rate of newcomers from outside the city (in the
                housing scenario plus the planned dwellings × occupants per dwelling by age)
    next      = survivors − out − moved + moved in from other districts + arrivals

Uncertainty has two sources, drawn per trajectory: the rates (each district's levels of
fertility and of the three migration flows, and the city's mortality ratio, from their
posterior spread; migration levels then wander from year to year as the register shows them
wander: each district's on its own, and for moves in and out of the city also the city's
level, one draw per trajectory and year shared by all its districts, since waves of
immigration reach every district at once), and the events themselves, drawn around their
expected numbers with the binomial or Poisson mean and variance (as gamma deviates, capped at
what is possible: no more leaving than there are; those leaving a cell are drawn as one
number and shared among dying, moving out and moving within in proportion to their expected
numbers). Moves within the city leave one
district and arrive in another, so they never change the city's total. Every trajectory
balances exactly in every cell.

Everything is vectorised over trajectories × districts × sexes × ages; scenarios run one after
another or, with ``workers``, in parallel processes, each from its own seed, so a run is the
same whichever way it is computed. No Django here.
"""

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from projections.rates import DESTINATION_BANDS, Rates
from projections.register import AGES, MOTHER_AGES
from projections.schedules import new_build_occupants

# Age groups that planning uses (from, to inclusive); the last one is everybody.
GROUPS = (
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-9", 6, 9),
    ("10-17", 10, 17),
    ("18-64", 18, 64),
    ("65-79", 65, 79),
    ("80+", 80, 100),
    ("total", 0, 100),
)
GROUP_MATRIX = np.array([(low <= AGES) & (high >= AGES) for _, low, high in GROUPS], np.float32).T
# Quantiles published for every aggregate: the median and the 50, 80 and 95 % intervals.
QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
INTERVALS = {50: (0.25, 0.75), 80: (0.1, 0.9), 95: (0.025, 0.975)}
# Share of the yearly spread of migration levels that persists (a random walk).
PERSISTENT = 0.5
COMPONENTS = ("births", "deaths", "out", "moved_out", "moved_in", "arrivals")


@dataclass(frozen=True)
class Scenario:
    slug: str
    arrivals: float = 1.0  # × newcomers from outside the city
    departures: float = 1.0  # × moves out of the city
    fertility: float = 1.0
    housing: bool = False  # the planned dwellings' occupants arrive on top of the trend


SCENARIOS = (
    Scenario("trend"),
    Scenario("zuwanderung-niedrig", arrivals=0.8, departures=1.1),
    Scenario("zuwanderung-hoch", arrivals=1.2, departures=0.9),
    Scenario("geburten-niedrig", fertility=0.9),
    Scenario("geburten-hoch", fertility=1.1),
    Scenario("wohnungsbau", housing=True),
)


@dataclass
class Projection:
    """Quantiles per scenario × year × area (the districts, then the city) × age group, and the
    mean of every cell and component, which the balance can be checked on."""

    codes: tuple[str, ...]
    base_year: int
    years: np.ndarray  # (H,)
    scenarios: tuple[str, ...]
    quantiles: np.ndarray  # (S, H, D + 1, G, Q)
    mean: np.ndarray  # (S, H, D, 2, A) population on 31 Dec
    components: dict[str, np.ndarray]  # name → (S, H, D, 2, A) means of the year's events
    base: np.ndarray  # (D, 2, A) the base year's stock
    trajectories: np.ndarray | None = None  # (S, T, H, D + 1, G) if kept
    calibration: dict[int, dict[int, float]] = field(default_factory=dict)  # h → interval → λ

    @property
    def areas(self) -> tuple[str, ...]:
        return (*self.codes, "stadt")

    def interval(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        low, high = INTERVALS[level]
        return (
            self.quantiles[..., QUANTILES.index(low)],
            self.quantiles[..., QUANTILES.index(high)],
        )

    def median(self) -> np.ndarray:
        return self.quantiles[..., QUANTILES.index(0.5)]

    def calibrated(
        self,
        factors: dict[int, dict[int, float]],
        by_group: dict[str, dict[int, dict[int, float]]] | None = None,
    ) -> "Projection":
        """The same projection with its intervals rescaled (``calibrate``)."""
        return Projection(
            self.codes, self.base_year, self.years, self.scenarios,
            calibrate(self.quantiles, factors, by_group), self.mean, self.components, self.base,
            self.trajectories, factors,
        )  # fmt: skip

    def rows(self):
        """(scenario, year, area, group, quantile, value) for every published number."""
        for s, h, area, g, q in np.ndindex(self.quantiles.shape):
            yield (
                self.scenarios[s],
                int(self.years[h]),
                self.areas[area],
                GROUPS[g][0],
                QUANTILES[q],
                float(self.quantiles[s, h, area, g, q]),
            )


def calibrate(
    quantiles: np.ndarray,
    factors: dict[int, dict[int, float]],
    by_group: dict[str, dict[int, dict[int, float]]] | None = None,
) -> np.ndarray:
    """Quantiles (S, H, …, G, Q) with each interval widened (or narrowed) around the median by
    the factor the backtest gives its horizon and width (``projections.backtest.
    calibration_factors`` extrapolates them to every horizon of a run; a horizon beyond the
    given ones takes the longest's): a planning age group's own where ``by_group`` has it
    (``projections.backtest.group_calibration``), else ``factors``; never below zero."""
    calibrated = quantiles.copy()
    median = quantiles[..., QUANTILES.index(0.5)]
    for g, (name, _, _) in enumerate(GROUPS):
        group = (by_group or {}).get(name, factors)
        for h in range(quantiles.shape[1]):
            factor = group[min(h + 1, max(group))]
            for level, (low, high) in INTERVALS.items():
                for q in (low, high):
                    i = QUANTILES.index(q)
                    spread = quantiles[:, h, ..., g, i] - median[:, h, ..., g]
                    calibrated[:, h, ..., g, i] = np.maximum(
                        median[:, h, ..., g] + factor[level] * spread, 0
                    )
    # Widths scaled by different factors may cross; sorting restores the order (monotone
    # rearrangement, Chernozhukov, Fernández-Val & Galichon 2010).
    calibrated.sort(axis=-1)
    return calibrated


def _noisy(mean: np.ndarray, variance_share, rng, upper: np.ndarray | None = None):
    """Events around their expected number ``mean`` with variance ``mean × variance_share``
    (1: Poisson; 1 − p: binomial), as gamma deviates: unbiased, never negative, and exact in
    mean and variance also for the many cells that expect far less than one event; capped at
    ``upper``, what is possible."""
    share = np.maximum(variance_share, 1e-6)
    draw = rng.standard_gamma(mean / share, dtype=np.float32) * share
    return np.minimum(draw, upper) if upper is not None else draw


def _levels(rng, trajectories: int, sd: np.ndarray) -> np.ndarray:
    return np.exp(rng.normal(0.0, 1.0, (trajectories, sd.size)) * sd).astype(np.float32)


def _simulate(
    rates: Rates,
    base: np.ndarray,
    horizon: int,
    trajectories: int,
    scenario: Scenario,
    seed: np.random.SeedSequence,
    keep: bool,
    dwellings: np.ndarray | None = None,
) -> dict:
    rng = np.random.default_rng(seed)
    t, (d, _, a) = trajectories, base.shape
    f32 = np.float32
    population = np.broadcast_to(base.astype(f32), (t, d, 2, a)).copy()
    # Rate draws per trajectory, fixed over the horizon.
    mortality = np.exp(rng.normal(0.0, rates.mortality_sd, (t, 1, 1, 1))).astype(f32)
    trend = rates.mortality_trend + rng.normal(0.0, rates.mortality_trend_sd, (t, 1, 1, 1))
    fertility_level = _levels(rng, t, rates.fertility_level_sd) * f32(scenario.fertility)
    flows = {"out": rates.out, "within": rates.within, "arrivals": rates.arrivals}
    log_level = {name: np.log(_levels(rng, t, shrunk.level_sd)) for name, shrunk in flows.items()}
    death = rates.death.astype(f32)
    # Deaths of cohort age a come from start age a − 1; newborns live half a year on average.
    death_cohort = np.concatenate([death[..., :1] * 0.5, death[..., :-1]], axis=-1)
    death_cohort[..., -1] = death[..., -1]
    fertility = rates.fertility.astype(f32)
    rate = {name: shrunk.rates.astype(f32) for name, shrunk in flows.items()}
    bands = np.searchsorted(DESTINATION_BANDS, AGES, side="right") - 1
    band_slices = [np.flatnonzero(bands == b) for b in range(len(DESTINATION_BANDS) - 1)]
    destinations = rates.destinations.astype(f32)
    boy_share = f32(rates.boy_share)
    departures, arrivals_factor = f32(scenario.departures), f32(scenario.arrivals)
    # Occupants of the dwellings completed in each year and district (H, D, 2, A), or none.
    housing = None
    if scenario.housing and dwellings is not None:
        housing = (dwellings[:horizon, :, None, None] * new_build_occupants()).astype(f32)

    mean = np.zeros((horizon, d, 2, a))
    components = {name: np.zeros((horizon, d, 2, a)) for name in COMPONENTS}
    aggregates = np.zeros((t, horizon, d + 1, len(GROUPS)), f32)
    # The city's common level of each flow, (T, 1): one draw per trajectory shared by all its
    # districts, wandering as the districts' own levels do.
    common = {name: np.zeros((t, 1)) for name in flows}
    for h in range(horizon):
        for name, shrunk in flows.items():
            if h:
                log_level[name] += rng.normal(0.0, PERSISTENT * shrunk.yearly_sd, (t, d))
                common[name] += rng.normal(0.0, PERSISTENT * shrunk.common_sd, (t, 1))
        yearly = {
            name: np.exp(
                log_level[name]
                + common[name]
                + rng.normal(0.0, shrunk.yearly_sd, (t, d))
                + rng.normal(0.0, shrunk.common_sd, (t, 1))
            ).astype(f32)[:, :, None, None]
            for name, shrunk in flows.items()
        }
        fertility_shock = np.exp(rng.normal(0.0, rates.fertility_yearly_sd, (t, d))).astype(f32)

        women = population[:, :, 1, MOTHER_AGES - 1]  # start ages 14..48
        expected_births = (women * fertility).sum(axis=-1) * fertility_level * fertility_shock
        births = _noisy(expected_births, 1.0, rng)
        boys = births * boy_share
        aged = np.empty_like(population)
        aged[..., 1:] = population[..., :-1]
        aged[..., -1] += population[..., -1]
        aged[:, :, 0, 0], aged[:, :, 1, 0] = boys, births - boys

        # Deaths, moves out of the city and moves to other districts are drawn as one number
        # of people leaving the cell (with the summed variance), then shared in proportion to
        # their expected numbers: one draw instead of three, the bulk of the run's time.
        q = death_cohort * mortality * np.exp(trend * (h + 1)).astype(f32)
        expected_deaths = aged * q
        staying = aged - expected_deaths
        expected_out = staying * rate["out"] * yearly["out"] * departures
        expected_moved = staying * rate["within"] * yearly["within"]
        expected = expected_deaths + expected_out + expected_moved
        variance = expected_deaths * (1 - q) + expected_out + expected_moved
        leaving = _noisy(expected, variance / np.maximum(expected, 1e-12), rng, aged)
        share = leaving / np.maximum(expected, 1e-12)
        deaths, out, moved_out = (
            expected_deaths * share,
            expected_out * share,
            expected_moved * share,
        )
        survivors = aged - deaths
        moved_in = np.empty_like(moved_out)
        for band, ages in enumerate(band_slices):
            sent = np.moveaxis(moved_out[..., ages], 1, -1)  # (T, 2, ages, D from)
            moved_in[..., ages] = np.moveaxis(sent @ destinations[band], -1, 1)
        inhabitants = population.sum(axis=(2, 3))[:, :, None, None]
        expected = inhabitants * rate["arrivals"] * yearly["arrivals"] * arrivals_factor
        if housing is not None:
            expected = expected + housing[h]
        arrivals = _noisy(expected, 1.0, rng)
        population = survivors - out - moved_out + moved_in + arrivals

        mean[h] = population.sum(axis=0, dtype=np.float64)
        newborns = np.zeros_like(aged)
        newborns[..., 0] = aged[..., 0]
        for name, value in zip(
            COMPONENTS, (newborns, deaths, out, moved_out, moved_in, arrivals), strict=True
        ):
            components[name][h] = value.sum(axis=0, dtype=np.float64)
        grouped = population.sum(axis=2) @ GROUP_MATRIX  # (T, D, G)
        aggregates[:, h, :d] = grouped
        aggregates[:, h, d] = grouped.sum(axis=1)
    quantiles = np.quantile(aggregates, QUANTILES, axis=0).transpose(1, 2, 3, 0)
    return {
        "quantiles": quantiles,
        "mean": mean / t,
        "components": {name: value / t for name, value in components.items()},
        "trajectories": aggregates if keep else None,
    }


def project(
    *,
    rates: Rates,
    base: np.ndarray,
    horizon: int,
    trajectories: int = 1000,
    seed: int = 0,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
    workers: int = 1,
    keep_trajectories: bool = False,
    dwellings: np.ndarray | None = None,
) -> Projection:
    """Project ``base`` (the base year's stock, D × 2 × 101) ``horizon`` years ahead under each
    scenario; ``dwellings`` (H, D) are the planned dwellings of each projection year, whose
    occupants a housing scenario adds. The same seed gives the same projection, however many
    workers compute it."""
    seeds = np.random.SeedSequence(seed).spawn(len(scenarios))
    jobs = [
        (rates, base, horizon, trajectories, scenario, seed_seq, keep_trajectories, dwellings)
        for scenario, seed_seq in zip(scenarios, seeds, strict=True)
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_simulate, *zip(*jobs, strict=True)))
    else:
        results = [_simulate(*job) for job in jobs]
    kept = [r["trajectories"] for r in results]
    return Projection(
        codes=rates.codes,
        base_year=rates.base_year,
        years=np.arange(rates.base_year + 1, rates.base_year + horizon + 1),
        scenarios=tuple(s.slug for s in scenarios),
        quantiles=np.stack([r["quantiles"] for r in results]),
        mean=np.stack([r["mean"] for r in results]),
        components={
            name: np.stack([r["components"][name] for r in results]) for name in COMPONENTS
        },
        base=base,
        trajectories=np.stack(kept) if keep_trajectories else None,
    )
