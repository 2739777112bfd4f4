from django.http import JsonResponse
from django.views.decorators.http import require_GET

from atlas.http import BadParameter, integer, lookup, required
from districts.models import Level

from .classify import classify
from .models import Indicator, Theme
from .selectors import AreaValue, available_years, indicator_levels, level_values

DEMO_NOTICE = "Demodaten: synthetische Werte, nicht amtlich / demo data: synthetic, not official"


def indicator_dict(indicator: Indicator, *, levels: list[str]) -> dict:
    return {
        "slug": indicator.slug,
        "theme": indicator.theme.slug,
        "name_de": indicator.name_de,
        "name_en": indicator.name_en,
        "short_name_de": indicator.short_name_de,
        "short_name_en": indicator.short_name_en,
        "definition_de": indicator.definition_de,
        "definition_en": indicator.definition_en,
        "unit_de": indicator.unit_de,
        "unit_en": indicator.unit_en,
        "kind": indicator.kind,
        "is_proportion": indicator.is_proportion,
        "numerator_de": indicator.numerator_de,
        "numerator_en": indicator.numerator_en,
        "denominator_de": indicator.denominator_de,
        "denominator_en": indicator.denominator_en,
        "factor": indicator.factor,
        "decimals": indicator.decimals,
        "polarity": indicator.polarity,
        "source": indicator.source,
        "licence": indicator.licence,
        "notes_de": indicator.notes_de,
        "notes_en": indicator.notes_en,
        "is_demo": indicator.is_demo,
        "classification": {
            "method": indicator.classification_method,
            "classes": indicator.classification_classes,
            "palette": indicator.palette,
        },
        "disclosure_threshold": indicator.disclosure_threshold,
        "levels": levels,
    }


def area_dict(area: AreaValue | None) -> dict | None:
    if area is None:
        return None
    cell = area.cell
    return {
        "code": area.code,
        "name": area.name,
        "value": cell.value if cell else None,
        "numerator": cell.numerator if cell else None,
        "denominator": cell.denominator if cell else None,
        "status": cell.status if cell else None,
    }


@require_GET
def indicators(request):
    levels = indicator_levels()
    themes = [
        {"slug": t.slug, "name_de": t.name_de, "name_en": t.name_en, "order": t.order}
        for t in Theme.objects.all()
    ]
    rows = Indicator.objects.select_related("theme")
    return JsonResponse(
        {
            "themes": themes,
            "indicators": [indicator_dict(i, levels=levels.get(i.id, [])) for i in rows],
        }
    )


@require_GET
def values(request):
    try:
        slug = required(request, "indicator")
        indicator = lookup(Indicator, "indicator", slug, slug=slug)
        level_slug = required(request, "level")
        level = lookup(Level, "level", level_slug, slug=level_slug)
        years = available_years(indicator=indicator)
        year = integer(request, "year", default=years[-1] if years else None)
        if year is None or year not in years:
            raise BadParameter("year", f"keine Werte für Jahr {year} / no values for year {year}")
    except BadParameter as bad:
        return bad.response()

    result = level_values(indicator=indicator, level=level, year=year)
    shown = [a for a in result.areas if a.cell is not None and a.cell.has_value]
    classes = classify(
        [a.cell.value for a in shown],
        method=indicator.classification_method,
        k=indicator.classification_classes,
        palette_name=indicator.palette,
    )
    class_of = dict(zip((a.code for a in shown), classes.bins, strict=True)) if classes else {}
    return JsonResponse(
        {
            "indicator": indicator.slug,
            "level": level.slug,
            "year": year,
            "years": years,
            "unit_de": indicator.unit_de,
            "unit_en": indicator.unit_en,
            "decimals": indicator.decimals,
            "is_demo": indicator.is_demo,
            "notice": DEMO_NOTICE if indicator.is_demo else "",
            "classes": None
            if classes is None
            else {
                "method": classes.method,
                "lower": classes.lower,
                "breaks": classes.breaks,
                "colors": classes.colors,
                "counts": classes.counts,
            },
            "city": area_dict(result.city),
            "values": [
                {**area_dict(area), "class": class_of.get(area.code)} for area in result.areas
            ],
        }
    )
