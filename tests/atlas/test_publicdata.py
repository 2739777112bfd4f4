import datetime
import gzip
import json
import math
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from atlas import publicdata
from atlas.permissions import STATISTICIANS
from atlas.publicdata import CACHE_CONTROL, public_state
from districts.models import District
from districts.services.boundaries import import_boundaries
from districts.zoom import band_for, chunk_zoom
from indicators.classify import METHODS
from indicators.models import CLASS_COUNTS, Indicator, Observation, Release
from indicators.services.releases import publish_release

pytestmark = pytest.mark.django_db

LEVEL = "statistischer-bezirk"


def body(response) -> bytes:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(data) if response.get("Content-Encoding") == "gzip" else data


def boundaries_url(state, level=LEVEL, year=2023):
    return reverse("public-data-boundaries", args=[state, level, year])


def values_url(state, indicator="kinderarmut", level=LEVEL, year=2023):
    return reverse("public-data-values", args=[state, indicator, level, year])


@pytest.fixture
def correction():
    """A draft that changes the city's population in 2023."""
    draft = Release.objects.create(title="Korrektur 2023")
    Observation.objects.create(
        release=draft, indicator=Indicator.objects.get(slug="einwohner"),
        district=District.objects.get(level__slug="stadt"), year=2023,
        reference_date=datetime.date(2023, 12, 31), value=118_800,
    )  # fmt: skip
    return draft


