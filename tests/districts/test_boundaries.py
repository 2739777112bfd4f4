import datetime
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import box, mapping

from core.importing import ImportRejected
from districts.models import District, Overlap
from districts.services.boundaries import import_boundaries

DAY = datetime.date(2020, 1, 1)
# Small broken files, each the kind a statistician might upload by mistake.
BAD = Path(__file__).resolve().parent.parent / "data" / "boundaries"


def write_features(tmp_path, features, name="grenzen.geojson"):
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(collection))
    return path


def grid(n: int = 2, size: float = 1000.0, x0: float = 354000.0, y0: float = 5711000.0):
    """An n × n grid of squares, coded A1, A2, …, as (properties, geometry) pairs."""
    return [
        (
            {"code": f"A{i * n + j + 1}", "name": f"Feld {i * n + j + 1}"},
            mapping(box(x0 + j * size, y0 + i * size, x0 + (j + 1) * size, y0 + (i + 1) * size)),
        )
        for i in range(n)
        for j in range(n)
    ]


def test_features_become_districts_with_areas(level, tmp_path):
    result = import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    assert sorted(result.created) == ["A1", "A2", "A3", "A4"]
    areas = District.objects.filter(level=level).values_list("area_km2", flat=True)
    assert list(areas) == pytest.approx([1.0] * 4)


def test_web_geometries_of_neighbours_keep_shared_edges(level, tmp_path):
    import_boundaries(path=write_features(tmp_path, grid(3)), level=level, valid_from=DAY)
    web = [
        shapely.from_wkb(bytes(d.web_geometry.wkb)) for d in District.objects.filter(level=level)
    ]
    union = shapely.union_all(web)
    assert sum(g.area for g in web) == pytest.approx(union.area, rel=1e-9)
    assert len(union.geoms if hasattr(union, "geoms") else [union]) == 1


def test_a_changed_boundary_gets_a_new_version(level, tmp_path):
    import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    features = grid()
    features[0] = ({"code": "A1", "name": "Feld 1 neu"}, features[0][1])
    later = datetime.date(2024, 1, 1)
    result = import_boundaries(
        path=write_features(tmp_path, features, "neu.geojson"), level=level, valid_from=later
    )
    assert result.replaced == ["A1"]
    assert sorted(result.unchanged) == ["A2", "A3", "A4"]
    versions = District.objects.filter(level=level, code="A1").order_by("valid_from")
    assert [(d.name, d.valid_to) for d in versions] == [("Feld 1", later), ("Feld 1 neu", None)]


def test_a_district_missing_from_the_file_is_retired_not_deleted(level, tmp_path):
    import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    later = datetime.date(2024, 1, 1)
    path = write_features(tmp_path, grid()[:3], "ohne-a4.geojson")
    result = import_boundaries(path=path, level=level, valid_from=later)
    assert result.retired == ["A4"]
    assert District.objects.get(level=level, code="A4").valid_to == later


def test_errors_name_the_row_and_nothing_is_written(level, tmp_path):
    line = {"type": "LineString", "coordinates": [[355000, 5712000], [356000, 5713000]]}
    features = grid()
    features[1] = ({"code": "A1", "name": "Doppelt"}, features[1][1])
    features[2] = ({"code": "A3", "name": ""}, features[2][1])
    features[3] = ({"code": "A4", "name": "Linie"}, line)
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=write_features(tmp_path, features), level=level, valid_from=DAY)
    found = [(e.row, e.field) for e in info.value.errors]
    assert found == [(3, "code"), (4, "name"), (5, "geometry")]
    assert "Zeile 2" in info.value.errors[0].message
    assert not District.objects.filter(level=level).exists()


def test_a_missing_code_column_is_reported(level, tmp_path):
    features = [({"schluessel": "A1", "name": "x"}, grid()[0][1])]
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=write_features(tmp_path, features), level=level, valid_from=DAY)
    assert info.value.errors[0].field == "code"


def test_a_dry_run_reports_but_writes_nothing(level, tmp_path):
    path = write_features(tmp_path, grid())
    result = import_boundaries(path=path, level=level, valid_from=DAY, dry_run=True)
    assert len(result.created) == 4
    assert not District.objects.filter(level=level).exists()


