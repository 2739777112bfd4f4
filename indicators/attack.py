"""Disclosure control checked from the outside: what an attacker can work out of the public
year tables, and a sweep that plants small counts and tries to recover them.

The attacker here knows only what the API and the downloads show: every published cell with
its numbers, every published total with its parts and weights (``sources``), rounded as
published, and the declared identities between indicators. Counts are taken as whole and
nonnegative wherever the published numbers never show otherwise. From that the attacker
bounds a withheld number by mixed-integer programming. The read path's own audit builds its
equations from the drafts; this one rebuilds them from the finished tables, so a number that
reaches an output by another route is caught here.
"""

import dataclasses
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from . import disclosure, suppression
from .disclosure import Equation, Problem, Secret
from .models import Indicator
from .read import geography, rollup
from .read.linked import load_links
from .read.values import YearTable
from .read.years import published_years
from .stats import Cell


def bounds(
    tables: Mapping[int, YearTable],
    links: Sequence[suppression.Link],
    target: tuple[int, str, int],
) -> tuple[float, float]:
    """The smallest and largest value of (indicator id, part, district id) that every
    published number of the tables allows."""
    values: dict[tuple, float] = {}
    withheld: set[tuple] = set()
    equations: list[Equation] = []
    for i, table in tables.items():
        rule = table.indicator
        base = table.of_level(table.base_level or "")
        for area in base:
            if area.cell is None:
                continue
            numbers = suppression.numbers(area.cell, rule)
            if numbers:
                values.update({(i, part, area.district_id): v for part, v in numbers.items()})
            elif area.cell.status == ".":  # withheld, or kept secret by the source
                withheld |= {(i, part, area.district_id) for part in suppression.kind_parts(rule)}
        ids = {a.code: a.district_id for a in base}
        for area in table.areas.values():
            if not area.sources or area.level == table.base_level or not area.has_value:
                continue
            for part, value in suppression.numbers(area.cell, rule).items():
                slack = suppression.rounding_slack(rule, part) if area.approximate else 0.0
                terms = {(i, part, ids[s.code]): s.weight for s in area.sources}
                equations.append(Equation(terms, value, slack))
    for link in links:
        whole_id, whole_part = link.whole
        if whole_id not in tables or any(p[0] not in tables for p in link.parts):
            continue
        for area in tables[whole_id].of_level(tables[whole_id].base_level or ""):
            d = area.district_id
            terms = {(whole_id, whole_part, d): 1.0}
            for part_id, part, sign in link.parts:
                key = (part_id, part, d)
                terms[key] = terms.get(key, 0.0) - sign
            if all(k in values or k in withheld for k in terms):
                equations.append(Equation(terms, 0.0))
    flags = suppression._flags(values)
    keys = values.keys() | withheld
    problem = Problem(
        values,
        withheld,
        equations,
        integer={k for k in keys if flags.get(k[:2], (True, False))[0]},
        signed={k for k in keys if flags.get(k[:2], (True, False))[1]},
    )
    return disclosure.feasible_range(problem, Secret({target: 1.0}, None))


# --- the sweep -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    indicator: str
    year: int
    code: str
    planted: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    withheld: bool
    low: float
    high: float
    threshold: int
    # Indicator slug → the codes of the districts and areas withheld in its table.
    pattern: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return not self.withheld or self.high - self.low < 1

    @property
    def narrow(self) -> bool:
        """Fewer possible whole values than the threshold: the cell is as good as known."""
        return self.exact or self.high - self.low + 1 < self.threshold

    @property
    def proven_small(self) -> bool:
        return self.exact or self.high < self.threshold


