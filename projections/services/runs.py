"""Projection runs as data: compute one from the stored register and keep it with its inputs'
digests, its calibrated quantiles, the need for places and its backtest.

A run is reproducible: the register's numbers, the assumptions' files, the code of the model
and the Kita places are digested into ``inputs_digest``; with the same inputs, parameters and
seed, ``run_projection`` stores byte for byte the same results (``RunResult.digest``).
Publishing and withdrawing are in ``projections.services.publication``.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction

from core.audit import record
from indicators.read.geography import of_year
from indicators.read.rollup import min_part_share
from projections import need
from projections.backtest import (
    COHORT_ONLY,
    COMBINED,
    by_group,
    calibration_check,
    district_totals,
    naive,
    run_backtest,
    scale_factors,
    table_rows,
    with_city,
)
from projections.model import GROUP_MATRIX, GROUPS, QUANTILES, SCENARIOS, calibrate, project
from projections.models import ProjectionRun, RegisterCell, RegisterImport, RunResult
from projections.rates import estimate
from projections.register import ARRAYS, Register
from projections.schedules import ASSUMPTIONS
from projections.selectors import planned_dwellings, register_of

LEVEL = "statistischer-bezirk"
# Districts smaller than this are flagged: projections of so few people are rough, whatever
# their intervals say (SIKURS asks for 8,000–10,000 inhabitants per reporting unit).
SMALL_AREA = 5000
# Simulations per base year of the backtest, unless the run has fewer: the calibration needs
# the spread of the intervals, not their last digit.
BACKTEST_TRAJECTORIES = 200
MIN_TRAJECTORIES = 10  # fewer give no quantiles worth the name
# The code whose change changes a run: the model, its rates, backtest, need and this service.
CODE = Path(__file__).resolve().parents[1]
CODE_FILES = (
    "backtest.py", "model.py", "need.py", "rates.py", "register.py", "schedules.py",
    "services/runs.py",
)  # fmt: skip


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def register_digest(register: Register) -> str:
    """SHA-256 of the register's years, districts and every count."""
    arrays = [np.ascontiguousarray(getattr(register, name), dtype="<i8") for name in ARRAYS]
    head = _canonical({"years": register.years.tolist(), "codes": list(register.codes)})
    return _sha256(head, *(array.tobytes() for array in arrays))


def code_digest() -> str:
    return _sha256(*((CODE / name).read_bytes() for name in CODE_FILES))


def assumption_digests() -> dict[str, str]:
    return {
        path.name: _sha256(path.read_bytes())
        for path in sorted(ASSUMPTIONS.iterdir())
        if path.is_file()
    }


@dataclass(frozen=True)
class Areas:
    """The areas of a run's results: the districts, the Stadtbezirke, the city."""

    labels: list[list[str]]  # [level, code, name]
    bezirk_of: np.ndarray  # (D, B) the district's weight in the Bezirk's roll-up, 0 to 1


def areas_of(codes: tuple[str, ...], year: int) -> Areas:
    """The districts, the Stadtbezirke and the city valid at the end of ``year``. A Bezirk's
    projection is the roll-up of the districts' trajectories with the weights the atlas rolls
    their observed values up with (``indicators.read``: the population share of a district
    inside the Bezirk where known, else its area share; slivers left out), so that the
    projected years continue the Bezirk's published series."""
    geo = of_year(year)
    by_level = {}
    for district_id, district in sorted(geo.districts.items(), key=lambda item: item[1].code):
        by_level.setdefault(district.level, []).append((district_id, district))
    districts = {d.code: d for _id, d in by_level.get(LEVEL, [])}
    bezirke = by_level.get("stadtbezirk", [])
    city = next(iter(by_level.get("stadt", [])), None)
    position = {districts[code].id: i for i, code in enumerate(codes) if code in districts}
    member = np.zeros((len(codes), len(bezirke)), dtype=np.float32)
    least = min_part_share()
    for b, (bezirk_id, _bezirk) in enumerate(bezirke):
        for source, weight in geo.parts.get(bezirk_id, []):
            if source in position and weight >= least:
                member[position[source], b] = weight
    labels = [[LEVEL, code, districts[code].name if code in districts else code] for code in codes]
    labels += [["stadtbezirk", b.code, b.name] for _id, b in bezirke]
    labels.append(["stadt", city[1].code, city[1].name] if city else ["stadt", "stadt", "Stadt"])
    return Areas(labels, member)


