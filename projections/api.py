"""JSON views that carry the projection beside the statistics: the time series of
/api/v1/series with the projected years of an indicator the projection continues."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from core.http import BadParameter
from core.params import Query
from districts.params import parse_level
from indicators import params as indicator_params
from indicators.params import parse_indicator
from indicators.payloads import series_payload

from .series import SCENARIO, projection_series

SERIES = Query(
    params=(*indicator_params.SERIES.params, SCENARIO), rules=indicator_params.SERIES.rules
)


@require_safe
def series(request):
    """The observed series of the areas and the city, and under "projection" the published
    run's quantiles for the years after its base year (null where there are none)."""
    try:
        given = SERIES.parse(request.GET)
        indicator = parse_indicator(given["indicator"])
        level = parse_level(given["level"])
        codes = given["codes"].split(",")
        body = series_payload(indicator=indicator, level=level, codes=codes)
        body["projection"] = projection_series(
            indicator=indicator.slug,
            level=level.slug,
            codes=codes,
            decimals=indicator.decimals,
            scenario=given["scenario"],
        )
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(body)
