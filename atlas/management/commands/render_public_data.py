from django.core.management.base import BaseCommand

from atlas.publicdata import public_state, remove_old_states, render_all


class Command(BaseCommand):
    help = (
        "Schreibt die Dateien der Karte (Grenzen, Angebote und Werte) für den aktuellen "
        "Datenstand und löscht die älterer Stände."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--boundaries-only",
            action="store_true",
            help="nur die Grenzen; die Werte entstehen bei der ersten Anfrage",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="nur die Dateien älterer Stände löschen (z. B. minütlich per cron)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="nur den Stand nennen, nichts schreiben"
        )

    def handle(self, *args, boundaries_only=False, prune=False, dry_run=False, **options):
        state = public_state()
        if dry_run:
            self.stdout.write(f"Stand {state}: nichts geschrieben (--dry-run).")
            return
        if prune:
            removed = remove_old_states(keep=state)
            self.stdout.write(f"Stand {state}: {len(removed)} ältere Stände gelöscht.")
            return
        counts = render_all(state=state, values=not boundaries_only)
        removed = remove_old_states(keep=state)
        self.stdout.write(
            f"Stand {state}: {counts['boundaries']} Grenz-, {counts['facilities']} Angebots- und "
            f"{counts['values']} Wertedateien geschrieben, {len(removed)} ältere Stände gelöscht."
        )
