from django.core.management.base import BaseCommand, CommandError

from atlas.demo import load_demo_data
from core.importing import ImportRejected
from districts.models import District


class Command(BaseCommand):
    help = "Die synthetischen Bottroper Demodaten laden (Grenzen, Indikatoren, Werte)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="nur laden, wenn noch keine Gebiete existieren"
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and District.objects.exists():
            self.stdout.write("Gebiete vorhanden, Demodaten werden nicht geladen.")
            return
        try:
            self.stdout.write(load_demo_data())
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
