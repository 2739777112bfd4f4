"""The parameters of the statistics endpoints, each declared once (core/params.py) for the
views and the OpenAPI document, and the lookups that turn a slug, id or year into what it names
(404 if nothing is published under it)."""

import datetime
import math

from core.http import BadParameter, lookup
from core.params import FIRST_YEAR, LAST_YEAR, Param, Query, Rule, number_list
from districts.params import LEVEL, WITHIN

from . import marks
from .classify import METHODS
from .models import MAX_CLASSES, MIN_CLASSES, Indicator, Release, breaks_problem
from .selectors import available_years, default_year

INDICATOR = Param("indicator", "indicator slug", required=True, example="kinderarmut")


def year_param(name: str, description: str, *, required: bool = False, example=2023) -> Param:
    return Param(
        name,
        description,
        type="integer",
        required=required,
        minimum=FIRST_YEAR,
        maximum=LAST_YEAR,
        example=example,
    )


def parse_breaks(text: str | None) -> list[float] | None:
    """``breaks``: class limits as the query gives them, ``10,20.5,30``."""
    return None if text is None else [float(part) for part in text.split(",")]


def _breaks_problem(values) -> str:
    # The query's text, or the limits a caller of the values payload gives.
    breaks = values["breaks"]
    if breaks is None:
        return ""
    if isinstance(breaks, str):
        breaks = parse_breaks(breaks)
    if not all(math.isfinite(b) for b in breaks):
        return "±∞"
    return breaks_problem(breaks)


VALUES = Query(
    params=(
        INDICATOR,
        LEVEL,
        year_param("year", "year (default: the latest with published values)"),
        WITHIN,
        Param(
            "method",
            "classification (default: the indicator's)",
            enum=(*METHODS, "manual"),
        ),
        Param(
            "classes",
            f"number of classes, {MIN_CLASSES} to {MAX_CLASSES} (default: the indicator's)",
            type="integer",
            minimum=MIN_CLASSES,
            maximum=MAX_CLASSES,
        ),
        Param(
            "breaks",
            "with method=manual: upper class limits, ascending, comma-separated with a "
            "decimal point, e.g. 10,20.5,30 (default: the indicator's)",
            pattern=number_list(),
        ),
        year_param(
            "from",
            "change map: the values are the change from this year to `year` (from the "
            "values rounded to the indicator's decimals), classified symmetrically around "
            "zero; unit_de and unit_en then name the change's unit (e.g. Prozentpunkte), "
            "counts carry change_percent",
            example=2015,
        ),
        Param(
            "release",
            "id of a published release: the values as published up to it (a pinned, embedded map)",
            type="integer",
            minimum=1,
        ),
    ),
    rules=(
        Rule(
            "from",
            "„from“ muss vor „year“ liegen / 'from' must be before 'year'",
            lambda v: v["from"] is not None and v["year"] is not None and v["from"] >= v["year"],
        ),
        Rule(
            "breaks",
            "„breaks“: mit method=manual nötig, wenn der Indikator keine eigenen Grenzen hat "
            "/ 'breaks' is needed with method=manual where the indicator has none of its own",
            lambda v: v["method"] == "manual" and v["breaks"] is None,
        ),
        Rule(
            "breaks",
            "„breaks“: 2 bis 6 endliche, aufsteigende Grenzen / "
            "'breaks': 2 to 6 finite limits, ascending",
            _breaks_problem,
        ),
    ),
)
SERIES = Query(
    params=(
        INDICATOR,
        LEVEL,
        Param(
            "codes",
            "comma-separated district codes",
            required=True,
            # No NUL: the parser refuses it in every parameter, so the document must too.
            pattern=r"^[^,\x00]+(,[^,\x00]+)*$",
            example="11,12",
        ),
    )
)
PROFILE = Query(
    params=(
        LEVEL,
        Param("code", "district code", required=True, example="11"),
        year_param("year", "year (default: the latest with published values)"),
    )
)
CHANGE = Query(
    params=(
        INDICATOR,
        LEVEL,
        year_param("from", "first year", required=True, example=2015),
        year_param("to", "second year (default: the latest with published values)"),
    )
)
INDICATORS = Query(
    params=(
        Param("theme", "only the indicators of this theme (slug)", example="kinder-und-jugend"),
    )
)
RELEASES = Query(
    params=(
        Param(
            "limit",
            "releases per page (default 20)",
            type="integer",
            minimum=1,
            maximum=100,
        ),
        Param(
            "offset",
            "how many releases to skip (default 0)",
            type="integer",
            minimum=0,
            maximum=10**9,
        ),
    )
)


def parse_indicator(slug: str) -> Indicator:
    """``indicator``: the slug of an indicator (404 if there is none)."""
    return lookup(Indicator, "indicator", slug, slug=slug)


def parse_year(
    year: int | None,
    indicator: Indicator,
    name: str = "year",
    *,
    as_of: datetime.datetime | None = None,
) -> int:
    """A year the indicator is published for (as of ``as_of``; 404 otherwise); by default
    the latest."""
    years = available_years(indicator=indicator, as_of=as_of)
    if year is None:
        year = default_year(indicator=indicator, as_of=as_of)
    if year is None or year not in years:
        raise BadParameter(name, no_values(year, years), 404)
    return year


def no_values(year: int | None, years: list[int]) -> str:
    """The message for a year without values, saying so where the statistic skips it."""
    message = f"keine Werte für Jahr {year} / no values for year {year}"
    interval = marks.between_surveys(year, years) if year is not None else None
    if interval:
        message += (
            f" (nur alle {interval} Jahre erhoben, zuletzt {max(y for y in years if y < year)}"
            f" / collected every {interval} years)"
        )
    return message


def parse_release(release_id: int | None) -> Release | None:
    """``release``: a published release the values are pinned to (embedded maps)."""
    if release_id is None:
        return None
    published = Release.Status.PUBLISHED
    return lookup(Release, "release", str(release_id), pk=release_id, status=published)
