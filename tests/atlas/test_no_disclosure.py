"""End to end: a value withheld by disclosure control appears in no output, and no published
total gives it away."""

import csv
import io
import json
import re

import geopandas as gpd
import pytest
from django.db import transaction
from django.test import Client, override_settings

from indicators.disclosure import Equation, Problem, Secret, feasible_range
from indicators.models import Indicator, Observation, Release

# On one worker: the outputs are fetched once for the module (every_output).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("no-disclosure")]

INDICATOR = "jugendarbeitslosigkeit"  # Kirchhellen-Nord-West has fewer than 3 cases


@pytest.fixture(scope="module")
def small_cells(django_db_setup, django_db_blocker):
    """(code, year) → raw observation of every district cell with fewer than 3 cases."""
    with django_db_blocker.unblock():
        indicator = Indicator.objects.get(slug=INDICATOR)
        rows = Observation.objects.filter(
            indicator=indicator,
            district__level__slug="statistischer-bezirk",
            numerator__lt=indicator.disclosure_threshold,
        ).select_related("district")
        cells = {(o.district.code, o.year): o for o in rows}
    assert cells, "the demo data should have small cells for this indicator"
    return cells


def outputs(client, years, codes):
    """Every response a visitor can get that carries this indicator's values."""
    for year in years:
        for level in ("statistischer-bezirk", "stadtbezirk", "stadt"):
            params = {"indicator": INDICATOR, "level": level, "year": year}
            yield f"values {level} {year}", client.get("/api/v1/values", params)
            for dialect in ("de", "international"):
                yield (
                    f"table download {level} {year} {dialect}",
                    client.get("/daten/tabelle.csv", {**params, "dialect": dialect}),
                )
        for code in codes:
            params = {"level": "statistischer-bezirk", "code": code, "year": year}
            yield f"profile {code} {year}", client.get("/api/v1/profile", params)
        yield f"page {year}", client.get("/", {"indicator": INDICATOR, "year": year})
        for code in codes:
            url = f"/gebiet/statistischer-bezirk/{code}/"
            yield f"page of {code} {year}", client.get(url, {"year": year})
    params = {"indicator": INDICATOR, "level": "statistischer-bezirk", "codes": ",".join(codes)}
    yield "series", client.get("/api/v1/series", params)
    for start in years:
        params = {"indicator": INDICATOR, "level": "statistischer-bezirk", "from": start}
        yield f"change from {start}", client.get("/api/v1/change", params)
        if start < max(years):
            params = {**params, "year": max(years)}
            yield f"change map from {start}", client.get("/api/v1/values", params)
    release = Release.objects.get(status=Release.Status.PUBLISHED)
    for dialect in ("de", "international"):
        url = f"/daten/{release.pk}/werte.csv"
        yield f"release download {dialect}", client.get(url, {"dialect": dialect})
    for year in years:
        for level in ("statistischer-bezirk", "stadtbezirk", "stadt"):
            url = f"/ogcapi/collections/{level}/items"
            yield f"ogc api {level} {year}", client.get(url, {"year": year, "f": "json"})
        for bezirk in ("1", "2", "3"):
            url = f"/bezirk/{bezirk}/steckbrief/"
            yield f"fact sheet {bezirk} {year}", client.get(url, {"year": year})


@pytest.fixture(scope="module")
def every_output(small_cells, django_db_blocker, tmp_path_factory):
    """(name, response) of every output, fetched once for the two tests that search them
    (a few hundred pages and files): in a transaction rolled back after, as a test's, with
    the files written to temporary folders and no rate limit, as tests/conftest.py sets."""
    years = sorted({year for _, year in small_cells})
    codes = sorted({code for code, _ in small_cells})
    folders = {
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
        "ATLAS_PUBLIC_DATA_ROOT": tmp_path_factory.mktemp("public-data"),
        "ATLAS_API_RATE_LIMIT": "",
        "ATLAS_DOWNLOAD_RATE_LIMIT": "",
    }
    with django_db_blocker.unblock(), override_settings(**folders), transaction.atomic():
        fetched = list(outputs(Client(), years, codes))
        transaction.set_rollback(True)
    return fetched


def distinctive(observation) -> list[str]:
    """Renderings of a raw rate precise enough not to occur by chance (none for 0.8)."""
    digits = repr(observation.value).split(".")[-1]
    if len(digits) < 4:
        return []
    german = repr(observation.value).replace(".", ",")  # as the German CSV writes it
    return [repr(observation.value), german, f"{observation.value:.4f}".replace(".", ",")]


