"""Open-data downloads: every number from the read path, withheld ones in no file, files that
open safely in a spreadsheet and read back into the import."""

import csv
import io
import re
import struct
from urllib.parse import urlsplit

import geopandas as gpd
import pyogrio
import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from districts.models import District, Level
from indicators.models import Indicator, Observation, Release, Theme
from indicators.selectors import level_values, year_table
from indicators.services.downloads import DIALECTS, neutralise
from indicators.services.import_values import import_values

from ..factories import ObservationFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

INDICATOR = "kinderarmut"
# 2 of 737: below the threshold of 3, and a rate with digits that do not occur by chance.
SMALL = (2, 737)


@pytest.fixture
def demo():
    return Release.objects.get(title="Demodaten Bottrop (synthetisch)")


def published_release(**fields) -> Release:
    return ReleaseFactory(status=Release.Status.PUBLISHED, published_at=timezone.now(), **fields)


def rows_of(response, *, delimiter=";") -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def number(text: str, *, decimal: str) -> float | None:
    return float(text.replace(decimal, ".")) if text else None


@pytest.fixture
def small_cell(make_district, make_indicator):
    """A published release with one withheld cell (A: 2 cases) beside a shown one (B)."""
    a = make_district("A", name="Altstadt")
    b = make_district("B", x=1000, name="Boy")
    indicator = make_indicator("kleine-quote", name_de="Kleine Quote", decimals=1)
    release = published_release(title="Kleine Zahlen")
    numerator, denominator = SMALL
    for district, (n, d) in ((a, SMALL), (b, (500, 1000))):
        ObservationFactory(
            release=release, indicator=indicator, district=district, year=2020,
            value=n / d * 100, numerator=n, denominator=d,
        )  # fmt: skip
    return release, indicator, numerator / denominator * 100


