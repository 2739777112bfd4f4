"""Interval audit of a suppression pattern, and the search for complements that pass it.

Everything the atlas publishes about a table is a linear statement about its cells: a shown
cell is a constant, a total is a weighted sum of cells (known to within half the rounding step
it is published with), and declared identities between indicators tie their cells together
(Einwohner = the sum of the age bands). An attacker who knows all of it, and that counts are
whole and never negative, can still say this much about a withheld cell: it lies between the
smallest and the largest value the equations allow. The audit computes that range for every
withheld cell and withheld total and asks that it protects them:

- a figure withheld for having few cases must be able to lie at least the threshold above its
  true value (the upper protection level of τ-ARGUS), so nobody can prove it small;
- any other withheld figure must not be pinned to its value (it could be one case more or
  less).

Linear programming gives a range that is never narrower than the truth, so a figure that fails
there fails; one that passes there is decided by mixed-integer programming over the whole
numbers (HiGHS, through scipy). Withholding a further cell only widens every range, so a
figure that passed once is not checked again while complements are added.

Nothing here knows Django: keys are any hashable names of cells.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, vstack

logger = logging.getLogger(__name__)

Key = Hashable

# A published figure known exactly still carries float noise from its sum.
EXACT_SLACK = 1e-6
# How far a figure must be able to move not to count as pinned: one case.
NOT_PINNED = 1.0
# An integer search that finds no point within this many branch-and-bound nodes counts as
# "cannot reach": a further complement is cheaper than a slow page, and never less safe. A
# limit in nodes, not seconds, gives the same pattern on a busy machine as on an idle one (two
# patterns of the same data, published side by side, would each reveal what the other hides);
# the demo data's searches all end at the first node. The time limit only stops a runaway
# search, and says so in the log.
MILP_NODES = 1000
MILP_SECONDS = 10.0
# Systems larger than this are first tried with the secret's neighbours only.
LOCAL_ABOVE = 300
# How often the search for complements prices its cells again (``_Choices._cheapest``).
REWEIGHTINGS = 4
# Small systems are solved from dense matrices (less overhead), large ones from sparse.
DENSE_UP_TO = 50_000


@dataclass(frozen=True)
class Equation:
    """Σ terms[key] × cell[key] lies within ``value`` ± ``slack``."""

    terms: Mapping[Key, float]
    value: float
    slack: float = EXACT_SLACK


@dataclass(frozen=True)
class Secret:
    """A withheld figure: a weighted sum of cells with its true value.

    ``protection`` > 0: it must be able to lie that far above its value; 0: it must only not
    be pinned. A value kept secret by the source itself is not known (None): the range the
    equations leave it must hold more than one value.
    """

    terms: Mapping[Key, float]
    value: float | None
    protection: float = 0.0


@dataclass
class Problem:
    """What is known: the true value of every cell, which are withheld, and the equations."""

    values: Mapping[Key, float]
    withheld: set[Key]
    equations: Sequence[Equation]
    integer: set[Key] = field(default_factory=set)  # cells that are whole numbers
    signed: set[Key] = field(default_factory=set)  # cells that may be negative

    def reduced(self) -> list[Equation]:
        """The equations over withheld cells only, shown cells moved to the right side."""
        result = []
        for equation in self.equations:
            terms = {k: w for k, w in equation.terms.items() if w and k in self.withheld}
            if not terms:
                continue
            known = sum(
                w * self.values[k] for k, w in equation.terms.items() if k not in self.withheld
            )
            result.append(Equation(terms, equation.value - known, equation.slack))
        return result


def protected(problem: Problem, secret: Secret) -> bool:
    return _Audit(problem).protected(secret)


def feasible_range(problem: Problem, secret: Secret) -> tuple[float, float]:
    """The smallest and largest value the secret can take (over whole numbers where cells are
    whole): what an attacker can prove. For audits and tests; the read path asks yes or no."""
    system = _Audit(problem).system(secret)
    if system is None:
        return -np.inf, np.inf
    return system.optimum(secret, sense=1), system.optimum(secret, sense=-1)


def _components(equations: Sequence[Equation]) -> dict[Key, int]:
    """Cell → the index of the group of cells tied together by shared equations."""
    parent: dict[Key, Key] = {}

    def find(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for equation in equations:
        keys = list(equation.terms)
        first = find(keys[0])
        for key in keys[1:]:
            root = find(key)
            if root != first:
                parent[root] = first
    roots: dict[Key, int] = {}
    return {key: roots.setdefault(find(key), len(roots)) for key in parent}


class _Audit:
    """The published equations of one suppression pattern, reduced to the withheld cells and
    split into groups that share no equation; each group's system is built once."""

    def __init__(self, problem: Problem, *, whole: bool = True):
        self.problem = problem
        self.whole = whole  # False: already a neighbourhood, not to be narrowed again
        self.equations = problem.reduced()
        self.groups = _components(self.equations)
        self._systems: dict[frozenset, _System] = {}
        self._occurs: dict[Key, list[int]] | None = None
        # A cell alone in an equation is boxed in by it, whatever the others say; a cell in
        # a sum of nonnegative cells with positive weights is at most that sum.
        self.box: dict[Key, tuple[float, float]] = {}
        self.ceiling: dict[Key, float] = {}
        for equation in self.equations:
            if all(w > 0 and k not in problem.signed for k, w in equation.terms.items()):
                top = equation.value + equation.slack + EXACT_SLACK * max(1.0, abs(equation.value))
                for key, weight in equation.terms.items():
                    self.ceiling[key] = min(self.ceiling.get(key, np.inf), top / weight)
            if len(equation.terms) == 1:
                ((key, weight),) = equation.terms.items()
                slack = equation.slack + EXACT_SLACK * max(1.0, abs(equation.value))
                ends = sorted(
                    ((equation.value - slack) / weight, (equation.value + slack) / weight)
                )
                low, high = self.box.get(key, (-np.inf, np.inf))
                self.box[key] = (max(low, ends[0]), min(high, ends[1]))

    def system(self, secret: Secret) -> "_System | None":
        wanted = frozenset(self.groups[k] for k in secret.terms if k in self.groups)
        if not wanted:
            return None  # nothing published touches it
        extra = frozenset(k for k in secret.terms if k not in self.groups)
        key = wanted | {("free", k) for k in extra}
        if key not in self._systems:
            rows = [e for e in self.equations if self.groups[next(iter(e.terms))] in wanted]
            keys = sorted({k for e in rows for k in e.terms} | extra, key=repr)
            self._systems[key] = _System(self.problem, keys, rows)
        return self._systems[key]

    def protected(self, secret: Secret) -> bool:
        system = self.system(secret)
        if system is None:
            return True
        if len(secret.terms) == 1 and self._boxed(secret):
            return False
        if self.whole and len(system.keys) > LOCAL_ABOVE and self._locally_protected(secret):
            return True
        if secret.value is None:
            return system.spread(secret) >= NOT_PINNED
        if secret.protection > 0:
            return system.reachable(secret, secret.value + secret.protection, above=True)
        return system.reachable(secret, secret.value + NOT_PINNED, above=True) or system.reachable(
            secret, secret.value - NOT_PINNED, above=False
        )

    def _locally_protected(self, secret: Secret) -> bool:
        """Whether the secret is protected even with every withheld cell that shares no small
        equation with it held at its true value. Holding cells fixed only narrows the room,
        so a yes holds for the whole system; a no says nothing (the whole system decides)."""
        if any(self.problem.values.get(k) is None for k in self.problem.withheld):
            return False
        if self._occurs is None:
            self._occurs = defaultdict(list)
            for i, equation in enumerate(self.equations):
                for key in equation.terms:
                    self._occurs[key].append(i)
        near = set(secret.terms)
        for key in secret.terms:
            for i in self._occurs.get(key, ()):
                if len(self.equations[i].terms) <= LOCAL_ABOVE:
                    near |= self.equations[i].terms.keys()
        rows = sorted({i for key in near for i in self._occurs.get(key, ())})
        local = Problem(
            self.problem.values,
            near,
            [self.equations[i] for i in rows],
            self.problem.integer,
            self.problem.signed,
        )
        return _Audit(local, whole=False).protected(secret)

    def _boxed(self, secret: Secret) -> bool:
        """Whether one equation alone already pins the cell down (no LP needed to fail it)."""
        ((key, weight),) = secret.terms.items()
        if weight <= 0:
            return False
        ceiling = weight * self.ceiling.get(key, np.inf)
        if (
            secret.value is not None
            and secret.protection > 0
            and ceiling < secret.value + (secret.protection - 1e-9)
        ):
            return True
        if key not in self.box:
            return False
        low, high = (weight * end for end in self.box[key])
        if secret.value is None:
            return high - low < NOT_PINNED
        if secret.protection > 0:
            return high < secret.value + secret.protection - 1e-9
        return high < secret.value + NOT_PINNED - 1e-9 and low > secret.value - NOT_PINNED + 1e-9


