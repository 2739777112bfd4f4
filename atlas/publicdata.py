"""The map's first view as files: boundaries of a level, values of an indicator (of the city
or of one Stadtbezirk), the facilities and the catchment shares of a type, per year.

Each file is the body of the JSON API for the same query, made by the same payload functions
(``districts.payloads.districts_payload``, ``indicators.payloads.values_payload``,
``facilities.selectors.facilities_geojson``, ``facilities.payloads.catchment_payload``), written
once per state of the published data under ``ATLAS_PUBLIC_DATA_ROOT/<state>/`` and served at
``/data/<state>/…``. The state is in the path, so a file never changes. A publish, a
withdrawal, a boundary import, a change of an indicator's metadata or of a facility changes the
state, and with it every URL; requests for an old state are redirected to the current one.
Files are not rate-limited (atlas/httpcache.py limits /api/ only): the map's own first view
must never run into the limit that protects the API.

An old state's files are deleted as soon as the change is committed (``after_change``, on
every change of what the data state covers), and again whenever a new state's first file is
written, so nginx cannot go on serving them: a value withheld again after a threshold was
lowered by mistake is then no longer downloadable under the old URL. Browsers and proxies may
keep a file for an hour only, for the same reason; within a state it is still one request.

nginx can serve the directory itself (``deploy/nginx.conf``) and ask the atlas only for a
file that is not there yet; the view below renders it then, so the same URLs also work under
runserver or with whitenoise alone.
"""

import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from core.datastate import data_state, one_state_per_request
from core.http import BadParameter, lookup
from districts.models import District, Level
from districts.params import parse_level, parse_within
from districts.payloads import districts_payload
from districts.selectors import overview_of
from districts.zoom import BANDS
from facilities.models import FacilityType
from facilities.payloads import catchment_payload
from facilities.presenters import DISTANCES
from facilities.selectors import facilities_geojson
from indicators.classify import METHODS
from indicators.models import CLASS_COUNTS, Indicator
from indicators.params import parse_indicator
from indicators.payloads import classified
from indicators.selectors import (
    available_years,
    indicator_levels,
    one_read,
    published_years,
    year_tables,
)
from projections.catalogue import DEFAULT_SCENARIO
from projections.series import SCENARIO
from projections.values import projected_years, projection_of, values_payload

logger = logging.getLogger(__name__)

# Part of the state: a change of the files' layout gets new URLs even without new data.
# "2": legends checked before they are served (indicators/classify.py).
# "3": approximate values rounded, a missing social index with its symbol (indicators/marks.py).
# "4": disclosure control by the interval audit, jointly over linked indicators; slivers left out.
# "5": boundaries name each area's label point and the room around it (districts/selectors.py).
# "6": values name the projected years; a projected year's values under its scenario.
FORMAT = "6"
STATE_LENGTH = 16
STATE_NAME = re.compile(rf"^[0-9a-f]{{{STATE_LENGTH}}}$")
# Not a year and "immutable": a file of a state that turned out to disclose a value must drop
# out of shared caches soon after its state is gone. deploy/nginx.conf sends the same.
CACHE_CONTROL = "public, max-age=3600"
# Every method × class count the map offers (CLASS_COUNTS) is in a values file, so changing
# them needs no request. Above this many areas only the indicator's default classification is
# written and the map asks the API for others: Fisher-Jenks (pure Python without numba) grows
# with the square of the areas, 3.4 s for all class counts of 400 areas, 63 s of 2,000.
VARIANT_LIMIT = 500


# --- the state ------------------------------------------------------------------------------


def public_state() -> str:
    """A short name for everything the files show: data, boundaries, metadata, facilities."""
    parts = [FORMAT, settings.ATLAS_BUILD_ID, data_state().fingerprint]
    digest = hashlib.sha256("\n".join(parts).encode(), usedforsecurity=False)
    return digest.hexdigest()[:STATE_LENGTH]


def data_prefix(state: str) -> str:
    """The URL under which the files of ``state`` are served, ending in a slash."""
    return reverse("public-data", args=[state])


def _root() -> Path:
    return Path(settings.ATLAS_PUBLIC_DATA_ROOT)


def download_root() -> Path:
    """Where the downloads and fact sheets built once per state are kept (atlas/kept.py)."""
    return Path(settings.ATLAS_DOWNLOAD_ROOT or Path(settings.MEDIA_ROOT) / "downloads")


