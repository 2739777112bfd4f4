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
from collections.abc import Callable, Mapping, Sequence
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
    if rule.kind in ("mean", "index"):
        # A mean publishes its sum (the persons of all households, the years of all ages)
        # and an index the counts it compares (Bevölkerungsentwicklung: this year's
        # inhabitants against the base year's): an identity may tie them to other cells.
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
    if rule.kind in ("rate", "index", "mean"):
        return [NUMERATOR, *counted]
    return []


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
        few_cases = _few_cases(draft)
        primary = {d for d, c in draft.cells.items() if few_cases(c)}
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
    for i, d in table.followers | table.expand(cells) | totals:
        withheld[i].add(d)
    return withheld


def _few_cases(draft: Draft) -> Callable[[Cell], bool]:
    """Whether a cell of the draft counts fewer cases than its indicator's threshold.

    The rule is read once per table: a table of blocks has thousands of cells, and the
    threshold's floor is a setting.
    """
    rule = draft.indicator
    threshold = rule.applied_threshold
    if draft.balance:
        # Only the people it is counted among: the numerator is a difference, no cases.
        if not rule.denominator_is_count:
            return lambda cell: False
        return lambda cell: (
            cell.has_value and cell.denominator is not None and cell.denominator < threshold
        )
    kind, factor, counted = rule.kind, rule.factor, rule.denominator_is_count
    return lambda cell: stats.is_below_threshold(
        cell, kind=kind, threshold=threshold, factor=factor, denominator_is_count=counted
    )


class _Copies:
    """Numbers that one table publishes again as a part of another: a rate's denominator
    declared to be Einwohner, an index's numerator this year's inhabitants. Each such pair is
    one unknown of the audit, not two tied by an equation, and a cell that publishes a copy
    of a withheld number is withheld with it: so a withheld inhabitant count takes the
    fifteen rates that divide by it along at once, as one complement, instead of one round
    of the search each.

    Only numbers that are equal (or where one is kept secret by the source) are copies; a
    declared identity the data do not meet exactly stays an equation with its slack.
    """

    def __init__(self, drafts: Mapping[int, Draft], links: Sequence[Link]):
        self._parent: dict[tuple, tuple] = {}
        for link in links:
            if len(link.parts) != 1 or link.parts[0][2] != 1:
                continue
            (part_id, part, _), (whole_id, whole_part) = link.parts[0], link.whole
            if whole_id not in drafts or part_id not in drafts:
                continue
            whole, other = drafts[whole_id], drafts[part_id]
            for d in whole.cells.keys() & other.cells.keys():
                a = self._number(whole, whole_part, d)
                b = self._number(other, part, d)
                if a is False or b is False:
                    continue  # no such number there
                if a is None or b is None or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9):
                    self._join((whole_id, whole_part, d), (part_id, part, d))
        self.classes: dict[tuple, list[tuple]] = defaultdict(list)
        for key in self._parent:
            self.classes[self.find(key)].append(key)

    @staticmethod
    def _number(draft: Draft, part: str, d: int) -> float | bool | None:
        """The number (None: kept secret by the source; False: the cell publishes none)."""
        cell = draft.cells[d]
        if cell.status == stats.SECRET and not cell.has_value:
            return None if part in kind_parts(draft.indicator) else False
        return numbers(cell, draft.indicator).get(part, False)

    def find(self, key: tuple) -> tuple:
        parent = self._parent
        if key not in parent:
            return key
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def _join(self, a: tuple, b: tuple) -> None:
        self._parent.setdefault(a, a)
        self._parent.setdefault(b, b)
        roots = sorted((self.find(a), self.find(b)), key=repr)
        self._parent[roots[1]] = roots[0]


