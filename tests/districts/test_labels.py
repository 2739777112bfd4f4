"""Where the map writes an area's name, and the orientation layer around the city."""

import json
from pathlib import Path

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import mapping

from districts.models import District
from districts.selectors import boundaries_geojson
from districts.services.boundaries import import_boundaries
from tests.districts.test_boundaries import DAY, write_features

NRW = Path(__file__).resolve().parents[2] / "fixtures" / "nrw" / "dvg2gem_nw.shp"


def test_the_name_of_a_bent_area_stands_inside_it_with_the_room_it_has(level, tmp_path):
    # An L: its centroid lies outside it, in the corner it bends around.
    bent = shapely.Polygon(
        [(354000, 5711000), (357000, 5711000), (357000, 5712000), (355000, 5712000),
         (355000, 5714000), (354000, 5714000)]
    )  # fmt: skip
    assert not bent.contains(bent.centroid)
    path = write_features(tmp_path, [({"code": "L", "name": "Winkel"}, mapping(bent))])
    import_boundaries(path=path, level=level, valid_from=DAY)
    district = District.objects.get(level=level, code="L")
    inside = district.boundary.transform(4326, clone=True)
    assert inside.contains(district.label_point)
    # Arms 1,000 m wide: the largest circle, in the corner where they meet, is a little wider.
    assert 500 <= district.label_room_m < 700
    feature = json.loads(boundaries_geojson(level=level, day=DAY))["features"][0]
    assert feature["properties"]["label"] == pytest.approx(
        [district.label_point.x, district.label_point.y], abs=1e-6
    )
    assert feature["properties"]["label_room_m"] == round(district.label_room_m)


def test_every_demo_district_has_its_label_point_inside_it(demo_data):
    districts = District.objects.all()
    assert districts.count() > 20
    for district in districts:
        assert district.boundary.transform(4326, clone=True).contains(district.label_point)
        assert district.label_room_m > 100


def test_the_orientation_layer_names_the_neighbours_and_draws_their_borders(tmp_path):
    out = tmp_path / "orientation.geojson"
    call_command("orientation_layer", NRW, key="05512000", out=out)
    features = json.loads(out.read_text())["features"]
    names = {f["properties"]["name"] for f in features if f["geometry"]["type"] == "Point"}
    assert {"Gladbeck", "Oberhausen", "Essen", "Dorsten", "Gelsenkirchen"} <= names
    assert "Bottrop" not in names
    lines = [f for f in features if f["geometry"]["type"] != "Point"]
    assert len(lines) == 1
    borders = shapely.from_geojson(json.dumps(lines[0]["geometry"]))
    # Borders only: no straight edge of the box they are cut to.
    west, south, east, north = borders.bounds
    for edge in (
        shapely.LineString([(west, south), (west, north)]),
        shapely.LineString([(east, south), (east, north)]),
        shapely.LineString([(west, south), (east, south)]),
        shapely.LineString([(west, north), (east, north)]),
    ):
        assert shapely.intersection(borders, edge.buffer(1e-6)).length < 0.01


def test_the_committed_orientation_layer_is_what_the_command_writes(tmp_path, settings):
    out = tmp_path / "orientation.geojson"
    call_command("orientation_layer", NRW, key="05512000", out=out)
    committed = Path(settings.BASE_DIR) / "static" / settings.ATLAS_ORIENTATION
    assert json.loads(committed.read_text()) == json.loads(out.read_text())


def test_an_unknown_municipality_is_named_in_the_error(tmp_path):
    with pytest.raises(CommandError, match="05999999"):
        call_command("orientation_layer", NRW, key="05999999", out=tmp_path / "x.geojson")
