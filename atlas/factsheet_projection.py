"""The fact sheet's projection section: a Stadtbezirk's inhabitants and children in the base
year and 5 and 10 years on beside the city, its districts' Kita need against the places with
the probability of a shortfall, and a small fan chart drawn on the server, all marked as a
projection (and as demo data where the run is)."""

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from indicators.presenters import shown
from projections.catalogue import scenario_label
from projections.outlook import HORIZONS, Outlook, bezirk_outlook
from projections.overview import probability_text
from projections.selectors import published_run
from reports.projection_figures import Fan, fan_chart

GROUP_NAMES = {
    "total": gettext_lazy("Einwohnerinnen und Einwohner"),
    "0-2": gettext_lazy("Kinder unter 3 Jahren"),
    "3-5": gettext_lazy("Kinder von 3 bis 5 Jahren"),
    "6-9": gettext_lazy("Kinder von 6 bis 9 Jahren"),
}


def _ahead(spread) -> dict | None:
    if spread is None:
        return None
    return {"median": shown(spread.median, 0), "low": shown(spread.low, 0),
            "high": shown(spread.high, 0)}  # fmt: skip


def _rows(rows) -> list[dict]:
    return [
        {
            "group": row.group,
            "name": str(GROUP_NAMES[row.group]),
            "base": shown(row.base, 0),
            "ahead": [_ahead(spread) for spread in row.ahead],
        }
        for row in rows
    ]


def _fan(outlook: Outlook, name: str) -> str:
    fan = Fan(
        label=_("Melderegister"),
        observed_years=outlook.observed_years,
        observed=outlook.observed,
        projected_years=outlook.projected_years,
        quantiles=outlook.quantiles,
    )
    medians = "; ".join(
        f"{year}: {shown(q[3], 0)}"
        for year, q in zip(outlook.projected_years, outlook.quantiles, strict=True)
        if year in outlook.years
    )
    alt = _(
        "Kinder unter 3 Jahren in %(name)s, %(first)s–%(base)s aus dem Melderegister, danach "
        "Vorausberechnung (Szenario %(scenario)s): Median gestrichelt mit 50-, 80- und "
        "95-%%-Intervall. Median %(medians)s."
    ) % {
        "name": name,
        "first": outlook.observed_years[0],
        "base": outlook.run.base_year,
        "scenario": scenario_label(outlook.choice.scenario),
        "medians": medians,
    }
    title = _("Kinder unter 3 Jahren in %(name)s: Vorausberechnung") % {"name": name}
    chart = fan_chart(fan=fan, title=title, alt=alt, unit=_("Personen"),
                      language=get_language() or "de", width_mm=110)  # fmt: skip
    return chart.svg


def projection_section(*, bezirk) -> dict | None:
    """What the fact sheet shows of the published run for ``bezirk``; None without one."""
    run = published_run()
    outlook = bezirk_outlook(run=run, bezirk_code=bezirk.code) if run is not None else None
    if outlook is None:
        return None
    return {
        "run": run,
        "base_year": run.base_year,
        "years": outlook.years,
        "horizons": HORIZONS,
        "scenario_name": scenario_label(outlook.choice.scenario),
        "choice": outlook.choice,
        "tables": [
            (bezirk.name, _rows(outlook.bezirk)),
            (_("Stadt insgesamt"), _rows(outlook.city)),
        ],
        "districts": [
            {
                "name": n.name,
                "small": n.small,
                "places": "–" if n.places is None else shown(n.places, 0),
                "need": shown(n.kita_need, 0),
                "shortfall": probability_text(n.shortfall),
            }
            for n in outlook.districts
        ],
        "small": outlook.small,
        "fan": _fan(outlook, bezirk.name),
    }