def test_german_csv_has_semicolons_bom_and_decimal_commas_equal_to_the_read_path(client, demo):
    indicator = Indicator.objects.get(slug=INDICATOR)
    response = client.get(f"/daten/{demo.pk}/werte.csv", {"dialect": "de"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    shown = {
        (r["gebiet"], r["ebene"], int(r["jahr"])): r for r in rows if r["indikator"] == INDICATOR
    }
    table = year_table(indicator=indicator, year=2024)
    areas = table.of_level("statistischer-bezirk") + table.of_level("stadt")
    assert len(areas) == 18
    for area in areas:
        row = shown[(area.code, area.level, 2024)]
        expected = area.cell.value if area.has_value else None
        assert number(row["wert"], decimal=",") == expected
        if area.interval:
            assert number(row["ki_unten"], decimal=",") == area.interval[0]
            assert number(row["ki_oben"], decimal=",") == area.interval[1]
    assert any("," in r["wert"] for r in shown.values())
    assert not any("." in r["wert"] for r in rows)


def test_international_csv_has_commas_and_decimal_points(client, demo):
    indicator = Indicator.objects.get(slug=INDICATOR)
    response = client.get(f"/daten/{demo.pk}/werte.csv", {"dialect": "international"})
    assert "international" in response["Content-Disposition"]
    rows = [r for r in rows_of(response, delimiter=",") if r["indikator"] == INDICATOR]
    values = level_values(
        indicator=indicator, level=Level.objects.get(slug="statistischer-bezirk"), year=2023
    )
    by_code = {r["gebiet"]: r for r in rows if r["jahr"] == "2023"}
    for area in values.areas:
        expected = area.cell.value if area.has_value else None
        assert number(by_code[area.code]["wert"], decimal=".") == expected
    assert any("." in r["wert"] for r in rows)


def test_downloads_state_licence_source_and_release(client, demo):
    rows = rows_of(client.get(f"/daten/{demo.pk}/werte.csv"))
    assert {r["lizenz"] for r in rows} == {"dl-de/by-2-0"}
    assert {r["datenstand"] for r in rows} == {str(demo.pk)}
    assert all(r["quelle"] for r in rows)
    response = client.get(f"/daten/{demo.pk}/werte.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="sozialatlas-bottrop-datenstand-{demo.pk}-de.csv"'
    )


def test_a_corrected_value_appears_with_the_correcting_release(client, demo):
    city = District.objects.get(level__slug="stadt")
    correction = published_release(title="Korrektur")
    ObservationFactory(
        release=correction, indicator=Indicator.objects.get(slug="einwohner"), district=city,
        year=2023, value=118_800,
    )  # fmt: skip
    rows = rows_of(client.get(f"/daten/{demo.pk}/werte.csv"))
    row = next(
        r
        for r in rows
        if (r["indikator"], r["gebiet"], r["jahr"]) == ("einwohner", city.code, "2023")
    )
    assert (row["wert"], row["datenstand"]) == ("118800", str(correction.pk))


def test_xlsx_has_a_sheet_per_theme_and_a_metadata_sheet(client, demo):
    response = client.get(f"/daten/{demo.pk}/werte.xlsx")
    assert response.status_code == 200
    # Read-only: only the rows asked for are parsed, not all of the demo release's.
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    themes = [t.name_de for t in Theme.objects.filter(indicators__observations__release=demo)]
    assert book.sheetnames[-1] == "Metadaten"
    assert len(book.sheetnames) == len(set(themes)) + 1
    assert book.sheetnames[0] == Theme.objects.get(slug="bevoelkerung").name_de
    sheet = book["Bevölkerung"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["gebiet", "gebietsname", "ebene", "indikator", "indikatorname",
                          "jahr", "wert"]  # fmt: skip
    first = [c for c in sheet[2]]
    assert first[6].data_type == "n" and isinstance(first[6].value, int | float)
    meta = "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for row in book["Metadaten"].iter_rows(values_only=True)
    )
    for text in ("Datenlizenz Deutschland – Namensnennung – Version 2.0",
                 "https://www.govdata.de/dl-de/by-2-0", demo.title, "Erstellt am",
                 "Zahlenwert unbekannt oder geheim zu halten"):  # fmt: skip
        assert text in meta


def test_geopackage_has_a_layer_per_level_with_a_column_per_indicator(client, tmp_path):
    response = client.get("/daten/gebiete.gpkg")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-gebiete-2024.gpkg"')
    path = tmp_path / "gebiete.gpkg"
    path.write_bytes(response.content)
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"stadt", "stadtbezirk", "statistischer-bezirk"}
    slugs = set(Indicator.objects.values_list("slug", flat=True))
    for level in layers:
        frame = gpd.read_file(path, layer=level)
        assert len(frame) == District.objects.current().filter(level__slug=level).count()
        assert slugs <= set(frame.columns)
        assert frame.crs.to_epsg() == 25832
    frame = gpd.read_file(path, layer="statistischer-bezirk").set_index("code")
    indicator = Indicator.objects.get(slug=INDICATOR)
    for area in year_table(indicator=indicator, year=2024).of_level("statistischer-bezirk"):
        shown = frame.loc[area.code, INDICATOR]
        assert (shown == area.cell.value) if area.has_value else gpd.pd.isna(shown)


def test_a_withheld_value_is_in_no_download(client, small_cell, tmp_path):
    release, indicator, secret = small_cell
    level = District.objects.get(code="A").level
    texts = {repr(secret), repr(secret).replace(".", ","), f"{secret:.4f}".replace(".", ",")}

    def assert_absent(name, body: str):
        for text in texts:
            assert text not in body, f"{name} shows {text}"

    for dialect, delimiter in (("de", ";"), ("international", ",")):
        response = client.get(f"/daten/{release.pk}/werte.csv", {"dialect": dialect})
        rows = {r["gebiet"]: r for r in rows_of(response, delimiter=delimiter)}
        assert (rows["A"]["wert"], rows["A"]["zaehler"], rows["A"]["status"]) == ("", "", ".")
        assert rows["B"]["wert"] != ""
        assert_absent(f"release csv {dialect}", response.content.decode("utf-8-sig"))
        params = {"indicator": indicator.slug, "level": level.slug, "year": 2020,
                  "dialect": dialect}  # fmt: skip
        response = client.get("/daten/tabelle.csv", params)
        rows = {r["gebiet"]: r for r in rows_of(response, delimiter=delimiter)}
        assert (rows["A"]["wert"], rows["A"]["ki_unten"], rows["A"]["status"]) == ("", "", ".")
        assert_absent(f"table csv {dialect}", response.content.decode("utf-8-sig"))

    table = {"indicator": indicator.slug, "level": level.slug, "year": 2020}
    for url, params in ((f"/daten/{release.pk}/werte.xlsx", {}), ("/daten/tabelle.xlsx", table)):
        book = load_workbook(io.BytesIO(client.get(url, params).content))
        cells = [v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row]
        assert secret not in cells
        assert_absent(url, " ".join(str(v) for v in cells if v is not None))

    content = client.get("/daten/gebiete.gpkg", {"year": 2020}).content
    assert struct.pack("<d", secret) not in content and struct.pack(">d", secret) not in content
    (tmp_path / "g.gpkg").write_bytes(content)
    frame = gpd.read_file(tmp_path / "g.gpkg", layer=level.slug).set_index("code")
    assert gpd.pd.isna(frame.loc["A", indicator.slug])
    assert frame.loc["B", indicator.slug] == 50.0


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])  # fmt: skip
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