class _System:
    """The equations of some groups of withheld cells as matrices for HiGHS."""

    def __init__(self, problem: Problem, keys: list[Key], rows: Sequence[Equation]):
        self.keys = keys
        self.index = {k: i for i, k in enumerate(keys)}
        entries, columns, pointers = [], [], [0]
        self.low = np.empty(len(rows))
        self.high = np.empty(len(rows))
        for r, equation in enumerate(rows):
            for k, w in equation.terms.items():
                columns.append(self.index[k])
                entries.append(w)
            pointers.append(len(columns))
            slack = equation.slack + EXACT_SLACK * max(1.0, abs(equation.value))
            self.low[r], self.high[r] = equation.value - slack, equation.value + slack
        matrix = csr_array((entries, columns, pointers), shape=(len(rows), len(keys)))
        if len(rows) * len(keys) < DENSE_UP_TO:
            self.matrix = matrix.toarray()
            self.stacked = np.vstack([self.matrix, -self.matrix])
        else:
            self.matrix = matrix
            self.stacked = vstack([matrix, -matrix]).tocsr()
        self.limits = np.concatenate([self.high, -self.low])
        self.lower = np.array([-np.inf if k in problem.signed else 0.0 for k in keys])
        self.bounds = [(low, None) for low in self.lower]
        self.integrality = np.array([1 if k in problem.integer else 0 for k in keys])
        self.truth = np.array([problem.values.get(k, np.nan) for k in keys])

    def objective(self, secret: Secret) -> np.ndarray:
        objective = np.zeros(len(self.keys))
        for k, w in secret.terms.items():
            objective[self.index[k]] = w
        return objective

    def reachable(self, secret: Secret, target: float, *, above: bool) -> bool:
        """Whether the secret can reach ``target`` (from above: ≥, else ≤)."""
        objective = self.objective(secret)
        sign = 1.0 if above else -1.0
        # LP first: the furthest the secret goes over the reals. Not far enough there means
        # not far enough over the whole numbers.
        relaxed = linprog(
            -sign * objective,
            A_ub=self.stacked,
            b_ub=self.limits,
            bounds=self.bounds,
            method="highs",
        )
        if relaxed.status == 3:  # unbounded
            return True
        if relaxed.status != 0 or sign * (objective @ relaxed.x) < sign * target - 1e-9:
            return False
        if not self.integrality.any():
            return True
        # Points between the true one (whole, allowed) and the furthest one over the reals
        # are allowed over the reals; rounded to whole numbers, one of them often still is.
        starts = [relaxed.x] if np.isnan(self.truth).any() else [relaxed.x, self.truth]
        for share in (1.0, 0.75, 0.5, 0.3, 0.2, 0.1):
            point = starts[-1] + share * (relaxed.x - starts[-1])
            point = np.where(self.integrality == 1, np.round(point), point)
            sums = self.matrix @ point
            if (
                np.all(sums >= self.low - 1e-9)
                and np.all(sums <= self.high + 1e-9)
                and np.all(point >= self.lower)
                and sign * (objective @ point) >= sign * target - 1e-9
            ):
                return True
        bound = (target, np.inf) if above else (-np.inf, target)
        result = _limited_milp(
            np.zeros(len(self.keys)),
            integrality=self.integrality,
            bounds=Bounds(self.lower, np.full(len(self.keys), np.inf)),
            constraints=[
                LinearConstraint(self.matrix, self.low, self.high),
                LinearConstraint(objective[np.newaxis, :], *bound),
            ],
        )
        # Without an answer within the limits, it is reachable only if a point was found.
        return result.x is not None

    def spread(self, secret: Secret) -> float:
        """How far apart two allowed values of the secret are at least (for a figure whose
        true value is not known): the LP's range bounds it from above, two whole points
        found within the time limit from below. Unknown counts as no room."""
        objective = self.objective(secret)
        ends = []
        for sense in (1.0, -1.0):
            relaxed = linprog(
                sense * objective,
                A_ub=self.stacked,
                b_ub=self.limits,
                bounds=self.bounds,
                method="highs",
            )
            if relaxed.status == 3:
                return np.inf
            if relaxed.status != 0:
                return 0.0
            ends.append(objective @ relaxed.x)
        if ends[1] - ends[0] < NOT_PINNED - 1e-9 or not self.integrality.any():
            return ends[1] - ends[0]
        found = []
        for sense in (1.0, -1.0):
            result = _limited_milp(
                sense * objective,
                integrality=self.integrality,
                bounds=Bounds(self.lower, np.full(len(self.keys), np.inf)),
                constraints=[LinearConstraint(self.matrix, self.low, self.high)],
            )
            if result.x is None:
                return 0.0
            found.append(objective @ result.x)
        return found[1] - found[0]

    def optimum(self, secret: Secret, *, sense: int) -> float:
        objective = self.objective(secret)
        result = milp(
            sense * objective,
            integrality=self.integrality,
            bounds=Bounds(self.lower, np.full(len(self.keys), np.inf)),
            constraints=[LinearConstraint(self.matrix, self.low, self.high)],
        )
        if result.status == 3 or result.x is None:  # unbounded (or no answer)
            return -sense * np.inf
        return float(objective @ result.x)


