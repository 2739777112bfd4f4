"""The population projection's public pages: its track record ("So genau waren wir bisher")
and its method, both of the latest published run (projections/)."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from projections import need
from projections.backtest import (
    COMBINED,
    GROUP_PRIOR_CASES,
    MAX_HORIZON,
    MIN_ORIGINS,
    ORIGINS,
    TOLERANCE,
)
from projections.model import SCENARIOS
from projections.rates import (
    BASE_PERIOD,
    COMMON_PRIOR_SD,
    COMMON_PRIOR_YEARS,
    MORTALITY_IMPROVEMENT,
    MORTALITY_TREND_YEARS,
)
from projections.schedules import new_build_occupants
from projections.selectors import accuracy_of, published_run
from projections.services.runs import SMALL_AREA

GROUP_LABELS = {
    "0-2": _("unter 3 Jahre"),
    "3-5": _("3 bis 5 Jahre"),
    "6-9": _("6 bis 9 Jahre"),
    "10-17": _("10 bis 17 Jahre"),
    "18-64": _("18 bis 64 Jahre"),
    "65-79": _("65 bis 79 Jahre"),
    "80+": _("80 Jahre und älter"),
    "total": _("alle"),
}


def accuracy(request):
    """The backtest of the published run: errors by horizon against the naive benchmarks,
    by planning age group, and how often its calibrated intervals held."""
    run = published_run()
    context = {"run": run, "origins": (ORIGINS[0], ORIGINS[-1]), "max_horizon": MAX_HORIZON,
               "min_origins": MIN_ORIGINS}  # fmt: skip
    if run is not None:
        figures = accuracy_of(run)
        for row in figures["by_group"]:
            row["label"] = GROUP_LABELS.get(row["key"], row["key"])
        context["accuracy"] = figures
    return render(request, "atlas/projection_accuracy.html", context)


def combination_rows(run) -> list[dict]:
    """The published run's weights of the weighted average, in per cent, by horizon."""
    weights = (run.backtest.get("weights") or {}) if run is not None else {}
    return [
        {"horizon": int(h), **{name: 100 * w for name, w in zip(COMBINED, row, strict=True)}}
        for h, row in sorted(weights.items(), key=lambda item: int(item[0]))
    ]


def extrapolated_rows(run) -> list[dict]:
    """The published run's calibration factors for the years ahead that the backtest does not
    check (fewer than MIN_ORIGINS base years, or beyond it): extrapolated, not measured."""
    if run is None:
        return []
    calibration = run.calibration
    checked = {row["horizon"] for row in calibration.get("by_horizon", []) if row["checked"]}
    return [
        {"horizon": int(h), "year": run.base_year + int(h),
         "factor80": factors.get("80"), "factor95": factors.get("95")}
        for h, factors in sorted(calibration.get("factors", {}).items(), key=lambda i: int(i[0]))
        if int(h) not in checked and int(h) <= run.horizon
    ]  # fmt: skip


def planned_total(run) -> int:
    """The dwellings the run's housing scenario added, all years and districts."""
    dwellings = run.result.axes.get("dwellings", []) if run is not None else []
    return int(sum(sum(row) for row in dwellings))


def method(request):
    """How the projection is made, with the assumptions and their sources."""
    run = published_run()
    context = {
        "run": run,
        "weights": combination_rows(run),
        "extrapolated": extrapolated_rows(run),
        "persons": float(new_build_occupants().sum()),
        "dwellings": planned_total(run),
        "trend_years": MORTALITY_TREND_YEARS,
        "base_period": BASE_PERIOD,
        "common_arrivals": round(COMMON_PRIOR_SD["arrivals"] * 100),
        "common_out": round(COMMON_PRIOR_SD["out"] * 100),
        "common_years": COMMON_PRIOR_YEARS,
        "origins": (ORIGINS[0], ORIGINS[-1]),
        "max_horizon": MAX_HORIZON,
        "tolerance": int(TOLERANCE),
        "min_origins": MIN_ORIGINS,
        "group_prior_cases": GROUP_PRIOR_CASES,
        "improvement": MORTALITY_IMPROVEMENT * 100,
        "scenarios": SCENARIOS,
        "small_area": SMALL_AREA,
        "quotas": [int(q * 100) for q in need.KITA_QUOTAS],
        "over_three": int(need.OVER_THREE_QUOTA * 100),
        "class_guide": need.CLASS_GUIDE,
        "class_max": need.CLASS_MAX,
        "class_min": need.CLASS_MIN,
        "care_bands": [(low, high, rate * 100) for low, high, rate in need.CARE_BANDS],
        "care_rise": need.CARE_RISE * 100,
    }
    return render(request, "atlas/projection_method.html", context)
