import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.importing import ImportRejected
from districts.models import Level
from districts.services.boundaries import import_boundaries


class Command(BaseCommand):
    help = (
        "Grenzen einer Gebietsebene aus einer Geodatei importieren "
        "(GeoJSON, GeoPackage, Shapefile, auch als ZIP, …)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--level", required=True, help="Kennung der Ebene, z. B. stadtbezirk")
        parser.add_argument(
            "--valid-from",
            type=datetime.date.fromisoformat,
            default=datetime.date.today(),
            help="Gültig ab (JJJJ-MM-TT), Standard: heute",
        )
        parser.add_argument("--code-field", default="code")
        parser.add_argument("--name-field", default="name")
        parser.add_argument(
            "--srid",
            type=int,
            help="EPSG-Code der Koordinaten, nur für Dateien ohne Angabe (z. B. 25832)",
        )
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts schreiben")

    def handle(
        self, *args, path, level, valid_from, code_field, name_field, srid, dry_run, **options
    ):
        try:
            level_obj = Level.objects.get(slug=level)
        except Level.DoesNotExist:
            known = ", ".join(Level.objects.values_list("slug", flat=True))
            raise CommandError(f"--level: unbekannte Ebene {level!r}; bekannt: {known}") from None
        try:
            result = import_boundaries(
                path=path,
                level=level_obj,
                valid_from=valid_from,
                code_field=code_field,
                name_field=name_field,
                dry_run=dry_run,
                srid=srid,
            )
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
        self.stdout.write(result.summary())
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warnung: {warning}"))
