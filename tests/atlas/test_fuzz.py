"""Hostile input against every public page and endpoint, and bad files against the uploads:
never a server error or a traceback, always a clear answer."""

import functools
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies

from districts.models import District, Level

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "indicator", "year", "level", "sel", "chart", "classes", "method", "breaks", "embed",
    "from", "y", "code", "codes", "within", "theme", "dialect", "bbox", "datetime", "limit",
    "offset", "f", "lang",
]  # fmt: skip

BAD_VALUES = [
    "x" * 5000,
    "ä€😀\u202e",
    "1\x00",
    "-1",
    "99999999999999999999999",
    "1e309",
    "' OR 1=1--",
    "<script>alert(1)</script>",
    ",,,",
]
COMMON = ["indicator", "year", "level"]
# The parameters each kind of page reads, besides the common ones.
EXTRA = {
    "/": ["sel", "chart", "classes", "method", "breaks", "embed", "from"],
    "/bezirk/1/": ["sel", "chart", "classes", "method", "breaks", "embed", "from"],
    "/api/v1/districts": ["within"],
    "/api/v1/indicators": ["theme"],
    "/api/v1/values": ["within", "classes", "method", "breaks"],
    "/api/v1/series": ["codes", "code", "within"],
    "/api/v1/change": ["from", "y", "within", "classes", "method", "breaks"],
    "/api/v1/profile": ["code"],
    "/daten/tabelle.csv": ["within", "dialect", "sel"],
    "/daten/tabelle.xlsx": ["within", "sel"],
    "/ogcapi/collections": ["f"],
    "/ogcapi/collections/statistischer-bezirk/items": ["f", "bbox", "datetime", "limit", "offset"],
    "/ogcapi/collections/statistischer-bezirk/items/11": ["f"],
}

PAGES = [
    "/", "/bezirk/1/", "/gebiet/statistischer-bezirk/11/", "/bezirk/1/steckbrief/",
    "/api/v1/levels", "/api/v1/districts", "/api/v1/indicators", "/api/v1/values",
    "/api/v1/series", "/api/v1/change", "/api/v1/profile", "/api/v1/openapi.json",
    "/daten/", "/daten/dcat.jsonld", "/daten/tabelle.csv", "/daten/tabelle.xlsx",
    "/ogcapi/", "/ogcapi/collections", "/ogcapi/collections/statistischer-bezirk",
    "/ogcapi/collections/statistischer-bezirk/items",
    "/ogcapi/collections/statistischer-bezirk/items/11",
    "/barrierefreiheit/",
]  # fmt: skip

# Slow answers (a PDF, a GeoPackage) get the most telling values only.
SLOW = ["/bezirk/1/steckbrief.pdf", "/daten/gebiete.gpkg"]
SLOW_VALUES = ["x" * 5000, "1\x00", "-1", "99999999999999999999999", "<b>"]

BAD_PATHS = [
    "/bezirk/{}/", "/bezirk/{}/steckbrief/", "/bezirk/{}/steckbrief.pdf",
    "/gebiet/statistischer-bezirk/{}/", "/gebiet/{}/11/",
    "/ogcapi/collections/{}", "/ogcapi/collections/{}/items",
    "/ogcapi/collections/statistischer-bezirk/items/{}",
]  # fmt: skip
BAD_SEGMENTS = [
    "x" * 3000,
    "%C3%A4%E2%82%AC",
    "%00",
    "-1",
    "99999999999999999999",
    "'%20OR%201=1--",
]


def problem(response) -> str | None:
    """What is wrong with an answer to bad input, or None."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if b"Traceback" in body:
        return "traceback in the body"
    if response.status_code >= 400 and not body.strip():
        return f"status {response.status_code} without a message"
    return None


@pytest.fixture
def client():
    """A client that returns the 500 page instead of raising, so that all failures are listed."""
    return Client(raise_request_exception=False)


def check(client, url: str, params) -> str | None:
    found = problem(client.get(url, params))
    return f"{url} {params!r}: {found}" if found else None


@pytest.mark.parametrize("url", PAGES)
def test_bad_query_values_get_a_clear_answer(client, url):
    failures = [
        check(client, url, {name: value})
        for name in COMMON + EXTRA.get(url, [])
        for value in BAD_VALUES
    ]
    failures.append(check(client, url, {name: ["1", "2"] for name in PARAMETERS}))
    failures.append(check(client, url, {name: "x" * 300 for name in PARAMETERS}))
    assert [f for f in failures if f] == []


@pytest.mark.parametrize("url", SLOW)
def test_bad_query_values_get_a_clear_answer_from_slow_downloads(client, url):
    failures = [
        check(client, url, {name: value})
        for name in ("year", "level", "indicator")
        for value in SLOW_VALUES
    ]
    assert [f for f in failures if f] == []


@pytest.mark.parametrize("pattern", BAD_PATHS)
def test_bad_path_segments_get_a_clear_answer(client, pattern):
    failures = [check(client, pattern.format(segment), {}) for segment in BAD_SEGMENTS]
    assert [f for f in failures if f] == []


def test_release_downloads_of_unknown_releases_are_not_found(client):
    for url in ["/daten/999999999/werte.csv", "/daten/99999999999999999999/werte.xlsx"]:
        assert client.get(url).status_code == 404, url


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    url=strategies.sampled_from(["/", "/api/v1/values", "/api/v1/series", "/api/v1/change",
                                 "/api/v1/profile", "/daten/tabelle.csv",
                                 "/ogcapi/collections/statistischer-bezirk/items"]),
    params=strategies.dictionaries(
        strategies.sampled_from(PARAMETERS),
        strategies.text(max_size=40) | strategies.integers().map(str),
        max_size=5,
    ),
)  # fmt: skip
def test_random_query_strings_never_break_a_page(client, url, params):
    assert check(client, url, params) is None


# Bad files against the admin uploads.

VALUES = Path(__file__).parent.parent / "data" / "values"
BOUNDARIES = Path(__file__).parent.parent / "data" / "boundaries"


@functools.cache
def bomb() -> bytes:
    """A small ZIP that unpacks to 50 MB of zeros, named like a workbook (made once: packing
    50 MB takes a while)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    return buffer.getvalue()


