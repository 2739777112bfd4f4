"""The read path: every public output (map, API, pages, downloads) gets its values from here.

For one indicator and year it loads the published observations (the newest published release
winning), rolls the finest level with data up to every coarser level through the overlaps,
applies primary and secondary disclosure control over all of them at once, and adds
confidence intervals and the comparison with the city. Nothing else queries observations for
display.

This module is the read path's public face; its parts live in ``indicators/read/``:

- ``values``: what it answers with (AreaValue, YearTable)
- ``geography``: the districts and overlaps of a year, the published observations
- ``rollup``: drafts (roll-ups before disclosure control) and finished tables
- ``linked``: indicators tied by declared identities, judged together
- ``supply_cells``, ``social``: supply and social-index indicators, computed
- ``memo``: what one read builds once, and what is kept across requests
- ``tables``: year tables, with disclosure control applied to each group at once
- ``rows``: level values, time series, profile rows, changes, plausibility warnings
- ``years``, ``releases``: what is published, and in which release
"""

from .read.geography import districts_in_year, weight_bases
from .read.linked import identities
from .read.memo import one_read
from .read.releases import (
    Coverage,
    ReleaseChange,
    ReleaseSummary,
    published_coverage,
    published_release_page,
    published_releases,
    release_changes,
    release_contents,
    replacing_releases,
    value_releases,
)
from .read.rollup import MISSING, min_part_share
from .read.rows import (
    ChangeValue,
    LevelValues,
    ProfileRow,
    change_values,
    level_values,
    plausibility_warnings,
    profile,
    profile_row,
    time_series,
    value_of,
)
from .read.tables import year_table, year_tables
from .read.values import CITY_LEVEL, AreaValue, PlausibilityWarning, Source, YearTable
from .read.years import (
    available_years,
    default_year,
    indicator_levels,
    last_update,
    published_years,
)
from .stats import Cell

__all__ = [
    "CITY_LEVEL",
    "MISSING",
    "AreaValue",
    "Cell",
    "ChangeValue",
    "Coverage",
    "LevelValues",
    "PlausibilityWarning",
    "ProfileRow",
    "ReleaseChange",
    "ReleaseSummary",
    "Source",
    "YearTable",
    "available_years",
    "change_values",
    "default_year",
    "districts_in_year",
    "identities",
    "indicator_levels",
    "last_update",
    "level_values",
    "min_part_share",
    "one_read",
    "plausibility_warnings",
    "profile",
    "profile_row",
    "published_coverage",
    "published_release_page",
    "published_releases",
    "published_years",
    "release_changes",
    "release_contents",
    "replacing_releases",
    "time_series",
    "value_of",
    "value_releases",
    "weight_bases",
    "year_table",
    "year_tables",
]
