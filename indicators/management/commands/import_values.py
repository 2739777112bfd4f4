from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.importing import ImportRejected
from indicators.services.import_values import import_values


class Command(BaseCommand):
    help = "Werte aus einer CSV-Datei (Langformat) als neuen Datenstand importieren."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--title", help="Titel des Datenstands (Standard: Dateiname)")
        parser.add_argument("--publish", action="store_true", help="sofort veröffentlichen")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts schreiben")
        parser.add_argument(
            "--accept-losses",
            action="store_true",
            help="auch speichern, wenn gespeicherte Zahlen durch ein Zeichen ersetzt werden",
        )

    def handle(self, *args, path, title, publish, dry_run, accept_losses, **options):
        if not path.is_file():
            raise CommandError(f"PATH: Datei {path} nicht gefunden")
        try:
            result = import_values(
                path=path, title=title or path.name, publish=publish, dry_run=dry_run,
                accept_losses=accept_losses,
            )  # fmt: skip
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
        self.stdout.write(result.summary())
