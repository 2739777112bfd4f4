import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from districts.services.orientation import neighbours


class Command(BaseCommand):
    help = (
        "Nachbargemeinden als Orientierungsebene der Karte aus einer Datei aller Gemeinden "
        "schreiben (z. B. DVG2 von Geobasis NRW); ATLAS_ORIENTATION nennt die Datei. "
        "/ Writes the neighbouring municipalities as the map's orientation layer."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipalities", type=Path, help="Gemeindegrenzen (Shapefile, …)")
        parser.add_argument(
            "--key", required=True, help="Gemeindeschlüssel der Stadt, z. B. 05512000"
        )
        parser.add_argument("--key-field", default="KN")
        parser.add_argument("--name-field", default="GN")
        parser.add_argument(
            "--out", type=Path, required=True, help="Ziel, z. B. static/…/x.geojson"
        )

    def handle(self, *args, municipalities, key, key_field, name_field, out, **options):
        try:
            body = neighbours(municipalities, key=key, key_field=key_field, name_field=name_field)
        except (ValueError, OSError, KeyError) as error:
            raise CommandError(str(error)) from error
        out.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n")
        names = sum(1 for feature in body["features"] if "name" in feature["properties"])
        self.stdout.write(f"{names} Nachbargemeinden → {out}")
