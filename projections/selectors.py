"""Reading projections: the register for the model (one query per table into its arrays), and
the published run with its stored arrays."""

import numpy as np
import pandas as pd
from django.db import connection

from projections.model import GROUPS
from projections.models import PlannedDwellings, ProjectionRun
from projections.register import Register, register_from_frames

QUERIES = {
    "cells": """
        SELECT c.year, d.code, c.sex, c.age, c.population, c.deaths, c.moves_in, c.moves_out
        FROM projections_registercell c JOIN districts_district d ON d.id = c.district_id
        JOIN districts_level l ON l.id = d.level_id WHERE l.slug = %s""",
    "births": """
        SELECT b.year, d.code, b.mother_age, b.sex, b.births
        FROM projections_registerbirths b JOIN districts_district d ON d.id = b.district_id
        JOIN districts_level l ON l.id = d.level_id WHERE l.slug = %s""",
    "within": """
        SELECT m.year, o.code AS from_code, t.code AS to_code, m.sex, m.age, m.moves
        FROM projections_registermove m JOIN districts_district o ON o.id = m.origin_id
        JOIN districts_district t ON t.id = m.destination_id
        JOIN districts_level l ON l.id = o.level_id WHERE l.slug = %s""",
}


def register_of(*, level: str = "statistischer-bezirk") -> Register | None:
    """The stored register of a level as arrays, or None where it holds no population."""
    frames = {}
    with connection.cursor() as cursor:
        for kind, query in QUERIES.items():
            cursor.execute(query, [level])
            columns = [column.name for column in cursor.description]
            frames[kind] = pd.DataFrame(cursor.fetchall(), columns=columns)
    if frames["cells"].empty:
        return None
    return register_from_frames(frames["cells"], frames["births"], frames["within"])


def planned_dwellings(
    *, codes: tuple[str, ...], years, level: str = "statistischer-bezirk"
) -> tuple[np.ndarray, list[int]]:
    """Planned dwellings (len(years), len(codes)), zero where none are planned, and the ids of
    the housing imports they came from."""
    years = [int(y) for y in years]
    array = np.zeros((len(years), len(codes)))
    rows = PlannedDwellings.objects.filter(
        year__in=years, district__level__slug=level, district__code__in=list(codes)
    ).values_list("year", "district__code", "dwellings", "source_id")
    position = {code: i for i, code in enumerate(codes)}
    sources = set()
    for year, code, dwellings, source in rows:
        array[years.index(year), position[code]] += dwellings
        sources.add(source)
    return array, sorted(sources)


def published_run(*, is_demo: bool | None = None):
    """The latest published projection run, with its results, or None."""
    runs = ProjectionRun.objects.filter(status=ProjectionRun.Status.PUBLISHED)
    if is_demo is not None:
        runs = runs.filter(is_demo=is_demo)
    return runs.select_related("result").order_by("-published_at", "-pk").first()


def quantiles_of(result) -> np.ndarray:
    """(scenario, year, area, group, quantile) as stored, axes in ``result.axes``."""
    axes = result.axes
    shape = tuple(
        len(axes[name]) for name in ("scenarios", "years", "areas", "groups", "quantiles")
    )
    return np.frombuffer(bytes(result.quantiles), dtype="<f4").reshape(shape)


def need_of(result) -> dict[str, np.ndarray]:
    """The need arrays of a run by name (``projections.need``; shapes in ``result.axes``)."""
    buffer, arrays, offset = bytes(result.need), {}, 0
    for entry in result.axes["need"]:
        size = int(np.prod(entry["shape"]))
        arrays[entry["name"]] = np.frombuffer(
            buffer, dtype="<f4", count=size, offset=offset * 4
        ).reshape(entry["shape"])
        offset += size
    return arrays


GROUP_ORDER = {name: i for i, (name, _, _) in enumerate(GROUPS)}


def _measure_row(row: dict, key: str) -> dict:
    return {
        "key": row[key],
        "cases": row["cases"],
        "model": row["MAPE model"],
        # The cohort-component model alone, before the combination (runs since it exists).
        "cohort": row.get("MAPE cohort"),
        "constant": row["MAPE constant"],
        "linear": row["MAPE linear"],
        "share": row["MAPE share"],
        "hamilton_perry": row["MAPE hamilton-perry"],
        "median": row["MdAPE model"],
        "bias": row["MALPE model"],
        "cover80": row["coverage 80"],
        "cover95": row["coverage 95"],
        "score80": row["score 80"],
        "score95": row["score 95"],
        # The model against the three naive benchmarks (Hamilton–Perry is a challenger).
        "beats_naive": row["MAPE model"]
        < min(row["MAPE constant"], row["MAPE linear"], row["MAPE share"]),
    }


def accuracy_of(run: ProjectionRun) -> dict:
    """A run's backtest and calibration as rows a page shows: measures by horizon (districts'
    totals) and by planning age group, coverage and factors by horizon."""
    calibration = run.calibration
    factors = calibration.get("factors", {})
    coverage = [
        {
            **{k: row[k] for k in ("horizon", "origins", "cases", "checked")},
            "cover80": row["80"],
            "cover95": row["95"],
            "factor80": factors.get(str(row["horizon"]), {}).get("80"),
            "factor95": factors.get(str(row["horizon"]), {}).get("95"),
        }
        for row in calibration.get("by_horizon", [])
    ]
    origins = {row["horizon"]: row["origins"] for row in calibration.get("by_horizon", [])}
    by_horizon = []
    for measured in run.backtest.get("by_horizon", []):
        row = _measure_row(measured, "horizon")
        row["origins"] = origins.get(int(row["key"]))  # base years that reach so far ahead
        by_horizon.append(row)
    return {
        "by_horizon": by_horizon,
        "by_group": sorted(
            (_measure_row(r, "group") for r in run.backtest.get("by_group", [])),
            key=lambda row: GROUP_ORDER.get(row["key"], len(GROUP_ORDER)),
        ),
        "coverage": coverage,
        "pooled": calibration.get("pooled", {}),
        "origins": run.backtest.get("origins", []),
        "tolerance": calibration.get("tolerance"),
    }
