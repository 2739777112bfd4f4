"""OGC API – Features under /ogcapi/: the JSON documents, paging, filters, withheld values, HTML,
bad parameters, and GDAL's OAPIF driver reading every collection from a live server."""

import datetime
import json
import os
import re
import subprocess

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from districts.models import WEB_SRID, District, Level
from indicators.marks import numbers
from indicators.models import Indicator, Observation
from indicators.payloads import DEMO_NOTICE
from indicators.selectors import level_values, published_years
from indicators.services.downloads import attribution, licence
from tests.factories import DistrictFactory

ITEMS = "/ogcapi/collections/statistischer-bezirk/items"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


def current_counts() -> dict[str, int]:
    """Level slug → number of its current districts, for every level that has any."""
    counts = {}
    for level in Level.objects.all():
        n = District.objects.current().filter(level=level).count()
        if n:
            counts[level.slug] = n
    return counts


def rels(payload) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in payload["links"] if link["type"] != "text/html"}


@pytest.mark.django_db
class TestDocuments:
    def test_landing_page_links_to_the_api_description_conformance_and_collections(self, client):
        response = client.get("/ogcapi/")
        assert response["Content-Type"] == "application/json"
        links = {link["rel"]: link for link in response.json()["links"]}
        assert {"self", "alternate", "service-desc", "conformance", "data"} <= links.keys()
        assert links["service-desc"]["href"].endswith("/ogcapi/api")
        assert links["data"]["href"].endswith("/ogcapi/collections")
        assert links["alternate"]["type"] == "text/html"

    def test_conformance_declares_core_geojson_html_openapi_and_queryables(self, client):
        classes = client.get("/ogcapi/conformance").json()["conformsTo"]
        base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
        part3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
        assert set(classes) == {base + c for c in ("core", "geojson", "html", "oas30")} | {
            part3 + c for c in ("queryables", "queryables-query-parameters")
        }

    def test_the_api_description_is_a_valid_openapi_3_document_of_every_endpoint(self, client):
        response = client.get("/ogcapi/api")
        assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
        document = response.json()
        validate(document)
        assert document["openapi"].startswith("3.0")
        assert set(document["paths"]) == {
            "/",
            "/api",
            "/conformance",
            "/collections",
            "/collections/{collectionId}",
            "/collections/{collectionId}/queryables",
            "/collections/{collectionId}/items",
            "/collections/{collectionId}/items/{featureId}",
        }

    def test_the_description_states_the_offset_the_server_keeps(self, client):
        items = client.get("/ogcapi/api").json()["paths"]["/collections/{collectionId}/items"]
        (schema,) = [p["schema"] for p in items["get"]["parameters"] if p["name"] == "offset"]
        assert client.get(ITEMS, {"offset": schema["maximum"]}).status_code == 200
        refused = client.get(ITEMS, {"offset": schema["maximum"] + 1})
        assert refused.status_code == 400
        assert refused.json()["error"]["parameter"] == "offset"

    def test_a_limit_above_the_maximum_is_the_maximum(self, client):
        items = client.get("/ogcapi/api").json()["paths"]["/collections/{collectionId}/items"]
        (schema,) = [p["schema"] for p in items["get"]["parameters"] if p["name"] == "limit"]
        response = client.get(ITEMS, {"limit": schema["maximum"] + 1})
        assert response.status_code == 200
        assert f"limit={schema['maximum']}" in rels(response.json())["self"]

    def test_the_api_definition_is_also_a_page_of_every_operation_and_parameter(self, client):
        response = client.get("/ogcapi/api", {"f": "html"})
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        for operation in ("getLandingPage", "getFeatures", "getQueryables", "getFeature"):
            assert f'id="{operation}"' in body
        assert "<code>bbox</code>" in body and "<code>datetime</code>" in body
        assert "<script" not in body.split("</header>", 1)[-1].split("<footer", 1)[0]
        landing = client.get("/ogcapi/").json()
        (doc,) = [link for link in landing["links"] if link["rel"] == "service-doc"]
        assert doc["type"] == "text/html" and doc["href"].endswith("/ogcapi/api?f=html")

    def test_there_is_one_collection_per_level_with_current_districts(self, client):
        collections = client.get("/ogcapi/collections").json()["collections"]
        assert [c["id"] for c in collections] == ["stadt", "stadtbezirk", "statistischer-bezirk"]
        assert {c["id"] for c in collections} == current_counts().keys()

    def test_a_collection_describes_its_extent_crs_and_item_type(self, client):
        collection = client.get("/ogcapi/collections/statistischer-bezirk").json()
        assert collection["title"] == "Statistische Bezirke"
        assert collection["itemType"] == "feature"
        assert collection["crs"] == [CRS84]
        [bbox] = collection["extent"]["spatial"]["bbox"]
        # Bottrop lies around 6.9° E, 51.6° N.
        assert 6.7 < bbox[0] < bbox[2] < 7.1 and 51.4 < bbox[1] < bbox[3] < 51.8
        years = published_years()
        assert collection["extent"]["temporal"]["interval"] == [
            [f"{years[0]}-12-31T00:00:00Z", f"{years[-1]}-12-31T00:00:00Z"]
        ]
        assert {"self", "items"} <= rels(collection).keys()


