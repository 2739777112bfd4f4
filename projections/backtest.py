"""How well the projection would have done: rolling origins over the register, against naive
benchmarks and a Hamilton–Perry challenger, and the interval calibration that follows.

For each base year 2014–2019 the model sees only the register up to that year
(``Register.until``) and projects every later year the register holds (horizons 1–10). The
projected median of each district and the city, for each planning age group, is set against
what the register then showed, as are

- *constant*: the base year's population stays;
- *linear*: the straight line through the last (up to) five years, continued;
- *share*: the district keeps its base-year share of the city's group, the city continued
  linearly;
- *hamilton-perry*: cohort-change ratios of the base period, shrunk toward the city's, the
  districts constrained to the city's own Hamilton–Perry projection.

What is published, and measured as *model*, is the cohort model's projection with each
district's total brought to a weighted average of the cohort model, the linear trend and the
constant population (``combination``; weights per horizon, fitted for each origin on the other
origins); *cohort* is the cohort model alone. Tying the districts to the cohort model's city
total as well was tried and left out: on the demo register it was less accurate 1–8 years
ahead and hardly more accurate at 9 and 10.

Measures per horizon and age group: MAPE, median APE, MALPE (bias: signed, positive = too
high), coverage of the 80 % and 95 % intervals, and the interval score (Gneiting & Raftery
2007), as a percentage of the actual value. The model's raw intervals are rescaled per horizon
and planning age group so that they cover as often as they claim (``calibration_factors``,
``group_calibration``: a district's total is more accurate than its age groups); coverage is
reported out of sample, each origin's intervals rescaled with factors found on the other
origins, and of the intervals as published: calibrated on every area and group, then measured
on the part a table shows.

Horizons that fewer than ``MIN_ORIGINS`` base years reach (on a register to 2024: 10 years,
only from 2014) and the horizons of a published run beyond the backtest's (to 16 years) are
*extrapolated*: a factor there grows from the one before at the rate the supported horizons
show (``growth``: the slope of a least-squares line of log factor against log horizon,
weighted by cases, never below zero), or is what the few base years that reach it need, if
that is more; the combination's weights there are those of the longest supported horizon.
The out-of-sample backtest and the published run use the same rule, so the backtest's
longest horizons test it: in each fold one origin fewer reaches them.
No Django here.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from projections.model import GROUP_MATRIX, GROUPS, INTERVALS, QUANTILES, SCENARIOS, project
from projections.rates import BASE_PERIOD, PRIOR_EXPOSURE, estimate
from projections.register import Register

ORIGINS = tuple(range(2014, 2020))
MAX_HORIZON = 10
TREND_YEARS = 5
BENCHMARKS = ("constant", "linear", "share", "hamilton-perry")
# The published projection ("model") and the cohort-component model alone ("cohort").
METHODS = ("model", "cohort", *BENCHMARKS)
# A horizon is supported when at least this many base years reach it: one base year alone is
# one draw of the future, not a coverage or a fit. Beyond, calibration and weights extrapolate.
MIN_ORIGINS = 2


def grouped(population: np.ndarray) -> np.ndarray:
    """(…, D, 2, 101) → (…, D + 1, G): districts then the city, by planning age group."""
    groups = population.sum(axis=-2) @ GROUP_MATRIX.astype(float)
    return np.concatenate([groups, groups.sum(axis=-2, keepdims=True)], axis=-2)


def naive(register: Register, base: int, horizon: int) -> dict[str, np.ndarray]:
    """The three naive benchmarks, (H, D + 1, G) each."""
    k = register.year_index(base)
    history = grouped(register.population[max(0, k - TREND_YEARS + 1) : k + 1])  # (n, D+1, G)
    steps = np.arange(1, horizon + 1)[:, None, None]
    last = history[-1]
    if len(history) > 1:
        x = np.arange(len(history)) - (len(history) - 1)
        slope = np.polyfit(x, history.reshape(len(history), -1), 1)[0].reshape(last.shape)
    else:
        slope = np.zeros_like(last)
    linear = np.maximum(last + slope * steps, 0)
    share = last[:-1] / np.maximum(last[-1], 1)
    city = linear[:, -1:]
    return {
        "constant": np.broadcast_to(last, linear.shape).copy(),
        "linear": linear,
        "share": np.concatenate([share * city, city], axis=1),
    }


def _cohort_change(register: Register, k: int, period: int):
    """Numerators and denominators of cohort-change ratios (D, 2, 101), age 0 against the
    women aged 14–48 at the start of the year."""
    years = range(max(1, k - period + 1), k + 1)
    numerator = sum(register.population[t] for t in years).astype(float)
    denominator = np.zeros_like(numerator)
    for t in years:
        previous = register.population[t - 1]
        denominator[..., 1:] += previous[..., :-1]
        denominator[..., -1] += previous[..., -1]
        denominator[..., 0] += previous[:, 1, 14:49].sum(axis=-1)[:, None]
    return numerator, denominator


def hamilton_perry(register: Register, base: int, horizon: int, period: int = BASE_PERIOD):
    """Constrained Hamilton–Perry projection, (H, D + 1, G)."""
    k = register.year_index(base)
    numerator, denominator = _cohort_change(register, k, period)
    city = numerator.sum(axis=0) / np.maximum(denominator.sum(axis=0), 1)
    ratios = (numerator + PRIOR_EXPOSURE * city) / (denominator + PRIOR_EXPOSURE)

    def step(population: np.ndarray, ratio: np.ndarray) -> np.ndarray:
        following = np.zeros_like(population)
        following[..., 1:] = population[..., :-1] * ratio[..., 1:]
        following[..., -1] += population[..., -1] * ratio[..., -1]
        women = population[..., 1, 14:49].sum(axis=-1)
        following[..., 0] = women[..., None] * ratio[..., 0]
        return following

    districts = register.population[k].astype(float)
    whole = districts.sum(axis=0)
    result = []
    for _ in range(horizon):
        districts, whole = step(districts, ratios), step(whole, city)
        # Constrained: every sex and age adds up to the city's own projection.
        districts *= whole / np.maximum(districts.sum(axis=0), 1e-9)
        result.append(grouped(districts))
    return np.stack(result)


# What is published: per horizon, a weighted average of the districts' totals of the cohort
# model and two naive benchmarks, the weights those the backtest favours (``combination``);
# each district's age groups keep the cohort model's structure. Weights on a grid of this step.
COMBINED = ("cohort", "linear", "constant")
WEIGHT_STEP = 0.05
COHORT_ONLY = (1.0, 0.0, 0.0)


def weight_grid(step: float = WEIGHT_STEP) -> np.ndarray:
    """Every triple of weights on the grid that adds up to 1 (n, 3)."""
    n = round(1 / step)
    return np.array([(a, b, n - a - b) for a in range(n + 1) for b in range(n + 1 - a)]) / n


WEIGHTS = weight_grid()


def supported(cases: pd.DataFrame) -> int:
    """The longest horizon of ``cases`` that at least ``MIN_ORIGINS`` base years reach; the
    shortest horizon if none does (a backtest of one base year)."""
    origins = cases.groupby("horizon")["origin"].nunique()
    reached = origins[origins >= MIN_ORIGINS]
    return int(reached.index.max() if len(reached) else origins.index.min())


def combination(totals: pd.DataFrame) -> dict[int, tuple[float, float, float]]:
    """Per supported horizon (``supported``), the weights of (cohort, linear, constant) with
    the least MAPE of the districts' totals in ``totals`` (columns origin, horizon, actual,
    cohort, linear, constant; each horizon pooled with its neighbours, as the calibration
    pools them). Longer horizons take the longest's (``scale_factors``): weights fitted on
    one base year would follow that one future."""
    weights = {}
    for h in range(1, supported(totals) + 1):
        near = totals[((totals["horizon"] - h).abs() <= 1) & (totals["actual"] > 0)]
        forecasts = near[list(COMBINED)].to_numpy() @ WEIGHTS.T  # (cases, grid)
        errors = np.abs(forecasts - near["actual"].to_numpy()[:, None])
        mape = (errors / near["actual"].to_numpy()[:, None]).mean(axis=0)
        weights[int(h)] = tuple(float(w) for w in WEIGHTS[int(np.argmin(mape))])
    return weights


def combined(
    trajectories: np.ndarray,
    benchmarks: dict[str, np.ndarray],
    weights: dict[int, tuple[float, float, float]],
) -> np.ndarray:
    """Trajectories (…, T, H, D + 1, G) with each district scaled so that the median of its
    total is the weighted average of the cohort model's median and the benchmarks' totals
    (``benchmarks``: name → (H, D + 1, G)); the city is the sum of the districts again. The
    factor is the trend's, the same for every trajectory and age group, so a district keeps
    its spread and age structure; horizons beyond the weights' (the supported ones) take the
    longest's."""
    return trajectories * scale_factors(trajectories, benchmarks, weights)


