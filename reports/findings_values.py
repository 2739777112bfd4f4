"""Findings on an indicator's own values: areas significantly worse or better than the city,
significant changes, trends that turned, and how the city's cases concentrate.

What counts as significant, and why:

- Against the city: where the area's 95 % interval excludes the city's value (the read path's
  ``comparison``), worse or better by the indicator's polarity (``verdict``).
- A change between two years: where the 95 % interval of the difference excludes 0. The
  interval comes from the two years' own intervals by MOVER (``indicators.stats.
  difference_interval``: Newcombe's hybrid score interval for proportions). Two intervals
  that merely overlap can still differ significantly, so "no overlap" would miss real
  changes; the two-proportion z-test would need the raw counts of both years and ignore
  the asymmetric Wilson limits the atlas shows.
- A turned trend: between ``since`` and ``year`` a turning year lies at least
  ``MIN_LEG_YEARS`` from either end such that the value changed significantly (as above) from
  ``since`` to it and significantly in the other direction from it to ``year``. The turning
  year tried is the highest (rise, then fall) or lowest (fall, then rise) published value in
  between, so the finding states exactly what was tested: three published values and two
  significant changes; it says nothing of the years between.

Approximate values (non-nesting roll-ups) have no interval and get no verdict: they are left
out of significance findings and worded "rund" where they are stated. Withheld and missing
values are left out and counted in a neutral note; a claim of rank ("the highest") is made
among the areas with a published value only, so it bounds no withheld cell.
"""

import datetime

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from districts.models import District, Level
from indicators import stats, units
from indicators.models import Indicator
from indicators.presenters import shown_change, signed
from indicators.selectors import (
    AreaValue,
    available_years,
    change_values,
    level_values,
    year_tables,
)

from .finding import (
    Finding,
    areas_word,
    chosen,
    listed,
    marks,
    not_published,
    published,
    unstated,
    value,
    view_url,
    written,
)

MIN_LEG_YEARS = 2
# Without a year to compare with, a change is judged over the span the fact sheet shows.
CHANGE_YEARS = 5


def _approximate_note(level: Level, count: int) -> str:
    if not count:
        return ""
    return " " + _(
        "Für %(areas)s gibt es nur angenäherte Werte, die nicht auf Signifikanz geprüft werden."
    ) % {"areas": areas_word(level, count)}


def versus_city(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    within: District | None,
    as_of: datetime.datetime | None,
    **_ignored,
) -> list[Finding]:
    """Areas significantly worse and better than the city (above and below it for a neutral
    indicator), each group ordered by its distance from the city's value."""
    values = level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    city = values.city
    if not published(city):
        return []
    groups: dict[str, list[AreaValue]] = {}
    for area in values.areas:
        if published(area) and not area.approximate:
            group = area.verdict or (
                area.comparison if indicator.polarity == Indicator.Polarity.NEUTRAL else None
            )
            if group in ("worse", "better", "above", "below"):
                groups.setdefault(group, []).append(area)
    left_out = unstated(values.areas)
    approximate = sum(1 for a in values.areas if published(a) and a.approximate)
    findings = []
    for group in ("worse", "better", "above", "below"):
        members = sorted(
            groups.get(group, []), key=lambda a: (-abs(a.cell.value - city.cell.value), a.code)
        )
        if not members:
            continue

        def render(group=group, members=members) -> str:
            named = listed([f"{a.name} ({value(a, indicator)})" for a in members])
            texts = {
                "worse": ngettext(
                    "%(indicator)s %(year)s: signifikant ungünstiger als die Stadt (%(city)s) "
                    "ist %(areas)s.",
                    "%(indicator)s %(year)s: signifikant ungünstiger als die Stadt (%(city)s) "
                    "sind %(areas)s.",
                    len(members),
                ),
                "better": ngettext(
                    "%(indicator)s %(year)s: signifikant günstiger als die Stadt (%(city)s) "
                    "ist %(areas)s.",
                    "%(indicator)s %(year)s: signifikant günstiger als die Stadt (%(city)s) "
                    "sind %(areas)s.",
                    len(members),
                ),
                "above": _(
                    "%(indicator)s %(year)s: signifikant höher als in der Stadt (%(city)s) "
                    "ist der Wert in %(areas)s."
                ),
                "below": _(
                    "%(indicator)s %(year)s: signifikant niedriger als in der Stadt (%(city)s) "
                    "ist der Wert in %(areas)s."
                ),
            }
            sentence = texts[group] % {
                "indicator": indicator.name,
                "year": year,
                "city": value(city, indicator),
                "areas": named,
            }
            return (
                sentence
                + not_published(level, left_out)
                + _approximate_note(level, approximate)
                + marks([city, *members])
            )

        codes = [a.code for a in members]
        url = view_url(
            indicator=indicator, level=level, year=year, within=within, as_of=as_of,
            sel=chosen(codes), chart="compare",
        )  # fmt: skip
        findings.append(written("versus_city", render, url, codes))
    return findings


