"""An upload never loses a stored number unnoticed: a number replaced by a symbol or left out is
listed apart and saved only when confirmed as such, and a public download read back in leaves
the numbers behind its withheld and approximate cells alone. What the preview says about the
changed rows only: jumps of unchanged rows are no news, and the sum of the districts is checked
against the city value as it would be public."""

import pytest

from core.importing import ImportRejected
from indicators.models import Observation, Release
from indicators.services.import_values import import_values

HEADER = "gebiet,indikator,jahr,wert,zaehler,nenner"


def write(tmp_path, *rows, header=HEADER, name="werte.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def public(small_catalogue, tmp_path):
    """Published: Altstadt's share 25 % (1 of 4) and its count 12, Boy's count 7, in 2020."""
    path = write(tmp_path, "A,anteil-test,2020,25,1,4", "A,anzahl-test,2020,12,,",
                 "B,anzahl-test,2020,7,,", name="public.csv")  # fmt: skip
    return import_values(path=path, title="2020", publish=True).release


def stored(code: str, slug: str, year: int = 2020) -> Observation:
    return (
        Observation.objects.filter(district__code=code, indicator__slug=slug, year=year)
        .order_by("-release__created_at")
        .first()
    )


def test_a_number_replaced_by_a_symbol_is_a_loss_listed_apart(public, tmp_path):
    path = write(tmp_path, "A,anteil-test,2020,25,1,4", "A,anzahl-test,2020,.,,",
                 "B,anzahl-test,2020,8,,")  # fmt: skip
    preview = import_values(path=path, title="t", dry_run=True).preview
    assert preview.lost_count == 1 and preview.changed_count == 1 and preview.unchanged == 1
    [lost] = preview.lost
    assert (lost.row, lost.indicator, lost.place, lost.old, lost.new) == (
        3, "anzahl-test", "Altstadt (A)", "12", "."
    )  # fmt: skip
    [changed] = preview.changed
    assert (changed.place, changed.old, changed.new) == ("Boy (B)", "7", "8")


def test_a_numerator_left_out_is_a_loss_too(public, tmp_path):
    preview = import_values(path=write(tmp_path, "A,anteil-test,2020,25,,"), title="t",
                            dry_run=True).preview  # fmt: skip
    assert preview.lost_count == 1
    assert (preview.lost[0].old, preview.lost[0].new) == ("25 (1/4)", "25")


def test_a_loss_is_saved_only_when_confirmed(public, tmp_path):
    path = write(tmp_path, "A,anzahl-test,2020,.,,", "B,anzahl-test,2020,8,,")
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="ohne Bestätigung")
    [error] = info.value.errors
    assert error.value == "werte.csv" and error.message.startswith("1 gespeicherte Zahlen")
    assert not Release.objects.filter(title="ohne Bestätigung").exists()
    result = import_values(path=path, title="bestätigt", accept_losses=True)
    assert result.release.observations.get(district__code="A").status == "."


def test_a_file_without_losses_needs_no_confirmation(public, tmp_path):
    result = import_values(path=write(tmp_path, "B,anzahl-test,2020,8,,"), title="t")
    assert result.preview.lost_count == 0 and result.release is not None


def public_download(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


DOWNLOAD = (
    "gebiet;gebietsname;ebene;indikator;indikatorname;jahr;wert;ki_unten;ki_oben;zaehler;"
    "nenner;einheit;status;ungefaehr;vergleich_stadt;hinweis;quelle;lizenz;datenstand"
)


def test_a_public_download_leaves_the_numbers_behind_its_withheld_cells(public, tmp_path):
    path = tmp_path / "sozialatlas.csv"
    path.write_text(public_download(
        DOWNLOAD,
        "A;Altstadt;testebene;anzahl-test;Anzahl;2020;;;;;;Personen;.;;;Geheimhaltung;Stadt;"
        "dl-de/by-2-0;1",
        "B;Boy;testebene;anzahl-test;Anzahl;2020;9;;;;;Personen;normal;nein;;;Stadt;"
        "dl-de/by-2-0;1",
        "A;Altstadt;testebene;anteil-test;Anteil;2020;25;;;1;4;%;normal;ja;;;Stadt;"
        "dl-de/by-2-0;1",
    ), encoding="utf-8")  # fmt: skip
    result = import_values(path=path, title="aus dem Download", publish=True)
    assert result.public_download
    assert (result.skipped_withheld, result.skipped_approximate) == (1, 1)
    assert result.preview.lost_count == 0 and result.preview.changed_count == 1
    assert "Öffentlicher Download erkannt" in result.summary()
    # The correction went in; the withheld number and the estimated share stayed as stored.
    assert stored("B", "anzahl-test").value == 9
    assert (stored("A", "anzahl-test").value, stored("A", "anzahl-test").status) == (12, "normal")
    assert result.release.observations.count() == 1


def test_a_file_of_the_statistician_with_a_symbol_is_no_public_download(public, tmp_path):
    # Without the download's "lizenz" and "datenstand" a "." is the statistician's own.
    path = write(tmp_path, "A,anzahl-test,2020,.,,", header=HEADER)
    result = import_values(path=path, title="t", dry_run=True)
    assert not result.public_download and result.preview.lost_count == 1


def test_a_jump_is_a_warning_only_where_the_file_changes_the_value(public, tmp_path):
    later = write(tmp_path, "A,anzahl-test,2021,30,,", name="2021.csv")
    import_values(path=later, title="2021", publish=True)  # 12 → 30: a jump, now public
    again = import_values(path=later, title="t", dry_run=True)
    assert again.preview.unchanged == 1 and again.warnings == []
    changed = import_values(path=write(tmp_path, "A,anzahl-test,2021,31,,"), title="t",
                            dry_run=True)  # fmt: skip
    assert changed.warnings == [
        "Zeile 2: anzahl-test in Altstadt (A) ändert sich gegenüber 2020 um 158 % (12 → 31)"
    ]


def test_a_value_that_does_not_fit_its_parts_is_named_in_german_with_its_area(
    small_catalogue, tmp_path
):
    path = write(tmp_path, "A,anteil-test,2020,52.4,2,3")
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="t")
    [error] = info.value.errors
    assert (error.row, error.field, error.area) == (2, "wert", "Altstadt (A)")
    assert error.message == (
        "passt nicht zu Zähler/Nenner (erwartet 66,6667); Zähler oder Nenner mit ändern"
    )
    assert str(error).startswith("Zeile 2 (Altstadt (A)), Spalte „wert“")


def test_a_symbol_typed_over_an_exported_number_is_the_status(public, tmp_path):
    # The export writes "normal" in the status column; typing "." over the value means ".".
    header = "gebiet,indikator,jahr,wert,zaehler,nenner,status"
    path = write(tmp_path, "A,anzahl-test,2020,.,,,normal", header=header)
    preview = import_values(path=path, title="t", dry_run=True).preview
    assert (preview.lost_count, preview.lost[0].new) == (1, ".")
    unclear = write(tmp_path, "A,anzahl-test,2020,.,,,vorläufig", header=header)
    with pytest.raises(ImportRejected) as info:
        import_values(path=unclear, title="t")
    assert info.value.errors[0].message == "Zeichen „.“ statt einer Zahl, aber Status „vorläufig“"
