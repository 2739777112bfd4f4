"""Which indicators of the catalogue a projection continues, and with which of its planning age
groups (``projections.model.GROUPS``).

Only counts of people can be continued: a projection gives quantiles of head counts, and
quantiles of a share are not the share of quantiles. An indicator not named here has no
projected years.
"""

from django.utils.translation import gettext_lazy as _

# Indicator slug → planning age group.
PROJECTED = {
    "einwohner": "total",
    "kinder-unter-3": "0-2",
    "kinder-3-bis-5": "3-5",
    "kinder-6-bis-9": "6-9",
}
DEFAULT_SCENARIO = "trend"
# The scenarios of projections.model.SCENARIOS as pages, map and downloads name them; a scenario
# not named here shows its slug.
SCENARIO_LABELS = {
    "trend": _("Trend"),
    "zuwanderung-niedrig": _("Zuwanderung niedrig"),
    "zuwanderung-hoch": _("Zuwanderung hoch"),
    "geburten-niedrig": _("Geburten niedrig"),
    "geburten-hoch": _("Geburten hoch"),
    "wohnungsbau": _("Wohnungsbau"),
}
# Field names of the published quantiles, in the order of ``projections.model.QUANTILES``.
QUANTILE_FIELDS = ("q025", "q10", "q25", "median", "q75", "q90", "q975")


def scenario_label(slug: str) -> str:
    """A scenario's name in the active language (its slug where it has none)."""
    return str(SCENARIO_LABELS.get(slug, slug))


def projected_group(indicator_slug: str) -> str | None:
    """The planning age group an indicator's projected years come from, or None."""
    return PROJECTED.get(indicator_slug)
