"""/api/v1/values: the values of an indicator per area, observed or, for the years after the
published projection's base year, projected (projections/values.py)."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from core.http import BadParameter
from districts.params import parse_level, parse_within
from indicators.params import parse_breaks, parse_indicator, parse_release
from projections.values import VALUES_QUERY, values_payload


@require_safe
def values(request):
    """Values of an indicator per area and year, classified for the map; with ``from`` the
    change since that year, with ``release`` as published up to that release, in a projected
    year the medians and quantiles of ``scenario``."""
    try:
        given = VALUES_QUERY.parse(request.GET, check=False)
        release = parse_release(given["release"])
        body = values_payload(
            indicator=parse_indicator(given["indicator"]),
            level=parse_level(given["level"]),
            year=given["year"],
            within=parse_within(given["within"]),
            start=given["from"],
            method=given["method"],
            classes=given["classes"],
            breaks=parse_breaks(given["breaks"]),
            as_of=release.published_at if release else None,
            scenario=given["scenario"],
        )
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(body)
