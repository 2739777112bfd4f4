from django.core.management.base import BaseCommand, CommandError

from districts.models import Level
from districts.services.population import compute_population_shares
from indicators.population import fine_populations


class Command(BaseCommand):
    help = (
        "Bevölkerungsanteile der Überschneidungen aus den Einwohnerzahlen einer feineren "
        "Ebene (z. B. Baublöcke) berechnen; ohne sie gelten Flächenanteile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, help="die feinere Ebene, z. B. baublock")
        parser.add_argument("--year", type=int, required=True, help="Jahr der Einwohnerzahlen")
        parser.add_argument("--indicator", default="einwohner", help="Indikator der Einwohner")

    def handle(self, *args, level, year, indicator, **options):
        try:
            fine = Level.objects.get(slug=level)
        except Level.DoesNotExist:
            raise CommandError(f"--level: unbekannte Ebene {level!r}") from None
        populations = fine_populations(fine_level=fine, indicator_slug=indicator, year=year)
        if not populations:
            raise CommandError(f"keine veröffentlichten Werte von {indicator!r} für {level} {year}")
        updated = compute_population_shares(fine_level=fine, populations=populations)
        self.stdout.write(f"{updated} Überschneidungen mit Bevölkerungsanteil")
