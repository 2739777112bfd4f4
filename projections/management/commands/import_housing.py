from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.importing import ImportRejected
from projections.services.import_housing import import_housing


class Command(BaseCommand):
    help = "Geplante Wohnungen je Bezirk und Jahr (Spalten Jahr, Gebiet, Wohnungen) importieren."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="CSV- oder XLSX-Datei")
        parser.add_argument("--level", default="statistischer-bezirk", help="Gebietsebene")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts schreiben")

    def handle(self, *args, path, level, dry_run, **options):
        if not path.is_file():
            raise CommandError(f"Datei {path} nicht gefunden")
        try:
            result = import_housing(path=path, level=level, dry_run=dry_run)
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
        self.stdout.write(result.summary())
