"""The import reads a file row by row and writes it through a staging table: what that could
get wrong (batches, row numbers, duplicates far apart, number formats decided late, leftovers
between imports, long lists of errors)."""

import pytest
from django.db import connection

from core.importing import ImportRejected
from indicators.models import Observation, Release
from indicators.services import import_values as service
from indicators.services.import_values import import_values
from indicators.services.value_import import staging

from ..conftest import table_checksums

pytestmark = pytest.mark.django_db

CODES = ("11", "12", "13", "21", "22", "31", "32", "41", "42", "51", "52", "61", "62", "71",
         "72", "73", "74")  # fmt: skip


@pytest.fixture
def small_batches(monkeypatch):
    """COPY into the staging table every 50 rows, so a few hundred rows span many batches."""
    monkeypatch.setattr(staging, "BATCH", 50)


def lines(years, value="1"):
    """Long-layout lines for every statistical district, two demo count indicators, ``years``."""
    return [
        f"{code},statistischer-bezirk,{slug},{year},{value}"
        for year in years
        for slug in ("einwohner", "auslaender")
        for code in CODES
    ]


def write(tmp_path, rows, header="gebiet,ebene,indikator,jahr,wert", name="werte.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def errors_of(path, **options) -> list[tuple]:
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="t", **options)
    return [(e.row, e.field, e.value, e.message) for e in info.value.errors]


def staging_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{service.STAGING}"])
        return cursor.fetchone()[0] is not None


def test_a_bad_row_after_many_batches_leaves_nothing_written(tmp_path, small_batches):
    rows = lines(range(2030, 2040))  # 340 rows, 7 batches
    rows[300] = "31,statistischer-bezirk,einwohner,2039,viele"
    path = write(tmp_path, rows)
    before = table_checksums()
    assert errors_of(path) == [(302, "wert", "viele", "keine Zahl")]
    assert table_checksums() == before
    assert not staging_exists()


def test_row_numbers_count_blank_lines_and_every_batch(tmp_path, small_batches):
    rows = lines(range(2030, 2040))
    rows[0] = "11,statistischer-bezirk,einwohner,1900,1"
    rows[150] = ""  # a blank line is still a row of the spreadsheet
    rows[250] = rows[250].rsplit(",", 1)[0] + ",-5"
    path = write(tmp_path, rows)
    assert errors_of(path) == [
        (2, "jahr", "1900", "kein Jahr zwischen 1950 und 2100"),
        (252, "wert", "-5", "Anzahl darf nicht negativ sein"),
    ]


def test_duplicates_far_apart_name_the_row_before_them(tmp_path, small_batches):
    rows = lines(range(2030, 2036))  # 204 rows, the first 11 / einwohner / 2030
    rows += ["11,statistischer-bezirk,einwohner,2030,2", "11,statistischer-bezirk,einwohner,2030,3"]
    path = write(tmp_path, rows)
    assert errors_of(path) == [
        (206, "gebiet", "11", "doppelter Eintrag (auch in Zeile 2)"),
        (207, "gebiet", "11", "doppelter Eintrag (auch in Zeile 206)"),
    ]


def test_a_duplicate_is_listed_after_the_other_errors_of_its_row(tmp_path, catalogue):
    path = write(
        tmp_path,
        ["A,anzahl-test,2020,5", "B,anzahl-test,2020,5", "A,anzahl-test,2020,-1"],
        header="gebiet,indikator,jahr,wert",
    )
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="t")
    assert [(e.row, e.message) for e in info.value.errors] == [
        (4, "Anzahl darf nicht negativ sein"),
        (4, "doppelter Eintrag (auch in Zeile 2)"),
    ]


@pytest.fixture
def catalogue(small_catalogue):
    """The small catalogue of conftest: districts A and B, anteil-test and anzahl-test."""


