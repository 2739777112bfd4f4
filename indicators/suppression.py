"""Disclosure control of the year tables: which cells are withheld, jointly over linked
indicators.

A year table of one indicator holds the cells of its finest level (the base) and the totals
built on them for every coarser area. Primary suppression withholds every cell and total
with fewer cases than the indicator's threshold, and every cell forced by another table.
Then the interval audit (``disclosure``) judges what is published as a whole: each base cell
stands for one unknown per published number (a count's value; a rate's numerator and
denominator; a mean's denominator), each published total for one equation per number, and a
declared identity between indicators (Einwohner = Σ the age bands) for one equation per base
district. Complements are added until every withheld figure is protected.

Tables of linked indicators are judged together: withholding a band in one district forces
what is needed in Einwohner or in the other bands of that district.
"""

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import disclosure, stats
from .disclosure import Equation, Problem, Secret
from .stats import Cell

VALUE, NUMERATOR, DENOMINATOR = "value", "numerator", "denominator"
PARTS = (VALUE, NUMERATOR, DENOMINATOR)


class Rule:
    """What disclosure control needs to know of an indicator (a model instance fits)."""

    id: int
    kind: str
    factor: float
    decimals: int
    denominator_is_count: bool
    applied_threshold: int


@dataclass
class Draft:
    """One indicator's cells of one year before disclosure control."""

    indicator: Rule
    base: dict[int, Cell]  # base district → cell
    cells: dict[int, Cell]  # every district with a cell, base and coarser
    totals: dict[int, dict[int, float]]  # coarser district → {base district: weight}
    approximate: dict[int, bool] = field(default_factory=dict)
    forced: set[int] = field(default_factory=set)
    # A balance (births minus deaths): its numerator counts no cases, its parts do.
    balance: bool = False


@dataclass(frozen=True)
class Link:
    """In every area: ``whole`` = Σ sign × part, each a (indicator id, part) pair."""

    whole: tuple[int, str]
    parts: tuple[tuple[int, str, int], ...]


def numbers(cell: Cell, rule: Rule) -> dict[str, float]:
    """The numbers a cell publishes that are sums over people: its unknowns when withheld."""
    if not cell.has_value:
        return {}
    if rule.kind == "count":
        return {VALUE: cell.value}
    if rule.kind == "rate":
        result = {}
        numerator = cell.numerator
        if numerator is None and cell.denominator is not None:
            numerator = cell.value * cell.denominator / rule.factor
        if numerator is not None:
            result[NUMERATOR] = numerator
        if cell.denominator is not None and rule.denominator_is_count:
            result[DENOMINATOR] = cell.denominator
        return result
    if rule.kind == "mean" and cell.denominator is not None and rule.denominator_is_count:
        return {DENOMINATOR: cell.denominator}
    if rule.kind == "index":
        # An index published with the counts it compares (Bevölkerungsentwicklung: this
        # year's inhabitants against the base year's) publishes those counts, too.
        result = {}
        if cell.numerator is not None:
            result[NUMERATOR] = cell.numerator
        if cell.denominator is not None and rule.denominator_is_count:
            result[DENOMINATOR] = cell.denominator
        return result
    return {}


def kind_parts(rule: Rule) -> list[str]:
    """The numbers a cell of this kind of indicator publishes (see ``numbers``)."""
    if rule.kind == "count":
        return [VALUE]
    counted = [DENOMINATOR] if rule.denominator_is_count else []
    if rule.kind in ("rate", "index"):
        return [NUMERATOR, *counted]
    return counted if rule.kind == "mean" else []


def main_part(rule: Rule) -> str:
    """The number that says what the cell is about: the count, the cases of a rate, the
    persons of a mean."""
    return {"count": VALUE, "rate": NUMERATOR, "mean": DENOMINATOR}.get(rule.kind, VALUE)


def rounding_slack(rule: Rule, part: str) -> float:
    """Half the step a rounded total is published with."""
    decimals = rule.decimals if part == VALUE else 0
    return 0.5 * 10.0**-decimals


