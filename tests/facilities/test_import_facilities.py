import json

import pytest
from django.core.management import CommandError, call_command

from core.importing import ImportRejected
from facilities.models import Facility, FacilityUpload
from facilities.services.import_facilities import import_facilities

pytestmark = pytest.mark.django_db

HEADER = "typ;name;adresse;lon;lat;plaetze;eroeffnet;geschlossen;kontakt;quelle\n"
ALTSTADT = "6,9234;51,52471"
BOY = "6,97239;51,53677"


def write(tmp_path, text: str, name: str = "angebote.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path, **options) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_facilities(path=path, **options)
    return [str(error) for error in rejected.value.errors]


def test_a_table_with_lon_lat_adds_facilities_in_the_metric_crs(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita Sonne;Hauptstr. 1;{ALTSTADT};45;01.08.2015;;"
                 "https://example.org/sonne;Jugendamt\n")  # fmt: skip
    result = import_facilities(path=path)
    kita = Facility.objects.get(name="Kita Sonne")
    assert (len(result.added), kita.capacity, kita.opened_on.isoformat()) == (1, 45, "2015-08-01")
    assert kita.location.srid == 25832 and 350_000 < kita.location.x < 370_000


def test_x_y_columns_are_read_as_etrs89_utm(tmp_path):
    path = write(tmp_path, "typ,name,x,y\nkita,Kita Mond,356700,5710000\n")
    import_facilities(path=path)
    assert Facility.objects.get(name="Kita Mond").location.coords == (356700, 5710000)


def test_a_row_without_coordinates_is_rejected_by_row(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};;;;;\nkita;Kita B;Weg 2;;;;;;;\n")
    (error,) = errors_of(path)
    assert error.startswith("Zeile 3, Spalte „Koordinaten“")
    assert "nicht in Koordinaten umgerechnet" in error


def test_a_point_outside_the_city_is_rejected_by_row(tmp_path):
    path = write(
        tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};;;;;\nkita;Kita Essen;;7,0;51,45;;;;;\n"
    )
    (error,) = errors_of(path)
    assert error.startswith("Zeile 3") and "außerhalb der Stadtgrenze" in error


def test_an_unknown_type_is_named_with_the_known_ones(tmp_path):
    path = write(tmp_path, HEADER + f"Schwimmbad;Bad;;{ALTSTADT};;;;;\n")
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2, Spalte „typ“ = 'Schwimmbad'") and "kita" in error


def test_a_bad_date_is_rejected_by_row_and_column(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};;31.02.2020;;;\n")
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2, Spalte „eroeffnet“ = '31.02.2020'")


def test_a_closing_before_the_opening_is_rejected(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};;2020-01-01;2019-01-01;;\n")
    (error,) = errors_of(path)
    assert "Spalte „geschlossen“" in error and "nach der Eröffnung" in error


def test_a_duplicate_row_names_the_first(tmp_path):
    row = f"kita;Kita A;Weg 1;{ALTSTADT};;;;;\n"
    (error,) = errors_of(write(tmp_path, HEADER + row + row))
    assert error.startswith("Zeile 3") and "schon in Zeile 2" in error


def test_nothing_is_written_when_one_row_is_bad(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};;;;;\nkita;Kita B;;;;;;;;\n")
    uploads = FacilityUpload.objects.count()
    errors_of(path)
    assert not Facility.objects.filter(name__in=["Kita A", "Kita B"]).exists()
    assert FacilityUpload.objects.count() == uploads


def test_the_preview_tells_new_changed_and_unchanged_and_writes_nothing(tmp_path):
    import_facilities(path=write(tmp_path, HEADER + f"kita;Kita A;Weg 1;{ALTSTADT};40;;;;\n"
                                           f"kita;Kita B;Weg 2;{BOY};30;;;;\n"))  # fmt: skip
    again = write(tmp_path, HEADER + f"kita;Kita A;Weg 1;{ALTSTADT};40;;;;\n"
                  f"kita;Kita B;Weg 2;{BOY};35;;31.12.2024;;\nkita;Kita C;;{BOY};;;;;\n",
                  "neu.csv")  # fmt: skip
    preview = import_facilities(path=again, dry_run=True)
    assert (preview.added, preview.unchanged) == (["Kita C"], 1)
    (change,) = preview.changed
    assert (change.row, change.fields) == (3, ("capacity", "closed_on"))
    assert Facility.objects.get(name="Kita B").capacity == 30


def test_a_key_column_matches_a_renamed_facility(tmp_path):
    import_facilities(
        path=write(tmp_path, "kennung,typ,name,lon,lat\nK1,kita,Kita A,6.9234,51.52471\n")
    )
    result = import_facilities(
        path=write(
            tmp_path,
            "kennung,typ,name,lon,lat\nK1,kita,Kita Regenbogen,6.9234,51.52471\n",
            "umbenannt.csv",
        )
    )
    assert [c.fields for c in result.changed] == [("name",)]
    assert Facility.objects.filter(key="K1").count() == 1


def test_a_geojson_file_is_imported_with_its_properties(tmp_path):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.9234, 51.52471]},
         "properties": {"typ": "seniorenberatung", "name": "Seniorenbüro", "adresse": "Markt 1",
                        "eroeffnet": "2019-04-01"}},
    ]  # fmt: skip
    path = tmp_path / "angebote.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    import_facilities(path=path)
    found = Facility.objects.get(name="Seniorenbüro")
    assert (found.type.slug, found.address, found.opened_on.year) == (
        "seniorenberatung",
        "Markt 1",
        2019,
    )


def test_a_geojson_feature_outside_the_city_is_named_by_its_number(tmp_path):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.9234, 51.52471]},
         "properties": {"typ": "kita", "name": "Drin"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.2, 51.45]},
         "properties": {"typ": "kita", "name": "Draußen"}},
    ]  # fmt: skip
    path = tmp_path / "angebote.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2") and "außerhalb" in error


