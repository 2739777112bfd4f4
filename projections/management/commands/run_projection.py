from django.core.management.base import BaseCommand, CommandError

from projections.services.runs import run_projection


class Command(BaseCommand):
    help = (
        "Eine Bevölkerungsvorausberechnung aus dem gespeicherten Register rechnen und als "
        "Entwurf speichern, mit Backtest und kalibrierten Intervallen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-year", type=int, help="Basisjahr (Standard: letztes Jahr)")
        parser.add_argument("--horizon", type=int, default=16, help="Jahre voraus")
        parser.add_argument("--trajectories", type=int, default=1000, help="Simulationen")
        parser.add_argument(
            "--backtest-trajectories", type=int, help="Simulationen im Backtest (bis 200)"
        )
        parser.add_argument("--seed", type=int, default=0, help="Startwert des Zufalls")
        parser.add_argument("--workers", type=int, default=1, help="Prozesse")
        parser.add_argument("--dry-run", action="store_true", help="rechnen, nichts speichern")

    def handle(self, *args, **options):
        try:
            run = run_projection(
                base_year=options["base_year"],
                horizon=options["horizon"],
                trajectories=options["trajectories"],
                backtest_trajectories=options["backtest_trajectories"],
                seed=options["seed"],
                workers=options["workers"],
                dry_run=options["dry_run"],
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        calibration = run.calibration
        coverage = ", ".join(f"{k} %: {v:.1f} %" for k, v in calibration.get("pooled", {}).items())
        state = "bestanden" if run.calibrated else "nicht bestanden"
        lines = [
            f"Vorausberechnung {run.base_year}–{run.base_year + run.horizon}, "
            f"{run.trajectories} Simulationen, Startwert {run.seed}: {run.seconds:.1f} s",
            f"Eingangsdaten: {run.inputs_digest}",
            f"Kalibrierung {state}; Abdeckung im Backtest (außerhalb der Stichprobe) {coverage}",
            *calibration.get("problems", []),
            "Nichts gespeichert (--dry-run)." if options["dry_run"]
            else f"Gespeichert als Entwurf Nr. {run.pk}.",
        ]  # fmt: skip
        self.stdout.write("\n".join(lines))