def scale_factors(trajectories, benchmarks, weights) -> np.ndarray:
    """The factors ``combined`` applies, shaped (H, D + 1, 1) (the city's recomputed)."""
    lead = trajectories.reshape(-1, *trajectories.shape[-4:])[0]  # the first (trend) scenario
    horizon, areas = lead.shape[1], lead.shape[2]
    cohort = np.median(lead[..., -1], axis=0)[:, : areas - 1]  # (H, D)
    w = np.array([weights[min(h, max(weights))] for h in range(1, horizon + 1)])  # (H, 3)
    target = w[:, :1] * cohort
    for k, name in enumerate(COMBINED[1:], start=1):
        target = target + w[:, k : k + 1] * benchmarks[name][:horizon, : areas - 1, -1]
    factors = np.ones((horizon, areas, 1))
    factors[:, :-1, 0] = np.where(cohort > 0, target / np.maximum(cohort, 1e-9), 1.0)
    return factors


def with_city(trajectories: np.ndarray) -> np.ndarray:
    """The city as the sum of the districts again (after ``combined``)."""
    out = trajectories.copy()
    out[..., -1, :] = out[..., :-1, :].sum(axis=-2)
    return out


@dataclass
class Backtest:
    cases: pd.DataFrame  # one row per origin × horizon × area × group
    factors: dict[int, dict[int, float]]  # calibration from all origins, to its reach
    weights: dict[int, tuple[float, float, float]] = None  # combination from all origins
    # per planning age group: group → horizon → interval → λ (``group_calibration``)
    group_factors: dict[str, dict[int, dict[int, float]]] = field(default_factory=dict)
    # ``published_cases``, kept: the check and both tables of a run read it.
    published: pd.DataFrame | None = field(default=None, repr=False, compare=False)