@pytest.mark.slow
def test_no_withheld_number_appears_in_any_output(every_output, small_cells):
    texts = [text for o in small_cells.values() for text in distinctive(o)]
    assert sum(bool(distinctive(o)) for o in small_cells.values()) >= 5
    # One search per output for all the numbers at once, each as a number of its own, not as
    # the tail of another (50.746269).
    numbers = "|".join(re.escape(text) for text in texts)
    pattern = re.compile(rf"(?<![\d.,])(?:{numbers})(?!\d)")
    for name, response in every_output:
        assert response.status_code == 200, name
        body = response.content.decode()
        if name.startswith("profile"):
            # A profile lists every indicator; another one may equal this one's raw value by
            # chance (5/705 = 1/141), so only this indicator's row is searched.
            rows = response.json()["indicators"]
            body = json.dumps([r for r in rows if r["indicator"] == INDICATOR])
        if name.startswith("ogc api"):
            # Features carry every indicator: only this one's properties are searched.
            features = response.json()["features"]
            body = json.dumps(
                [{k: v for k, v in f["properties"].items() if INDICATOR in k} for f in features]
            )
        if name.startswith("release download"):
            # Likewise a release holds every indicator: only this one's rows are searched.
            delimiter = ";" if name.endswith(" de") else ","
            rows = csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=delimiter)
            body = "\n".join(delimiter.join(row) for row in rows if row[3] == INDICATOR)
        found = pattern.search(body)
        assert not found, f"{name} shows {found and found.group()}"


def area_values(payload):
    """(year, area dict, change or None) for every area in a values, profile, series or
    change payload."""
    if "to" in payload:
        for row in payload["values"]:
            yield payload["from"], row["start"], row["change"]
            yield payload["to"], row["end"], row["change"]
    elif payload.get("from") is not None:  # a change map: the value is the change
        for row in payload["values"]:
            yield payload["from"], row, row["value"]
            yield payload["year"], row, row["value"]
    elif "values" in payload:
        yield from ((payload["year"], v, None) for v in payload["values"])
    if "indicators" in payload:
        for row in payload["indicators"]:
            if row["indicator"] == INDICATOR and row["value"]:
                yield payload["year"], row["value"], None
    if "series" in payload:
        for points in payload["series"].values():
            yield from ((p["year"], p, None) for p in points)


@pytest.mark.slow
def test_withheld_cells_carry_no_number_anywhere(every_output, small_cells):
    for name, response in every_output:
        if not response["Content-Type"].startswith("application/json"):
            continue
        for year, area, change in area_values(response.json()):
            if area and (area.get("code"), year) in small_cells:
                numbers = [area[k] for k in ("value", "numerator", "denominator", "ci_low")]
                assert numbers == [None] * 4, f"{name}: {area}"
                assert (area["status"], area["reason"]) == (".", "disclosure")
                assert change is None, f"{name}: a change reveals {area}"


def test_no_published_total_narrows_a_withheld_cell(client, small_cells):
    """From the API alone, as an attacker sees it: published numerators are constants, every
    published total an equation over its parts (an estimate known to within its rounding),
    counts whole and nonnegative. No withheld cell may be pinned or proven below 3."""
    for year in sorted({year for _, year in small_cells}):

        def get(level, year=year):
            params = {"indicator": INDICATOR, "level": level, "year": year}
            return client.get("/api/v1/values", params).json()

        districts = get("statistischer-bezirk")
        values = {v["code"]: v["numerator"] for v in districts["values"]}
        hidden = sorted(code for code, n in values.items() if n is None)
        assert {code for code, y in small_cells if y == year} <= set(hidden)
        equations = []
        city = districts["city"]
        if city["numerator"] is not None:
            equations.append(Equation(dict.fromkeys(values, 1.0), city["numerator"]))
        for borough in get("stadtbezirk")["values"]:
            if borough["numerator"] is not None:
                slack = 0.5 if borough["approximate"] else 0.0
                terms = {s["code"]: s["weight"] for s in borough["sources"]}
                equations.append(Equation(terms, borough["numerator"], slack))
        assert equations, "some totals are published"
        known = {code: n for code, n in values.items() if n is not None}
        problem = Problem(known, set(hidden), equations, integer=set(values))
        for code in hidden:
            low, high = feasible_range(problem, Secret({code: 1.0}, None))
            assert high - low >= 1 and high >= 3, (year, code, low, high)


def test_the_geopackage_has_no_number_of_a_withheld_cell_and_marks_it(
    client, small_cells, tmp_path
):
    years = sorted({year for _, year in small_cells})
    for year in (years[0], years[-1]):
        path = tmp_path / f"{year}.gpkg"
        path.write_bytes(client.get("/daten/gebiete.gpkg", {"year": year}).content)
        frame = gpd.read_file(path, layer="statistischer-bezirk").set_index("code")
        for (code, cell_year), observation in small_cells.items():
            if cell_year != year:
                continue
            assert gpd.pd.isna(frame.loc[code, INDICATOR]), (code, year)
            assert frame.loc[code, f"{INDICATOR}_status"] == ".", (code, year)
            assert gpd.pd.isna(frame.loc[code, f"{INDICATOR}_ungefaehr"]), (code, year)
            shown = {repr(v) for v in frame[INDICATOR].dropna()}
            assert not shown & set(distinctive(observation)), (code, year)