@pytest.fixture
def statistician():
    user = User.objects.create_user("stat", is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    return user


def test_the_boundaries_file_is_the_api_response(client):
    api = client.get("/api/v1/districts", {"level": LEVEL, "year": 2023})
    response = client.get(boundaries_url(public_state()))
    assert response.status_code == 200
    assert body(response) == api.content


@pytest.mark.parametrize("indicator", ["kinderarmut", "einwohner", "anteil-65-plus"])
def test_the_values_file_is_the_api_response_with_the_default_classes(client, indicator):
    api = client.get("/api/v1/values", {"indicator": indicator, "level": LEVEL, "year": 2023})
    data = json.loads(body(client.get(values_url(public_state(), indicator))))
    data.pop("classifications")
    assert data == api.json()


def test_every_classification_in_the_values_file_is_the_apis(client):
    data = json.loads(body(client.get(values_url(public_state()))))
    for method in METHODS:
        for k in CLASS_COUNTS:
            api = client.get(
                "/api/v1/values",
                {"indicator": "kinderarmut", "level": LEVEL, "year": 2023, "method": method,
                 "classes": k},
            ).json()  # fmt: skip
            variant = data["classifications"][method][str(k)]
            assert variant["classes"] == api["classes"], (method, k)
            assert variant["class"] == [row["class"] for row in api["values"]], (method, k)


def test_files_are_cacheable_and_gzipped_for_clients_that_accept_it(client):
    plain = client.get(values_url(public_state()))
    packed = client.get(values_url(public_state()), HTTP_ACCEPT_ENCODING="gzip, br")
    assert plain["Cache-Control"] == CACHE_CONTROL == packed["Cache-Control"]
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert body(packed) == body(plain)


def test_a_file_is_written_on_first_request_with_its_gzipped_sibling(client, public_data_root):
    state = public_state()
    client.get(boundaries_url(state))
    written = public_data_root / state / "boundaries" / LEVEL / "2023.json"
    assert gzip.decompress(written.with_name("2023.json.gz").read_bytes()) == written.read_bytes()


def test_publishing_changes_the_state_and_an_old_url_redirects_to_new_data(
    client, correction, statistician, django_capture_on_commit_callbacks
):
    old = public_state()
    before = json.loads(body(client.get(values_url(old, "einwohner"))))
    with django_capture_on_commit_callbacks(execute=True):
        publish_release(release=correction, user=statistician)
    new = public_state()
    assert new != old
    response = client.get(values_url(old, "einwohner"))
    assert response.status_code == 302
    assert response["Location"] == values_url(new, "einwohner")
    after = json.loads(body(client.get(response["Location"])))
    assert (before["city"]["value"], after["city"]["value"]) == (118_705, 118_800)


def test_publishing_renders_the_new_boundaries_and_removes_the_old_state(
    client, correction, statistician, django_capture_on_commit_callbacks, public_data_root
):
    old = public_state()
    client.get(values_url(old))
    with django_capture_on_commit_callbacks(execute=True):
        publish_release(release=correction, user=statistician)
    new = public_state()
    assert not (public_data_root / old).exists()
    assert (public_data_root / new / "boundaries" / LEVEL / "2023.json").is_file()


def test_the_command_renders_every_file_and_removes_old_states(public_data_root, monkeypatch):
    # Each values file with its default classes only: the other methods and class counts
    # (most of the time of a full run) have tests of their own above.
    monkeypatch.setattr("atlas.publicdata.VARIANT_LIMIT", 0)
    stale = public_data_root / ("0" * 16)
    stale.mkdir()
    call_command("render_public_data")
    state = public_data_root / public_state()
    assert not stale.exists()
    assert (state / "values" / "kinderarmut" / LEVEL / "2023.json.gz").is_file()
    assert (state / "values" / "kinderarmut" / "stadtbezirk" / "2023.json").is_file()
    assert (state / "boundaries" / "stadtbezirk" / "2023.json").is_file()


def test_the_command_can_remove_old_states_without_rendering(public_data_root):
    stale = public_data_root / ("0" * 16)
    stale.mkdir()
    call_command("render_public_data", "--prune")
    assert not stale.exists()
    assert not (public_data_root / public_state()).exists()


WITHHELD = "jugendarbeitslosigkeit"  # Kirchhellen-Nord-West has fewer than 3 cases


def _small_cell() -> Observation:
    indicator = Indicator.objects.get(slug=WITHHELD)
    return (
        Observation.objects.filter(
            indicator=indicator,
            district__level__slug=LEVEL,
            numerator__gt=0,
            numerator__lt=indicator.disclosure_threshold,
        )
        .select_related("district")
        .order_by("-year")
        .first()
    )


def _value_of(response, code: str):
    rows = json.loads(body(response))["values"]
    return next(row["value"] for row in rows if row["code"] == code)


def test_restoring_a_lowered_threshold_takes_the_old_states_files_offline(
    client, public_data_root, django_capture_on_commit_callbacks, settings
):
    settings.ATLAS_DISCLOSURE_FLOOR = 0  # a site that allows it, or a mistake made before
    cell = _small_cell()
    indicator, code, year = cell.indicator, cell.district.code, cell.year
    threshold = indicator.disclosure_threshold
    with django_capture_on_commit_callbacks(execute=True):
        indicator.disclosure_threshold = 0
        indicator.save()
    disclosed = public_state()
    response = client.get(values_url(disclosed, WITHHELD, year=year))
    assert _value_of(response, code) is not None
    path = public_data_root / disclosed / "values" / WITHHELD / LEVEL / f"{year}.json"
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        indicator.disclosure_threshold = threshold
        indicator.save()
    assert not (public_data_root / disclosed).exists()
    response = client.get(values_url(disclosed, WITHHELD, year=year), follow=True)
    assert response.redirect_chain
    assert _value_of(response, code) is None


def test_a_file_made_while_the_state_changed_is_removed_at_once(
    client, public_data_root, monkeypatch
):
    render = publicdata.render_values

    def render_while_a_change_is_committed(**params):
        body = render(**params)
        monkeypatch.setattr(publicdata, "public_state", lambda: "f" * 16)
        return body

    # Patched first: a patch gives the tests a state of their own (tests/conftest.py).
    monkeypatch.setattr(publicdata, "render_values", render_while_a_change_is_committed)
    state = public_state()
    client.get(boundaries_url(state))  # the state's first file
    client.get(values_url(state))
    assert not (public_data_root / state).exists()


def test_the_first_file_of_a_state_removes_older_states(client, public_data_root):
    stale = public_data_root / ("0" * 16)
    (stale / "values").mkdir(parents=True)
    client.get(values_url(public_state()))
    assert not stale.exists()


def test_nginx_gives_the_files_the_atlas_cache_lifetime():
    site = (Path(__file__).parents[2] / "deploy" / "nginx.conf").read_text()
    assert f'add_header Cache-Control "{CACHE_CONTROL}";' in site
    assert "immutable" not in CACHE_CONTROL


def test_the_map_page_names_the_files_of_the_current_state(client):
    page = client.get("/").content.decode()  # a page kept from an earlier request, too
    config = re.search(r'<script id="atlas-config" type="application/json">(.*?)</script>', page)
    assert json.loads(config.group(1))["dataUrl"] == f"/data/{public_state()}/"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("values/unbekannt/statistischer-bezirk/2023.json", 404),
        ("values/kinderarmut/unbekannt/2023.json", 404),
        ("boundaries/unbekannt/2023.json", 404),
        ("values/kinderarmut/statistischer-bezirk/1900.json", 404),
        ("boundaries/statistischer-bezirk/1900.json", 404),
        ("boundaries/statistischer-bezirk/zwei.json", 404),
        ("boundaries/statistischer-bezirk/2023.json.gz", 404),
        ("..%2F..%2Fetc%2Fpasswd", 404),
        ("../../etc/passwd", 404),
        ("boundaries/%2e%2e/2023.json", 404),
    ],
)
def test_bad_paths_and_parameters_get_a_clear_answer(client, path, status, public_data_root):
    response = client.get(f"/data/{public_state()}/{path}")
    assert response.status_code == status
    assert "message" in response.json()["error"]
    assert not any(public_data_root.rglob("*.json"))


