"""Plant small counts in the published tables and try to recover them from the outside."""

import time

from django.core.management.base import BaseCommand, CommandError

from indicators.attack import sweep


class Command(BaseCommand):
    help = (
        "Setzt in jede Zelle (Indikator, Jahr, Bezirk) eine Fallzahl von 1 oder 2, baut die "
        "öffentlichen Tabellen wie der Lesepfad und sucht die Zahl aus allem Veröffentlichten "
        "zu bestimmen. Scheitert, wenn eine Zelle genau oder enger als ihre Schwelle bestimmbar "
        "ist. / Plants a count of 1 or 2 in every cell and attacks it from the published data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, help="nur so viele zufällige Fälle / sample size")
        parser.add_argument("--seed", type=int, default=17)
        parser.add_argument(
            "--shard",
            default="1/1",
            help="k/n: nur jeden n-ten Fall ab dem k-ten, für n Prozesse nebeneinander "
            "/ every n-th case from the k-th on, for n processes side by side",
        )

    def handle(self, *args, sample=None, seed=17, shard="1/1", **options):
        started = time.perf_counter()
        total = exact = narrow = small = 0
        for outcome in sweep(sample=sample, seed=seed, shard=_shard(shard)):
            total += 1
            exact += outcome.exact
            narrow += outcome.narrow
            small += outcome.proven_small
            if total % 500 == 0:
                self.stdout.write(
                    f"… {total} Fälle, {time.perf_counter() - started:.0f} s: genau {exact}, "
                    f"enger als die Schwelle {narrow}, als klein beweisbar {small}"
                )
            if outcome.narrow or outcome.proven_small:
                c = outcome.case
                self.stdout.write(
                    f"offengelegt: {c.indicator} {c.year} {c.code} = {c.planted}: "
                    f"{outcome.low:g} … {outcome.high:g}"
                )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{total} Fälle in {seconds:.0f} s: genau bestimmbar {exact}, "
            f"enger als die Schwelle {narrow}, als klein beweisbar {small}"
        )
        if exact or narrow or small:
            raise CommandError("Geheimhaltung verletzt / disclosure control failed")


def _shard(text: str) -> tuple[int, int]:
    """ "2/4" → (1, 4): the shard's index from 0 and the number of shards."""
    try:
        part, parts = (int(x) for x in text.split("/"))
    except ValueError:
        part = parts = 0
    if not 1 <= part <= parts:
        raise CommandError(f"--shard {text!r}: erwartet k/n mit 1 ≤ k ≤ n, z. B. 1/2")
    return part - 1, parts
