"""The upload's preview and the publish confirmation name rates whose city value would no
longer fit the roll-up of its districts once the file is public, as the published state's
plausibility check does: by the indicator's name, in German numbers."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import Observation
from indicators.services.import_values import import_values
from indicators.services.release_effect import publish_effect

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/indicators/release/upload/"
HEADER = "gebiet;ebene;indikator;jahr;wert;zaehler;nenner\n"
# As the plausibility notes read: name, year, German numbers to one decimal more.
NOTE = re.compile(
    r"^Altenquotient 2023: städtischer Wert (\d+,\d{2}) weicht von der Summe der Bezirke "
    r"\((\d+,\d{2})\) ab$"
)


def stored(code: str) -> Observation:
    return Observation.objects.get(indicator__slug="altenquotient", year=2023, district__code=code)


def row(code: str, level: str, numerator: float, denominator: float) -> str:
    value = f"{numerator / denominator * 100:.6f}".replace(".", ",")
    return f"{code};{level};altenquotient;2023;{value};{numerator:.0f};{denominator:.0f}\n"


def city_raised(tmp_path, extra: int = 700):
    """The city's own Altenquotient 2023 with 700 more people of 65 and over: it no longer
    fits its districts."""
    city = stored("05512000")
    path = tmp_path / "altenquotient.csv"
    path.write_text(HEADER + row("05512000", "stadt", city.numerator + extra, city.denominator))
    return path


def notes(warnings) -> list[re.Match]:
    return [match for warning in warnings if (match := NOTE.match(warning))]


def german(number: float) -> str:
    return f"{number:.2f}".replace(".", ",")


def test_the_demo_city_rate_fits_its_districts_as_published(tmp_path):
    city = stored("05512000")
    path = tmp_path / "gleich.csv"
    path.write_text(HEADER + row("05512000", "stadt", city.numerator, city.denominator))
    assert not notes(import_values(path=path, title="t", dry_run=True).warnings)


def test_a_city_rate_that_no_longer_fits_its_districts_is_named_in_the_preview(tmp_path):
    city = stored("05512000")
    [note] = notes(import_values(path=city_raised(tmp_path), title="t", dry_run=True).warnings)
    assert note.group(1) == german((city.numerator + 700) / city.denominator * 100)
    assert note.group(2) == german(city.value)  # the districts' roll-up, as published


def test_a_district_rate_that_breaks_the_roll_up_is_named_too(tmp_path):
    altstadt = stored("11")
    path = tmp_path / "altstadt.csv"
    path.write_text(
        HEADER + row("11", "statistischer-bezirk", altstadt.numerator + 400, altstadt.denominator)
    )
    [note] = notes(import_values(path=path, title="t", dry_run=True).warnings)
    assert note.group(1) == german(stored("05512000").value)  # the city's own, unchanged


def test_the_upload_page_shows_the_rate_note_among_the_hints(statistician, tmp_path):
    path = city_raised(tmp_path)
    file = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    html = statistician.post(UPLOAD, {"file": file}).content.decode()
    hints = html[html.index("Hinweise zu den geänderten und neuen Werten") :]
    assert re.search(
        r'<li class="warning">Altenquotient 2023: städtischer Wert \d+,\d{2} weicht', hints
    )


def test_the_publish_confirmation_shows_it_as_well(tmp_path):
    release = import_values(path=city_raised(tmp_path), title="t").release
    assert len(notes(publish_effect(release).warnings)) == 1
