"""The blocks of a chapter: what each kind's settings may say, and how it becomes part of the
document. Every number comes from the read path (indicators/selectors.py) at the report's
pinned state, so suppression, approximation and significance are those of the map."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from districts.models import District, Level
from indicators import classify, units
from indicators.models import CLASS_COUNTS, Indicator, Theme
from indicators.presenters import (
    reason_of,
    shown,
    shown_area,
    shown_change,
    signed,
    status_mark,
)
from indicators.pyramid import is_pyramid_part, pyramid
from indicators.selectors import (
    AreaValue,
    available_years,
    change_values,
    level_values,
    profile_row,
    published_years,
    value_of,
    year_tables,
)

from . import charts, findings
from . import document as doc
from .maps import Area, LegendEntry, area_map

DISTRICT_LEVEL = "statistischer-bezirk"
BEZIRK_LEVEL = "stadtbezirk"


@dataclass(frozen=True)
class Scope:
    """Where and when a report reads: its Bezirk (None: the city) and its pinned moment."""

    bezirk: District | None
    as_of: datetime.datetime | None
    site: str  # the atlas's address, for links in the PDF and the Word file


# --- settings ------------------------------------------------------------------------------

FIELDS = {
    "map": {"indicator", "level", "year", "since", "method", "classes"},
    "chart": {"chart", "indicator", "y", "areas", "level", "year", "since"},
    "table": {"indicators", "level", "year"},
    "key_figures": {"indicators", "year", "since"},
    "findings": {
        "finding",
        "indicators",
        "theme",
        "level",
        "year",
        "since",
        "top",
        "facility_types",
        "distance",
    },
}
CHARTS = ("series", "comparison", "ranking", "scatter", "pyramid")
FINDINGS = (
    "versus_city",
    "change",
    "trend_turned",
    "concentration",
    "social_index",
    "supply",
    "reach",
)


def check(kind: str, settings: dict) -> dict:
    """The settings of a block of ``kind``, checked; a ValidationError names the field."""
    if kind not in FIELDS:
        raise ValidationError({"kind": _("Unbekannte Art von Baustein: %(kind)s") % {"kind": kind}})
    unknown = set(settings) - FIELDS[kind]
    if unknown:
        raise ValidationError(
            {"settings": _("Unbekannte Angabe: %(names)s") % {"names": ", ".join(sorted(unknown))}}
        )
    errors = {}
    for name, value in settings.items():
        try:
            _CHECKS[name](value)
        except ValidationError as error:
            errors[name] = error.messages
    needs = {"map": "indicator", "chart": "indicator", "table": "indicators"}
    if kind in needs and not settings.get(needs[kind]):
        errors[needs[kind]] = [_("Bitte angeben.")]
    if kind == "key_figures" and not settings.get("indicators"):
        errors["indicators"] = [_("Bitte angeben.")]
    if kind == "findings" and not settings.get("finding"):
        errors["finding"] = [_("Bitte angeben.")]
    if kind == "chart" and settings.get("chart") == "scatter" and not settings.get("y"):
        errors["y"] = [_("Ein Streudiagramm braucht einen zweiten Indikator.")]
    if settings.get("areas") and "areas" not in errors and "level" not in errors:
        unknown = _unknown_codes(settings["areas"], settings.get("level") or DISTRICT_LEVEL)
        if unknown:
            errors["areas"] = [
                _("Keine Gebiete dieser Ebene: %(codes)s") % {"codes": ", ".join(unknown)}
            ]
    if errors:
        raise ValidationError(errors)
    return settings


def _unknown_codes(codes: list[str], level: str) -> list[str]:
    known = set(
        District.objects.filter(level__slug=level, code__in=codes).values_list("code", flat=True)
    )
    return [code for code in codes if code not in known]


def _indicator(slug) -> None:
    if not isinstance(slug, str) or not Indicator.objects.filter(slug=slug).exists():
        raise ValidationError(_("Kein Indikator „%(slug)s“.") % {"slug": slug})


def _indicators(slugs) -> None:
    if not isinstance(slugs, list) or not slugs:
        raise ValidationError(_('Eine Liste von Indikatoren, z. B. ["kinderarmut"].'))
    for slug in slugs:
        _indicator(slug)


def _level(slug) -> None:
    if not isinstance(slug, str) or not Level.objects.filter(slug=slug).exists():
        raise ValidationError(_("Keine Gebietsebene „%(slug)s“.") % {"slug": slug})


def _year(value) -> None:
    if value is not None and (not isinstance(value, int) or not 1900 <= value <= 2100):
        raise ValidationError(_("Ein Jahr zwischen 1900 und 2100, oder leer für das neueste."))


def _choice(options) -> Callable:
    def check_choice(value) -> None:
        if value not in options:
            raise ValidationError(
                _("Eine von: %(options)s") % {"options": ", ".join(map(str, options))}
            )

    return check_choice


def _whole(low: int, high: int) -> Callable:
    def check_whole(value) -> None:
        if not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(
                _("Eine ganze Zahl von %(low)s bis %(high)s.") % {"low": low, "high": high}
            )

    return check_whole


def _codes(value) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValidationError(_('Eine Liste von Gebietsschlüsseln, z. B. ["11", "12"].'))


def _theme(value) -> None:
    if not Theme.objects.filter(slug=value).exists():
        raise ValidationError(_("Kein Themenfeld „%(slug)s“.") % {"slug": value})


def _distance(value) -> None:
    if not isinstance(value, int | float) or not 100 <= value <= 5000:
        raise ValidationError(_("Eine Entfernung von 100 bis 5.000 Metern."))


_CHECKS: dict[str, Callable] = {
    "indicator": _indicator,
    "y": _indicator,
    "indicators": _indicators,
    "level": _level,
    "year": _year,
    "since": _year,
    "method": _choice(tuple(classify.METHODS)),
    "classes": _choice(tuple(CLASS_COUNTS)),
    "chart": _choice(CHARTS),
    "areas": _codes,
    "finding": _choice(FINDINGS),
    "theme": _theme,
    "top": _whole(1, 10),
    "facility_types": _codes,
    "distance": _distance,
}


# --- shared ----------------------------------------------------------------------------------


def newest_year(indicator: Indicator, scope: Scope) -> int | None:
    years = available_years(indicator=indicator, with_values=True, as_of=scope.as_of)
    return max(years) if years else None


def year_of(settings: dict, indicator: Indicator, scope: Scope) -> int | None:
    return settings.get("year") or newest_year(indicator, scope)


def level_of(settings: dict) -> Level:
    return Level.objects.get(slug=settings.get("level") or DISTRICT_LEVEL)


def _with_unit_and_mark(area: AreaValue | None, indicator: Indicator) -> str:
    """ "20,6 % p": the unit with the number, the mark of a provisional value after both."""
    text = with_unit(shown_area(area, indicator.decimals), indicator)
    mark = status_mark(area)
    return f"{text}\u00a0{mark['symbol']}" if mark else text


def with_unit(text: str, indicator: Indicator) -> str:
    if text in ("–", ".", "x", "/", "-", "...") or not indicator.unit:
        return text
    return f"{text}\u00a0{indicator.unit}"


def shown_value(area: AreaValue | None, indicator: Indicator) -> str:
    """The value as every table shows it, with its mark: "≈ 12,3", "20,1 p", "."."""
    text = shown_area(area, indicator.decimals)
    mark = status_mark(area)
    return f"{text}\u00a0{mark['symbol']}" if mark else text


def verdict_text(area: AreaValue | None) -> str:
    if area is None or area.approximate or not area.comparison:
        return ""
    return {
        "above": _("signifikant höher"),
        "below": _("signifikant niedriger"),
        "not_different": _("kein signifikanter Unterschied"),
    }[area.comparison]


def reference_rows(scope: Scope, indicator: Indicator, year: int) -> list[tuple[str, AreaValue]]:
    """The Bezirk's own value (in a Bezirk's report) and the city's: the table's last rows."""
    rows = []
    if scope.bezirk is not None:
        own = level_values(
            indicator=indicator,
            level=scope.bezirk.level,
            year=year,
            within=scope.bezirk,
            as_of=scope.as_of,
        ).within
        rows.append((_("Stadtbezirk %(name)s") % {"name": scope.bezirk.name}, own))
    values = level_values(indicator=indicator, level=level_of({}), year=year, as_of=scope.as_of)
    rows.append((_("Stadt (gesamt)"), values.city))
    return rows


def _shape(district: District):
    return shapely.from_wkb(bytes(district.boundary.wkb))


# --- map -------------------------------------------------------------------------------------


def map_block(settings: dict, scope: Scope) -> list[doc.Block]:
    indicator = Indicator.objects.get(slug=settings["indicator"])
    level = level_of(settings)
    year = year_of(settings, indicator, scope)
    if year is None:
        return [_nothing(indicator)]
    since = settings.get("since")
    values = level_values(
        indicator=indicator, level=level, year=year, within=scope.bezirk, as_of=scope.as_of
    )
    areas = values.areas
    k = settings.get("classes") or indicator.classification_classes
    if since:
        changes = {
            c.code: c
            for c in change_values(
                indicator=indicator, level=level, start=since, end=year, as_of=scope.as_of
            )
        }
        numbers = {a.code: changes[a.code].change for a in areas if a.code in changes}
        numbers = {code: v for code, v in numbers.items() if v is not None}
        classes = classify.classify_change(list(numbers.values()), k=k, polarity=indicator.polarity)
        title = _("Veränderung %(name)s %(start)s–%(end)s") % {
            "name": indicator.name,
            "start": since,
            "end": year,
        }
    else:
        numbers = {a.code: a.cell.value for a in areas if a.has_value}
        classes = classify.classify(
            list(numbers.values()),
            method=settings.get("method") or indicator.classification_method,
            k=k,
            palette_name=indicator.palette,
            breaks=indicator.classification_breaks,
        )
        title = f"{indicator.name} {year}"
    colour_of = {}
    if classes is not None:
        for code, bin_ in zip(numbers, classes.bins, strict=True):
            colour_of[code] = classes.colors[bin_]
    districts = {d.id: d for d in District.objects.filter(id__in=[a.district_id for a in areas])}
    outline = _shape(scope.bezirk) if scope.bezirk is not None else None
    drawn = []
    for area in areas:
        shape = _shape(districts[area.district_id])
        if outline is not None:
            shape = shapely.intersection(shape, outline)
        drawn.append(Area(area.code, area.name, shape, colour_of.get(area.code)))
    legend = _legend(classes, indicator, since)
    if len(numbers) < len(areas):
        legend.append(LegendEntry(None, _("kein Wert oder geheim (.)")))
    caption = f"{title}, {level.name_plural}"
    alt = _map_alt(caption, areas, numbers, indicator)
    picture = area_map(
        areas=drawn,
        legend=legend,
        legend_title=_legend_title(indicator, since),
        outline=outline,
        alt=alt,
    )
    header = (level.name, _("Wert"), _("gegenüber der Stadt"))
    rows = [(a.name, shown_value(a, indicator), verdict_text(a)) for a in areas]
    if since:
        header = (level.name, str(since), str(year), _("Veränderung"))
        rows = [
            (
                a.name,
                shown_value(changes[a.code].start if a.code in changes else None, indicator),
                shown_value(a, indicator),
                _change_text(changes.get(a.code), indicator),
            )
            for a in areas
        ]
    table = doc.Table(
        caption=_("Werte zur Karte: %(caption)s") % {"caption": caption},
        header=header,
        rows=tuple(rows),
        numeric=(False, True, True, True) if since else (False, True, False),
        notes=_notes(areas),
    )
    return [
        doc.Figure(
            kind="map",
            caption=caption,
            alt=alt,
            svg=picture.svg,
            png=picture.png,
            table=table,
            width_mm=picture.width_mm,
        )
    ]


def _change_text(change, indicator: Indicator) -> str:
    if change is None or change.change is None:
        return "–"
    delta = units.Change(change.change, change.relative, units.change_unit(indicator))
    return shown_change(delta, indicator.decimals)


def _legend_title(indicator: Indicator, since) -> str:
    if since:
        unit = units.change_unit(indicator)
        return unit.short(translation.get_language()) or indicator.unit
    return indicator.unit


def _legend(classes, indicator: Indicator, since) -> list[LegendEntry]:
    if classes is None:
        return []
    # A change's limits carry their sign, with a real minus, as the change map's legend does.
    written = signed if since else shown
    entries = []
    lower = classes.lower
    for colour, upper in zip(classes.colors, classes.breaks, strict=False):
        low, high = written(lower, indicator.decimals), written(upper, indicator.decimals)
        limits = _("%(low)s bis %(high)s") % {"low": low, "high": high} if since else None
        entries.append(LegendEntry(colour, limits or f"{low} – {high}"))
        lower = upper
    return entries


def _map_alt(caption: str, areas, numbers: dict, indicator: Indicator) -> str:
    if not numbers:
        return _("Karte: %(caption)s. Kein Gebiet hat einen Wert.") % {"caption": caption}
    names = {a.code: a.name for a in areas}
    high = max(numbers, key=numbers.get)
    low = min(numbers, key=numbers.get)
    return _(
        "Karte: %(caption)s. Höchster Wert %(high)s in %(high_name)s, niedrigster "
        "%(low)s in %(low_name)s. Alle Werte in der Tabelle unter der Karte."
    ) % {
        "caption": caption,
        "high": shown(numbers[high], indicator.decimals),
        "high_name": names[high],
        "low": shown(numbers[low], indicator.decimals),
        "low_name": names[low],
    }


def _notes(areas) -> tuple[str, ...]:
    notes = []
    if any(a.approximate for a in areas):
        notes.append(
            _("≈ ungefähr: über Gebiete umgerechnet, deren Grenzen nicht ineinander liegen.")
        )
    if any(a.cell is not None and a.cell.suppressed for a in areas):
        notes.append(_(". geheim: zum Schutz einzelner Personen nicht veröffentlicht."))
    marks = {status_mark(a)["symbol"]: status_mark(a)["label"] for a in areas if status_mark(a)}
    notes += [f"{symbol} {label}" for symbol, label in sorted(marks.items())]
    reasons = sorted({reason_of(a) for a in areas} - {""})
    return (*notes, *reasons)


def _nothing(indicator: Indicator) -> doc.Findings:
    return doc.Findings(
        caption=indicator.name,
        items=(),
        empty=_("Für %(name)s ist noch kein Wert veröffentlicht.") % {"name": indicator.name},
    )


# --- table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    indicator: Indicator
    year: int
    areas: list[AreaValue]
    references: list[tuple[str, AreaValue | None]]

    @property
    def heading(self) -> str:
        name = self.indicator.short_name or self.indicator.name
        unit = f", {self.indicator.unit}" if self.indicator.unit else ""
        return f"{name} ({self.year}){unit}"


def table_block(settings: dict, scope: Scope) -> list[doc.Block]:
    level = level_of(settings)
    columns = []
    for indicator in _in_order(settings["indicators"]):
        year = year_of(settings, indicator, scope)
        if year is None:
            continue
        values = level_values(
            indicator=indicator, level=level, year=year, within=scope.bezirk, as_of=scope.as_of
        )
        columns.append(
            _Column(indicator, year, values.areas, reference_rows(scope, indicator, year))
        )
    if not columns:
        return []
    names = {a.code: a.name for column in columns for a in column.areas}
    rows = []
    for code in sorted(names, key=names.get):
        cells = []
        for column in columns:
            area = next((a for a in column.areas if a.code == code), None)
            cells.append(shown_value(area, column.indicator))
        rows.append((names[code], *cells))
    reference_names = [name for name, _area in columns[0].references]
    for position, name in enumerate(reference_names):
        rows.append((name, *(shown_value(c.references[position][1], c.indicator) for c in columns)))
    return [
        doc.Table(
            caption=", ".join(c.indicator.name for c in columns),
            header=(level.name, *(c.heading for c in columns)),
            rows=tuple(rows),
            numeric=(False, *([True] * len(columns))),
            reference_rows=len(reference_names),
            notes=_notes([a for c in columns for a in c.areas]),
        )
    ]


def _in_order(slugs: list[str]) -> list[Indicator]:
    found = {i.slug: i for i in Indicator.objects.filter(slug__in=slugs).select_related("theme")}
    return [found[s] for s in slugs if s in found]


# --- key figures -----------------------------------------------------------------------------


def key_figures_block(settings: dict, scope: Scope) -> list[doc.Block]:
    items = []
    for indicator in _in_order(settings["indicators"]):
        year = year_of(settings, indicator, scope)
        if year is None:
            continue
        references = reference_rows(scope, indicator, year)
        own = references[0][1]
        city = references[-1][1]
        reference = ""
        if scope.bezirk is not None:
            reference = _("Stadt: %(value)s") % {"value": _with_unit_and_mark(city, indicator)}
        change = ""
        since = settings.get("since")
        if since and since < year:
            before = reference_rows(scope, indicator, since)[0][1]
            delta = units.change(indicator, value_of(before), value_of(own))
            if delta.value is not None:
                change = _("%(change)s seit %(year)s") % {
                    "change": shown_change(delta, indicator.decimals),
                    "year": since,
                }
        notes = []
        mark = status_mark(own)
        if mark:
            notes.append(mark["label"])
        if own is not None and own.approximate:
            notes.append(_("ungefähr"))
        label = f"{indicator.name} {year}"
        items.append(
            doc.KeyFigure(
                label=label,
                value=with_unit(shown_area(own, indicator.decimals), indicator),
                reference=reference,
                change=change,
                note=", ".join(notes),
            )
        )
    scope_name = scope.bezirk.name if scope.bezirk is not None else _("Stadt")
    return [
        doc.KeyFigures(
            caption=_("Kennzahlen: %(scope)s") % {"scope": scope_name}, items=tuple(items)
        )
    ]


BUILDERS: dict[str, Callable[[dict, Scope], list[doc.Block]]] = {
    "map": map_block,
    "table": table_block,
    "key_figures": key_figures_block,
}


def render(kind: str, settings: dict, scope: Scope) -> list[doc.Block]:
    return BUILDERS[kind](settings, scope)


# --- findings --------------------------------------------------------------------------------


def findings_block(settings: dict, scope: Scope) -> list[doc.Block]:
    kind = settings["finding"]
    if settings.get("indicators"):
        indicators = _in_order(settings["indicators"])
    elif settings.get("theme"):
        indicators = list(Indicator.objects.filter(theme__slug=settings["theme"]))
    else:
        indicators = []
    # Social index and reach need no indicator: their year is the newest published one.
    newest = [newest_year(i, scope) or 0 for i in indicators] or published_years(as_of=scope.as_of)
    year = settings.get("year") or max(newest, default=0)
    stated = []
    if year:
        stated = findings.findings(
            kind=kind,
            indicators=indicators,
            year=year,
            since=settings.get("since"),
            within=scope.bezirk,
            as_of=scope.as_of,
            level=settings.get("level") or DISTRICT_LEVEL,
            top=settings.get("top") or 4,
            facility_types=settings.get("facility_types") or (),
            distance=settings.get("distance"),
        )
    english = translation.get_language() == "en"
    return [
        doc.Findings(
            caption=_("Befunde: %(kind)s") % {"kind": finding_titles()[kind]},
            items=tuple(
                doc.Statement(text=f.en if english else f.de, url=scope.site + f.url)
                for f in stated
            ),
            empty=_("Dazu gibt es in diesem Datenstand keinen gesicherten Befund."),
        )
    ]


def finding_titles() -> dict[str, str]:
    return {
        "versus_city": _("Unterschiede zur Stadt"),
        "change": _("Veränderungen"),
        "trend_turned": _("Trendwenden"),
        "concentration": _("Konzentration"),
        "social_index": _("Sozialindex"),
        "supply": _("Angebot und Bedarf"),
        "reach": _("Erreichbarkeit"),
    }


# --- charts ----------------------------------------------------------------------------------


def _chart_value(area: AreaValue | None) -> charts.Value:
    if area is None or not area.has_value:
        symbol = area.cell.status if area is not None and area.cell is not None else "–"
        return charts.Value(None, symbol=symbol or "–")
    low, high = area.interval or (None, None)
    return charts.Value(area.cell.value, approximate=area.approximate, low=low, high=high)


def _figure(kind: str, chart, caption: str, alt: str, table: doc.Table) -> doc.Figure:
    return doc.Figure(
        kind=kind,
        caption=caption,
        alt=alt,
        svg=chart.svg,
        png=chart.png,
        table=table,
        width_mm=chart.width_mm,
    )


def chart_block(settings: dict, scope: Scope) -> list[doc.Block]:
    indicator = Indicator.objects.get(slug=settings["indicator"])
    year = year_of(settings, indicator, scope)
    if year is None:
        return [_nothing(indicator)]
    chart = settings.get("chart") or "series"
    return CHART_BUILDERS[chart](settings, scope, indicator, year)


def _series_chart(settings, scope, indicator, year) -> list[doc.Block]:
    level = level_of(settings)
    years = [
        y
        for y in available_years(indicator=indicator, with_values=True, as_of=scope.as_of)
        if (settings.get("since") or 0) <= y <= year
    ]
    tables = year_tables(indicators=[indicator], years=years, as_of=scope.as_of)
    lines: list[tuple[str, list[AreaValue | None], bool]] = []
    for code in settings.get("areas") or []:
        row = []
        for y in years:
            row.append(
                next(
                    (a for a in tables[(indicator.slug, y)].of_level(level.slug) if a.code == code),
                    None,
                )
            )
        name = next((a.name for a in row if a is not None), code)
        lines.append((name, row, False))
    if scope.bezirk is not None:
        own = [tables[(indicator.slug, y)].areas.get(scope.bezirk.id) for y in years]
        lines.append((_("Stadtbezirk %(name)s") % {"name": scope.bezirk.name}, own, False))
    lines.append((_("Stadt (gesamt)"), [tables[(indicator.slug, y)].city for y in years], True))
    caption = _("%(name)s %(first)s–%(last)s") % {
        "name": indicator.name,
        "first": years[0],
        "last": years[-1],
    }
    alt = _("Zeitreihe: %(caption)s. %(lines)s. Alle Werte in der Tabelle.") % {
        "caption": caption,
        "lines": "; ".join(
            f"{name} {shown_value(row[0], indicator)} → {shown_value(row[-1], indicator)}"
            for name, row, _reference in lines
        ),
    }
    drawn = charts.time_series(
        title=caption,
        alt=alt,
        unit=indicator.unit,
        years=years,
        series=[
            charts.Series(name, [_chart_value(a) for a in row], reference)
            for name, row, reference in lines
        ],
        decimals=indicator.decimals,
        language=translation.get_language() or "de",
    )
    table = doc.Table(
        caption=_("Werte zum Diagramm: %(caption)s") % {"caption": caption},
        header=(_("Jahr"), *(name for name, _row, _reference in lines)),
        rows=tuple(
            (str(y), *(shown_value(row[n], indicator) for _name, row, _ref in lines))
            for n, y in enumerate(years)
        ),
        numeric=(False, *([True] * len(lines))),
        notes=_notes([a for _name, row, _ref in lines for a in row if a is not None]),
    )
    return [_figure("chart", drawn, caption, alt, table)]


def _bars_chart(settings, scope, indicator, year) -> list[doc.Block]:
    level = level_of(settings)
    ranking = settings.get("chart") == "ranking"
    values = level_values(
        indicator=indicator,
        level=level,
        year=year,
        within=None if ranking else scope.bezirk,
        as_of=scope.as_of,
    )
    areas = values.areas
    inside = set()
    if ranking and scope.bezirk is not None:
        inside = {
            a.code
            for a in level_values(
                indicator=indicator, level=level, year=year, within=scope.bezirk, as_of=scope.as_of
            ).areas
        }
    if ranking:
        areas = sorted(areas, key=lambda a: (not a.has_value, -(value_of(a) or 0)))
    caption = f"{indicator.name} {year}, {level.name_plural}"
    city = values.city
    shown_areas = "; ".join(f"{a.name} {shown_value(a, indicator)}" for a in areas)
    alt = _("Balkendiagramm: %(caption)s. Stadt %(city)s. %(areas)s.") % {
        "caption": caption,
        "city": shown_value(city, indicator),
        "areas": shown_areas,
    }
    common = {
        "title": caption,
        "alt": alt,
        "unit": indicator.unit,
        "labels": [a.name for a in areas],
        "values": [_chart_value(a) for a in areas],
        "reference_label": _("Stadt"),
        "reference": _chart_value(city),
        "decimals": indicator.decimals,
        "language": translation.get_language() or "de",
    }
    if ranking:
        drawn = charts.ranking(**common, highlighted=[a.code in inside for a in areas])
    else:
        drawn = charts.comparison(**common)
    table = doc.Table(
        caption=_("Werte zum Diagramm: %(caption)s") % {"caption": caption},
        header=(level.name, _("Wert"), _("gegenüber der Stadt")),
        rows=(
            *((a.name, shown_value(a, indicator), verdict_text(a)) for a in areas),
            (_("Stadt (gesamt)"), shown_value(city, indicator), ""),
        ),
        numeric=(False, True, False),
        reference_rows=1,
        notes=_notes(areas),
    )
    return [_figure("chart", drawn, caption, alt, table)]


def _scatter_chart(settings, scope, indicator, year) -> list[doc.Block]:
    level = level_of(settings)
    other = Indicator.objects.get(slug=settings["y"])
    first = level_values(
        indicator=indicator, level=level, year=year, within=scope.bezirk, as_of=scope.as_of
    )
    second = level_values(
        indicator=other, level=level, year=year, within=scope.bezirk, as_of=scope.as_of
    )
    by_code = {a.code: a for a in second.areas}
    pairs = [(a, by_code.get(a.code)) for a in first.areas]
    caption = _("%(x)s und %(y)s %(year)s") % {"x": indicator.name, "y": other.name, "year": year}
    alt = _("Streudiagramm: %(caption)s, ein Punkt je Gebiet; die Werte in der Tabelle.") % {
        "caption": caption
    }
    drawn = charts.scatter(
        title=caption,
        alt=alt,
        x_label=with_unit(indicator.short_name or indicator.name, indicator),
        y_label=with_unit(other.short_name or other.name, other),
        labels=[a.name for a, _b in pairs],
        x=[_chart_value(a) for a, _b in pairs],
        y=[_chart_value(b) for _a, b in pairs],
        reference_label=_("Stadt"),
        reference=(_chart_value(first.city), _chart_value(second.city)),
        language=translation.get_language() or "de",
    )
    table = doc.Table(
        caption=_("Werte zum Diagramm: %(caption)s") % {"caption": caption},
        header=(level.name, indicator.short_name or indicator.name, other.short_name or other.name),
        rows=tuple((a.name, shown_value(a, indicator), shown_value(b, other)) for a, b in pairs),
        numeric=(False, True, True),
        notes=_notes([a for a, _b in pairs] + [b for _a, b in pairs if b is not None]),
    )
    return [_figure("chart", drawn, caption, alt, table)]


def _pyramid_chart(settings, scope, indicator, year) -> list[doc.Block]:
    bands = [i for i in Indicator.objects.exclude(age_group="") if is_pyramid_part(i)]
    tables = year_tables(indicators=bands, years=[year], as_of=scope.as_of)
    if scope.bezirk is not None:
        rows = [profile_row(table=tables[(i.slug, year)], district=scope.bezirk) for i in bands]
        name = scope.bezirk.name
    else:
        city = District.objects.current().get(level__slug="stadt")
        rows = [profile_row(table=tables[(i.slug, year)], district=city) for i in bands]
        name = city.name
    ages = pyramid(rows)
    if ages is None:
        return [_nothing(indicator)]
    caption = _("Altersaufbau %(name)s %(year)s") % {"name": name, "year": year}
    alt = _(
        "Bevölkerungspyramide: %(caption)s, Anteile je Altersgruppe in %%; "
        "die Werte in der Tabelle."
    ) % {"caption": caption}
    drawn = charts.pyramid(
        title=caption,
        alt=alt,
        unit="%",
        age_groups=ages.chart["groups"],
        men=ages.chart["men"],
        women=ages.chart["women"],
        reference_label=_("Stadt"),
        city_men=ages.chart["cityMen"] if scope.bezirk is not None else (),
        city_women=ages.chart["cityWomen"] if scope.bezirk is not None else (),
        language=translation.get_language() or "de",
    )
    table = doc.Table(
        caption=_("Werte zum Diagramm: %(caption)s") % {"caption": caption},
        header=(_("Alter"), _("Männer"), _("Frauen"), _("Männer, %"), _("Frauen, %")),
        rows=tuple((r.age_group, r.men, r.women, r.men_share, r.women_share) for r in ages.rows),
        numeric=(False, True, True, True, True),
    )
    return [_figure("chart", drawn, caption, alt, table)]


CHART_BUILDERS = {
    "series": _series_chart,
    "comparison": _bars_chart,
    "ranking": _bars_chart,
    "scatter": _scatter_chart,
    "pyramid": _pyramid_chart,
}
BUILDERS["findings"] = findings_block
BUILDERS["chart"] = chart_block