def test_plain_text_and_the_din_symbol_dash_stay_as_they_are():
    assert neutralise("Altstadt") == "Altstadt"
    assert neutralise("-") == "-"


@pytest.fixture
def hostile(make_district, make_indicator):
    """A district and an indicator whose names are formulas, and a negative value."""
    district = make_district("F", name='=HYPERLINK("http://example.org","klick")')
    indicator = make_indicator(
        "saldo-test", name_de="@SUM(1+1)", kind=Indicator.Kind.MEAN, factor=1, unit_de="-x"
    )
    release = published_release()
    ObservationFactory(release=release, indicator=indicator, district=district, value=-3.5)
    return release, indicator, district


def test_formulas_in_names_are_neutralised_and_negative_numbers_stay_numbers(client, hostile):
    release, _, district = hostile
    rows = rows_of(client.get(f"/daten/{release.pk}/werte.csv"))
    assert rows[0]["gebietsname"] == "'" + district.name
    assert rows[0]["indikatorname"] == "'@SUM(1+1)"
    assert rows[0]["einheit"] == "'-x"
    assert rows[0]["wert"] == "-3,5"
    book = load_workbook(io.BytesIO(client.get(f"/daten/{release.pk}/werte.xlsx").content))
    sheet = book.worksheets[0]
    name, value = sheet["B2"], sheet["G2"]
    assert (name.value, name.data_type) == ("'" + district.name, "s")
    assert (value.value, value.data_type) == (-3.5, "n")
    assert sheet["E2"].value == "'@SUM(1+1)"


def test_a_downloaded_release_reads_back_in_unchanged(
    client, tmp_path, make_district, make_indicator
):
    a, b = make_district("A"), make_district("B", x=1000)
    share = make_indicator("anteil-rund", is_proportion=True)
    count = make_indicator("anzahl-rund", kind=Indicator.Kind.COUNT, factor=1, decimals=0)
    release = published_release()
    for year in (2019, 2020):
        for district, n in ((a, 40), (b, 1234)):
            ObservationFactory(release=release, indicator=share, district=district, year=year,
                               value=n / 3000 * 100, numerator=n, denominator=3000)  # fmt: skip
            ObservationFactory(release=release, indicator=count, district=district, year=year,
                               value=n * 7, status="provisional")  # fmt: skip
    path = tmp_path / "werte.csv"
    path.write_bytes(client.get(f"/daten/{release.pk}/werte.csv", {"dialect": "de"}).content)
    result = import_values(path=path, title="Wieder eingelesen")
    assert result.release.status == Release.Status.DRAFT
    assert (result.preview.new, result.preview.changed, result.preview.unchanged) == (0, [], 8)
    assert result.number_format.startswith("deutsch")


def test_the_demo_release_reads_back_in_leaving_its_withheld_numbers_alone(client, demo, tmp_path):
    path = tmp_path / "demo.csv"
    response = client.get(f"/daten/{demo.pk}/werte.csv")
    path.write_bytes(response.content)
    withheld = [r for r in rows_of(response) if r["status"] == "."]
    assert any("Geheimhaltung" in r["hinweis"] for r in withheld), "the demo has withheld cells"
    result = import_values(path=path, title="Demo wieder eingelesen", dry_run=True)
    # A withheld cell of the download stands for a stored number: it is left out, not read
    # as ".", so nothing is lost or changed.
    assert result.public_download and result.skipped_withheld == len(withheld)
    assert (result.preview.lost_count, result.preview.changed_count) == (0, 0)
    total = Observation.objects.filter(release=demo).count()
    assert (result.preview.new, result.preview.unchanged) == (0, total - len(withheld))