@dataclass
class _Origin:
    base: int
    trajectories: np.ndarray  # (T, H, D + 1, G), the cohort model's
    methods: dict[str, np.ndarray]  # benchmark → (H, D + 1, G)
    actual: np.ndarray  # (H, D + 1, G)
    areas: tuple[str, ...]


def _project_origin(register: Register, base: int, trajectories: int, seed: int, period: int):
    last = int(register.years[-1])
    horizon = min(MAX_HORIZON, last - base)
    seen = register.until(base)
    projection = project(
        rates=estimate(seen, base, period),
        base=seen.population[-1],
        horizon=horizon,
        trajectories=trajectories,
        seed=seed,
        scenarios=SCENARIOS[:1],
        keep_trajectories=True,
    )
    k = register.year_index(base)
    methods = naive(seen, base, horizon)
    methods["hamilton-perry"] = hamilton_perry(seen, base, horizon, period)
    actual = grouped(register.population[k + 1 : k + horizon + 1])
    return _Origin(base, projection.trajectories[0], methods, actual, projection.areas)


def _frame(origin: _Origin, weights) -> pd.DataFrame:
    """The cases of one origin: the published (combined) projection's median and quantiles,
    the cohort model's median, the benchmarks and the actual values."""
    kept = with_city(combined(origin.trajectories, origin.methods, weights))
    quantiles = np.moveaxis(np.quantile(kept, QUANTILES, axis=0), 0, -1)  # (H, D + 1, G, Q)
    horizon = kept.shape[1]
    index = pd.MultiIndex.from_product(
        [range(1, horizon + 1), origin.areas, [g[0] for g in GROUPS]],
        names=["horizon", "area", "group"],
    )
    columns = {
        "actual": origin.actual.ravel(),
        "model": quantiles[..., QUANTILES.index(0.5)].ravel(),
        "cohort": np.median(origin.trajectories, axis=0).ravel(),
    }
    for q, values in zip(QUANTILES, np.moveaxis(quantiles, -1, 0), strict=True):
        columns[f"q{q}"] = values.ravel()
    columns.update({name: values.ravel() for name, values in origin.methods.items()})
    frame = pd.DataFrame(columns, index=index).reset_index()
    frame.insert(0, "origin", origin.base)
    return frame


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["area"] != "stadt") & (frame["group"] == "total")]