def _inputs(register: Register, base_year: int, places: dict, parameters: dict) -> dict:
    used = RegisterCell.objects.values_list("source_id", flat=True).distinct()
    imports = [
        {"id": i.pk, "files": [{"name": f["name"], "sha256": f.get("sha256", "")}
                               for f in i.source_files]}
        for i in RegisterImport.objects.filter(pk__in=used).order_by("pk")
    ]  # fmt: skip
    return {
        "register": {
            "digest": register_digest(register),
            "years": [int(register.years[0]), base_year],
            "imports": imports,
        },
        "assumptions": assumption_digests(),
        "code": code_digest(),
        "kita_places": {"year": base_year, "places": places},
        "parameters": parameters,
    }


def _digest_of_inputs(inputs: dict) -> str:
    # The imports' ids say where the numbers came from; the digest is of the numbers, so
    # the same register imported again reproduces the run.
    content = {
        **inputs,
        **{part: {k: v for k, v in inputs[part].items() if k != "imports"}
           for part in ("register", "housing") if part in inputs},
    }  # fmt: skip
    return _sha256(_canonical(content))


def _factors(stored: dict) -> dict[int, dict[int, float]]:
    return {
        int(h): {int(level): value for level, value in by_level.items()}
        for h, by_level in stored.items()
    }


@dataclass
class Computed:
    run: ProjectionRun
    quantiles: np.ndarray
    need: dict[str, np.ndarray]
    axes: dict