@pytest.mark.django_db
class TestItems:
    def test_items_are_a_geojson_feature_collection_of_the_current_districts(self, client):
        response = client.get(ITEMS)
        assert response["Content-Type"] == "application/geo+json"
        payload = json.loads(response.content)
        assert payload["type"] == "FeatureCollection"
        assert payload["numberMatched"] == payload["numberReturned"] == 17
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", payload["timeStamp"])
        codes = set(
            District.objects.current()
            .filter(level__slug="statistischer-bezirk")
            .values_list("code", flat=True)
        )
        assert {f["id"] for f in payload["features"]} == codes
        feature = payload["features"][0]
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert {"code", "name", "area_km2", "year", "einwohner", "einwohner_status"} <= set(
            feature["properties"]
        )

    def test_the_geometry_is_the_full_boundary_in_wgs84(self, client):
        feature = client.get(f"{ITEMS}/11").json()
        district = District.objects.current().get(level__slug="statistischer-bezirk", code="11")
        geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=WEB_SRID)
        boundary = district.boundary.transform(WEB_SRID, clone=True)
        assert geometry.num_coords == boundary.num_coords
        assert geometry.sym_difference(boundary).area < 1e-6 * boundary.area

    def test_paging_by_five_walks_four_pages_forth_and_back(self, client):
        pages, url = [], f"{ITEMS}?limit=5"
        while url:
            payload = client.get(url).json()
            pages.append(payload)
            url = rels(payload).get("next")
        assert [p["numberReturned"] for p in pages] == [5, 5, 5, 2]
        assert {p["numberMatched"] for p in pages} == {17}
        codes = [f["id"] for p in pages for f in p["features"]]
        assert len(set(codes)) == 17
        assert "prev" not in rels(pages[0])
        back = [client.get(rels(p)["prev"]).json() for p in pages[1:]]
        assert [[f["id"] for f in b["features"]] for b in back] == [
            [f["id"] for f in p["features"]] for p in pages[:-1]
        ]

    def test_a_small_bbox_inside_one_district_finds_only_that_district(self, client):
        district = District.objects.current().get(level__slug="statistischer-bezirk", code="42")
        point = district.boundary.point_on_surface.transform(WEB_SRID, clone=True)
        bbox = f"{point.x - 1e-5},{point.y - 1e-5},{point.x + 1e-5},{point.y + 1e-5}"
        payload = client.get(ITEMS, {"bbox": bbox}).json()
        assert [f["id"] for f in payload["features"]] == ["42"]
        assert payload["numberMatched"] == 1

    def test_the_bbox_of_a_district_finds_the_districts_that_touch_it(self, client):
        districts = District.objects.current().filter(level__slug="statistischer-bezirk")
        wgs = {d.code: d.boundary.transform(WEB_SRID, clone=True) for d in districts}
        extent = wgs["42"].extent
        box = Polygon.from_bbox(extent)
        expected = {code for code, geometry in wgs.items() if geometry.intersects(box)}
        payload = client.get(ITEMS, {"bbox": ",".join(map(str, extent))}).json()
        assert {f["id"] for f in payload["features"]} == expected
        assert "42" in expected and len(expected) < 17

    @pytest.mark.parametrize(
        ("datetime", "year"),
        [
            ("2018-12-31", 2018),
            ("2018-06-30T12:00:00Z", 2018),
            ("2015-01-01/2017-03-01", 2017),
            ("1990-01-01T00:00:00Z/..", None),
            ("../2013-05-01", 2013),
        ],
    )
    def test_datetime_selects_the_year_of_the_values(self, client, datetime, year):
        year = year or published_years()[-1]
        payload = client.get(ITEMS, {"datetime": datetime}).json()
        assert payload["numberMatched"] == 17
        assert {f["properties"]["year"] for f in payload["features"]} == {year}
        assert f"year={year}" in rels(payload)["self"]

    def test_datetime_before_any_published_year_matches_nothing(self, client):
        payload = client.get(ITEMS, {"datetime": "../1999-12-31"}).json()
        assert payload["numberMatched"] == payload["numberReturned"] == 0

    def test_datetime_gives_the_districts_with_the_boundary_valid_in_that_year(self, client):
        level = Level.objects.get(slug="statistischer-bezirk")
        DistrictFactory(
            level=level, code="99", x=360000, y=5710000, valid_to=datetime.date(2016, 1, 1)
        )
        codes = {f["id"] for f in client.get(ITEMS, {"datetime": "2015-12-31"}).json()["features"]}
        assert "99" in codes and len(codes) == 18
        assert "99" not in {f["id"] for f in client.get(ITEMS).json()["features"]}

    def test_datetime_and_a_year_outside_it_are_refused(self, client):
        response = client.get(ITEMS, {"datetime": "2018-12-31", "year": 2020})
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == "datetime"

    def test_properties_are_the_values_of_the_read_path_for_the_chosen_year(self, client):
        level = Level.objects.get(slug="stadtbezirk")
        year = published_years()[-3]
        payload = client.get("/ogcapi/collections/stadtbezirk/items", {"year": year}).json()
        by_code = {f["id"]: f["properties"] for f in payload["features"]}
        for slug in ("einwohner", "sgb-ii-quote", "durchschnittsalter"):
            indicator = Indicator.objects.get(slug=slug)
            for area in level_values(indicator=indicator, level=level, year=year).areas:
                # Approximate values rounded to the indicator's decimals, as every output.
                expected = numbers(area, indicator).value
                assert by_code[area.code][slug] == expected, (slug, area.code)
                assert by_code[area.code]["year"] == year

    def test_only_indicators_with_a_value_that_year_are_properties(self, client):
        level = Level.objects.get(slug="statistischer-bezirk")
        year = published_years()[-1]
        properties = client.get(f"{ITEMS}/11", {"year": year}).json()["properties"]
        with_values, without = set(), set()
        for indicator in Indicator.objects.all():
            areas = level_values(indicator=indicator, level=level, year=year).areas
            (with_values if any(a.has_value for a in areas) else without).add(indicator.slug)
        assert without, "the demo data should have an indicator not yet published"
        assert with_values <= properties.keys()
        assert not without & properties.keys()

    def test_an_approximate_value_is_marked_and_rounded_and_keeps_its_status(self, client):
        feature = client.get("/ogcapi/collections/stadtbezirk/items/1", {"year": 2023}).json()
        properties = feature["properties"]
        # Mitte is summed from statistical districts that lie partly in it (area shares).
        assert properties["einwohner_approximate"] is True
        assert properties["einwohner"] == int(properties["einwohner"])
        assert properties["sgb-ii-quote"] == round(properties["sgb-ii-quote"], 1)
        assert properties["einwohner_status"] == "normal"
        kirchhellen = client.get("/ogcapi/collections/stadtbezirk/items/3", {"year": 2023})
        assert kirchhellen.json()["properties"]["einwohner_approximate"] is False

    def test_the_newest_published_year_is_the_default(self, client):
        feature = client.get(f"{ITEMS}/11").json()
        assert feature["properties"]["year"] == published_years()[-1]