def _limited_milp(objective, **arguments):
    """scipy's ``milp`` within the node limit (and, as a backstop, the time limit)."""
    started = time.monotonic()
    options = {"node_limit": MILP_NODES, "time_limit": MILP_SECONDS}
    result = milp(objective, options=options, **arguments)
    if time.monotonic() - started >= MILP_SECONDS:
        logger.warning(
            "an integer search of %d numbers stopped at the time limit: its suppression "
            "pattern may differ between runs",
            len(objective),
        )
    return result


def complete(
    problem: Problem,
    secrets: list[Secret],
    *,
    cells: Mapping[Key, Sequence[Key]],
    cases: Mapping[Key, float],
    totals: Mapping[Key, Sequence[int]],
    pinned: Iterable[Key] = (),
) -> tuple[set[Key], set[Key]]:
    """Withhold further cells (or totals) until every secret passes the audit.

    ``cells`` names, for every table cell that can be withheld, the variables it stands for
    (one per published number: value, or numerator and denominator); ``cases`` its case
    count. ``totals`` names each published total and the indices of its equations in
    ``problem.equations``; withholding it drops them.
    A complement protects others and needs no protection of its own (as in τ-ARGUS): the
    audit of every secret judges the pattern as a whole. Returns the cells and the totals
    withheld in addition.

    For a secret that fails, the cheapest set of shown cells is sought that lets it move as
    far as it must over the reals (``_Choices.complement``); the audit of the next round
    judges it over the whole numbers.
    """
    pinned = set(pinned)
    owner = {v: c for c, variables in cells.items() for v in variables}
    # A figure published in several cells (a count and its copies) is one secret.
    secrets = list(
        {(frozenset(x.terms.items()), x.value, x.protection): x for x in secrets}.values()
    )
    withheld = set(problem.withheld)
    alive = set(range(len(problem.equations)))
    added_cells: set[Key] = set()
    added_totals: set[Key] = set()
    passed: set[int] = set()
    # Rounds: every secret that fails gets its complement, then all are judged again.
    while True:
        live = [problem.equations[i] for i in sorted(alive)]
        current = Problem(problem.values, withheld, live, problem.integer, problem.signed)
        audit = _Audit(current)
        failed = []
        for i, secret in enumerate(secrets):
            if i in passed:
                continue
            if audit.protected(secret):
                passed.add(i)
            else:
                failed.append(secret)
        if not failed:
            return added_cells, added_totals
        choices = _Choices(current, audit.groups, cells, owner, cases, pinned)
        progress = False
        for secret in failed:
            chosen = choices.complement(secret)
            if chosen is not None:
                progress |= not chosen <= added_cells
                added_cells |= chosen
                for choice in chosen:
                    withheld |= set(cells[choice])
                continue
            total = _total_to_withhold(problem, secret, totals, alive)
            if total is not None:
                progress = True
                for same in _same_totals(problem, total, totals, alive):
                    added_totals.add(same)
                    alive -= set(totals[same])
        if not progress:
            # The search found nothing new: every total still touching a failing figure goes.
            touching = {
                name
                for secret in failed
                for name, rows in totals.items()
                if rows
                and all(i in alive for i in rows)
                and any(k in secret.terms for i in rows for k in problem.equations[i].terms)
            }
            if not touching:
                # Only declared identities between shown cells are left, which the search
                # would have reached: reported, so it is seen.
                logger.warning(
                    "%d withheld figures could not be protected: %s",
                    len(failed),
                    "; ".join(repr(sorted(x.terms, key=repr)[:3]) for x in failed[:5]),
                )
                return added_cells, added_totals
            added_totals |= touching
            for name in touching:
                alive -= set(totals[name])