def disclose(drafts: Mapping[int, Draft], links: Sequence[Link] = ()) -> dict[int, set[int]]:
    """Indicator id → the districts whose cells are withheld, primary and complements."""
    withheld: dict[int, set[int]] = {}
    secret: dict[int, set[int]] = {}
    for i, draft in drafts.items():
        primary = {d for d, c in draft.cells.items() if _few_cases(c, draft)}
        withheld[i] = primary | (draft.forced & draft.cells.keys())
        # Values the source itself keeps secret are protected like withheld ones; they show
        # the source's own symbol.
        secret[i] = {d for d, c in draft.cells.items() if c.status == stats.SECRET}
    if not any(withheld.values()) and not any(secret.values()):
        return withheld
    table = _Table(drafts, links, {i: withheld[i] | secret[i] for i in drafts})
    cells, totals = disclosure.complete(
        table.problem(),
        table.secrets(),
        cells=table.candidates,
        cases=table.cases,
        totals=table.total_rows,
        pinned=table.pinned,
    )
    for i, d in cells | totals:
        withheld[i].add(d)
    return withheld


def _few_cases(cell: Cell, draft: Draft) -> bool:
    rule = draft.indicator
    if draft.balance:
        # Only the people it is counted among: the numerator is a difference, no cases.
        people = cell.denominator if cell.has_value and rule.denominator_is_count else None
        return people is not None and people < rule.applied_threshold
    return stats.is_below_threshold(
        cell,
        kind=rule.kind,
        threshold=rule.applied_threshold,
        factor=rule.factor,
        denominator_is_count=rule.denominator_is_count,
    )