@pytest.mark.django_db
def test_a_value_withheld_by_disclosure_control_is_null_and_marked(client):
    indicator = Indicator.objects.get(slug="jugendarbeitslosigkeit")
    small = (
        Observation.objects.published()
        .filter(
            indicator=indicator,
            district__level__slug="statistischer-bezirk",
            numerator__lt=indicator.disclosure_threshold,
        )
        .select_related("district")
        .first()
    )
    assert small is not None, "the demo data should have a small cell"
    response = client.get(ITEMS, {"year": small.year})
    features = {f["id"]: f["properties"] for f in json.loads(response.content)["features"]}
    properties = features[small.district.code]
    assert properties["jugendarbeitslosigkeit"] is None
    assert properties["jugendarbeitslosigkeit_status"] == "."
    assert repr(small.value) not in response.content.decode()


@pytest.mark.django_db
class TestHtml:
    def test_a_browser_gets_an_html_table_with_the_names_escaped(self, client):
        level = Level.objects.get(slug="statistischer-bezirk")
        DistrictFactory(level=level, code="99", name="<b>Süd & Nord</b>", x=360000, y=5710000)
        response = client.get(ITEMS, HTTP_ACCEPT=BROWSER_ACCEPT)
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert "&lt;b&gt;Süd &amp; Nord&lt;/b&gt;" in body
        assert "<b>Süd" not in body
        assert "Kirchhellen-Nord-West" in body

    def test_a_feature_page_shows_a_withheld_value_as_a_dot(self, client):
        response = client.get(f"{ITEMS}/73", {"f": "html"})
        body = response.content.decode()
        assert response.status_code == 200
        row = re.search(r"<code>jugendarbeitslosigkeit</code>.*?</tr>", body, re.S).group(0)
        assert re.search(r'class="num">\.\s', row)

    @pytest.mark.parametrize(
        "path",
        ["/ogcapi/", "/ogcapi/conformance", "/ogcapi/collections", "/ogcapi/collections/stadt"],
    )
    def test_every_document_has_an_html_page(self, client, path):
        response = client.get(path, {"f": "html"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")

    def test_f_json_wins_over_a_browsers_accept_header(self, client):
        response = client.get(ITEMS, {"f": "json"}, HTTP_ACCEPT=BROWSER_ACCEPT)
        assert response["Content-Type"] == "application/geo+json"
        assert "Accept" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "viele"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"bbox": "6.9,51.5,7.0"}, "bbox"),
        ({"bbox": "7.0,51.5,6.9,51.6"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "nan,51.5,7,51.6"}, "bbox"),
        ({"year": "1990"}, "year"),
        ({"year": "letztes"}, "year"),
        ({"f": "xml"}, "f"),
        ({"datetime": "gestern"}, "datetime"),
        ({"datetime": "2024-01-01/2020-01-01"}, "datetime"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, query, parameter):
    response = client.get(ITEMS, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["parameter"] == parameter
    assert parameter in response.json()["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/ogcapi/collections", {"year": "1990"}, "year"),
        ("/ogcapi/", {"f": "pdf"}, "f"),
        ("/ogcapi/collections/stadt", {"limit": "5"}, "limit"),
        ("/ogcapi/collections/stadt/items/05512000", {"bbox": "6,51,7,52"}, "bbox"),
    ],
)
def test_every_endpoint_names_a_bad_or_unknown_parameter(client, path, query, parameter):
    response = client.get(path, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["parameter"] == parameter
    assert parameter in response.json()["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/ogcapi/collections/baublock", "collectionId"),
        ("/ogcapi/collections/baublock/items", "collectionId"),
        ("/ogcapi/collections/stadtbezirk/items/9", "featureId"),
    ],
)
def test_an_unknown_collection_or_feature_is_a_404_with_a_message(client, path, parameter):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == parameter
    assert response.json()["code"] == "NotFound"