def test_the_map_table_download_has_the_rows_of_the_values_api(client):
    params = {"indicator": INDICATOR, "level": "statistischer-bezirk", "year": 2022,
              "within": "1"}  # fmt: skip
    api = client.get("/api/v1/values", params).json()
    response = client.get("/daten/tabelle.csv", {**params, "dialect": "international"})
    assert response["Content-Disposition"] == (
        'attachment; filename="sozialatlas-bottrop-kinderarmut-statistischer-bezirk-2022-1-'
        'international.csv"'
    )
    rows = rows_of(response, delimiter=",")
    assert [r["gebiet"] for r in rows] == [v["code"] for v in api["values"]]
    for row, value in zip(rows, api["values"], strict=True):
        assert number(row["wert"], decimal=".") == value["value"]
        assert number(row["ki_oben"], decimal=".") == value["ci_high"]
        assert row["vergleich_stadt"].startswith(
            {"above": "signifikant höher", "below": "signifikant niedriger",
             "not_different": "nicht signifikant", None: ""}[value["comparison"]]
        )  # fmt: skip
    book = load_workbook(io.BytesIO(client.get("/daten/tabelle.xlsx", params).content))
    assert book.worksheets[0].max_row == len(rows) + 1


BEZIRKE = {"indicator": "sgb-ii-quote", "level": "stadtbezirk", "year": 2023}


def test_the_german_table_marks_approximate_values_and_rounds_them(client):
    rows = rows_of(client.get("/daten/tabelle.csv", {**BEZIRKE, "dialect": "de"}))
    by_name = {r["gebietsname"]: r for r in rows}
    # Mitte and Süd are summed from statistical districts partly inside them.
    assert [by_name[name]["ungefaehr"] for name in ("Mitte", "Süd", "Kirchhellen")] == [
        "ja", "ja", "nein"
    ]  # fmt: skip
    mitte = by_name["Mitte"]
    assert re.fullmatch(r"\d+,\d", mitte["wert"]), mitte["wert"]
    assert re.fullmatch(r"\d+", mitte["zaehler"]) and re.fullmatch(r"\d+", mitte["nenner"])


def test_the_international_table_names_the_column_approximate(client):
    response = client.get("/daten/tabelle.csv", {**BEZIRKE, "dialect": "international"})
    rows = rows_of(response, delimiter=",")
    assert {r["gebietsname"]: r["approximate"] for r in rows} == {
        "Mitte": "true", "Süd": "true", "Kirchhellen": "false"
    }  # fmt: skip
    assert "ungefaehr" not in rows[0]