def _scope(level_values_now) -> set[str]:
    return {a.code for a in level_values_now.areas}


def _change_years(indicator: Indicator, year: int, since: int | None, as_of) -> int | None:
    """The first year of a change: ``since``, else the year the fact sheet's trend starts."""
    if since is not None:
        return since if since < year else None
    years = [
        y
        for y in available_years(indicator=indicator, with_values=True, as_of=as_of)
        if year - CHANGE_YEARS <= y < year
    ]
    return years[0] if years else None


def _change_interval(start: AreaValue, end: AreaValue) -> tuple[float, float] | None:
    if start.interval is None or end.interval is None:
        return None
    return stats.difference_interval(start.cell.value, start.interval, end.cell.value, end.interval)


def change(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    since: int | None,
    within: District | None,
    as_of: datetime.datetime | None,
    **_ignored,
) -> list[Finding]:
    """Areas whose value rose or fell significantly from ``since`` to ``year``, each with its
    change and the change's 95 % interval, the largest first."""
    start_year = _change_years(indicator, year, since, as_of)
    if start_year is None:
        return []
    scope = _scope(
        level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    )
    rows = [
        row
        for row in change_values(
            indicator=indicator, level=level, start=start_year, end=year, as_of=as_of
        )
        if row.code in scope
    ]
    tables = year_tables(indicators=[indicator], years=[start_year, year], as_of=as_of)
    city_start = tables[(indicator.slug, start_year)].city
    city_end = tables[(indicator.slug, year)].city
    moved: dict[str, list] = {"up": [], "down": []}
    left_out = approximate = 0
    for row in rows:
        if not (published(row.start) and published(row.end)):
            left_out += 1
            continue
        interval = _change_interval(row.start, row.end)
        if interval is None:
            approximate += row.start.approximate or row.end.approximate
            continue
        low, high = interval
        if low > 0:
            moved["up"].append((row, interval))
        elif high < 0:
            moved["down"].append((row, interval))
    if not any(moved.values()):
        return []
    decimals = indicator.decimals
    unit = units.change_unit(indicator)
    findings = []
    for direction, members in moved.items():
        if not members:
            continue
        members.sort(key=lambda m: (-abs(m[0].end.cell.value - m[0].start.cell.value), m[0].code))

        def item(row, interval) -> str:
            delta = units.change(indicator, row.start.cell.value, row.end.cell.value)
            low, high = interval
            short = unit.short(get_language())
            bounds = _("%(low)s bis %(high)s") % {
                "low": signed(low, decimals),
                "high": signed(high, decimals),
            }
            return _("%(name)s (%(start)s → %(end)s, %(change)s; 95-%%-Intervall %(bounds)s)") % {
                "name": row.name,
                "start": value(row.start, indicator),
                "end": value(row.end, indicator),
                "change": shown_change(delta, decimals),
                "bounds": bounds + (f"\u00a0{short}" if short else ""),
            }

        def render(direction=direction, members=members) -> str:
            template = (
                _("%(indicator)s %(start)s–%(end)s: signifikant gestiegen in %(areas)s.")
                if direction == "up"
                else _("%(indicator)s %(start)s–%(end)s: signifikant gesunken in %(areas)s.")
            )
            sentence = template % {
                "indicator": indicator.name,
                "start": start_year,
                "end": year,
                "areas": listed([item(row, interval) for row, interval in members]),
            }
            if published(city_start) and published(city_end):
                sentence += " " + _("Stadt: %(start)s → %(end)s.") % {
                    "start": value(city_start, indicator),
                    "end": value(city_end, indicator),
                }
            areas = [x for row, _i in members for x in (row.start, row.end)]
            return (
                sentence
                + not_published(level, left_out)
                + _approximate_note(level, approximate)
                + marks([city_start, city_end, *areas])
            )

        codes = [row.code for row, _i in members]
        url = view_url(
            indicator=indicator, level=level, year=year, within=within, as_of=as_of,
            **{"from": str(start_year)},
        )  # fmt: skip
        findings.append(written("change", render, url, codes))
    return findings


