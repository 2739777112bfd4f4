import datetime
import json

import pytest
import shapely
from shapely.geometry import box, mapping

from atlas.importing import ImportRejected
from districts.models import District, Overlap
from districts.services.boundaries import import_boundaries

DAY = datetime.date(2020, 1, 1)


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
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}
    features = grid()
    features[1] = ({"code": "A1", "name": "Doppelt"}, features[1][1])
    features[2] = ({"code": "A3", "name": ""}, features[2][1])
    features[3] = ({"code": "A4", "name": "Schleife"}, bowtie)
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
