"""What disclosure control costs: the read path's audit per year table, for Bottrop and for a
level the size of Germany's municipalities, and the full planted-count sweep (`make audit`).

    DATABASE_URL=postgis://…/atlas_bench .venv/bin/python bench/disclosure_audit.py [--sweep]

1. Bottrop (the demo data): every linked group of indicators and every year built fresh, as
   on the first request after a release (drafts, joint suppression with its interval audit,
   finished tables); time per group and year, and per indicator table.
2. Germany-size: 10,800 municipalities in 400 Kreise in 16 Länder in one country, plus a
   level of 96 regions that cut municipalities (each region takes whole municipalities and a
   share of some at its edge: an estimate published rounded); one count indicator with
   seeded Poisson counts (a few hundred cells below 3). One year table's disclosure control.
3. A count kept secret by the source that fifteen rates publish again as their denominator
   (Einwohner of one district): its group's year table, built fresh.
4. With --sweep: the sweep of `manage.py audit_disclosure` over every case, its time and
   what it found.
"""

import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlas.settings")


def bottrop() -> None:
    from indicators import suppression
    from indicators.models import Indicator
    from indicators.read import geography, rollup
    from indicators.read.linked import load_links
    from indicators.read.years import published_years

    linked = load_links()
    balances = rollup.balance_ids()
    indicators = list(Indicator.objects.filter(computation=""))
    groups: dict[int, list] = {}
    for indicator in indicators:
        groups.setdefault(linked.group.get(indicator.id, -indicator.id), []).append(indicator)
    per_group, per_table = [], []
    for year in published_years():
        geo = geography.of_year(year)
        raw = geography.raw_cells([i.id for i in indicators], [year])
        for members in groups.values():
            started = time.perf_counter()
            drafts = {
                i.id: rollup.draft(
                    i, year, geo, raw.get((i.id, year), {}), balance=i.id in balances
                )
                for i in members
            }
            links = linked.links if len(members) > 1 else ()
            withheld = suppression.disclose({i: d.suppression for i, d in drafts.items()}, links)
            for i, draft in drafts.items():
                rollup.finish(draft, geo, withheld[i])
            seconds = time.perf_counter() - started
            per_group.append((seconds, len(members), year))
            per_table.append(seconds / len(members))
    largest = max(per_group, key=lambda g: g[1])
    print("Bottrop (17 districts, 3 Stadtbezirke, city):")
    print(f"  group tables built:       {len(per_group)}")
    print(f"  per indicator table:      median {statistics.median(per_table) * 1000:.1f} ms, "
          f"max {max(per_table) * 1000:.1f} ms")  # fmt: skip
    times = [g[0] * 1000 for g in per_group]
    print(f"  per group and year:       median {statistics.median(times):.1f} ms, "
          f"max {max(times):.0f} ms")  # fmt: skip
    biggest = [g[0] * 1000 for g in per_group if g[1] == largest[1]]
    print(f"  largest group ({largest[1]} indicators): median {statistics.median(biggest):.0f} ms,"
          f" max {max(biggest):.0f} ms")  # fmt: skip


def source_secret() -> None:
    from indicators import suppression
    from indicators.models import Indicator
    from indicators.read import geography, rollup
    from indicators.read.linked import load_links
    from indicators.read.years import published_years
    from indicators.stats import Cell

    linked = load_links()
    einwohner = Indicator.objects.get(slug="einwohner")
    members = [
        i
        for i in Indicator.objects.filter(computation="")
        if linked.group.get(i.id) == linked.group.get(einwohner.id)
    ]
    copies = [link for link in linked.links if link.parts == ((einwohner.id, "value", 1),)]
    year = max(published_years())
    geo = geography.of_year(year)
    raw = geography.raw_cells([i.id for i in members], [year])
    cells = dict(raw[(einwohner.id, year)])
    secret = min(d for d in cells if d in geo.districts and geo.districts[d].rank == max(
        x.rank for x in geo.districts.values()))  # fmt: skip
    cells[secret] = Cell(None, None, None, ".")
    raw[(einwohner.id, year)] = cells
    started = time.perf_counter()
    balances = rollup.balance_ids()
    drafts = {
        i.id: rollup.draft(i, year, geo, raw.get((i.id, year), {}), balance=i.id in balances)
        for i in members
    }
    withheld = suppression.disclose({i: d.suppression for i, d in drafts.items()}, linked.links)
    seconds = time.perf_counter() - started
    print(f"Einwohner of one district kept secret by the source ({year}, {len(copies)} rates and "
          f"indices publish it again):")  # fmt: skip
    print(f"  its group of {len(members)} indicators: {seconds * 1000:.0f} ms, "
          f"{sum(len(w) for w in withheld.values())} cells and totals withheld")  # fmt: skip


