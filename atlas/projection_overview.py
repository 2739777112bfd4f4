"""The projection's overview page (/vorausberechnung/): for a projected year, a scenario and a
Kita demand quota, the probability of a Kita shortfall by statistical district on a map drawn
on the server, with tables of the children, places and need, the primary-school entrants and
entry classes, and the people in need of care. A GET form chooses; no script is needed."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.http import BadParameter
from core.params import FIRST_YEAR, LAST_YEAR, Param, Query
from indicators.presenters import shown
from projections.catalogue import scenario_label
from projections.overview import (
    Choice,
    default_choice,
    district_needs,
    probability_text,
    quotas_of,
)
from projections.selectors import published_run
from projections.series import SCENARIO, scenario_of
from projections.services.runs import SMALL_AREA
from reports.projection_figures import shortfall_map

from .pagecache import shared_page

TEMPLATE = "atlas/projection_overview.html"
OVERVIEW = Query(
    params=(
        Param("year", "projected year", type="integer", minimum=FIRST_YEAR, maximum=LAST_YEAR),
        Param("quota", "Kita demand quota in per cent", type="integer", minimum=0, maximum=100),
        SCENARIO,
    )
)


@shared_page
def overview(request):
    """The shortfall map and the need tables of the published run; 400 with the form and a
    message naming the parameter where the year, quota or scenario is not the run's."""
    run = published_run()
    if run is None:
        return render(request, TEMPLATE, {"run": None})
    status, error = 200, None
    try:
        choice = _choice(run, OVERVIEW.parse(request.GET))
    except BadParameter as bad:
        status, error, choice = 400, bad, default_choice(run)
    context = {"run": run, "error": error, **_figures(run, choice)}
    return render(request, TEMPLATE, context, status=status)


def _choice(run, given: dict) -> Choice:
    default = default_choice(run)
    axes = run.result.axes
    year = given["year"] or default.year
    if year not in axes["years"]:
        raise BadParameter(
            "year",
            _("Für %(year)s gibt es keine Vorausberechnung (Parameter „year“); möglich sind "
              "%(first)s bis %(last)s.")
            % {"year": year, "first": axes["years"][0], "last": axes["years"][-1]},
        )  # fmt: skip
    quota = given["quota"] if given["quota"] is not None else default.quota
    if quota not in quotas_of(run):
        raise BadParameter(
            "quota",
            _("Die Quote %(quota)s %% (Parameter „quota“) ist nicht berechnet; möglich sind "
              "%(quotas)s.")
            % {"quota": quota, "quotas": ", ".join(f"{q} %" for q in quotas_of(run))},
        )  # fmt: skip
    return Choice(year, scenario_of(run, given["scenario"]), quota)


def _spread(spread) -> dict:
    return {"median": shown(spread.median, 0), "low": shown(spread.low, 0),
            "high": shown(spread.high, 0)}  # fmt: skip


def _figures(run, choice: Choice) -> dict:
    needs = district_needs(run, choice)
    rows = [
        {
            "need": n,
            "under_three": _spread(n.under_three),
            "three_to_five": _spread(n.three_to_five),
            "places": "–" if n.places is None else shown(n.places, 0),
            "kita_need": shown(n.kita_need, 0),
            "shortfall": probability_text(n.shortfall),
            "entrants": shown(n.entrants, 0),
            "entry_classes": shown(n.entry_classes, 0),
            "care": shown(n.care, 0),
            "care_rising": shown(n.care_rising, 0),
        }
        for n in needs
    ]
    listed = "; ".join(f"{n.name}: {probability_text(n.shortfall)}" for n in needs)
    alt = _(
        "Karte der statistischen Bezirke: Wahrscheinlichkeit, dass %(year)s die Kita-Plätze "
        "nicht reichen (Vorausberechnung, Szenario %(scenario)s, Quote unter 3 Jahren "
        "%(quota)s %%). %(listed)s."
    ) % {"year": choice.year, "scenario": scenario_label(choice.scenario), "quota": choice.quota,
         "listed": listed}  # fmt: skip
    figure = shortfall_map(
        probabilities={n.code: n.shortfall for n in needs}, year=run.base_year, alt=alt
    )
    axes = run.result.axes
    return {
        "choice": choice,
        "scenario_name": scenario_label(choice.scenario),
        "years": axes["years"],
        "quotas": quotas_of(run),
        "scenarios": [(slug, scenario_label(slug)) for slug in axes["scenarios"]],
        "rows": rows,
        "map": figure.svg,
        "small": [n.name for n in needs if n.small],
        "small_area": SMALL_AREA,
        "unknown_places": [n.name for n in needs if n.places is None],
    }