def boundaries_name(
    level: str, year: int, zoom: int | None = None, chunk: tuple[int, int] | None = None
) -> str:
    """The default geometry, or with ``zoom`` (a band's coarsest zoom) that band's, with
    ``chunk`` (x, y) only the areas that meet that tile (districts.zoom.chunk_zoom)."""
    band = "" if zoom is None else f"-z{zoom}"
    if chunk is not None:
        return f"boundaries/{level}/{year}{band}/{chunk[0]}-{chunk[1]}.json"
    return f"boundaries/{level}/{year}{band}.json"


def _of(year: int, within: str | None) -> str:
    # A Stadtbezirk's view (``within``) is a file beside the city's: a few areas, its own classes.
    return str(year) if within is None else f"{year}-in-{within}"


def values_name(
    indicator: str, level: str, year: int, within: str | None = None, scenario: str | None = None
) -> str:
    """An observed year's values, or with ``scenario`` a projected year's in that scenario."""
    if scenario is not None:
        return f"values/{indicator}/{level}/{scenario}/{_of(year, within)}.json"
    return f"values/{indicator}/{level}/{_of(year, within)}.json"


def facilities_name(level: str, year: int, within: str | None = None) -> str:
    return f"facilities/{level}/{_of(year, within)}.json"


def catchment_name(
    facility_type: str, distance: int, level: str, year: int, within: str | None = None
) -> str:
    return f"catchment/{facility_type}/{distance}/{level}/{_of(year, within)}.json"


# --- rendering ------------------------------------------------------------------------------


def _published_year(year: int) -> None:
    # Files exist for published years only, so no request can fill the disk with others.
    if year not in published_years():
        raise BadParameter("year", f"keine Werte für Jahr {year} / no values for year {year}", 404)


def render_boundaries(
    *, level: str, year: int, zoom: int | None = None, chunk: tuple[int, int] | None = None
) -> bytes:
    """The body of /api/v1/districts?level=…&year=…[&zoom=…[&chunk=x,y]] (simplified
    geometry); BadParameter if none."""
    _published_year(year)
    return _boundaries_file(level=parse_level(level), year=year, zoom=zoom, chunk=chunk)


def _boundaries_file(
    *, level: Level, year: int, zoom: int | None = None, chunk: tuple[int, int] | None = None
) -> bytes:
    return districts_payload(level=level, year=year, zoom=zoom, chunk=chunk).encode()


def render_values(
    *,
    indicator: str,
    level: str,
    year: int,
    within: str | None = None,
    scenario: str | None = None,
) -> bytes:
    """The body of /api/v1/values?indicator=…&level=…&year=…[&within=…][&scenario=…] with the
    indicator's default classification, plus ``classifications``: every other method × class
    count the map offers. A file with ``scenario`` is one of a projected year only."""
    found = parse_indicator(indicator)
    shown_level = parse_level(level)
    if scenario is not None:
        SCENARIO.parse(scenario)
        if year not in projected_years(projection_of(found, scenario), shown_level):
            raise BadParameter(
                "year",
                f"kein Jahr der Vorausberechnung: {year} / not a projected year: {year}",
                404,
            )
    elif year not in available_years(indicator=found):
        # A projected year's file names its scenario: the same numbers under one URL only.
        raise BadParameter("year", f"keine Werte für Jahr {year} / no values for year {year}", 404)
    return _values_file(
        indicator=found,
        level=shown_level,
        year=year,
        within=parse_within(within),
        scenario=scenario,
    )


def _values_file(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    within: District | None = None,
    scenario: str | None = None,
) -> bytes:
    body = values_payload(
        indicator=indicator, level=level, year=year, within=within, scenario=scenario
    )
    if len(body["values"]) <= VARIANT_LIMIT:
        body["classifications"] = _variants(body, indicator)
    elif body["classes"] is not None:
        default = {"classes": body["classes"], "class": [row["class"] for row in body["values"]]}
        k = indicator.classification_classes
        body["classifications"] = {body["classes"]["method"]: {str(k): default}}
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _variants(body: dict, indicator: Indicator) -> dict:
    """method → class count → the classes and each row's class, in the order of the rows."""
    variants = {}
    for method in METHODS:
        variants[method] = {}
        for k in CLASS_COUNTS:
            classes, class_of = classified(
                body["values"], indicator=indicator, method=method, k=k, breaks=None
            )
            variants[method][str(k)] = {
                "classes": classes,
                "class": [class_of.get(row["code"]) for row in body["values"]],
            }
    return variants