def test_a_boundary_import_renders_the_new_boundaries_under_a_new_state(
    client, level, tmp_path, django_capture_on_commit_callbacks, public_data_root
):
    from tests.districts.test_boundaries import DAY, grid, write_features

    old = public_state()
    with django_capture_on_commit_callbacks(execute=True):
        import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    new = public_state()
    assert new != old
    written = public_data_root / new / "boundaries" / level.slug / "2023.json"
    codes = {f["properties"]["code"] for f in json.loads(written.read_bytes())["features"]}
    assert codes == {"A1", "A2", "A3", "A4"}
    assert client.get(boundaries_url(old, level.slug))["Location"] == boundaries_url(
        new, level.slug
    )


def test_a_level_with_many_areas_carries_only_the_default_classification(client, monkeypatch):
    monkeypatch.setattr("atlas.publicdata.VARIANT_LIMIT", 5)
    api = client.get("/api/v1/values", {"indicator": "kinderarmut", "level": LEVEL, "year": 2023})
    data = json.loads(body(client.get(values_url(public_state()))))
    indicator = Indicator.objects.get(slug="kinderarmut")
    variants = data.pop("classifications")
    default = variants[indicator.classification_method][str(indicator.classification_classes)]
    assert list(variants) == [indicator.classification_method]
    assert default["classes"] == api.json()["classes"]
    assert default["class"] == [row["class"] for row in api.json()["values"]]
    assert data == api.json()


def band_url(state, zoom, level=LEVEL, year=2023):
    return reverse("public-data-band-boundaries", args=[state, level, year, zoom])


@pytest.mark.parametrize("zoom", [0, 7, 9, 11, 13])
def test_a_band_file_is_the_api_response_for_its_zoom(client, zoom):
    api = client.get("/api/v1/districts", {"level": LEVEL, "year": 2023, "zoom": zoom})
    response = client.get(band_url(public_state(), zoom))
    assert response.status_code == 200
    assert body(response) == api.content
    assert response["Cache-Control"] == CACHE_CONTROL


def chunk_url(state, zoom, x, y, level=LEVEL, year=2023):
    return reverse("public-data-chunk-boundaries", args=[state, level, year, zoom, x, y])


def bottrop_tile(zoom: int) -> tuple[int, int]:
    """The tile at the chunk zoom of ``zoom``'s band that holds Bottrop's centre."""
    lon, lat, n = 6.93, 51.565, 2 ** chunk_zoom(band_for(zoom))
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


@pytest.mark.parametrize("zoom", [11, 13])
def test_a_chunk_file_is_the_api_response_for_its_tile(client, zoom):
    x, y = bottrop_tile(zoom)
    api = client.get(
        "/api/v1/districts", {"level": LEVEL, "year": 2023, "zoom": zoom, "chunk": f"{x},{y}"}
    )
    response = client.get(chunk_url(public_state(), zoom, x, y))
    assert response.status_code == 200
    assert body(response) == api.content
    assert json.loads(api.content)["features"]
    assert response["Cache-Control"] == CACHE_CONTROL