def run_backtest(
    register: Register,
    *,
    trajectories: int = 200,
    seed: int = 0,
    period: int = BASE_PERIOD,
    reach: int = MAX_HORIZON,
) -> Backtest:
    """Every origin's projection against the register; the cases, the combination's weights
    and the calibration, its factors up to ``reach`` years ahead (a published run's horizon).
    Each origin's cases are combined with weights fitted on the other origins, so that the
    measures are out of sample."""
    last = int(register.years[-1])
    # Origins the register can serve: a year before them to estimate from, one after to check.
    origins = [
        _project_origin(register, base, trajectories, seed, period)
        for base in ORIGINS
        if register.years[0] < base < last
    ]
    if not origins:
        return Backtest(pd.DataFrame(), {}, {})
    raw = {o.base: _totals(_frame(o, {1: COHORT_ONLY})) for o in origins}
    frames = []
    for origin in origins:
        others = [frame for base, frame in raw.items() if base != origin.base]
        weights = combination(pd.concat(others)) if others else {1: COHORT_ONLY}
        frames.append(_frame(origin, weights))
    cases = pd.concat(frames, ignore_index=True)
    weights = combination(pd.concat(raw.values()))
    return Backtest(
        cases, calibration_factors(cases, reach), weights, group_calibration(cases, reach)
    )


def _needed(cases: pd.DataFrame, level: int) -> np.ndarray:
    """For each case, the factor its interval would need to reach the actual value."""
    low, high = INTERVALS[level]
    median = cases["q0.5"].to_numpy()
    error = cases["actual"].to_numpy() - median
    upper, lower = cases[f"q{high}"].to_numpy(), cases[f"q{low}"].to_numpy()
    half = np.where(error >= 0, upper - median, median - lower)
    return np.abs(error) / np.maximum(half, 1e-9)


def calibration_factors(cases: pd.DataFrame, reach: int = 0) -> dict[int, dict[int, float]]:
    """Per horizon 1 … max(``reach``, the longest in ``cases``) and interval, the factor by
    which widths must be scaled so that the share of cases covered is the nominal one
    (districts and the city, all groups; each horizon pooled with its neighbours). A factor
    may be smaller than a shorter horizon's: the published districts' totals are more accurate
    at 6 and 7 years than at 5 (the combination's weights), and a factor forced to grow made
    their intervals cover 94 % instead of 80 there. Beyond the supported horizons (``supported``) a
    factor grows from the one before at the rate of ``growth``, or takes what the cases of its
    horizon need where they reach it and need more."""
    longest = supported(cases)
    # A case's need does not depend on the horizon it is pooled into: computed once.
    horizons = cases["horizon"].to_numpy()
    of_case = {level: _needed(cases, level) for level in INTERVALS}
    needed = {}
    for h in np.unique(horizons):
        near = np.abs(horizons - h) <= 1
        needed[int(h)] = {
            level: float(np.quantile(of_case[level][near], level / 100)) for level in INTERVALS
        }
    factors = {h: dict(needed[h]) for h in range(1, longest + 1)}
    rate = growth(factors, cases["horizon"].value_counts())
    for h in range(longest + 1, max(reach, *needed) + 1):
        factors[h] = {
            level: max(
                needed.get(h, {}).get(level, 0.0),
                factors[h - 1][level] * (h / (h - 1)) ** rate[level],
            )
            for level in INTERVALS
        }
    return factors


# A planning age group's factors count against those of all groups as if they were read from
# this many cases (a group has some 100–300 near each horizon, 50–100 at the longest).
GROUP_PRIOR_CASES = 50


