import os
import time

from django.core.management.base import BaseCommand

from projections.services.queue import requeue_interrupted, work_off


class Command(BaseCommand):
    help = (
        "Vorausberechnungen rechnen, die im Admin gestartet wurden (Warteschlange), eine nach "
        "der anderen; ohne --once wartet der Befehl auf weitere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Warteschlange abarbeiten, enden")
        parser.add_argument("--interval", type=float, default=5.0, help="Sekunden zwischen Blicken")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help="Prozesse je Vorausberechnung"
        )

    def handle(self, *args, once, interval, workers, **options):
        if requeue := requeue_interrupted():
            self.stdout.write(f"{requeue} unterbrochene Vorausberechnung(en) wieder eingereiht")
        while True:
            taken = work_off(workers=workers)
            if taken:
                self.stdout.write(f"{taken} Vorausberechnung(en) gerechnet")
            if once:
                return
            time.sleep(interval)
