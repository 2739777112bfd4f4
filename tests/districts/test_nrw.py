"""The real thing: all 396 municipalities of NRW (DVG2 Shapefile) and their population (Destatis).

The data are in fixtures/nrw/ (see its README for sources and licences).
"""

import csv
import datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from districts.models import District
from indicators.models import Indicator
from indicators.selectors import level_values
from tests.factories import LevelFactory

DATA = Path(settings.BASE_DIR) / "fixtures" / "nrw"
SHAPEFILE = DATA / "dvg2gem_nw.shp"
POPULATION = DATA / "nrw_gemeinden_destatis_bevoelkerung.csv"


def long_format(path: Path) -> Path:
    """The Destatis table as the atlas's long CSV: one population figure per AGS and year."""
    with POPULATION.open(newline="", encoding="utf-8") as source, path.open("w") as target:
        writer = csv.writer(target)
        writer.writerow(["ebene", "gebiet", "indikator", "jahr", "wert"])
        for row in csv.DictReader(source):
            year = row["Stichtag"][:4]
            writer.writerow(
                ["gemeinde", row["AGS"], "einwohner", year, row["Bevoelkerung_insgesamt"]]
            )
    return path


def test_nrw_municipalities_and_their_population_import_and_add_up(db, tmp_path):
    gemeinde = LevelFactory(
        slug="gemeinde",
        name_de="Gemeinde",
        name_en="Municipality",
        name_plural_de="Gemeinden",
        name_plural_en="Municipalities",
        rank=5,
    )
    call_command(
        "import_boundaries",
        SHAPEFILE,
        level="gemeinde",
        code_field="KN",
        name_field="GN",
        valid_from=datetime.date(2013, 1, 1),
    )
    call_command("import_values", long_format(tmp_path / "nrw.csv"), publish=True)

    einwohner = Indicator.objects.get(slug="einwohner")
    values = {
        area.code: area.cell.value
        for area in level_values(indicator=einwohner, level=gemeinde, year=2023).areas
        if area.has_value
    }
    assert District.objects.filter(level=gemeinde).count() == 396
    assert (sum(values.values()), values["05512000"]) == (18_190_422, 118_705)