def group_calibration(cases: pd.DataFrame, reach: int = 0) -> dict[str, dict[int, dict]]:
    """Per planning age group, ``calibration_factors`` of its own cases (districts and the
    city), shrunk toward those of all groups by the weight n / (n + ``GROUP_PRIOR_CASES``), n
    the group's cases the factor is read from (a horizon and its neighbours; beyond the
    longest, those of the longest)."""
    pooled = calibration_factors(cases, reach)
    result = {}
    for group, part in cases.groupby("group"):
        own = calibration_factors(part, reach)
        counts = part["horizon"].value_counts()
        longest = int(counts.index.max())
        factors = {}
        for h in sorted(pooled):
            n = counts[np.abs(counts.index.to_numpy() - min(h, longest)) <= 1].sum()
            weight = n / (n + GROUP_PRIOR_CASES)
            factors[h] = {}
            for level in INTERVALS:
                value = weight * own[h][level] + (1 - weight) * pooled[h][level]
                factors[h][level] = value
        result[str(group)] = factors
    return result


def growth(factors: dict[int, dict[int, float]], cases: pd.Series) -> dict[int, float]:
    """Per interval, how fast the factors grow with the horizon: the slope of a least-squares
    line of log factor against log horizon (a power law), each horizon weighted by its number
    of ``cases`` (horizon → count); zero where they shrink or there is one horizon only."""
    horizons = np.array(sorted(factors))
    if len(horizons) < 2:
        return dict.fromkeys(INTERVALS, 0.0)
    weight = np.sqrt(cases.reindex(horizons).fillna(0).to_numpy(float))  # polyfit: √ of weight
    rate = {}
    for level in INTERVALS:
        logs = np.log([factors[h][level] for h in horizons])
        slope = np.polyfit(np.log(horizons), logs, 1, w=weight)[0]
        rate[level] = max(float(slope), 0.0)
    return rate


def calibrated_cases(cases: pd.DataFrame, factors: dict[int, dict[int, float]]) -> pd.DataFrame:
    """The cases with each interval rescaled around the median by its horizon's factor."""
    out = cases.copy()
    for level, (low, high) in INTERVALS.items():
        factor = out["horizon"].map(lambda h, level=level: factors[h][level])
        for q in (low, high):
            out[f"q{q}"] = np.maximum(out["q0.5"] + factor * (cases[f"q{q}"] - cases["q0.5"]), 0)
    return out


def out_of_sample(cases: pd.DataFrame) -> pd.DataFrame:
    """Each origin's intervals rescaled with the factors of the other origins, per planning
    age group as a run is (``group_calibration``; extrapolated to the origin's longest horizon
    as a published run extrapolates to its own)."""
    parts = []
    for origin in cases["origin"].unique():
        own, others = cases[cases["origin"] == origin], cases[cases["origin"] != origin]
        by_group = group_calibration(others, reach=int(own["horizon"].max()))
        for group, part in own.groupby("group"):
            parts.append(calibrated_cases(part, by_group[str(group)]))
    return pd.concat(parts).sort_index()


def published_cases(backtest: Backtest) -> pd.DataFrame:
    """The cases with an actual value above zero and their intervals as a run publishes them,
    out of sample: calibrated on every area and group (``out_of_sample``)."""
    if backtest.published is None:
        cases = backtest.cases
        backtest.published = out_of_sample(cases[cases["actual"] > 0])
    return backtest.published.copy()


def interval_score(cases: pd.DataFrame, level: int) -> pd.Series:
    """Interval score in % of the actual value: width plus 2/α times any miss."""
    low, high = (cases[f"q{q}"] for q in INTERVALS[level])
    actual, alpha = cases["actual"], 1 - level / 100
    score = (high - low) + 2 / alpha * (
        (low - actual).clip(lower=0) + (actual - high).clip(lower=0)
    )
    return 100 * score / actual