def render_facilities(*, level: str, year: int, within: str | None = None) -> bytes:
    """The body of /api/v1/facilities?year=…&level=…[&within=…]: every type, each facility
    with its district of the level (the overlay filters the types it shows)."""
    _published_year(year)
    return _facilities_file(level=parse_level(level), year=year, within=parse_within(within))


def _facilities_file(*, level: Level, year: int, within: District | None = None) -> bytes:
    return facilities_geojson(year=year, level=level, within=within).encode()


def render_catchment(
    *, facility_type: str, distance: int, level: str, year: int, within: str | None = None
) -> bytes:
    """The body of /api/v1/catchment?type=…&distance=…&level=…&year=…[&within=…], for the
    distances the map offers (facilities.presenters.DISTANCES) only."""
    if distance not in DISTANCES:
        raise BadParameter(
            "distance",
            f"keine Entfernung der Karte: {distance} / not a distance the map offers: {distance}",
            404,
        )
    _published_year(year)
    body = catchment_payload(
        facility_type=lookup(FacilityType, "type", facility_type, slug=facility_type),
        distance=distance,
        level=parse_level(level),
        year=year,
        within=parse_within(within),
    )
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def write_file(path: Path, body: bytes) -> None:
    """Write the file and its gzipped sibling, each complete or not at all (temp + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The plain file last: nginx's gzip_static finds the .gz as soon as the plain one exists.
    for target, data in ((path.with_name(path.name + ".gz"), _gzip(body)), (path, body)):
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _gzip(body: bytes) -> bytes:
    # mtime 0: the same body always gives the same bytes.
    return gzip.compress(body, compresslevel=9, mtime=0)


def render_all(*, state: str | None = None, values: bool = True) -> dict[str, int]:
    """Write every boundaries and facilities file (and with ``values`` every values file of
    the city's view) of the state; a Stadtbezirk's values and the catchments are written on
    their first request."""
    # One reading of the data state for all files, as in a request: the year table of an
    # indicator is then built once for all its levels and its linked indicators' files.
    with one_state_per_request():
        return _render_all(state=state or public_state(), values=values)


def _render_all(*, state: str, values: bool) -> dict[str, int]:
    base = _root() / state
    counts = {"boundaries": 0, "facilities": 0, "values": 0}
    years = published_years()
    levels = list(Level.objects.order_by("rank"))
    banded = [level for level in levels if zoom_banded(level.slug)]
    # The map draws an overview level with the geometry of the band, as the level it stands for.
    banded += [overview.level for level in banded if (overview := overview_of(level))]
    # The years are the published ones and the levels those at hand: each file is made from
    # them as a request's would be, without looking either up again.
    for level in levels:
        zooms = [None]
        if level in banded:
            zooms += [band.min_zoom for band in BANDS]
        for year in years:
            for zoom in zooms:
                body = _boundaries_file(level=level, year=year, zoom=zoom)
                write_file(base / boundaries_name(level.slug, year, zoom), body)
                counts["boundaries"] += 1
            # The overlay's counts per type are asked for on every first view.
            body = _facilities_file(level=level, year=year)
            write_file(base / facilities_name(level.slug, year), body)
            counts["facilities"] += 1
    if values:
        levels = indicator_levels()
        # The objects at hand, not looked up again by slug for each of the thousands of files.
        by_slug = {level.slug: level for level in Level.objects.all()}
        for indicator in Indicator.objects.order_by("slug"):
            years = available_years(indicator=indicator)
            # Every year's table of the indicator in one read (one query for its values),
            # kept for the block, not one read for each year.
            with one_read():
                year_tables(indicators=[indicator], years=years)
                for year in years:
                    for level in levels.get(indicator.id, []):
                        body = _values_file(indicator=indicator, level=by_slug[level], year=year)
                        write_file(base / values_name(indicator.slug, level, year), body)
                        counts["values"] += 1
            counts["values"] += _render_projected(
                base, indicator, [by_slug[s] for s in levels.get(indicator.id, [])]
            )
    return counts


def _render_projected(base: Path, indicator: Indicator, levels: list[Level]) -> int:
    """The projected years' files of the default scenario (others on their first request)."""
    found = projection_of(indicator, DEFAULT_SCENARIO)
    written = 0
    for level in levels:
        for year in projected_years(found, level):
            body = _values_file(
                indicator=indicator, level=level, year=year, scenario=DEFAULT_SCENARIO
            )
            name = values_name(indicator.slug, level.slug, year, scenario=DEFAULT_SCENARIO)
            write_file(base / name, body)
            written += 1
    return written


def remove_old_states(*, keep: str) -> list[str]:
    """Delete the directories of every other state, data files and kept downloads; returns
    their names."""
    removed = set()
    for root in (_root(), download_root()):
        if not root.is_dir():
            continue
        for entry in root.iterdir():
            if entry.is_dir() and STATE_NAME.match(entry.name) and entry.name != keep:
                shutil.rmtree(entry, ignore_errors=True)
                removed.add(entry.name)
    return sorted(removed)


def after_change(sender, *, wholesale: bool, **kwargs) -> None:
    """Receiver of ``core.datastate.published_data_changed`` (atlas/apps.py), after the commit.

    After a publish, withdrawal or boundary import (``wholesale``): the boundaries of the new
    state, and away with the old states. Values are rendered on their first request (or by
    ``render_public_data``), which keeps a publish fast. After any other change: away with
    the files of the old states, so nginx cannot go on serving them.

    A failure here must not undo the change: the files are then rendered on request, and the
    next state's first file removes the old ones.
    """
    if not wholesale:
        _prune()
        return
    try:
        state = public_state()
        render_all(state=state, values=False)
        remove_old_states(keep=state)
    except Exception:
        logger.exception("rendering the published data files failed")


def _prune() -> None:
    try:
        remove_old_states(keep=public_state())
    except Exception:
        # The change stands; the next state's first file or render_public_data --prune retries.
        logger.exception("removing the files of old data states failed")


# --- serving --------------------------------------------------------------------------------


def settle(state: str, *, first: bool) -> None:
    """After writing a file of ``state``: the first file of a state clears out older ones (a
    change no signal saw), and a state that stopped being current while the file was made
    goes at once (its change's own clean-up may have run before the file existed)."""
    current = public_state()
    if first or current != state:
        remove_old_states(keep=current)


def _not_found(message: str) -> JsonResponse:
    return JsonResponse({"error": {"message": message}}, status=404)


def _serve(request, *, state: str, name: str, render, content_type: str, url_name: str, args):
    current = public_state()
    if state != current:
        # An old (or made-up) state: the data of now, under the URL of now.
        response = redirect(reverse(url_name, args=[current, *args]))
        response["Cache-Control"] = "no-cache"
        return response
    path = _root() / state / name
    if not path.is_file():
        first = not (_root() / state).is_dir()
        try:
            write_file(path, render())
        except BadParameter as bad:
            return bad.response()
        settle(state, first=first)
    gzipped = path.with_name(path.name + ".gz")
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "") and gzipped.is_file()
    try:
        body = open(gzipped if use_gzip else path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        # Removed in this instant by a newer state's rendering: ask again under the new one.
        return _serve(request, state="", name=name, render=render, content_type=content_type,
                      url_name=url_name, args=args)  # fmt: skip
    response = FileResponse(body, content_type=content_type)
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    response.headers.pop("Content-Disposition", None)
    response["Cache-Control"] = CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_safe
def boundaries_file(request, state: str, level: str, year: int):
    """/data/<state>/boundaries/<level>/<year>.json: as /api/v1/districts?level=…&year=…"""
    return _serve(
        request,
        state=state,
        name=boundaries_name(level, year),
        render=lambda: render_boundaries(level=level, year=year),
        content_type="application/geo+json",
        url_name="public-data-boundaries",
        args=[level, year],
    )


@require_safe
def band_boundaries_file(
    request,
    state: str,
    level: str,
    year: int,
    zoom: int,
    x: int | None = None,
    y: int | None = None,
):
    """/data/<state>/boundaries/<level>/<year>-z<zoom>.json: as /api/v1/districts with
    ``zoom``, for the band that starts at ``zoom`` (other zooms are no file); and
    …/<year>-z<zoom>/<x>-<y>.json with ``chunk=x,y`` too, rendered on request only (a level
    has thousands)."""
    if zoom not in {band.min_zoom for band in BANDS}:
        return _not_found(
            f"Keine Zoomstufe, mit der ein Band beginnt: {zoom} / "
            f"no zoom at which a band starts: {zoom}"
        )
    chunk = None if x is None or y is None else (x, y)
    return _serve(
        request,
        state=state,
        name=boundaries_name(level, year, zoom, chunk),
        render=lambda: _render_band(level=level, year=year, zoom=zoom, chunk=chunk),
        content_type="application/geo+json",
        url_name="public-data-band-boundaries" if chunk is None else "public-data-chunk-boundaries",
        args=[level, year, zoom, *(chunk or ())],
    )


def _render_band(*, level: str, year: int, zoom: int, chunk: tuple[int, int] | None) -> bytes:
    body = render_boundaries(level=level, year=year, zoom=zoom, chunk=chunk)
    # Only chunks with areas become files: the tiles of the world cannot fill the disk.
    if chunk is not None and not json.loads(body)["features"]:
        raise BadParameter(
            "chunk", "Keine Gebiete in diesem Ausschnitt / no areas in this chunk", 404
        )
    return body


def zoom_banded(level: str) -> bool:
    """Whether the map loads this level's boundaries per zoom band: when it has so many areas
    that the web geometry of all of them is too heavy for the first view."""
    count = District.objects.current().filter(level__slug=level).count()
    return count >= settings.ATLAS_ZOOM_BANDS_FROM


@require_safe
def values_file(
    request,
    state: str,
    indicator: str,
    level: str,
    year: int,
    within: str | None = None,
    scenario: str | None = None,
):
    """/data/<state>/values/<indicator>/<level>/<year>.json: as /api/v1/values with the
    indicator's default classification, plus every method × class count; and
    …/<year>-in-<within>.json with ``within`` too (the Bezirk view), rendered on request only;
    a projected year's under its scenario, …/<level>/<scenario>/<year>[-in-<within>].json."""
    url_name = "public-data-values" if within is None else "public-data-bezirk-values"
    if scenario is not None:
        url_name = url_name.replace("-values", "-projected-values")
    return _serve(
        request,
        state=state,
        name=values_name(indicator, level, year, within, scenario),
        render=lambda: render_values(
            indicator=indicator, level=level, year=year, within=within, scenario=scenario
        ),
        content_type="application/json",
        url_name=url_name,
        args=[indicator, level, *([scenario] if scenario else []), year,
              *([within] if within else [])],
    )  # fmt: skip


@require_safe
def facilities_file(request, state: str, level: str, year: int, within: str | None = None):
    """/data/<state>/facilities/<level>/<year>[-in-<within>].json: as /api/v1/facilities with
    ``year``, ``level`` (and ``within``), every type."""
    return _serve(
        request,
        state=state,
        name=facilities_name(level, year, within),
        render=lambda: render_facilities(level=level, year=year, within=within),
        content_type="application/geo+json",
        url_name="public-data-facilities" if within is None else "public-data-bezirk-facilities",
        args=[level, year, *([within] if within else [])],
    )


@require_safe
def catchment_file(
    request,
    state: str,
    facility_type: str,
    distance: int,
    level: str,
    year: int,
    within: str | None = None,
):
    """/data/<state>/catchment/<type>/<distance>/<level>/<year>[-in-<within>].json: as
    /api/v1/catchment with the same parameters, rendered on request only."""
    return _serve(
        request,
        state=state,
        name=catchment_name(facility_type, distance, level, year, within),
        render=lambda: render_catchment(
            facility_type=facility_type, distance=distance, level=level, year=year, within=within
        ),
        content_type="application/json",
        url_name="public-data-catchment" if within is None else "public-data-bezirk-catchment",
        args=[facility_type, distance, level, year, *([within] if within else [])],
    )


@require_safe
def unknown_file(request, **kwargs):
    """Anything else under /data/: no such file, said plainly."""
    return _not_found(
        "Unbekannte Datei: /data/<Stand>/boundaries/<Ebene>/<Jahr>.json, "
        "/data/<Stand>/values/<Indikator>/<Ebene>/<Jahr>.json oder "
        "/data/<Stand>/facilities/<Ebene>/<Jahr>.json / unknown file: "
        "/data/<state>/boundaries/<level>/<year>.json, "
        "/data/<state>/values/<indicator>/<level>/<year>.json or "
        "/data/<state>/facilities/<level>/<year>.json"
    )