def test_overlap_shares_of_a_finer_level_add_up_to_one_per_coarser_level(level, tmp_path):
    # The grid lies inside Bottrop, north-west of the centre.
    import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    totals = {}
    for overlap in Overlap.objects.filter(source__level=level).select_related("target__level"):
        key = (overlap.source.code, overlap.target.level.slug)
        totals[key] = totals.get(key, 0) + overlap.area_share
    assert len(totals) == 4 * 3
    assert list(totals.values()) == pytest.approx([1.0] * 12, abs=1e-6)


def test_boundaries_cannot_start_before_the_level_s_newest_version(level, tmp_path):
    import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    with pytest.raises(ImportRejected) as info:
        import_boundaries(
            path=write_features(tmp_path, grid(), "alt.geojson"),
            level=level,
            valid_from=datetime.date(2010, 1, 1),
        )
    assert info.value.errors[0].field == "valid_from"


def test_a_district_missing_from_a_same_day_reimport_is_reported(level, tmp_path):
    import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=DAY)
    with pytest.raises(ImportRejected) as info:
        path = write_features(tmp_path, grid()[:3], "ohne-a4.geojson")
        import_boundaries(path=path, level=level, valid_from=DAY)
    assert [(e.field, e.value) for e in info.value.errors] == [("code", "A4")]
    assert District.objects.get(level=level, code="A4").valid_to is None


def test_future_boundaries_get_web_geometries(level, tmp_path):
    future = datetime.date.today() + datetime.timedelta(days=400)
    import_boundaries(path=write_features(tmp_path, grid()), level=level, valid_from=future)
    assert not District.objects.filter(level=level, web_geometry__isnull=True).exists()


def test_overlap_shares_that_miss_one_by_a_sliver_are_normalised(level, tmp_path):
    # The whole city drawn 5 m too wide: 0.3 % of the area lies outside the city boundary,
    # which is a mismatch between sources, not people living outside.
    city = District.objects.get(level__slug="stadt")
    wide = shapely.from_wkb(bytes(city.boundary.wkb)).buffer(5)
    path = write_features(tmp_path, [({"code": "X", "name": "Ganze Stadt"}, mapping(wide))])
    import_boundaries(path=path, level=level, valid_from=DAY)
    overlap = Overlap.objects.get(source__level=level, target=city)
    assert overlap.area_km2 / District.objects.get(level=level).area_km2 < 0.998
    assert overlap.area_share == 1.0


def test_an_invalid_geometry_is_repaired_and_reported(level, tmp_path):
    # A4's square drawn as a bow-tie: repaired into its two triangles.
    x0, y0, x1, y1 = 355000, 5712000, 356000, 5713000
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]],
    }
    features = grid()
    features[3] = ({"code": "A4", "name": "Schleife"}, bowtie)
    result = import_boundaries(path=write_features(tmp_path, features), level=level, valid_from=DAY)
    assert result.warnings == [
        "Zeile 5 (Schlüssel A4): ungültige Geometrie repariert (Self-intersection[355500 5712500])"
    ]
    repaired = District.objects.get(level=level, code="A4")
    assert (len(repaired.boundary), repaired.area_km2) == (2, pytest.approx(0.5))


def test_overlapping_districts_are_reported_with_their_area(level, tmp_path):
    features = grid()
    features[1] = (features[1][0], mapping(box(354990, 5711000, 356000, 5712000)))
    result = import_boundaries(path=write_features(tmp_path, features), level=level, valid_from=DAY)
    assert result.warnings == ["A1 und A2 überschneiden sich auf 10.000,0 m²"]


def test_a_gap_between_districts_is_reported_with_its_neighbours(level, tmp_path):
    features = [f for f in grid(3) if f[0]["code"] != "A5"]
    result = import_boundaries(path=write_features(tmp_path, features), level=level, valid_from=DAY)
    assert result.warnings == [
        "Lücke von 1.000.000,0 m² zwischen den Gebieten A1, A2, A3, A4, A6, A7, A8, A9"
    ]


def test_a_tiling_level_gets_no_warnings(level, tmp_path):
    result = import_boundaries(path=write_features(tmp_path, grid(3)), level=level, valid_from=DAY)
    assert result.warnings == []


def test_srid_gives_the_crs_of_a_file_without_one(level):
    path = BAD / "ohne_crs.shp"
    result = import_boundaries(path=path, level=level, valid_from=DAY, srid=25832)
    assert sorted(result.created) == ["B1", "B2"]
    assert District.objects.get(level=level, code="B2").name == "Süd"