def measures(cases: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """MAPE of the model and each benchmark, median APE and MALPE of the model, coverage of its
    80 and 95 % intervals and their interval score, of ``cases`` as ``published_cases`` gives
    them (calibrated out of sample)."""
    cases = cases.copy()
    table = {}
    for method in METHODS:
        error = 100 * (cases[method] - cases["actual"]) / cases["actual"]
        cases[f"ape_{method}"] = error.abs()
        if method == "model":
            cases["alpe"] = error
    for level in (80, 95):
        low, high = (cases[f"q{q}"] for q in INTERVALS[level])
        cases[f"covered_{level}"] = 100 * ((cases["actual"] >= low) & (cases["actual"] <= high))
        cases[f"score_{level}"] = interval_score(cases, level)
    grouped_cases = cases.groupby(by)
    table["cases"] = grouped_cases.size()
    for method in METHODS:
        table[f"MAPE {method}"] = grouped_cases[f"ape_{method}"].mean()
    table["MdAPE model"] = grouped_cases["ape_model"].median()
    table["MALPE model"] = grouped_cases["alpe"].mean()
    for level in (80, 95):
        table[f"coverage {level}"] = grouped_cases[f"covered_{level}"].mean()
        table[f"score {level}"] = grouped_cases[f"score_{level}"].mean()
    return pd.DataFrame(table)


def district_totals(backtest: Backtest) -> pd.DataFrame:
    """The measures of the districts' totals, by horizon."""
    cases = published_cases(backtest)
    return measures(cases[(cases["area"] != "stadt") & (cases["group"] == "total")], ["horizon"])


def by_group(backtest: Backtest) -> pd.DataFrame:
    """The measures of the districts' planning age groups, all horizons pooled."""
    cases = published_cases(backtest)
    return measures(cases[cases["area"] != "stadt"], ["group"])


# Publication asks the calibrated intervals to cover within this many points of what they
# claim, out of sample: pooled, and at every horizon that at least MIN_ORIGINS base years
# reach.
TOLERANCE = 10.0


def calibration_check(backtest: Backtest) -> dict:
    """The calibration factors (of all groups together, and per planning age group: those the
    run applies) and the out-of-sample coverage they give (districts and the city, all planning
    age groups), pooled and by horizon, with what fails the tolerance:
    ``passed`` is False where factors are missing or a coverage is off."""
    problems = []
    if not backtest.factors:
        problems.append(
            "Es gibt keine Kalibrierungsfaktoren: Das Melderegister reicht für keinen "
            f"Backtest-Ausgangsjahr ({ORIGINS[0]}–{ORIGINS[-1]}) mit einem Folgejahr."
        )
        return {"factors": {}, "pooled": {}, "by_horizon": [], "tolerance": TOLERANCE,
                "passed": False, "problems": problems}  # fmt: skip
    cases = published_cases(backtest)
    for level in (80, 95):
        low, high = (cases[f"q{q}"] for q in INTERVALS[level])
        cases[f"covered_{level}"] = 100 * ((cases["actual"] >= low) & (cases["actual"] <= high))
    pooled = {str(level): round(float(cases[f"covered_{level}"].mean()), 2) for level in (80, 95)}
    for level, value in pooled.items():
        if abs(value - int(level)) > TOLERANCE:
            problems.append(
                f"Die {level}-%-Intervalle decken im Backtest insgesamt {value:.1f} % der Fälle "
                f"ab (erlaubt: {int(level) - TOLERANCE:.0f} bis {int(level) + TOLERANCE:.0f} %)."
            )
    rows = []
    for h, part in cases.groupby("horizon"):
        origins = int(part["origin"].nunique())
        row = {"horizon": int(h), "origins": origins, "cases": len(part),
               "checked": origins >= MIN_ORIGINS}  # fmt: skip
        for level in (80, 95):
            value = round(float(part[f"covered_{level}"].mean()), 2)
            row[str(level)] = value
            if row["checked"] and abs(value - level) > TOLERANCE:
                problems.append(
                    f"Die {level}-%-Intervalle decken {int(h)} Jahre voraus {value:.1f} % der "
                    f"Fälle ab (erlaubt: {level - TOLERANCE:.0f} bis {level + TOLERANCE:.0f} %)."
                )
        rows.append(row)
    return {"factors": _json(backtest.factors), "pooled": pooled, "by_horizon": rows,
            "tolerance": TOLERANCE, "passed": not problems, "problems": problems,
            "group_factors": {group: _json(factors)
                              for group, factors in backtest.group_factors.items()}}  # fmt: skip


def _json(factors: dict[int, dict[int, float]]) -> dict[str, dict[str, float]]:
    return {
        str(h): {str(level): round(value, 6) for level, value in by_level.items()}
        for h, by_level in factors.items()
    }


def table_rows(table: pd.DataFrame, key: str) -> list[dict]:
    """A measures table as JSON rows, rounded to what a page shows and more."""
    rows = []
    for index, row in table.iterrows():
        values = {name: round(float(value), 4) for name, value in row.items()}
        values["cases"] = int(row["cases"])
        rows.append({key: index if isinstance(index, str) else int(index), **values})
    return rows