class _Unprotected(logging.Handler):
    """Counts the figures the complement search reports it could not protect."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0
        logging.getLogger("indicators.disclosure").addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.count += int(record.args[0])


class _Rule:
    id = 1
    kind = "count"
    factor = 1.0
    decimals = 0
    denominator_is_count = True
    applied_threshold = 3


def germany(seed: int = 11) -> None:
    from indicators import suppression
    from indicators.stats import Cell

    rng = random.Random(seed)
    municipalities = list(range(10_800))
    kreis = {m: m * 400 // len(municipalities) for m in municipalities}
    land = {k: k * 16 // 400 for k in range(400)}
    # Small places have small counts: a skewed size, Poisson counts at a rate of 0.3 %.
    people = {m: int(rng.lognormvariate(7.5, 1.2)) + 50 for m in municipalities}
    counts = {m: float(_poisson(rng, people[m] * 0.003)) for m in municipalities}
    base = {m: Cell(counts[m], None, None, "normal") for m in municipalities}
    totals: dict[int, dict[int, float]] = {}
    ids = 100_000
    for k in range(400):
        totals[ids + k] = {m: 1.0 for m in municipalities if kreis[m] == k}
    for land_id in range(16):
        totals[ids + 1000 + land_id] = {m: 1.0 for m in municipalities if land[kreis[m]] == land_id}
    totals[ids + 2000] = dict.fromkeys(municipalities, 1.0)
    # Regions that do not nest: runs of 112 municipalities, the edge ones shared.
    approximate = {}
    for r in range(96):
        start = r * 112
        parts = {m: 1.0 for m in municipalities[start : start + 112]}
        if start > 0:
            share = rng.uniform(0.05, 0.95)
            parts[start] = share
        if start + 112 < len(municipalities):
            parts[start + 112] = 1 - rng.uniform(0.05, 0.95)
        totals[ids + 3000 + r] = parts
        approximate[ids + 3000 + r] = True
    cells = dict(base)
    for t, parts in totals.items():
        value = sum(counts[m] * w for m, w in parts.items())
        cells[t] = Cell(float(round(value)) if t in approximate else value, None, None, "normal")
    draft = suppression.Draft(_Rule(), base, cells, totals, approximate)
    small = sum(1 for c in counts.values() if c < 3)
    unprotected = _Unprotected()
    started = time.perf_counter()
    withheld = suppression.disclose({1: draft})[1]
    seconds = time.perf_counter() - started
    print("Germany-size level (10,800 municipalities, 400 Kreise, 16 Länder, 96 regions):")
    print(f"  cells below 3:            {small}")
    print(f"  withheld in all:          {len(withheld)}")
    print(f"  disclosure control:       {seconds:.1f} s for the year table")
    print(f"  left unprotected:         {unprotected.count}")


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means of a count per municipality.
    limit, k, product = pow(2.718281828459045, -min(mean, 30)), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k if mean <= 30 else int(rng.gauss(mean, mean**0.5))


def sweep() -> None:
    from indicators.attack import sweep as planted

    started = time.perf_counter()
    outcomes = list(planted())
    seconds = time.perf_counter() - started
    exact = sum(o.exact for o in outcomes)
    narrow = sum(o.narrow for o in outcomes)
    small = sum(o.proven_small for o in outcomes)
    print("Planted counts of 1 or 2, every indicator, year and district:")
    print(f"  cases:                    {len(outcomes)} in {seconds:.0f} s "
          f"({seconds / max(len(outcomes), 1) * 1000:.0f} ms each)")  # fmt: skip
    print(f"  recovered exactly:        {exact}")
    print(f"  range under the threshold:{narrow:>5}")
    print(f"  provably below 3:         {small}")


def main() -> None:
    import django

    django.setup()
    bottrop()
    source_secret()
    germany()
    if "--sweep" in sys.argv:
        sweep()


if __name__ == "__main__":
    main()