@pytest.mark.django_db
class TestQueryables:
    def test_each_collection_links_its_queryables_as_a_json_schema(self, client):
        collection = client.get("/ogcapi/collections/stadtbezirk").json()
        (link,) = [link for link in collection["links"] if link["rel"] == QUERYABLES]
        response = client.get(link["href"])
        assert response["Content-Type"] == "application/schema+json"
        schema = response.json()
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == link["href"]
        assert schema["type"] == "object"
        assert all(
            "type" in p or p["format"].startswith("geometry-")
            for p in schema["properties"].values()
        )

    def test_the_queryables_describe_every_property_of_the_features(self, client):
        schema = client.get("/ogcapi/collections/stadtbezirk/queryables").json()
        feature = client.get("/ogcapi/collections/stadtbezirk/items/1").json()
        assert set(feature["properties"]) - {"area_km2"} <= schema["properties"].keys()
        Draft202012Validator(
            {**schema, "properties": {k: v for k, v in schema["properties"].items() if "type" in v}}
        ).validate(
            {k: v for k, v in feature["properties"].items() if v is not None and k != "area_km2"}
        )

    def test_an_indicator_names_its_source_and_the_sources_licence(self, client):
        indicator = Indicator.objects.get(slug="einwohner")
        indicator.licence = "CC-BY-4.0"
        indicator.save()
        schema = client.get("/ogcapi/collections/stadtbezirk/queryables").json()
        description = schema["properties"]["einwohner"]["description"]
        assert indicator.source in description
        assert "Lizenz der Quelle: CC-BY-4.0" in description
        assert "dl-de/by-2-0" not in description

    def test_a_property_filter_keeps_the_features_with_that_value(self, client):
        everything = client.get(ITEMS).json()["features"]
        name = everything[3]["properties"]["name"]
        payload = client.get(ITEMS, {"name": name}).json()
        assert [f["properties"]["name"] for f in payload["features"]] == [name]
        assert payload["numberMatched"] == 1
        value = everything[3]["properties"]["einwohner"]
        found = client.get(ITEMS, {"einwohner": value}).json()["features"]
        assert everything[3]["id"] in {f["id"] for f in found}
        assert all(f["properties"]["einwohner"] == value for f in found)

    def test_filters_combine_and_page(self, client):
        query = {"einwohner_approximate": "true", "is_demo": "true", "limit": 1}
        first = client.get("/ogcapi/collections/stadtbezirk/items", query).json()
        assert first["numberMatched"] == 2 and first["numberReturned"] == 1
        second = client.get(rels(first)["next"]).json()
        assert second["features"][0]["properties"]["einwohner_approximate"] is True
        assert second["features"][0]["id"] != first["features"][0]["id"]

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ({"einwohner": "viele"}, "einwohner"),
            ({"einwohner_approximate": "ja"}, "einwohner_approximate"),
            ({"einwohner_status": "gut"}, "einwohner_status"),
            ({"geometry": "POINT(0 0)"}, "geometry"),
        ],
    )
    def test_a_filter_value_of_the_wrong_type_is_a_400(self, client, query, parameter):
        response = client.get(ITEMS, query)
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == parameter