def test_a_chunk_without_areas_is_no_file(client, settings):
    x, y = bottrop_tile(11)
    response = client.get(chunk_url(public_state(), 11, x + 3, y))
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == "chunk"
    assert not list(settings.ATLAS_PUBLIC_DATA_ROOT.rglob(f"{x + 3}-{y}.json"))
    # A tile outside the world of its zoom, and a zoom at which no band starts.
    assert client.get(chunk_url(public_state(), 11, 2**10, y)).status_code == 400
    assert client.get(chunk_url(public_state(), 12, x, y)).status_code == 404


def test_a_zoom_inside_a_band_is_no_file(client, settings):
    response = client.get(band_url(public_state(), 8))
    assert response.status_code == 404
    assert "8" in response.json()["error"]["message"]
    assert not list(settings.ATLAS_PUBLIC_DATA_ROOT.rglob("*-z8.json"))


def test_band_files_are_rendered_for_levels_with_many_areas_only(settings):
    settings.ATLAS_ZOOM_BANDS_FROM = 10  # the 17 statistical districts, not the 3 Stadtbezirke
    settings.ATLAS_OVERVIEW_AREAS = 2  # nor the Stadtbezirke as their overview
    call_command("render_public_data", "--boundaries-only")
    names = {path.name for path in settings.ATLAS_PUBLIC_DATA_ROOT.rglob("*.json")}
    banded = {path.parent.name for path in settings.ATLAS_PUBLIC_DATA_ROOT.rglob("*-z*.json")}
    assert banded == {LEVEL}
    assert {"2023.json", "2023-z0.json", "2023-z7.json", "2023-z11.json", "2023-z13.json"} <= names


def test_band_files_are_rendered_for_the_overview_of_a_level_with_many_areas(settings):
    settings.ATLAS_ZOOM_BANDS_FROM = 10
    call_command("render_public_data", "--boundaries-only")
    banded = {path.parent.name for path in settings.ATLAS_PUBLIC_DATA_ROOT.rglob("*-z0.json")}
    assert banded == {LEVEL, "stadtbezirk"}


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('id="atlas-config"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_map_names_bands_and_extent_of_a_level_with_many_areas(client, settings):
    assert config_of(client.get("/"))["zoomBands"] is None
    settings.ATLAS_ZOOM_BANDS_FROM = 10
    config = config_of(client.get("/?indicator=einwohner"))
    assert [band["min"] for band in config["zoomBands"]] == [0, 7, 9, 11, 13]
    (south, west), (north, east) = config["extent"]
    # Bottrop: about 51.50–51.64° N, 6.83–7.00° E.
    assert 51.45 < south < 51.52 < 51.62 < north < 51.7
    assert 6.8 < west < 6.86 < 6.97 < east < 7.05
    assert config_of(client.get("/bezirk/2/"))["zoomBands"] is None


def test_the_map_names_the_overview_of_a_level_with_many_areas(client, settings):
    assert config_of(client.get("/?indicator=kinderarmut&year=2023"))["overview"] is None
    settings.ATLAS_ZOOM_BANDS_FROM = 10
    config = config_of(client.get("/?indicator=kinderarmut"))
    assert config["overview"] == {"level": "stadtbezirk", "maxZoom": 8, "name": "Stadtbezirke"}
    english = config_of(client.get("/?indicator=kinderarmut&lang=en"))
    assert english["overview"]["name"] == "City boroughs"
    # An index does not roll up: its map has no overview and draws every area.
    assert config_of(client.get("/?indicator=sozialindex-status"))["overview"] is None
    assert config_of(client.get("/bezirk/2/?indicator=kinderarmut"))["overview"] is None


def test_the_map_loads_a_level_of_thousands_of_areas_in_chunks(client, settings):
    settings.ATLAS_ZOOM_BANDS_FROM = 10
    config = config_of(client.get("/?indicator=kinderarmut&year=2022"))
    assert config["chunks"] is None
    assert config["areas"] == 17
    settings.ATLAS_BOUNDARY_CHUNKS_FROM = 10  # Bottrop's 17 districts stand in for thousands
    config = config_of(client.get("/?indicator=kinderarmut&year=2021"))
    assert config["chunks"] == {"zoomsUp": 1}
    assert config_of(client.get("/bezirk/2/?indicator=kinderarmut"))["chunks"] is None