def test_german_decimal_commas_and_thousands_are_read_exactly(tmp_path, catalogue):
    path = write(
        tmp_path,
        [
            "A;anzahl-test;2020;1.234",
            "B;anzahl-test;2020;-0",
            "A;anteil-test;2020;12,5;1;8",
            "B;anteil-test;2020;;1.000;10.000,0",
        ],
        header="gebiet;indikator;jahr;wert;zaehler;nenner",
    )
    result = import_values(path=path, title="deutsch")
    values = {
        (code, slug): (value, numerator, denominator)
        for code, slug, value, numerator, denominator in Observation.objects.filter(
            release=result.release
        ).values_list("district__code", "indicator__slug", "value", "numerator", "denominator")
    }
    assert result.number_format.startswith("deutsch")
    assert values == {
        ("A", "anzahl-test"): (1234.0, None, None),
        ("B", "anzahl-test"): (0.0, None, None),
        ("A", "anteil-test"): (12.5, 1.0, 8.0),
        ("B", "anteil-test"): (10.0, 1000.0, 10000.0),
    }


def test_the_number_format_is_decided_by_a_row_after_many_batches(tmp_path, small_batches):
    rows = lines(range(2030, 2040))
    rows[0] = "11,statistischer-bezirk,einwohner,2030,1.234"  # German or international?
    rows[-1] = rows[-1].rsplit(",", 1)[0] + ',"0,5"'  # only German
    result = import_values(path=write(tmp_path, rows), title="spät entschieden")
    first = Observation.objects.get(
        release=result.release, district__code="11", indicator__slug="einwohner", year=2030
    )
    assert "Zeile 341" in result.number_format
    assert first.value == 1234


def test_the_staging_table_does_not_carry_over_to_the_next_import(tmp_path):
    first = import_values(path=write(tmp_path, lines([2030]), name="a.csv"), title="erste")
    assert not staging_exists()
    dry = import_values(path=write(tmp_path, lines([2031]), name="b.csv"), title="b", dry_run=True)
    assert not staging_exists()
    second = import_values(path=write(tmp_path, lines([2032]), name="c.csv"), title="zweite")
    assert (first.rows, dry.rows, second.rows) == (34, 34, 34)
    assert set(second.release.observations.values_list("year", flat=True)) == {2032}
    assert second.release.observations.count() == 34


def test_a_rejected_import_leaves_no_staging_table(tmp_path):
    errors_of(write(tmp_path, ["11,statistischer-bezirk,einwohner,2030,x1"]))
    assert not staging_exists()
    result = import_values(path=write(tmp_path, lines([2030]), name="gut.csv"), title="gut")
    assert result.release.observations.count() == 34


def test_notes_keep_tabs_backslashes_and_line_breaks(tmp_path, catalogue):
    note = 'Quelle: C:\\Daten\\neu\tgeprüft\nzweite Zeile "zitiert"'
    quoted = '"' + note.replace('"', '""') + '"'
    path = write(tmp_path, [f"A,anzahl-test,2020,5,{quoted}"],
                 header="gebiet,indikator,jahr,wert,hinweis")  # fmt: skip
    result = import_values(path=path, title="t")
    assert Observation.objects.get(release=result.release).note == note


def test_a_note_longer_than_the_column_is_a_row_error(tmp_path, catalogue):
    path = write(tmp_path, ["A,anzahl-test,2020,5,kurz", f"B,anzahl-test,2020,5,{'x' * 301}"],
                 header="gebiet,indikator,jahr,wert,hinweis")  # fmt: skip
    [(row, column, _value, message)] = errors_of(path)
    assert (row, column, message) == (3, "hinweis", "länger als 300 Zeichen")


def test_a_wide_file_stages_one_value_per_cell_with_its_row(tmp_path, catalogue):
    path = write(tmp_path, ["A;2020;5;", "B;2020;-1;50", "A;2021;;101"],
                 header="gebiet;jahr;anzahl-test;anteil-test")  # fmt: skip
    assert [(row, column, message) for row, column, _, message in errors_of(path)] == [
        (3, "anzahl-test", "Anzahl darf nicht negativ sein"),
        (4, "anteil-test", "Anteil außerhalb von 0 bis 100"),
    ]


def test_errors_beyond_the_listed_ones_are_counted(tmp_path, catalogue, monkeypatch):
    monkeypatch.setattr(staging, "LISTED", 3)
    rows = [f"A,anzahl-test,{year},-1" for year in range(2001, 2009)]
    errors = errors_of(write(tmp_path, rows, header="gebiet,indikator,jahr,wert"))
    assert [row for row, *_ in errors] == [2, 3, 4, None]
    assert errors[-1][1:] == ("Datei", "werte.csv", "5 weitere Fehler, nicht einzeln aufgeführt")


