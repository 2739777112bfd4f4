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

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, issparse, vstack

Key = Hashable

# A published figure known exactly still carries float noise from its sum.
EXACT_SLACK = 1e-6
# How far a figure must be able to move not to count as pinned: one case.
NOT_PINNED = 1.0
MILP_SECONDS = 5.0
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


def failing(
    problem: Problem, secrets: Sequence[Secret], skip: set[int] = frozenset()
) -> int | None:
    """The index of the first secret the published equations do not protect, or None."""
    equations = problem.reduced()
    groups = _components(equations)
    for i, secret in enumerate(secrets):
        if i in skip:
            continue
        if not _protected(problem, secret, equations, groups):
            return i
    return None


def protected(problem: Problem, secret: Secret) -> bool:
    equations = problem.reduced()
    return _protected(problem, secret, equations, _components(equations))


def feasible_range(problem: Problem, secret: Secret) -> tuple[float, float]:
    """The smallest and largest value the secret can take (over whole numbers where cells are
    whole): what an attacker can prove. For audits and tests; the read path asks yes or no."""
    equations = problem.reduced()
    keys, rows = _system(secret, equations, _components(equations))
    if not rows:
        return -np.inf, np.inf
    low = _optimum(problem, keys, rows, secret, sense=1)
    high = _optimum(problem, keys, rows, secret, sense=-1)
    return low, high


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


def _system(secret: Secret, equations: Sequence[Equation], groups: Mapping[Key, int]):
    """The cells and equations of the groups the secret's cells belong to."""
    wanted = {groups[k] for k in secret.terms if k in groups}
    rows = [e for e in equations if groups[next(iter(e.terms))] in wanted]
    keys = sorted({k for e in rows for k in e.terms} | set(secret.terms), key=repr)
    return keys, rows


def _protected(problem: Problem, secret: Secret, equations, groups) -> bool:
    keys, rows = _system(secret, equations, groups)
    if not rows:
        return True  # nothing published touches it
    if secret.value is None:
        low = _optimum(problem, keys, rows, secret, sense=1)
        high = _optimum(problem, keys, rows, secret, sense=-1)
        return high - low >= NOT_PINNED
    if secret.protection > 0:
        return _reachable(problem, keys, rows, secret, secret.value + secret.protection, above=True)
    return _reachable(
        problem, keys, rows, secret, secret.value + NOT_PINNED, above=True
    ) or _reachable(problem, keys, rows, secret, secret.value - NOT_PINNED, above=False)


def _matrices(problem: Problem, keys: list[Key], rows: Sequence[Equation]):
    index = {k: i for i, k in enumerate(keys)}
    entries, columns, pointers = [], [], [0]
    low = np.empty(len(rows))
    high = np.empty(len(rows))
    for r, equation in enumerate(rows):
        for k, w in equation.terms.items():
            columns.append(index[k])
            entries.append(w)
        pointers.append(len(columns))
        slack = equation.slack + EXACT_SLACK * max(1.0, abs(equation.value))
        low[r], high[r] = equation.value - slack, equation.value + slack
    matrix = csr_array((entries, columns, pointers), shape=(len(rows), len(keys)))
    if len(rows) * len(keys) < DENSE_UP_TO:
        matrix = matrix.toarray()
    lower = np.array([-np.inf if k in problem.signed else 0.0 for k in keys])
    integrality = np.array([1 if k in problem.integer else 0 for k in keys])
    return index, matrix, low, high, lower, integrality


def _reachable(problem, keys, rows, secret: Secret, target: float, *, above: bool) -> bool:
    """Whether the secret can reach ``target`` (from above: ≥, else ≤) under the equations."""
    index, matrix, low, high, lower, integrality = _matrices(problem, keys, rows)
    objective = np.zeros(len(keys))
    for k, w in secret.terms.items():
        objective[index[k]] = w
    sign = 1.0 if above else -1.0
    # LP first: the furthest the secret goes over the reals. Not far enough there means not
    # far enough over the whole numbers.
    relaxed = linprog(
        -sign * objective,
        A_ub=vstack([matrix, -matrix]) if issparse(matrix) else np.vstack([matrix, -matrix]),
        b_ub=np.concatenate([high, -low]),
        bounds=list(zip(lower, [None] * len(keys), strict=True)),
        method="highs",
    )
    if relaxed.status == 3:  # unbounded
        return True
    if relaxed.status != 0 or sign * (objective @ relaxed.x) < sign * target - 1e-9:
        return False
    if not integrality.any():
        return True
    # Points between the true one (whole, allowed) and the furthest one over the reals are
    # allowed over the reals; rounded to whole numbers, one of them often still is.
    truth = np.array([problem.values.get(k, np.nan) for k in keys])
    starts = [relaxed.x] if np.isnan(truth).any() else [relaxed.x, truth]
    for share in (1.0, 0.75, 0.5, 0.3, 0.2, 0.1):
        point = starts[-1] + share * (relaxed.x - starts[-1])
        point = np.where(integrality == 1, np.round(point), point)
        sums = matrix @ point
        if (
            np.all(sums >= low - 1e-9)
            and np.all(sums <= high + 1e-9)
            and np.all(point >= lower)
            and sign * (objective @ point) >= sign * target - 1e-9
        ):
            return True
    bound = (target, np.inf) if above else (-np.inf, target)
    result = milp(
        np.zeros(len(keys)),
        integrality=integrality,
        bounds=Bounds(lower, np.full(len(keys), np.inf)),
        constraints=[
            LinearConstraint(matrix, low, high),
            LinearConstraint(objective[np.newaxis, :], *bound),
        ],
        options={"time_limit": MILP_SECONDS},
    )
    # Without an answer in time, count it as reachable only if a point was found.
    return result.x is not None