BAD_FILES = {
    "leer.csv": b"",
    "binaer.csv": bytes(range(256)) * 40,
    "lange-zeile.csv": b"gebiet,ebene,indikator,jahr,wert\n" + b"1" * 2_000_000 + b"\n",
    "latin1.csv": "gebiet;ebene;indikator;jahr;wert\n05512000;stadt;Größe;2023;1".encode("cp1252"),
    "utf16.csv": "gebiet,ebene,indikator,jahr,wert\n05512000,stadt,einwohner,2023,1\n".encode(
        "utf-16"
    ),
    "nul.csv": b"gebiet,ebene,indikator,jahr,wert\n05512000\0,stadt,einwohner,2023,1\n",
    "bombe.xlsx": bomb(),
    "ohne-endung": b"gebiet,ebene\n",
    "../../etc/passwd.csv": b"gebiet,ebene,indikator,jahr,wert\n",
    **{path.name: path.read_bytes() for path in sorted(VALUES.glob("*.*")) if path.suffix != ".md"},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_value_files_get_the_form_with_an_error(statistician, name):
    file = SimpleUploadedFile(name, BAD_FILES[name], content_type="application/octet-stream")
    response = statistician.post(
        "/admin/indicators/release/upload/", {"title": "Fuzz", "file": file}
    )
    assert problem(response) is None
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fehler" in html or "errorlist" in html or 'id="preview-changed"' in html


def test_tampered_upload_form_fields_get_a_clear_answer(statistician):
    url = "/admin/indicators/release/upload/"
    for data in [
        {"token": "x" * 5000, "filename": "../werte.csv"},
        {"token": "0" * 32, "filename": "\0", "confirm": "1"},
        {"token": "'; DROP TABLE x;--", "confirm": "1", "mapping": "{"},
    ]:
        assert problem(statistician.post(url, data)) is None


BAD_BOUNDARY_FILES = {
    "leer.geojson": b"",
    "binaer.geojson": bytes(range(256)) * 40,
    "lange-zeile.geojson": b'{"type": "FeatureCollection", "features": [' + b" " * 2_000_000,
    "bombe.zip": bomb(),
    "latin1.geojson": '{"type": "Feature", "properties": {"name": "Größe"}}'.encode("latin-1"),
    **{
        path.name: path.read_bytes()
        for path in sorted(BOUNDARIES.glob("*.*"))
        if path.suffix in {".geojson", ".zip", ".shp"}
    },
}


@pytest.mark.parametrize("name", sorted(BAD_BOUNDARY_FILES))
def test_bad_boundary_files_get_the_form_with_an_error(statistician, name):
    level = Level.objects.get(slug="statistischer-bezirk")
    before = District.objects.count()
    file = SimpleUploadedFile(name, BAD_BOUNDARY_FILES[name])
    response = statistician.post(
        "/admin/districts/district/upload/",
        {"level": level.pk, "valid_from": "01.01.2024", "code_field": "code",
         "name_field": "name", "srid": "", "file": file},
    )  # fmt: skip
    assert problem(response) is None
    assert response.status_code == 200
    assert "Fehler" in response.content.decode() or "errorlist" in response.content.decode()
    assert District.objects.count() == before


def test_bad_boundary_form_values_get_form_errors(statistician):
    response = statistician.post(
        "/admin/districts/district/upload/",
        {"level": "x" * 3000, "valid_from": "99.99.99999", "code_field": "\0",
         "name_field": "", "srid": "-99999999999999999999"},
    )  # fmt: skip
    assert problem(response) is None
    assert "errorlist" in response.content.decode()