def test_a_geopackage_is_read_in_its_own_crs(tmp_path):
    import geopandas
    from shapely.geometry import Point

    frame = geopandas.GeoDataFrame(
        {"typ": ["kita"], "name": ["Kita Paket"], "plaetze": [55]},
        geometry=[Point(6.9234, 51.52471)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    path = tmp_path / "angebote.gpkg"
    frame.to_file(path, driver="GPKG")
    import_facilities(path=path)
    found = Facility.objects.get(name="Kita Paket")
    assert found.capacity == 55 and 350_000 < found.location.x < 370_000


def test_the_command_reports_errors_with_a_non_zero_exit(tmp_path):
    path = write(tmp_path, HEADER + "kita;Kita B;;;;;;;;\n")
    with pytest.raises(CommandError, match="Zeile 2"):
        call_command("import_facilities", str(path))


def test_the_command_dry_run_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, HEADER + f"kita;Kita Probe;;{ALTSTADT};;;;;\n")
    call_command("import_facilities", str(path), "--dry-run")
    assert "Probelauf" in capsys.readouterr().out
    assert not Facility.objects.filter(name="Kita Probe").exists()


def test_an_xlsx_file_with_number_and_date_cells_is_read(tmp_path):
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Typ", "Name", "Lon", "Lat", "Plätze", "Eröffnet"])
    sheet.append(["Kita", "Kita Tabelle", 6.9234, 51.52471, 60, datetime.datetime(2016, 8, 1)])
    path = tmp_path / "angebote.xlsx"
    book.save(path)
    import_facilities(path=path)
    found = Facility.objects.get(name="Kita Tabelle")
    assert (found.capacity, found.opened_on) == (60, datetime.date(2016, 8, 1))


def test_places_written_with_a_german_thousands_separator_are_a_thousand(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita Groß;;{ALTSTADT};1.000;;;;\n")
    result = import_facilities(path=path)
    assert Facility.objects.get(name="Kita Groß").capacity == 1000
    assert result.number_format.startswith("deutsch")


def test_places_with_a_german_fraction_are_refused_by_row_and_column(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};1.000;;;;\n"
                 f"kita;Kita B;;{BOY};1.000,5;;;;\n")  # fmt: skip
    assert errors_of(path) == ["Zeile 3, Spalte „plaetze“ = '1.000,5': keine ganze Zahl ≥ 0"]


def test_places_in_an_international_file_follow_its_format(tmp_path):
    path = write(tmp_path, 'typ,name,lon,lat,plaetze\nkita,Kita Weit,6.9234,51.52471,"1,000"\n')
    result = import_facilities(path=path)
    assert Facility.objects.get(name="Kita Weit").capacity == 1000
    assert result.number_format.startswith("international")


def test_a_number_in_the_other_format_names_its_row_and_column(tmp_path):
    path = write(
        tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};;;;;\nkita;Kita B;;6.97239;51,53677;;;;\n"
    )
    (error,) = errors_of(path)
    assert error.startswith("Zeile 3, Spalte „lon“ = '6.97239'") and "ganze Datei" in error


def test_places_alone_that_could_be_either_format_are_refused_with_the_reason(tmp_path):
    path = write(tmp_path, "typ,name,x,y,plaetze\nkita,Kita Mond,356700,5710000,1.000\n")
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2, Spalte „plaetze“ = '1.000'") and "mehrdeutig" in error


def test_a_place_count_in_a_german_file_is_not_read_the_international_way(tmp_path):
    path = write(tmp_path, HEADER + f"kita;Kita A;;{ALTSTADT};12.5;;;;\n")
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2, Spalte „plaetze“ = '12.5'")


def _workbook(tmp_path, *rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Typ", "Name", "Lon", "Lat", "Plätze"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "angebote.xlsx"
    book.save(path)
    return path


def test_an_xlsx_file_reads_german_text_places_beside_number_cells(tmp_path):
    path = _workbook(
        tmp_path,
        ["Kita", "Kita Text", "6,9234", "51,52471", "1.000"],
        ["Kita", "Kita Zahl", 6.97239, 51.53677, 1000],
    )
    result = import_facilities(path=path)
    places = dict(Facility.objects.filter(name__startswith="Kita ").values_list("name", "capacity"))
    assert (places["Kita Text"], places["Kita Zahl"]) == (1000, 1000)
    assert result.number_format.startswith("deutsch")


def test_an_xlsx_file_refuses_a_german_fraction_of_places_by_row(tmp_path):
    path = _workbook(tmp_path, ["Kita", "Kita Halb", 6.9234, 51.52471, "1.000,5"])
    assert errors_of(path) == ["Zeile 2, Spalte „plaetze“ = '1.000,5': keine ganze Zahl ≥ 0"]


def test_an_xlsx_number_cell_with_a_fraction_of_places_is_refused(tmp_path):
    path = _workbook(tmp_path, ["Kita", "Kita Halb", 6.9234, 51.52471, 1000.5])
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2, Spalte „plaetze“") and "keine ganze Zahl" in error


def test_a_geojson_number_property_is_a_number_in_either_format(tmp_path):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.9234, 51.52471]},
         "properties": {"typ": "kita", "name": "Kita Json", "plaetze": 1000}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.97239, 51.53677]},
         "properties": {"typ": "kita", "name": "Kita Jsontext", "plaetze": "1.250"}},
    ]  # fmt: skip
    path = tmp_path / "angebote.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    (error,) = errors_of(path)
    assert error.startswith("Zeile 2, Spalte „plaetze“ = '1.250'") and "mehrdeutig" in error