def _optimum(problem, keys, rows, secret: Secret, *, sense: int) -> float:
    index, matrix, low, high, lower, integrality = _matrices(problem, keys, rows)
    objective = np.zeros(len(keys))
    for k, w in secret.terms.items():
        objective[index[k]] = w
    result = milp(
        sense * objective,
        integrality=integrality,
        bounds=Bounds(lower, np.full(len(keys), np.inf)),
        constraints=[LinearConstraint(matrix, low, high)],
    )
    if result.status == 3 or result.x is None:  # unbounded (or no answer)
        return -sense * np.inf
    return float(objective @ result.x)


# --- choosing complements -----------------------------------------------------------------


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

    For a secret that fails, the equations that pin it are those with the fewest other
    withheld cells; among their shown cells the one is taken that ties most withheld
    equations together (it closes a cycle, as in a table's rectangle) and has at least the
    protection the secret needs, the smallest such (the least information lost).
    """
    pinned = set(pinned)
    owner = {v: c for c, variables in cells.items() for v in variables}
    withheld = set(problem.withheld)
    secrets = list(secrets)
    alive = set(range(len(problem.equations)))
    added_cells: set[Key] = set()
    added_totals: set[Key] = set()
    passed: set[int] = set()
    # Rounds: every secret that fails gets its complement, then all are judged again.
    while True:
        live = [problem.equations[i] for i in sorted(alive)]
        current = Problem(problem.values, withheld, live, problem.integer, problem.signed)
        equations = current.reduced()
        groups = _components(equations)
        failed = []
        for i, secret in enumerate(secrets):
            if i in passed:
                continue
            if _protected(current, secret, equations, groups):
                passed.add(i)
            else:
                failed.append(secret)
        if not failed:
            return added_cells, added_totals
        choices = _Choices(current, groups, owner, cases, pinned)
        progress = False
        for secret in failed:
            choice = choices.complement(secret)
            if choice is not None:
                progress |= choice not in added_cells
                added_cells.add(choice)
                withheld |= set(cells[choice])
                continue
            total = _total_to_withhold(problem, secret, totals, alive)
            if total is not None:
                progress = True
                added_totals.add(total)
                alive -= set(totals[total])
        if not progress:
            # Nothing left to withhold that touches them: cannot happen while a published
            # equation pins a secret, since its total can always go.
            return added_cells, added_totals


class _Choices:
    """What the choice of complements needs to know of a round, computed once."""

    def __init__(self, problem: Problem, groups, owner, cases, pinned):
        self.problem, self.groups = problem, groups
        self.owner, self.cases, self.pinned = owner, cases, pinned
        withheld = problem.withheld
        self.counts = [sum(k in withheld for k in e.terms) for e in problem.equations]
        self.ties: dict[Key, int] = defaultdict(int)
        self.by_group: dict[int, list[int]] = defaultdict(list)
        for i, (equation, count) in enumerate(zip(problem.equations, self.counts, strict=True)):
            if not count:
                continue
            for cell in {owner.get(k) for k in equation.terms if k not in withheld}:
                self.ties[cell] += 1
            for group in {groups[k] for k in equation.terms if k in withheld and k in groups}:
                self.by_group[group].append(i)

    def complement(self, secret: Secret) -> Key | None:
        """A shown cell to withhold for the secret, or None where there is none to take.

        The equations that tie withheld cells to the secret, directly or through other
        withheld cells, are searched from those with the fewest withheld cells (one pins its
        cell down); among their shown cells the one is taken that reaches far enough (at least
        the protection the secret needs), then the one that sits in most equations with
        withheld cells (it closes a cycle, as the fourth corner of a rectangle does), then the
        smallest.
        """
        withheld, owner, cases = self.problem.withheld, self.owner, self.cases
        mine = {self.groups[k] for k in secret.terms if k in self.groups}
        related = sorted({(self.counts[i], i) for g in mine for i in self.by_group[g]})
        need = secret.protection or NOT_PINNED
        for count in sorted({count for count, _ in related}):
            free = {
                owner[k]
                for c, i in related
                if c == count
                for k in self.problem.equations[i].terms
                if k not in withheld
                and k in owner
                and owner[k] not in self.pinned
                and owner[k] in cases
            }
            if free:
                return min(free, key=lambda c: (cases[c] < need, -self.ties[c], cases[c], repr(c)))
        return None


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