def compute(
    *,
    register: Register,
    base_year: int,
    horizon: int,
    trajectories: int,
    seed: int,
    backtest_trajectories: int,
    scenarios: tuple = SCENARIOS,
    places: dict[str, int | None],
    areas: Areas,
    workers: int = 1,
    dwellings: np.ndarray | None = None,
) -> Computed:
    """Everything a run stores, computed from arrays: the projection, its backtest and
    calibration, calibrated quantiles per area, the need for places; ``dwellings`` (H, D)
    the planned dwellings of the projection years for the housing scenario."""
    seen = register.until(base_year)
    codes = seen.codes
    projection = project(
        rates=estimate(seen, base_year),
        base=seen.population[-1],
        horizon=horizon,
        trajectories=trajectories,
        seed=seed,
        scenarios=scenarios,
        workers=workers,
        keep_trajectories=True,
        dwellings=dwellings,
    )
    # The calibration reaches every year of the run: beyond the backtest's horizons its
    # factors are extrapolated, as the backtest checks them out of sample.
    backtest = run_backtest(seen, trajectories=backtest_trajectories, seed=seed, reach=horizon)
    calibration = calibration_check(backtest)
    d = len(codes)
    # What is published: the districts' totals as the backtest's weighted average of the
    # cohort model and the naive benchmarks, the age structure the cohort model's.
    weights = backtest.weights or {1: COHORT_ONLY}
    benchmarks = naive(seen, base_year, horizon)
    scale = scale_factors(projection.trajectories, benchmarks, weights)  # (H, D + 1, 1)
    kept = with_city(projection.trajectories * scale)  # (S, T, H, D + 1, G)
    bezirke = np.einsum("sthdg,db->sthbg", kept[:, :, :, :d], areas.bezirk_of)
    every = np.concatenate([kept[:, :, :, :d], bezirke, kept[:, :, :, d:]], axis=3)
    raw = np.quantile(every, QUANTILES, axis=1).transpose(1, 2, 3, 4, 0)  # (S, H, A, G, Q)
    factors = _factors(calibration["factors"]) if calibration["factors"] else {}
    group_factors = {
        group: _factors(stored) for group, stored in calibration.get("group_factors", {}).items()
    }
    quantiles = calibrate(raw, factors, group_factors) if factors else raw

    # Need: Kita from the trajectories, each age group's carried onto its published quantiles
    # so that a shortfall is as likely as the group's calibrated intervals say; schools and
    # care from the mean by single age.
    group = [g[0] for g in GROUPS]

    def published(name: str) -> np.ndarray:  # (S, T, H, D)
        g = group.index(name)
        return np.stack([
            need.onto_quantiles(kept[s, :, :, :d, g], raw[s, :, :d, g], quantiles[s, :, :d, g])
            for s in range(kept.shape[0])
        ])  # fmt: skip

    under_three, three_to_school = published("0-2"), published("3-5")
    place_row = np.array([np.nan if places.get(c) is None else places[c] for c in codes])
    kita_median, kita_shortfall = [], []
    for quota in need.KITA_QUOTAS:
        wanted = need.kita_need(under_three, three_to_school, quota)  # (S, T, H, D)
        kita_median.append(np.median(wanted, axis=1))
        kita_shortfall.append(np.stack([need.shortfall_probability(w, place_row) for w in wanted]))
    by_age = projection.mean.sum(axis=3) * scale[None, :, :d]  # (S, H, D, 101)
    entrants = by_age[..., need.ENTRY_AGE]
    care = np.stack(
        [np.stack([need.care_need(s, rising=rising) for s in by_age]) for rising in (False, True)],
        axis=1,
    )  # (S, variant, H, D)
    arrays = {
        "kita_need": np.stack(kita_median, axis=1),  # (S, quota, H, D) median
        "kita_shortfall": np.stack(kita_shortfall, axis=1),  # (S, quota, H, D)
        "entrants": entrants,  # (S, H, D)
        "entry_classes": need.entry_classes(entrants),  # (S, H, D)
        "care": care,  # (S, variant, H, D)
    }
    arrays = {name: np.ascontiguousarray(a, dtype="<f4") for name, a in arrays.items()}
    base_total = seen.population[-1].sum(axis=(1, 2))
    small = [bool(t < SMALL_AREA) for t in base_total] + [False] * (len(areas.labels) - d)
    axes = {
        "scenarios": list(projection.scenarios),
        "years": [int(y) for y in projection.years],
        "areas": areas.labels,
        "groups": group,
        "quantiles": list(QUANTILES),
        "small": small,
        "base_population": [int(t) for t in base_total],
        "need": [{"name": name, "shape": list(a.shape)} for name, a in arrays.items()],
        "kita_quotas": list(need.KITA_QUOTAS),
        "care_variants": list(need.CARE_VARIANTS),
        "kita_places": [places.get(c) for c in codes],
        # Planned dwellings per year and district (the housing scenario's input).
        "dwellings": [] if dwellings is None else dwellings.astype(int).tolist(),
        # The register's head counts the run started from, per year, area and group: what a
        # published run shows as observed comes from here, so a later import changes no
        # public page until a run computed from it is published.
        "observed": observed_counts(seen, areas),
    }
    run = ProjectionRun(
        base_year=base_year,
        horizon=horizon,
        scenarios=list(projection.scenarios),
        trajectories=trajectories,
        backtest_trajectories=backtest_trajectories,
        seed=seed,
        calibration=calibration,
        backtest={
            "origins": sorted(int(o) for o in backtest.cases["origin"].unique())
            if not backtest.cases.empty else [],
            "by_horizon": _rows(district_totals, backtest, "horizon"),
            "by_group": _rows(by_group, backtest, "group"),
            "weights": {str(h): list(w) for h, w in weights.items()},
            "combined": list(COMBINED),
        },
    )  # fmt: skip
    return Computed(run, np.ascontiguousarray(quantiles, dtype="<f4"), arrays, axes)


def observed_counts(register: Register, areas: Areas) -> dict:
    """The register's head counts of every year up to the base year per area of the results
    (districts, Stadtbezirke with the run's roll-up weights, the city) and planning age group,
    to two decimals (a Bezirk holds shares of districts)."""
    counts = register.population.sum(axis=2) @ GROUP_MATRIX  # (Y, D, G)
    bezirke = np.einsum("ydg,db->ybg", counts, areas.bezirk_of)
    every = np.concatenate([counts, bezirke, counts.sum(axis=1, keepdims=True)], axis=1)
    return {
        "years": [int(y) for y in register.years],
        "counts": np.round(every, 2).tolist(),
        "bezirk_of": np.round(areas.bezirk_of, 6).tolist(),  # (D, B) the roll-up's weights
    }


def _rows(measure, backtest, key: str) -> list[dict]:
    return [] if backtest.cases.empty else table_rows(measure(backtest), key)


def results_digest(computed: Computed) -> str:
    run = computed.run
    return _sha256(
        computed.quantiles.tobytes(),
        *(a.tobytes() for a in computed.need.values()),
        _canonical(computed.axes),
        _canonical(run.calibration),
        _canonical(run.backtest),
    )