def test_changes_beyond_the_listed_ones_are_counted(tmp_path, monkeypatch):
    import_values(path=write(tmp_path, lines([2030]), name="a.csv"), title="a", publish=True)
    monkeypatch.setattr(staging, "LISTED", 5)
    result = import_values(
        path=write(tmp_path, lines([2030], value="2"), name="b.csv"), title="b", dry_run=True
    )
    assert (result.preview.changed_count, len(result.preview.changed)) == (34, 5)
    assert [change.row for change in result.preview.changed] == [2, 3, 4, 5, 6]
    assert "geändert: 34" in result.summary()


def test_a_city_value_unlike_the_sum_of_its_districts_is_a_warning(tmp_path):
    rows = [f"{code},statistischer-bezirk,einwohner,2030,50" for code in CODES]
    city = "05512000,stadt,einwohner,2030,1000"
    warned = import_values(path=write(tmp_path, [*rows, city]), title="t", dry_run=True)
    partial = import_values(path=write(tmp_path, [*rows[1:], city]), title="t", dry_run=True)
    assert warned.warnings == ["einwohner 2030: Summe (Statistische Bezirke) 850 ≠ Stadtwert 1.000"]
    assert partial.warnings == []


def test_a_district_corrected_alone_is_checked_against_the_public_city_value(tmp_path):
    # The demo's published 2023 Einwohner add up; one district one more breaks that.
    public = {
        o.district.code: o.value
        for o in Observation.objects.filter(
            indicator__slug="einwohner", year=2023, release__status="published"
        ).select_related("district")
    }
    total = sum(value for code, value in public.items() if code in CODES)
    assert total == public["05512000"]
    row = f"11,statistischer-bezirk,einwohner,2023,{public['11'] + 1:.0f}"
    result = import_values(path=write(tmp_path, [row]), title="t", dry_run=True)
    assert result.warnings == [
        f"einwohner 2023: Summe (Statistische Bezirke) {total + 1:,.0f} ≠ Stadtwert "
        f"{public['05512000']:,.0f}".replace(",", ".")
    ]


def test_a_department_is_told_about_each_valid_row_outside_its_themes(tmp_path):
    from django.contrib.auth.models import Group, User

    from atlas.permissions import DEPARTMENTS
    from indicators.models import Theme, ThemeAccess

    department = Group.objects.get(name=DEPARTMENTS)
    ThemeAccess.objects.create(group=department, theme=Theme.objects.get(slug="pflege"))
    user = User.objects.create_user("pflegeamt", is_staff=True)
    user.groups.add(department)
    path = write(tmp_path, lines([2030])[:3])
    errors = errors_of(path, user=user)
    assert [(row, column, value) for row, column, value, _ in errors] == [
        (2, "indikator", "einwohner"), (3, "indikator", "einwohner"), (4, "indikator", "einwohner"),
    ]  # fmt: skip
    assert not Release.objects.filter(title="t").exists()


def test_a_failure_while_streaming_into_the_staging_table_writes_nothing(
    tmp_path, small_batches, monkeypatch
):
    calls, check = [], service._Checker.check

    def failing(self, *texts, **options):
        calls.append(1)
        if len(calls) == 120:
            raise RuntimeError("disk full")
        return check(self, *texts, **options)

    monkeypatch.setattr(service._Checker, "check", failing)
    before = table_checksums()
    with pytest.raises(RuntimeError, match="disk full"):
        import_values(path=write(tmp_path, lines(range(2030, 2035))), title="t")
    assert table_checksums() == before
    assert not staging_exists()


def test_the_copy_stream_hands_over_every_piece_in_reads_of_any_size():
    stream = service._Stream(["abcdef", "", "gh", "ijklmnopq"])
    reads = list(iter(lambda: stream.read(4), ""))
    assert reads == ["abcd", "ef", "gh", "ijkl", "mnop", "q"]
    assert stream.read(4) == "" and stream.error is None