def sweep(
    *, sample: int | None = None, seed: int = 17, shard: tuple[int, int] = (0, 1)
) -> Iterable[Outcome]:
    """Plant a count of 1 or 2 in one base cell per indicator, year and district, build the
    public tables of its linked group as the read path does, and attack the planted cell.

    ``shard`` (k, n) takes every n-th case from the k-th on, so n processes share a sweep.
    """
    linked = load_links()
    balances = rollup.balance_ids()
    cases = planned(_cases(linked, seed), sample=sample, seed=seed, shard=shard)
    by_year: dict[int, list] = {}
    for case in cases:
        by_year.setdefault(case[1], []).append(case)
    for year, year_cases in sorted(by_year.items()):
        geo = geography.of_year(year)
        members = {i for _, _, _, _, group in year_cases for i in group}
        indicators = {i.id: i for i in Indicator.objects.filter(id__in=members)}
        raw = geography.raw_cells(list(indicators), [year])
        drafts = {
            i: rollup.draft(indicator, year, geo, raw.get((i, year), {}), balance=i in balances)
            for i, indicator in indicators.items()
        }
        for indicator_id, _, district_id, planted, group in year_cases:
            outcome = _attack(
                indicators,
                drafts,
                linked,
                geo,
                raw,
                year,
                indicator_id,
                district_id,
                planted,
                group,
            )
            if outcome is not None:
                yield outcome


def planned(cases: list, *, sample: int | None, seed: int, shard: tuple[int, int]) -> list:
    """The cases one process of a sweep attacks: a seeded sample of them (or all), every n-th
    from the k-th on for shard (k, n)."""
    if sample is not None:
        cases = random.Random(seed).sample(cases, min(sample, len(cases)))
    part, parts = shard
    return cases[part::parts]


def attack_case(*, indicator: Indicator, year: int, code: str, planted: int, linked=None):
    """One planted count, attacked: the Outcome, or None where it cannot be planted.

    ``linked`` replaces the declared identities the defence knows (the attacker always
    knows them all), to show what joint suppression prevents.
    """
    known = load_links()
    defence = known if linked is None else linked
    geo = geography.of_year(year)
    district = next(
        d
        for d, x in geo.districts.items()
        if x.code == code and x.rank == max(y.rank for y in geo.districts.values())
    )
    group = known.members.get(known.group.get(indicator.id), (indicator.id,))
    indicators = {i.id: i for i in Indicator.objects.filter(id__in=group)}
    raw = geography.raw_cells(list(indicators), [year])
    balances = rollup.balance_ids()
    drafts = {
        i: rollup.draft(x, year, geo, raw.get((i, year), {}), balance=i in balances)
        for i, x in indicators.items()
    }
    return _attack(
        indicators, drafts, known, geo, raw, year, indicator.id, district, planted, group,
        defence=defence,
    )  # fmt: skip


def _cases(linked, seed: int) -> list[tuple]:
    """(indicator id, year, base district id, planted count, group) for every base cell
    with a value, of every indicator counting cases (no balances, indices or supplies)."""
    rng = random.Random(seed)
    observed = Indicator.objects.filter(computation="", disclosure_threshold__gt=0).exclude(
        id__in=rollup.balance_ids()
    )
    observed = [i for i in observed if i.kind in ("count", "rate", "mean")]
    cases = []
    for year in published_years():
        geo = geography.of_year(year)
        raw = geography.raw_cells([i.id for i in observed], [year])
        for indicator in observed:
            cells = raw.get((indicator.id, year), {})
            draft = rollup.draft(indicator, year, geo, cells)
            group = linked.members.get(linked.group.get(indicator.id), (indicator.id,))
            for d, cell in sorted(draft.suppression.base.items()):
                if suppression.numbers(cell, indicator):
                    cases.append((indicator.id, year, d, rng.choice((1, 2)), group))
    return cases


def _with_part(cell: Cell, indicator: Indicator, part: str, number: float) -> Cell:
    """The cell with one of its numbers replaced, the value following from them."""
    numbers = suppression.numbers(cell, indicator)
    numbers[part] = number
    if indicator.kind == "count":
        return dataclasses.replace(cell, value=numbers["value"])
    denominator = numbers.get("denominator", cell.denominator)
    if indicator.kind in ("rate", "index"):
        numerator = numbers.get("numerator", cell.numerator)
        value = numerator / denominator * indicator.factor if denominator else cell.value
        return dataclasses.replace(cell, value=value, numerator=numerator, denominator=denominator)
    # A mean: its sum where that changed (persons of all households), else the persons
    # change and the mean stays.
    if part == "numerator" and denominator:
        return dataclasses.replace(cell, value=number / denominator, numerator=number)
    return dataclasses.replace(cell, numerator=cell.value * denominator, denominator=denominator)


