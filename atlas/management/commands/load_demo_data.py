from django.core.management.base import BaseCommand, CommandError

from atlas.demo import DEMO_TRAJECTORIES, load_demo_data
from core.importing import ImportRejected
from districts.models import District
from projections.services.runs import MIN_TRAJECTORIES


class Command(BaseCommand):
    help = "Die synthetischen Bottroper Demodaten laden (Grenzen, Indikatoren, Werte)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="nur laden, wenn noch keine Gebiete existieren"
        )
        parser.add_argument(
            "--trajectories",
            type=int,
            default=DEMO_TRAJECTORIES,
            help=f"Simulationen der Demo-Vorausberechnung (Standard {DEMO_TRAJECTORIES})",
        )

    def handle(self, *args, if_empty, trajectories, **options):
        if trajectories < MIN_TRAJECTORIES:
            raise CommandError(
                f"--trajectories {trajectories}: mindestens {MIN_TRAJECTORIES} Simulationen"
            )
        if if_empty and District.objects.exists():
            self.stdout.write("Gebiete vorhanden, Demodaten werden nicht geladen.")
            return
        try:
            self.stdout.write(load_demo_data(trajectories=trajectories))
        except (ImportRejected, ValueError) as rejected:
            raise CommandError(str(rejected)) from None
