"""JSON views of the statistics: each parses its query (indicators/params.py) and answers with
the payload of indicators/payloads.py."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from core.http import BadParameter, lookup, page_links
from districts.models import District
from districts.params import parse_level

from .models import Theme
from .params import (
    CHANGE,
    INDICATORS,
    PROFILE,
    RELEASES,
    parse_indicator,
)
from .payloads import (
    change_payload,
    indicators_payload,
    profile_payload,
    releases_payload,
    themes_payload,
)


@require_safe
def themes(request):
    return JsonResponse(themes_payload())


@require_safe
def indicators(request):
    try:
        slug = INDICATORS.parse(request.GET)["theme"]
        theme = lookup(Theme, "theme", slug, slug=slug) if slug else None
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(indicators_payload(theme=theme))


@require_safe
def district_profile(request):
    try:
        given = PROFILE.parse(request.GET)
        level = parse_level(given["level"])
        code = given["code"]
        district = lookup(District, "code", code, level=level, code=code, valid_to__isnull=True)
        body = profile_payload(district=district, year=given["year"])
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(body)


@require_safe
def change(request):
    try:
        given = CHANGE.parse(request.GET)
        body = change_payload(
            indicator=parse_indicator(given["indicator"]),
            level=parse_level(given["level"]),
            start=given["from"],
            end=given["to"],
        )
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(body)


@require_safe
def releases(request):
    """Published releases (Datenstände), newest first, with their values per theme."""
    try:
        given = RELEASES.parse(request.GET)
        limit, offset = given["limit"] or 20, given["offset"] or 0
    except BadParameter as bad:
        return bad.response()
    body = releases_payload(limit=limit, offset=offset, absolute=request.build_absolute_uri)
    return JsonResponse(
        {
            **page_links(request, count=body["count"], limit=limit, offset=offset),
            "results": body["results"],
        }
    )
