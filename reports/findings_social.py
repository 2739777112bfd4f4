"""Findings of the social index: the areas by status and dynamics group, as Berlin's
Monitoring Soziale Stadtentwicklung groups them, and the areas that changed group.

The groups come from the published index values (``indicators.social_index``: the status
and dynamics index of each district, computed from published core values only), standardised
again across all districts of the level that have an index, as the Berlin monitoring does;
the thresholds are ``social_index.status_group`` and ``dynamics_group``. A Bezirk's report
names its own districts with the groups they have in the whole city. Districts without an
index are left out and counted.
"""

import datetime

from django.utils.translation import gettext as _

from districts.models import District, Level
from indicators import social_index
from indicators.models import Indicator
from indicators.selectors import level_values

from .finding import Finding, areas_dative, listed, view_url, written


def _status_name(group: str) -> str:
    return {
        "high": _("hoher Status"),
        "medium": _("mittlerer Status"),
        "low": _("niedriger Status"),
        "very_low": _("sehr niedriger Status"),
    }[group]


def _dynamics_name(group: str) -> str:
    return {
        "positive": _("positive Dynamik"),
        "stable": _("stabile Dynamik"),
        "negative": _("negative Dynamik"),
    }[group]


def _status_short(group: str) -> str:
    return {
        "high": _("hoch"),
        "medium": _("mittel"),
        "low": _("niedrig"),
        "very_low": _("sehr niedrig"),
    }[group]


def _dynamics_short(group: str) -> str:
    return {"positive": _("positiv"), "stable": _("stabil"), "negative": _("negativ")}[group]


def index_indicators(indicators) -> tuple[Indicator | None, Indicator | None]:
    """The status and the dynamics index: those asked for, else the catalogue's."""
    asked = {i.computation: i for i in indicators}
    computations = (Indicator.Computation.SOCIAL_STATUS, Indicator.Computation.SOCIAL_DYNAMICS)
    if not any(c in asked for c in computations):
        asked = {i.computation: i for i in Indicator.objects.filter(computation__in=computations)}
    return tuple(asked.get(c) for c in computations)


def groups(
    indicator: Indicator | None, level: Level, year: int, as_of, grouping
) -> tuple[dict[str, str], list]:
    """code → group of every area of the level with a published index, and the areas."""
    if indicator is None:
        return {}, []
    values = level_values(indicator=indicator, level=level, year=year, as_of=as_of)
    index = {a.code: a.cell.value for a in values.areas if a.has_value}
    z = social_index.standardise(index)
    return {code: grouping(score) for code, score in z.items()}, values.areas


def social_index_findings(
    *,
    indicators,
    level: Level,
    year: int,
    since: int | None,
    within: District | None,
    as_of: datetime.datetime | None,
) -> list[Finding]:
    status_indicator, dynamics_indicator = index_indicators(indicators)
    if status_indicator is None:
        return []
    status, areas = groups(status_indicator, level, year, as_of, social_index.status_group)
    dynamics, _areas = groups(dynamics_indicator, level, year, as_of, social_index.dynamics_group)
    if not status:
        return []
    names = {a.code: a.name for a in areas}
    if within is not None:
        inside = {
            a.code
            for a in level_values(
                indicator=status_indicator, level=level, year=year, within=within, as_of=as_of
            ).areas
        }
    else:
        inside = set(names)
    without = sum(1 for code in inside if code not in status)
    findings = []
    url = view_url(indicator=status_indicator, level=level, year=year, within=within, as_of=as_of)
    ordered = [
        (s, d)
        for s in reversed(social_index.STATUS_GROUPS)
        for d in (*reversed(social_index.DYNAMICS_GROUPS), None)
    ]
    for s, d in ordered:
        members = sorted(c for c in inside if status.get(c) == s and dynamics.get(c) == d)
        if not members:
            continue

        def render(s=s, d=d, members=members) -> str:
            group = (
                _("%(status)s und %(dynamics)s") % {
                    "status": _status_name(s), "dynamics": _dynamics_name(d)
                }
                if d is not None
                else _("%(status)s (Dynamik nicht verfügbar)") % {"status": _status_name(s)}
            )  # fmt: skip
            return _("Sozialindex %(year)s: %(group)s – %(areas)s.") % {
                "year": year,
                "group": group,
                "areas": listed([names[c] for c in members]),
            }

        findings.append(written("social_index", render, url, members))
    if findings and without:

        def note() -> str:
            return _(
                "Sozialindex %(year)s: für %(areas)s gibt es keinen Index, weil nicht für "
                "jeden Kernindikator ein Wert veröffentlicht ist."
            ) % {"year": year, "areas": areas_dative(level, without)}

        findings.append(written("social_index", note, url))
    if findings and since is not None and since < year:
        findings += _changed(
            status_indicator, dynamics_indicator, level, since, year, inside, names,
            status, dynamics, within, as_of,
        )  # fmt: skip
    return findings


def _changed(
    status_indicator, dynamics_indicator, level, since, year, inside, names, status, dynamics,
    within, as_of,
) -> list[Finding]:  # fmt: skip
    """The areas whose status or dynamics group in ``year`` differs from that in ``since``."""
    before, _a = groups(status_indicator, level, since, as_of, social_index.status_group)
    moved, _b = groups(dynamics_indicator, level, since, as_of, social_index.dynamics_group)
    changes = []
    for code in sorted(inside):
        parts = []
        if code in before and code in status and before[code] != status[code]:
            parts.append(("status", before[code], status[code]))
        if code in moved and code in dynamics and moved[code] != dynamics[code]:
            parts.append(("dynamics", moved[code], dynamics[code]))
        if parts:
            changes.append((code, parts))
    if not changes:
        return []

    def render() -> str:
        items = []
        for code, parts in changes:
            said = []
            for which, old, new in parts:
                if which == "status":
                    said.append(
                        _("Status %(old)s → %(new)s")
                        % {"old": _status_short(old), "new": _status_short(new)}
                    )
                else:
                    said.append(
                        _("Dynamik %(old)s → %(new)s")
                        % {"old": _dynamics_short(old), "new": _dynamics_short(new)}
                    )
            items.append(f"{names[code]} ({'; '.join(said)})")
        return _("Sozialindex %(start)s–%(end)s: die Gruppe gewechselt haben %(areas)s.") % {
            "start": since,
            "end": year,
            "areas": listed(items),
        }

    url = view_url(
        indicator=status_indicator, level=level, year=year, within=within, as_of=as_of,
        **{"from": str(since)},
    )  # fmt: skip
    return [written("social_index", render, url, [code for code, _p in changes])]