def _plant(indicators, raw, links, geo, year, indicator_id, d, planted) -> dict | None:
    """(indicator id, year) → cells with the planted count at district d, the other numbers
    linked to it by identities changed as little as possible so that every identity holds,
    and the areas' own observations that contain d moved along. None where no such change
    exists."""
    indicator = indicators[indicator_id]
    target = (indicator_id, suppression.main_part(indicator))
    numbers = {
        (i, part): value
        for i in indicators
        if (cell := raw.get((i, year), {}).get(d)) is not None
        for part, value in suppression.numbers(cell, indicators[i]).items()
    }
    used = [
        link
        for link in links
        if all((i, part) in numbers for i, part, _ in link.parts) and link.whole in numbers
    ]
    terms = {(i, part) for link in used for i, part, _ in link.parts}
    keys = sorted({link.whole for link in used} | terms | {target})
    new = _nearest(keys, numbers, used, target, planted)
    if new is None:
        return None
    changed = {key: value for key, value in new.items() if value != numbers[key]}
    result = {}
    for (i, part), value in changed.items():
        cells = dict(result.get((i, year), raw.get((i, year), {})))
        delta = value - numbers[(i, part)]
        cells[d] = _with_part(cells[d], indicators[i], part, value)
        for t, parts in geo.parts.items():
            own = cells.get(t)
            weight = dict(parts).get(d)
            if t == d or own is None or weight is None or not own.has_value:
                continue
            old = suppression.numbers(own, indicators[i]).get(part)
            if old is not None:
                cells[t] = _with_part(own, indicators[i], part, old + weight * delta)
        result[(i, year)] = cells
    return result


def _nearest(keys, numbers, links, target, planted) -> dict | None:
    """The whole, nonnegative numbers closest to ``numbers`` (least total change) with the
    target set to ``planted`` and every link holding."""
    index = {key: n for n, key in enumerate(keys)}
    size = len(keys)
    # Variables: the new numbers, then the change above and below the old ones.
    cost = np.concatenate([np.zeros(size), np.ones(2 * size)])
    rows, rhs = [], []
    for link in links:
        row = np.zeros(3 * size)
        row[index[link.whole]] += 1
        for i, part, sign in link.parts:
            row[index[(i, part)]] -= sign
        rows.append(row)
        rhs.append(0.0)
    for key, n in index.items():
        row = np.zeros(3 * size)
        row[n], row[size + n], row[2 * size + n] = 1, -1, 1
        rows.append(row)
        rhs.append(float(planted) if key == target else numbers[key])
    fixed = index[target]
    upper = np.full(3 * size, np.inf)
    upper[size + fixed] = upper[2 * size + fixed] = 0  # the planted number moves nothing else
    rows[len(links) + fixed][size + fixed] = 0
    result = milp(
        cost,
        integrality=np.concatenate([np.ones(size), np.zeros(2 * size)]),
        bounds=Bounds(np.zeros(3 * size), upper),
        constraints=LinearConstraint(np.array(rows), rhs, rhs),
    )
    if result.x is None:
        return None
    return {key: float(round(result.x[n])) for key, n in index.items()}


def _attack(
    indicators, drafts, linked, geo, raw, year, indicator_id, d, planted, group, defence=None
):
    indicator = indicators[indicator_id]
    members = {i: indicators[i] for i in group if i in indicators}
    links = linked.links if len(members) > 1 else ()
    defended = (defence or linked).links if len(members) > 1 else ()
    plant = _plant(members, raw, links, geo, year, indicator_id, d, planted)
    if plant is None:
        return None
    mine = dict(drafts)
    balances = {i for i, x in drafts.items() if x.suppression.balance}
    for (i, _), cells in plant.items():
        mine[i] = rollup.draft(indicators[i], year, geo, cells, balance=i in balances)
    members = {i: mine[i] for i in group if i in mine}
    withheld = suppression.disclose({i: m.suppression for i, m in members.items()}, defended)
    tables = {i: rollup.finish(m, geo, withheld[i]) for i, m in members.items()}
    part = suppression.main_part(indicator)
    area = tables[indicator_id].areas[d]
    case = Case(indicator.slug, year, geo.districts[d].code, planted)
    low, high = bounds(tables, links, (indicator_id, part, d))
    pattern = {
        indicators[i].slug: frozenset(geo.districts[t].code for t in withheld[i]) for i in members
    }
    return Outcome(case, area.cell.suppressed, low, high, indicator.applied_threshold, pattern)
