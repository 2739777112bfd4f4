from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.importing import ImportRejected
from projections.services.import_register import import_register


class Command(BaseCommand):
    help = (
        "Registerdaten (Bevölkerung, Gestorbene, Zu- und Fortzüge nach Alter und Geschlecht, "
        "Geburten nach Alter der Mutter, Umzüge zwischen Bezirken) importieren."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--population", type=Path, help="Bevölkerung, Gestorbene, Zu- und Fortzüge"
        )
        parser.add_argument("--births", type=Path, help="Geburten nach Alter der Mutter")
        parser.add_argument("--moves-within", type=Path, help="Umzüge zwischen Bezirken")
        parser.add_argument(
            "--directory",
            type=Path,
            help="Ordner mit population.csv, births.csv und moves_within.csv",
        )
        parser.add_argument("--level", default="statistischer-bezirk", help="Gebietsebene")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts schreiben")

    def handle(self, *args, population, births, moves_within, directory, level, dry_run, **options):
        if directory:
            population = population or directory / "population.csv"
            births = births or directory / "births.csv"
            moves_within = moves_within or directory / "moves_within.csv"
        paths = {"--population": population, "--births": births, "--moves-within": moves_within}
        for option, path in paths.items():
            if path is not None and not path.is_file():
                raise CommandError(f"{option}: Datei {path} nicht gefunden")
        try:
            result = import_register(
                cells=population, births=births, within=moves_within, level=level, dry_run=dry_run
            )
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
        self.stdout.write(result.summary())
