from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.importing import ImportRejected
from districts.models import METRIC_SRID
from facilities.services.import_facilities import import_facilities


class Command(BaseCommand):
    help = (
        "Angebote (Kitas, Beratungsstellen, …) aus CSV/XLSX mit Koordinaten oder aus "
        "GeoJSON/GeoPackage importieren."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--srid",
            type=int,
            default=METRIC_SRID,
            help="Bezugssystem der Spalten x/y (Standard 25832); lon/lat sind immer EPSG:4326",
        )
        parser.add_argument("--demo", action="store_true", help="als Demodaten kennzeichnen")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts schreiben")

    def handle(self, *args, path, srid, demo, dry_run, **options):
        if not path.is_file():
            raise CommandError(f"PATH: Datei {path} nicht gefunden")
        try:
            result = import_facilities(path=path, srid=srid, is_demo=demo, dry_run=dry_run)
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
        self.stdout.write(result.summary())