class _Choices:
    """What the choice of complements needs to know of a round, computed once."""

    def __init__(self, problem: Problem, groups, cells, owner, cases, pinned):
        self.problem, self.groups, self.cells = problem, groups, cells
        self.owner, self.cases, self.pinned = owner, cases, pinned
        withheld = problem.withheld
        self.counts = [sum(k in withheld for k in e.terms) for e in problem.equations]
        self.ties: dict[Key, int] = defaultdict(int)
        self.by_group: dict[int, list[int]] = defaultdict(list)
        self.occurs: dict[Key, list[int]] = defaultdict(list)
        for i, (equation, count) in enumerate(zip(problem.equations, self.counts, strict=True)):
            for key in equation.terms:
                self.occurs[key].append(i)
            if not count:
                continue
            for cell in {owner.get(k) for k in equation.terms if k not in withheld}:
                self.ties[cell] += 1
            for group in {groups[k] for k in equation.terms if k in withheld and k in groups}:
                self.by_group[group].append(i)
        # Numbers of the cells chosen earlier in this round: later secrets may use them freely.
        self.released: set[Key] = set()

    def complement(self, secret: Secret) -> set[Key] | None:
        """Shown cells to withhold for the secret; None where no cell can hide it (a total
        must go then).

        The cheapest cells are those that let the secret move as far as it must over the
        reals with the fewest published numbers lost: a linear programme moves the secret by
        its protection, withheld numbers freely and shown ones at a cost, keeping every
        published equation; the shown numbers it moves are the complement (the other
        corners of a table's rectangle, or the band and the inhabitants of a neighbouring
        district that close a cycle through an identity). It is solved near the secret first
        and over everything only where that finds nothing.
        """
        withheld = self.problem.withheld
        mine = {self.groups[k] for k in secret.terms if k in self.groups}
        for i in (i for g in mine for i in self.by_group[g]):
            if self.counts[i] > 1:
                continue
            # A total that is the secret alone (an area that is one district) pins it
            # whatever else is withheld: the total must go.
            equation = self.problem.equations[i]
            alone = withheld.intersection(equation.terms) <= secret.terms.keys()
            if alone and not any(self._movable(k) for k in equation.terms):
                return None
        need = secret.protection or NOT_PINNED
        for radius in (2, 4, None):
            near = self._near(secret.terms, radius)
            for sense in (1.0, -1.0) if not secret.protection else (1.0,):
                chosen = self._cheapest(secret, near, sense * need)
                if chosen is None:
                    continue
                if not chosen and not self.released:
                    # It moves far enough over the reals but not over the whole numbers.
                    chosen = self._fewest_withheld(secret)
                # (Nothing chosen after earlier choices of the round: they suffice.)
                for cell in chosen:
                    self.released.update(self.cells[cell])
                return chosen
            if radius is None or len(near) == len(self.occurs.keys() | secret.terms.keys()):
                break
        return None

    def _movable(self, key: Key) -> bool:
        if key in self.problem.withheld or key in self.released:
            return False
        cell = self.owner.get(key)
        return cell is not None and cell not in self.pinned and cell in self.cases

    def _near(self, keys, radius: int | None) -> set[Key]:
        """The numbers at most ``radius`` equations away from ``keys`` (all for None),
        going only through equations of at most LOCAL_ABOVE numbers."""
        if radius is None:
            return set(self.occurs) | set(keys)
        near, frontier = set(keys), set(keys)
        for _ in range(radius):
            step = set()
            for key in frontier:
                for i in self.occurs.get(key, ()):
                    terms = self.problem.equations[i].terms
                    if len(terms) <= LOCAL_ABOVE:
                        step.update(terms)
            frontier = step - near
            near |= frontier
            if not frontier:
                break
        return near

    def _cheapest(self, secret: Secret, near: set[Key], move: float) -> set[Key] | None:
        """The cells of the cheapest shown numbers in ``near`` that let the secret move by
        ``move``, or None where no such move exists. Numbers outside ``near`` stay put,
        which only narrows the room: what is found here works in the whole system."""
        problem = self.problem
        values = problem.values
        hidden = problem.withheld | self.released
        free = sorted((k for k in near if k in hidden), key=repr)
        shown = sorted((k for k in near if self._movable(k)), key=repr)
        column = {k: j for j, k in enumerate(free)}
        column.update({k: len(free) + j for j, k in enumerate(shown)})
        width = len(free) + 2 * len(shown)  # free changes, then rises and falls of shown ones
        entries, columns, pointers, low, high = [], [], [0], [], []

        def add_row(terms: Mapping[Key, float], lower: float, upper: float) -> None:
            for key, weight in terms.items():
                j = column.get(key)
                if j is None:
                    continue
                columns.append(j)
                entries.append(weight)
                if j >= len(free):
                    columns.append(j + len(shown))
                    entries.append(-weight)
            pointers.append(len(columns))
            low.append(lower)
            high.append(upper)

        # Every published sum keeps its value exactly: room a rounded total or an inexact
        # identity leaves is small and buys no protection over whole numbers, and spent
        # here it would only pick cells that cannot help.
        for i in sorted({i for k in near for i in self.occurs.get(k, ())}):
            equation = problem.equations[i]
            tolerance = EXACT_SLACK * max(1.0, abs(equation.value))
            add_row(equation.terms, -tolerance, tolerance)
        add_row(secret.terms, *((move, np.inf) if move > 0 else (-np.inf, move)))
        if not any(column.get(k) is not None for k in secret.terms):
            return None
        lower = np.zeros(width)
        upper = np.full(width, np.inf)
        for key, j in column.items():
            truth = values.get(key)
            floor = -np.inf if key in problem.signed or truth is None else -truth
            if j < len(free):
                lower[j] = floor
            else:
                upper[j + len(shown)] = -floor  # a fall at most to zero
        # A cell costs the published numbers it takes along (of equals, the one with fewer
        # cases), spread over the move it can make towards what is needed: so a cell that
        # can fall only part of the way costs as much as one that can fall all of it.
        need = abs(move)
        cost = np.zeros(width)
        for key, j in column.items():
            if j >= len(free):
                cell = self.owner[key]
                price = len(self.cells[cell]) * (1.0 + 1e-3 * np.log1p(abs(self.cases[cell])))
                room = upper[j + len(shown)]
                cost[j] = price / need
                cost[j + len(shown)] = price / max(min(room, need), 1e-9 * need)
        matrix = csr_array((entries, columns, pointers), shape=(len(low), width))
        constraints = LinearConstraint(matrix, np.array(low), np.array(high))
        # Weights below one (areas cut by a coarser one) let the cheapest move spread in
        # slivers over many cells. Each cell is then priced again by how little it moved
        # (reweighted L1, as in sparse recovery), which gathers the move in few cells.
        shown_part = slice(len(free), width)
        chosen = None
        for _ in range(REWEIGHTINGS):
            result = milp(
                cost, integrality=np.zeros(width), bounds=Bounds(lower, upper),
                constraints=constraints,
            )  # fmt: skip
            if result.x is None:
                return chosen
            rises = result.x[len(free) :][: len(shown)]
            falls = result.x[len(free) + len(shown) :]
            moved = np.abs(rises - falls)
            support = moved > 1e-6 * max(1.0, need)  # not the solver's noise
            cells = {self.owner[k] for k, m in zip(shown, support, strict=True) if m}
            if cells == chosen or len(cells) <= 1:
                return cells
            chosen = cells
            scale = need / (moved + 0.1 * need)
            cost[shown_part] = cost[shown_part] * np.tile(scale, 2)
        return chosen

    def _fewest_withheld(self, secret: Secret) -> set[Key]:
        """Where the reals leave room the whole numbers do not: among the shown cells of the
        equations with the fewest withheld numbers that tie to the secret, the one that
        reaches far enough, sits in most equations with withheld numbers (it closes a cycle)
        and is smallest."""
        owner, cases = self.owner, self.cases
        mine = {self.groups[k] for k in secret.terms if k in self.groups}
        related = sorted({(self.counts[i], i) for g in mine for i in self.by_group[g]})
        need = secret.protection or NOT_PINNED

        def free_in(i: int) -> set:
            return {owner[k] for k in self.problem.equations[i].terms if self._movable(k)}

        for count in sorted({count for count, _ in related}):
            free = set().union(*(free_in(i) for c, i in related if c == count))
            if free:
                return {
                    min(free, key=lambda c: (cases[c] < need, -self.ties[c], cases[c], repr(c)))
                }
        return set()


def _same_totals(problem: Problem, total: Key, totals, alive) -> list[Key]:
    """The total and every live total that publishes the same figure again (a rate's
    denominator total and the count it copies)."""

    def figure(rows) -> set:
        return {frozenset(problem.equations[i].terms.items()) for i in rows}

    mine = figure(totals[total])
    same = [
        name
        for name, rows in totals.items()
        if name != total and rows and all(i in alive for i in rows) and figure(rows) & mine
    ]
    return [total, *same]


def _total_to_withhold(problem: Problem, secret: Secret, totals, alive) -> Key | None:
    """The published total touching the secret with the fewest cells."""
    candidates = []
    for name, rows in totals.items():
        if not rows or not all(i in alive for i in rows):
            continue
        equations = [problem.equations[i] for i in rows]
        if any(k in secret.terms for e in equations for k in e.terms):
            size = min(len(e.terms) for e in equations)
            candidates.append((size, repr(name), name))
    return min(candidates)[2] if candidates else None