@pytest.mark.django_db
class TestTerms:
    @pytest.mark.parametrize(
        "path",
        [
            "/ogcapi/",
            "/ogcapi/collections",
            "/ogcapi/collections/stadt",
            "/ogcapi/collections/stadt/items",
            "/ogcapi/collections/stadt/items/05512000",
        ],
    )
    def test_every_document_links_the_licence_and_states_attribution_and_demo(self, client, path):
        body = json.loads(client.get(path).content)
        (licence_link,) = [link for link in body["links"] if link["rel"] == "license"]
        assert licence_link["href"] == licence().url
        assert body["attribution"] == attribution()
        assert body["is_demo"] is True
        assert body["notice"] == DEMO_NOTICE

    def test_every_feature_is_marked_as_demo_data(self, client):
        features = json.loads(client.get(ITEMS).content)["features"]
        assert {f["properties"]["is_demo"] for f in features} == {True}

    def test_a_collection_says_in_its_description_that_it_is_demo_data(self, client):
        collection = client.get("/ogcapi/collections/stadtbezirk").json()
        assert collection["description"].startswith(DEMO_NOTICE)


@pytest.mark.django_db
class TestNotFound:
    @pytest.fixture(autouse=True)
    def debug(self, settings):
        settings.DEBUG = True

    @pytest.mark.parametrize(
        "path",
        ["/ogcapi/gibt-es-nicht", "/ogcapi/collections/", "/ogcapi/collections/stadt/items/1/x"],
    )
    def test_an_unknown_address_is_the_atlas_json_404(self, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "NotFound"
        assert "There is no such address" in response.json()["description"]

    @pytest.mark.parametrize(
        ("path", "query", "accept"),
        [
            ("/ogcapi/gibt-es-nicht", {"f": "html"}, "*/*"),
            ("/ogcapi/gibt-es-nicht", {}, BROWSER_ACCEPT),
            ("/ogcapi/collections/baublock", {"f": "html"}, "*/*"),
        ],
    )
    def test_a_browser_gets_the_atlas_404_page(self, client, path, query, accept):
        response = client.get(path, query, HTTP_ACCEPT=accept)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert "Diese Seite gibt es nicht" in body
        assert "technical_404" not in body and "Django tried these URL patterns" not in body


def gdal(*args: str) -> str:
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*", "GDAL_HTTP_TIMEOUT": "60"}
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def server(live_server, demo_data):
    """A live server with the demo data (transactional tests leave the tables empty)."""
    return f"OAPIF:{live_server.url}/ogcapi"


@pytest.mark.external
def test_gdal_reads_every_feature_of_every_collection(server):
    summary = gdal("ogrinfo", "-ro", "-so", server)
    layers = re.findall(r"^\d+: (\S+) \(title: .*\) \(Multi Polygon\)$", summary, re.M)
    counts = current_counts()
    assert sorted(layers) == sorted(counts)
    for layer in layers:
        fields = dict(
            re.findall(r"^(\S+): (\w+) \(", gdal("ogrinfo", "-ro", "-so", server, layer), re.M)
        )
        numbers = {
            name: kind for name, kind in fields.items() if name not in ("id", "code", "name")
        }
        numbers = {n: k for n, k in numbers.items() if not n.endswith(("_status", "_approximate"))}
        assert "einwohner" in numbers
        assert set(numbers.values()) <= {"Real", "Integer", "Integer64"}, (layer, numbers)
        # Five per page: GDAL has to follow the next links.
        text = gdal("ogr2ogr", "-f", "GeoJSON", "-oo", "PAGE_SIZE=5", "/vsistdout/", server, layer)
        features = json.loads(text)["features"]
        codes = set(
            District.objects.current().filter(level__slug=layer).values_list("code", flat=True)
        )
        assert len(features) == counts[layer], layer
        assert {f["properties"]["code"] for f in features} == codes
        assert all(f["geometry"]["type"] == "MultiPolygon" for f in features)


@pytest.mark.external
def test_gdal_reads_the_values_of_the_year_given_in_the_dataset_url(server):
    year = published_years()[0]
    text = gdal("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"{server}?year={year}", "stadtbezirk")
    assert {f["properties"]["year"] for f in json.loads(text)["features"]} == {year}