class _Table:
    """The drafts of linked indicators as one system of unknowns and equations."""

    def __init__(self, drafts: Mapping[int, Draft], links: Sequence[Link], withheld):
        self.drafts = drafts
        self.withheld = withheld
        self.values: dict[tuple, float] = {}
        self.unknown: set[tuple] = set()  # withheld by the source, value not delivered
        self.hidden: set[tuple] = set()
        self.candidates: dict[tuple, list[tuple]] = {}
        self.cases: dict[tuple, float] = {}
        self.equations: list[Equation] = []
        self.total_rows: dict[tuple, list[int]] = {}
        self.pinned: set[tuple] = set()
        self._base_secrets: list[Secret] = []
        self._total_secrets: list[Secret] = []
        for i, draft in drafts.items():
            self._add_base(i, draft)
        for i, draft in drafts.items():
            self._add_totals(i, draft)
        for link in links:
            self._add_link(link)

    def _add_base(self, i: int, draft: Draft) -> None:
        rule = draft.indicator
        hidden = self.withheld[i]
        for d, cell in draft.base.items():
            values = numbers(cell, rule)
            for part, value in values.items():
                self.values[(i, part, d)] = value
            if d in hidden and not values and cell.status == stats.SECRET:
                unknown = {(i, part, d) for part in kind_parts(rule)}
                self.unknown |= unknown
                self.hidden |= unknown
                if (i, main_part(rule), d) in unknown:
                    self._base_secrets.append(Secret({(i, main_part(rule), d): 1.0}, None))
            elif d in hidden:
                self.hidden |= {(i, part, d) for part in values}
                self._base_secrets += self._secrets(draft, values, {d: 1.0})
            elif values:
                self.candidates[(i, d)] = [(i, part, d) for part in values]
                cases = stats.case_count(
                    cell,
                    kind=rule.kind,
                    factor=rule.factor,
                    denominator_is_count=rule.denominator_is_count,
                )
                self.cases[(i, d)] = cases if cases is not None else 0.0

    def _add_totals(self, i: int, draft: Draft) -> None:
        rule = draft.indicator
        hidden = self.withheld[i]
        for t, weights in draft.totals.items():
            weights = {s: w for s, w in weights.items() if w}
            cell = draft.cells.get(t)
            if cell is None or not weights:
                continue
            if len(weights) == 1 and next(iter(weights.values())) == 1:
                # A coarser area that is one base district shows that district's cell.
                self.pinned.add((i, next(iter(weights))))
            truth = self._truth(i, weights)
            if t in hidden:
                self._total_secrets += self._secrets(draft, truth, weights)
                continue
            rows = []
            for part, value in numbers(cell, rule).items():
                if part not in truth:
                    continue
                slack = rounding_slack(rule, part) if draft.approximate.get(t) else 0.0
                if truth[part] is not None:
                    # An area's own observation may differ from the sum of its parts.
                    slack = max(slack, abs(value - truth[part]))
                terms = {(i, part, s): w for s, w in weights.items()}
                rows.append(len(self.equations))
                self.equations.append(Equation(terms, value, slack))
            if rows:
                self.total_rows[(i, t)] = rows

    def _truth(self, i: int, weights: Mapping[int, float]) -> dict[str, float | None]:
        """The true weighted sums of the base numbers, part by part (None where a part is
        kept secret by the source and its value unknown)."""
        result: dict[str, float | None] = {}
        for part in PARTS:
            keys = [(i, part, s) for s in weights]
            if all(k in self.values for k in keys):
                result[part] = sum(self.values[(i, part, s)] * w for s, w in weights.items())
            elif all(k in self.values or k in self.unknown for k in keys):
                result[part] = None
        return result

    def _secrets(self, draft: Draft, truth: Mapping[str, float], weights) -> list[Secret]:
        """What a withheld figure must keep: room above it where it counts few cases (the
        threshold), else only not to be pinned (its main number)."""
        rule = draft.indicator
        threshold = rule.applied_threshold
        result = []
        for part, value in truth.items():
            terms = {(rule.id, part, s): w for s, w in weights.items()}
            counts_cases = not (draft.balance and part == NUMERATOR)
            if counts_cases and value is not None and 0 <= value < threshold:
                result.append(Secret(terms, value, float(threshold)))
            elif part == main_part(rule):
                result.append(Secret(terms, value))
        return result

    def _add_link(self, link: Link) -> None:
        whole_id, whole_part = link.whole
        if whole_id not in self.drafts or any(p[0] not in self.drafts for p in link.parts):
            return
        for d in self.drafts[whole_id].base:
            terms: dict[tuple, float] = defaultdict(float)
            terms[(whole_id, whole_part, d)] += 1.0
            for part_id, part, sign in link.parts:
                terms[(part_id, part, d)] -= sign
            if not all(k in self.values for k in terms):
                continue  # a part has no number there, or lies on another level
            residue = sum(w * self.values[k] for k, w in terms.items())
            self.equations.append(Equation(dict(terms), 0.0, abs(residue)))

    def problem(self) -> Problem:
        flags = _flags(self.values)
        keys = self.values.keys() | self.unknown
        integer = {k for k in keys if flags.get(k[:2], (False, False))[0]}
        signed = {k for k in keys if flags.get(k[:2], (False, True))[1]}
        return Problem(self.values, set(self.hidden), self.equations, integer, signed)

    def secrets(self) -> list[Secret]:
        return self._base_secrets + self._total_secrets


def _flags(values: Mapping[tuple, float]) -> dict[tuple, tuple[bool, bool]]:
    """(indicator id, part) → (every number whole, some number negative): an attacker may
    assume whole, nonnegative numbers wherever the data never show otherwise."""
    whole: dict[tuple, bool] = defaultdict(lambda: True)
    signed: dict[tuple, bool] = defaultdict(bool)
    for (i, part, _), value in values.items():
        whole[(i, part)] = whole[(i, part)] and math.isclose(value, round(value), abs_tol=1e-9)
        signed[(i, part)] = signed[(i, part)] or value < 0
    return {key: (whole[key], signed[key]) for key in whole}