def test_srid_does_not_override_the_crs_a_file_states(level, tmp_path):
    path = write_features(tmp_path, grid())
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=path, level=level, valid_from=DAY, srid=4326)
    assert "gibt EPSG:25832 (ETRS89 / UTM zone 32N) an, --srid 4326 widerspricht" in str(info.value)


def test_coordinates_that_do_not_fit_the_srid_are_rejected(level):
    # Metres taken for degrees would put Bottrop far outside the globe.
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=BAD / "ohne_crs.shp", level=level, valid_from=DAY, srid=4326)
    assert "nicht im Geltungsbereich von EPSG:4326" in info.value.errors[0].message


def test_a_zipped_shapefile_is_read_from_any_folder_of_the_archive(level, tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["Z1"], "name": ["Gezippt"]},
        geometry=[box(354000, 5711000, 355000, 5712000)],
        crs=25832,
    )
    frame.to_file(tmp_path / "bezirke.shp")
    path = tmp_path / "Grenzen 2024.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in tmp_path.glob("bezirke.*"):
            archive.write(part, f"grenzen/{part.name}")
    result = import_boundaries(path=path, level=level, valid_from=DAY)
    assert result.created == ["Z1"]


def test_the_index_and_metadata_files_beside_a_zipped_shapefile_are_left_unread(level, tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["Z2"], "name": ["Mit Beiwerk"]},
        geometry=[box(354000, 5711000, 355000, 5712000)],
        crs=25832,
    )
    frame.to_file(tmp_path / "bezirke.shp")
    path = tmp_path / "Download des Amts.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in tmp_path.glob("bezirke.*"):
            archive.write(part, part.name)
        archive.writestr("bezirke.sbn", b"\x00" * 100)
        archive.writestr("bezirke.shp.xml", "<metadata><idinfo/></metadata>")
    result = import_boundaries(path=path, level=level, valid_from=DAY)
    assert result.created == ["Z2"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("ohne_crs.shp", "Koordinatenbezugssystem fehlt"),
        ("kaputt.geojson", "Inhalt passt nicht zur Endung .geojson"),
        ("leer.geojson", "enthält keine Gebiete"),
        ("ohne_shp.zip", "ZIP-Archiv enthält kein Shapefile"),
        ("fehlt.geojson", "nicht gefunden"),
    ],
)
def test_a_bad_file_is_rejected_naming_the_problem_and_nothing_is_written(level, name, problem):
    before = District.objects.count()
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=BAD / name, level=level, valid_from=DAY)
    assert problem in str(info.value)
    assert District.objects.count() == before


def test_the_command_reads_a_file_without_crs_with_srid(level):
    out = io.StringIO()
    call_command(
        "import_boundaries",
        BAD / "ohne_crs.shp",
        level=level.slug,
        valid_from=DAY,
        srid=25832,
        stdout=out,
    )
    assert out.getvalue().startswith("Ebene testebene: 2 neu")


def test_the_command_prints_warnings_after_the_summary(level, tmp_path):
    features = grid()
    features[1] = (features[1][0], mapping(box(354990, 5711000, 356000, 5712000)))
    out = io.StringIO()
    call_command(
        "import_boundaries",
        write_features(tmp_path, features),
        level=level.slug,
        valid_from=DAY,
        stdout=out,
        no_color=True,
    )
    assert out.getvalue().splitlines() == [
        "Ebene testebene: 4 neu, 0 ersetzt, 0 unverändert, 0 außer Kraft",
        "Warnung: A1 und A2 überschneiden sich auf 10.000,0 m²",
    ]


def test_the_command_fails_with_the_message_for_a_bad_file(level):
    with pytest.raises(CommandError, match="Koordinatenbezugssystem fehlt"):
        call_command("import_boundaries", BAD / "ohne_crs.shp", level=level.slug, valid_from=DAY)


def test_a_gdal_virtual_file_disguised_as_geojson_is_not_opened(level, tmp_path):
    # A VRT would make GDAL read any file it names; it must not even be opened.
    path = tmp_path / "grenzen.geojson"
    path.write_text(
        "<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>/etc/hostname</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=path, level=level, valid_from=DAY)
    assert "Inhalt passt nicht zur Endung" in info.value.errors[0].message


def test_only_plain_geodata_endings_are_accepted(level, tmp_path):
    path = tmp_path / "grenzen.vrt"
    path.write_text("<OGRVRTDataSource/>")
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=path, level=level, valid_from=DAY)
    assert "Dateityp nicht unterstützt" in info.value.errors[0].message
