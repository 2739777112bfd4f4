from django.core.management.base import BaseCommand

from indicators.selectors import plausibility_warnings


class Command(BaseCommand):
    help = (
        "Prüft, ob die eigenen Stadtwerte zur Summe der Bezirke passen, und listet "
        "Abweichungen über die Rundung hinaus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="nur dieses Jahr")

    def handle(self, *args, year, **options):
        warnings = plausibility_warnings(year=year)
        for warning in warnings:
            self.stdout.write(str(warning))
        self.stdout.write(f"{len(warnings)} Abweichung(en) gefunden.")