def test_the_xlsx_marks_approximate_values_and_its_metadata_explains_the_column(client):
    book = load_workbook(io.BytesIO(client.get("/daten/tabelle.xlsx", BEZIRKE).content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("ungefaehr")
    assert header[column - 1] == "status"
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ["ja", "ja", "nein"]
    meta = {row[0]: row[1] for row in book["Metadaten"].iter_rows(values_only=True) if row}
    assert meta["ungefaehr"].startswith("ja: angenäherter Wert")
    assert "keines für angenäherte Werte" in meta["Konfidenzintervall"]


def test_a_table_download_reads_back_in_with_its_approximate_column(client, tmp_path):
    content = client.get("/daten/tabelle.csv", {**BEZIRKE, "dialect": "de"}).content
    path = tmp_path / "tabelle.csv"
    path.write_bytes(content)
    # The reader's columns are skipped; of the three values the two approximate ones (Mitte
    # and Süd, summed from parts of districts) are estimates, not data, and are left out.
    result = import_values(path=path, title="Tabelle wieder eingelesen", dry_run=True)
    assert (result.skipped_approximate, result.rows) == (2, 1)
    assert result.preview.new + result.preview.unchanged == 1


def test_the_geopackage_keeps_the_status_of_every_cell(client, small_cell, tmp_path):
    _, indicator, _ = small_cell
    level = District.objects.get(code="A").level
    (tmp_path / "g.gpkg").write_bytes(client.get("/daten/gebiete.gpkg", {"year": 2020}).content)
    frame = gpd.read_file(tmp_path / "g.gpkg", layer=level.slug).set_index("code")
    status = f"{indicator.slug}_status"
    # A withheld cell: no number, and "." where NULL alone could be anything.
    assert gpd.pd.isna(frame.loc["A", indicator.slug])
    assert frame.loc["A", status] == "."
    assert frame.loc["B", status] == "normal"


def test_the_geopackage_marks_approximate_values_and_rounds_them(client, tmp_path):
    (tmp_path / "g.gpkg").write_bytes(client.get("/daten/gebiete.gpkg", {"year": 2023}).content)
    frame = gpd.read_file(tmp_path / "g.gpkg", layer="stadtbezirk").set_index("name")
    assert bool(frame.loc["Mitte", "einwohner_ungefaehr"]) is True
    assert bool(frame.loc["Kirchhellen", "einwohner_ungefaehr"]) is False
    assert frame.loc["Mitte", "einwohner"] == int(frame.loc["Mitte", "einwohner"])
    assert frame.loc["Mitte", "sgb-ii-quote"] == round(frame.loc["Mitte", "sgb-ii-quote"], 1)
    # An index is not summed: "x", not an empty cell that could mean anything.
    assert frame.loc["Mitte", "sozialindex-status_status"] == "x"
    info = pyogrio.read_info(tmp_path / "g.gpkg", layer="stadtbezirk")
    fields = dict(zip(info["fields"], info["ogr_subtypes"], strict=True))
    assert fields["einwohner_ungefaehr"] == "OFSTBoolean"


@pytest.mark.parametrize(
    ("status", "answer"), [(Release.Status.DRAFT, 404), (Release.Status.WITHDRAWN, 410)]
)
@pytest.mark.parametrize("suffix", ["werte.csv", "werte.xlsx"])
def test_releases_not_published_are_not_found_or_gone(client, status, answer, suffix):
    release = ReleaseFactory(status=status)
    assert client.get(f"/daten/{release.pk}/{suffix}").status_code == answer


@pytest.mark.parametrize(
    ("url", "params", "status", "parameter"),
    [
        ("/daten/tabelle.csv", {"level": "stadtbezirk"}, 400, "indicator"),
        ("/daten/tabelle.csv", {"indicator": "gibt-es-nicht", "level": "stadtbezirk"}, 404,
         "indicator"),
        ("/daten/tabelle.xlsx", {"indicator": INDICATOR, "level": "etage"}, 404, "level"),
        ("/daten/tabelle.csv", {"indicator": INDICATOR, "level": "stadtbezirk", "year": "zwei"},
         400, "year"),
        ("/daten/tabelle.csv", {"indicator": INDICATOR, "level": "stadtbezirk", "year": 1800},
         400, "year"),
        ("/daten/tabelle.csv", {"indicator": INDICATOR, "level": "stadtbezirk", "within": "9"},
         404, "within"),
        ("/daten/tabelle.csv", {"indicator": INDICATOR, "level": "stadtbezirk",
                                "dialect": "fr"}, 400, "dialect"),
        ("/daten/gebiete.gpkg", {"year": "letztes"}, 400, "year"),
        ("/daten/gebiete.gpkg", {"year": 1800}, 400, "year"),
        ("/daten/gebiete.gpkg", {"year": 1999}, 404, "year"),
    ],
)  # fmt: skip
def test_bad_parameters_are_named(client, url, params, status, parameter):
    response = client.get(url, params)
    assert response.status_code == status
    assert response.json()["error"]["parameter"] == parameter


def test_bad_release_parameters_are_named(client, demo):
    response = client.get(f"/daten/{demo.pk}/werte.csv", {"dialect": "excel"})
    assert (response.status_code, response.json()["error"]["parameter"]) == (400, "dialect")
    response = client.get(f"/daten/{demo.pk}/werte.xlsx", {"theme": "wetter"})
    assert (response.status_code, response.json()["error"]["parameter"]) == (404, "theme")


def compact_prefixes(node, found: set):
    """Every prefix used in a compact IRI (keys, @type values) of a JSON-LD document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if ":" in key and not key.startswith("@"):
                found.add(key.split(":")[0])
            if key == "@type":
                found.add(value.split(":")[0])
            compact_prefixes(value, found)
    elif isinstance(node, list):
        for item in node:
            compact_prefixes(item, found)
    return found


def test_the_dcat_catalogue_has_a_dataset_per_theme_and_working_links(client):
    response = client.get("/daten/dcat.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    catalog = response.json()
    assert compact_prefixes(catalog, set()) <= set(catalog["@context"])
    assert catalog["@type"] == "dcat:Catalog"
    themes = set(
        Theme.objects.filter(indicators__observations__release__status="published").values_list(
            "slug", flat=True
        )
    )
    datasets = catalog["dcat:dataset"]
    assert {d["@id"].split("#")[1] for d in datasets} == themes
    dataset = datasets[0]
    assert dataset["dct:license"]["@id"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert dataset["dcatde:licenseAttributionByText"].startswith("Stadt Bottrop")
    assert dataset["dct:temporal"]["dcat:startDate"]["@value"] == "2012-01-01"
    assert dataset["dct:spatial"]["@id"].endswith("municipalityKey/05512000")
    assert {t["@language"] for t in dataset["dct:title"]} == {"de", "en"}
    urls = set()
    for d in datasets:
        for distribution in d["dcat:distribution"]:
            assert distribution["dct:format"]["@id"].startswith("http://publications.europa.eu/")
            assert "dcat:mediaType" in distribution
            for key in ("dcat:accessURL", "dcat:downloadURL"):
                if key in distribution:
                    assert distribution[key]["@id"].startswith("http://testserver/")
                    urls.add(distribution[key]["@id"])
    formats = {d["dct:format"]["@id"].rsplit("/", 1)[1] for d in datasets[0]["dcat:distribution"]}
    assert formats == {"CSV", "XLSX", "GPKG", "JSON"}
    assert "http://testserver/ogcapi/" in urls
    for url in sorted(urls):
        parts = urlsplit(url)
        assert client.get(parts.path + (f"?{parts.query}" if parts.query else "")).status_code == (
            200
        ), url


def test_the_dcat_catalogue_dates_locates_and_attributes_its_datasets(client, demo):
    catalog = client.get("/daten/dcat.jsonld").json()
    dataset = catalog["dcat:dataset"][0]
    # The catalogue gives the city's local time: after 23:00 UTC the date is the next day's.
    issued = timezone.localtime(demo.published_at).date().isoformat()
    assert dataset["dct:issued"]["@value"][:10] == issued
    assert dataset["dcatde:contributorID"]["@id"].startswith("http://dcat-ap.de/def/contributors/")
    assert "dcatde:politicalGeocodingURI" not in dataset
    bbox = catalog["dct:spatial"]["dcat:bbox"]
    assert bbox["@type"] == "gsp:wktLiteral"
    # Bottrop lies at about 6.9° E, 51.5° N.
    west, south = (float(c) for c in bbox["@value"].removeprefix("POLYGON((").split(",")[0].split())
    assert 6.8 < west < 7.0 and 51.4 < south < 51.7


def test_the_open_data_page_lists_releases_formats_and_licence(client, demo):
    ReleaseFactory(title="Entwurf, nicht öffentlich")
    response = client.get("/daten/")
    page = response.content.decode()
    assert demo.title in page
    assert "Entwurf, nicht öffentlich" not in page
    links = [
        f"/daten/{demo.pk}/werte.csv?dialect=de",
        f"/daten/{demo.pk}/werte.csv?dialect=international",
        f"/daten/{demo.pk}/werte.xlsx",
        "/daten/dcat.jsonld",
        "https://www.govdata.de/dl-de/by-2-0",
    ]
    for link in links:
        assert link in page
    assert 'href="/daten/"' in client.get("/").content.decode()


@pytest.fixture
def marked_values(make_district, make_indicator):
    """A published release with a provisional and an estimated value."""
    a, b = make_district("A"), make_district("B", x=1000)
    count = make_indicator("anzahl-markiert", kind=Indicator.Kind.COUNT, factor=1, decimals=0)
    release = published_release(title="Markiert")
    for district, status in ((a, "provisional"), (b, "estimated")):
        ObservationFactory(release=release, indicator=count, district=district, year=2020,
                           value=1234, status=status)  # fmt: skip
    return release


def test_xlsx_statuses_are_the_german_words_its_metadata_explains(client, marked_values):
    content = client.get(f"/daten/{marked_values.pk}/werte.xlsx").content
    book = load_workbook(io.BytesIO(content))
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    column = rows[0].index("status")
    written = {row[column] for row in rows[1:]}
    meta = list(book["Metadaten"].iter_rows(values_only=True))
    start = meta.index(("Zeichen in „status“", "Bedeutung (DIN 55301)"))
    explained = {row[0] for row in meta[start + 1 :] if row and row[0]}
    assert written == {"vorläufig", "geschätzt"}
    assert written <= explained


def test_the_international_csv_writes_the_english_status_words(client, marked_values):
    response = client.get(f"/daten/{marked_values.pk}/werte.csv", {"dialect": "international"})
    assert {row["status"] for row in rows_of(response, delimiter=",")} == {
        "provisional",
        "estimated",
    }


def test_the_status_words_of_the_files_are_the_labels_the_atlas_explains_them_with():
    with translation.override("de"):
        german = {s: str(Observation.Status(s).label) for s in Observation.WITH_VALUE}
    with translation.override("en"):
        english = {s: str(Observation.Status(s).label) for s in Observation.WITH_VALUE}
    assert DIALECTS["de"].statuses == german
    assert DIALECTS["international"].statuses == english