class _Table:
    """The drafts of linked indicators as one system of unknowns and equations."""

    def __init__(self, drafts: Mapping[int, Draft], links: Sequence[Link], withheld):
        self.drafts = drafts
        self.withheld = withheld
        # Cells withheld because they publish a copy of a withheld figure (no secrets).
        self.followers: set[tuple[int, int]] = set()
        self.groups: dict[tuple, set[tuple[int, int]]] = {}  # a copy's candidate → its cells
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
        self._secret_totals: list[tuple[int, int, set[str]]] = []  # (id, total, parts)
        for i, draft in drafts.items():
            self._add_base(i, draft)
        for i, draft in drafts.items():
            self._add_totals(i, draft)
        for link in links:
            self._add_link(link)
        copies = _Copies(drafts, links)
        if copies.classes:
            self._merge(copies)

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
                secrets = self._secrets(draft, truth, weights)
                self._total_secrets += secrets
                parts = {key[1] for secret in secrets for key in secret.terms}
                self._secret_totals.append((i, t, parts))
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
            if not all(k in self.values or k in self.unknown for k in terms):
                continue  # a part has no number there, or lies on another level
            # A number the source keeps secret is tied to the others as declared.
            known = all(k in self.values for k in terms)
            residue = sum(w * self.values[k] for k, w in terms.items()) if known else 0.0
            self.equations.append(Equation(dict(terms), 0.0, abs(residue)))

    def _merge(self, copies: "_Copies") -> None:
        """One unknown for a number and its copies. It is withheld only where every cell
        that publishes it is; so the cells publishing a copy of a withheld figure are
        withheld with it (followers), and a copy shown in several cells is a complement of
        its own, taking all of them (``groups``)."""
        find = copies.find
        present = self.values.keys() | self.unknown
        # The figures to protect: a withheld cell's numbers that are secrets, a withheld
        # total's parts that are.
        secret_keys = {k for x in self._base_secrets for k in x.terms}
        secret_keys |= {(i, part, t) for i, t, parts in self._secret_totals for part in parts}
        for key in secret_keys:
            for j, _, e in copies.classes.get(find(key), ()):
                if (j, e) in self.candidates or (j, e) in self.total_rows:
                    self._follow(j, e)
        members: dict[tuple, list[tuple]] = defaultdict(list)
        for key in present:
            members[find(key)].append(key)
        self.hidden = {c for c, keys in members.items() if all(k in self.hidden for k in keys)}
        values: dict[tuple, float] = {}
        for key, value in self.values.items():
            values.setdefault(find(key), value)
        self.values = values
        self.unknown = {find(k) for k in self.unknown} - values.keys()
        self.equations = [
            Equation(_merged(e.terms, find), e.value, e.slack) for e in self.equations
        ]
        # A cell alone hides the numbers it publishes alone; a number shown in several cells
        # is hidden by withholding all of them, which is one candidate.
        owners: dict[tuple, set[tuple[int, int]]] = defaultdict(set)
        for cell, keys in self.candidates.items():
            for key in keys:
                owners[find(key)].add(cell)
        candidates: dict[tuple, list[tuple]] = {}
        for c, cells in owners.items():
            if len(cells) > 1 and c not in self.hidden:
                group = {cell for cell in cells if cell in self.candidates}
                self.groups[("copies", c)] = group
                # What withholding them hides: the numbers no cell outside them shows.
                candidates[("copies", c)] = sorted(
                    {
                        find(k)
                        for cell in group
                        for k in self.candidates[cell]
                        if owners[find(k)] <= group
                    },
                    key=repr,
                )
                self.cases[("copies", c)] = abs(values.get(c, 0.0))
                if group & self.pinned:
                    self.pinned.add(("copies", c))
        for cell, keys in self.candidates.items():
            alone = sorted({find(k) for k in keys if len(owners[find(k)]) == 1}, key=repr)
            if alone:
                candidates[cell] = alone
        self.candidates = candidates
        self._base_secrets = [self._merged_secret(x, find) for x in self._base_secrets]
        self._total_secrets = [self._merged_secret(x, find) for x in self._total_secrets]

    def _follow(self, i: int, d: int) -> None:
        """Withhold the cell or total (i, d) because it publishes a withheld figure."""
        self.followers.add((i, d))
        keys = self.candidates.pop((i, d), None)
        if keys is not None:
            self.hidden |= set(keys)
        for row in self.total_rows.pop((i, d), ()):
            self.equations[row] = Equation({}, 0.0)

    def expand(self, chosen) -> set[tuple[int, int]]:
        """The cells behind the complements ``complete`` chose."""
        result = set()
        for key in chosen:
            result |= self.groups.get(key, {key})
        return result

    def _merged_secret(self, secret: Secret, find) -> Secret:
        terms = _merged(secret.terms, find)
        value = secret.value
        if value is None and all(k in self.values for k in terms):
            # Kept secret by the source, delivered in a table that publishes it again.
            value = sum(w * self.values[k] for k, w in terms.items())
        return Secret(terms, value, secret.protection)

    def problem(self) -> Problem:
        flags = _flags(self.values)
        keys = self.values.keys() | self.unknown
        integer = {k for k in keys if flags.get(k[:2], (False, False))[0]}
        signed = {k for k in keys if flags.get(k[:2], (False, True))[1]}
        return Problem(self.values, set(self.hidden), self.equations, integer, signed)

    def secrets(self) -> list[Secret]:
        return self._base_secrets + self._total_secrets


def _merged(terms: Mapping[tuple, float], find) -> dict[tuple, float]:
    merged: dict[tuple, float] = defaultdict(float)
    for key, weight in terms.items():
        merged[find(key)] += weight
    return {k: w for k, w in merged.items() if abs(w) > 1e-12}


def _flags(values: Mapping[tuple, float]) -> dict[tuple, tuple[bool, bool]]:
    """(indicator id, part) → (every number whole, some number negative): an attacker may
    assume whole, nonnegative numbers wherever the data never show otherwise."""
    whole: dict[tuple, bool] = defaultdict(lambda: True)
    signed: dict[tuple, bool] = defaultdict(bool)
    for (i, part, _), value in values.items():
        whole[(i, part)] = whole[(i, part)] and math.isclose(value, round(value), abs_tol=1e-9)
        signed[(i, part)] = signed[(i, part)] or value < 0
    return {key: (whole[key], signed[key]) for key in whole}