def _series(indicator: Indicator, level: Level, years: list[int], as_of) -> dict:
    """code → {year: area} of the areas with a value that has an interval, year by year."""
    tables = year_tables(indicators=[indicator], years=years, as_of=as_of)
    series: dict[str, dict[int, AreaValue]] = {}
    for year in years:
        for area in tables[(indicator.slug, year)].of_level(level.slug):
            if published(area) and area.interval is not None:
                series.setdefault(area.code, {})[year] = area
    return series


def _significant(start: AreaValue, end: AreaValue) -> int:
    """+1 for a significant rise from ``start`` to ``end``, −1 for a fall, 0 for neither."""
    low, high = _change_interval(start, end)
    return 1 if low > 0 else -1 if high < 0 else 0


def turn(points: dict[int, AreaValue], first: int, last: int) -> tuple[int, int] | None:
    """(turning year, +1 for rise-then-fall or −1 for fall-then-rise) of an area's published
    values, the later turn where both are found; None where its trend did not turn."""
    if first not in points or last not in points:
        return None
    inner = [y for y in points if first + MIN_LEG_YEARS <= y <= last - MIN_LEG_YEARS]
    if not inner:
        return None
    turns = []
    peak = max(inner, key=lambda y: (points[y].cell.value, y))
    trough = min(inner, key=lambda y: (points[y].cell.value, -y))
    for year, sign in ((peak, 1), (trough, -1)):
        before = _significant(points[first], points[year])
        after = _significant(points[year], points[last])
        if before == sign and after == -sign:
            turns.append((year, sign))
    return max(turns) if turns else None


def trend_turned(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    since: int | None,
    within: District | None,
    as_of: datetime.datetime | None,
    **_ignored,
) -> list[Finding]:
    """Areas whose trend turned between ``since`` (default: the first year with values) and
    ``year``: a significant rise followed by a significant fall, or the reverse."""
    years = [
        y
        for y in available_years(indicator=indicator, with_values=True, as_of=as_of)
        if (since is None or y >= since) and y <= year
    ]
    if len(years) < 2 * MIN_LEG_YEARS + 1 or years[-1] != year:
        return []
    first = years[0]
    scope = level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    series = _series(indicator, level, years, as_of)
    turned: dict[int, list] = {1: [], -1: []}
    left_out = approximate = 0
    for area in scope.areas:
        points = series.get(area.code, {})
        if first not in points or year not in points:
            # An estimate has no interval to judge; anything else has no value to state.
            approximate += published(area) and area.approximate
            left_out += not (published(area) and area.approximate)
            continue
        found = turn(points, first, year)
        if found is not None:
            turned[found[1]].append((area.code, found[0]))
    findings = []
    for sign, members in turned.items():
        if not members:
            continue

        def render(sign=sign, members=members) -> str:
            items = []
            for code, middle in members:
                points = series[code]
                steps = ", ".join(
                    _("%(year)s: %(value)s") % {"year": y, "value": value(points[y], indicator)}
                    for y in (first, middle, year)
                )
                items.append(f"{points[year].name} ({steps})")
            template = (
                _("%(indicator)s %(start)s–%(end)s: erst signifikant gestiegen, dann "
                  "signifikant gesunken in %(areas)s.")
                if sign == 1
                else _("%(indicator)s %(start)s–%(end)s: erst signifikant gesunken, dann "
                       "signifikant gestiegen in %(areas)s.")
            )  # fmt: skip
            shown_areas = [
                series[code][y] for code, middle in members for y in (first, middle, year)
            ]
            sentence = template % {
                "indicator": indicator.name,
                "start": first,
                "end": year,
                "areas": listed(items),
            }
            return (
                sentence
                + not_published(level, left_out)
                + _approximate_note(level, approximate)
                + marks(shown_areas)
            )

        codes = [code for code, _y in members]
        url = view_url(
            indicator=indicator, level=level, year=year, within=within, as_of=as_of,
            sel=chosen(codes), chart="series",
        )  # fmt: skip
        findings.append(written("trend_turned", render, url, codes))
    return findings