def run_projection(
    *,
    base_year: int | None = None,
    horizon: int = 16,
    trajectories: int = 1000,
    seed: int = 0,
    backtest_trajectories: int | None = None,
    scenarios: tuple = SCENARIOS,
    workers: int = 1,
    user=None,
    is_demo: bool = False,
    dry_run: bool = False,
    into: ProjectionRun | None = None,
) -> ProjectionRun:
    """Compute a projection from the stored register and store it as a draft run (unsaved
    with ``dry_run``; into the queued run ``into`` where one is given); refused (ValueError)
    without register data for the base year."""
    register = register_of(level=LEVEL)
    base_year, backtest_trajectories = checked(
        register, base_year, horizon, trajectories, backtest_trajectories
    )
    started = time.perf_counter()
    places = need.kita_places(year=base_year, codes=register.codes)
    years = range(base_year + 1, base_year + horizon + 1)
    dwellings, housing_imports = planned_dwellings(codes=register.codes, years=years)
    parameters = {
        "base_year": base_year, "horizon": horizon, "trajectories": trajectories, "seed": seed,
        "backtest_trajectories": backtest_trajectories, "scenarios": [s.slug for s in scenarios],
    }  # fmt: skip
    inputs = _inputs(register, base_year, places, parameters)
    inputs["housing"] = {"imports": housing_imports, "dwellings": dwellings.astype(int).tolist()}
    computed = compute(
        register=register,
        base_year=base_year,
        horizon=horizon,
        trajectories=trajectories,
        seed=seed,
        backtest_trajectories=backtest_trajectories,
        scenarios=scenarios,
        places=places,
        areas=areas_of(register.codes, base_year),
        workers=workers,
        dwellings=dwellings,
    )
    run = computed.run if into is None else _filled(into, computed.run)
    run.inputs, run.inputs_digest = inputs, _digest_of_inputs(inputs)
    run.created_by, run.is_demo = user, is_demo
    run.seconds = round(time.perf_counter() - started, 1)
    # A dry run keeps its result unsaved beside it, for a look at what it would store.
    run.result = RunResult(
        run=run,
        axes=computed.axes,
        quantiles=computed.quantiles.tobytes(),
        need=b"".join(a.tobytes() for a in computed.need.values()),
        digest=results_digest(computed),
    )
    if not dry_run:
        _store(run)
    return run


def checked(register, base_year, horizon, trajectories, backtest_trajectories) -> tuple[int, int]:
    """The base year (the register's last by default) and the backtest's simulations (at most
    ``BACKTEST_TRAJECTORIES``) of a run the register can serve; ValueError saying why not."""
    if register is None:
        raise ValueError("Es sind keine Registerdaten gespeichert (import_register).")
    base_year = int(register.years[-1]) if base_year is None else base_year
    if backtest_trajectories is None:
        backtest_trajectories = min(trajectories, BACKTEST_TRAJECTORIES)
    if not register.years[0] < base_year <= register.years[-1]:
        raise ValueError(
            f"Basisjahr {base_year}: Das Register reicht von {register.years[0]} bis "
            f"{register.years[-1]}, und das Basisjahr braucht ein Jahr davor."
        )
    if not 1 <= horizon <= 50 or min(trajectories, backtest_trajectories) < MIN_TRAJECTORIES:
        raise ValueError(f"1 bis 50 Jahre voraus und mindestens {MIN_TRAJECTORIES} Simulationen.")
    return base_year, backtest_trajectories


COMPUTED_FIELDS = ("base_year", "horizon", "scenarios", "trajectories", "backtest_trajectories",
                   "seed", "calibration", "backtest")  # fmt: skip


def _filled(queued: ProjectionRun, computed: ProjectionRun) -> ProjectionRun:
    """The queued run with what was computed for it, a draft now."""
    for name in COMPUTED_FIELDS:
        setattr(queued, name, getattr(computed, name))
    queued.status, queued.error = ProjectionRun.Status.DRAFT, ""
    return queued


@transaction.atomic
def _store(run: ProjectionRun) -> None:
    result = run.result
    added = run.pk is None
    run.save()
    result.run = run
    result.save()
    record(user=run.created_by, obj=run, message="berechnet", added=added)
