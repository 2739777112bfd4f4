"""A number one indicator publishes again as a part of another (a rate's denominator that
is Einwohner): withheld in one, withheld in both, and a complement takes all its copies."""

from types import SimpleNamespace

from indicators.disclosure import Equation, Problem, Secret, feasible_range
from indicators.stats import Cell
from indicators.suppression import Draft, Link, disclose

EINWOHNER, FRAUENANTEIL = 1, 2
CITY = 10
SHOWN = {1: 50.0, 2: 60.0, 3: 70.0, 4: 80.0}


def rule(i, kind):
    return SimpleNamespace(
        id=i, kind=kind, factor=100.0, decimals=1, denominator_is_count=True,
        applied_threshold=3,
    )  # fmt: skip


def drafts(secret_in: int | None = 2):
    people = {d: Cell(v, None, None, "normal") for d, v in SHOWN.items()}
    if secret_in is not None:
        people[secret_in] = Cell(None, None, None, ".")
    women = {d: Cell(50.0, v / 2, v, "normal") for d, v in SHOWN.items()}
    city = {d: 1.0 for d in SHOWN}
    total = sum(SHOWN.values())
    return {
        EINWOHNER: Draft(
            rule(EINWOHNER, "count"), people, {**people, CITY: Cell(total, None, None, "normal")},
            {CITY: city},
        ),
        FRAUENANTEIL: Draft(
            rule(FRAUENANTEIL, "rate"), women,
            {**women, CITY: Cell(50.0, total / 2, total, "normal")}, {CITY: city},
        ),
    }  # fmt: skip


COPY = Link((FRAUENANTEIL, "denominator"), ((EINWOHNER, "value", 1),))


def numbers(i, cell):
    if i == EINWOHNER:
        return {"value": cell.value}
    return {"numerator": cell.numerator, "denominator": cell.denominator}


def published_range(tables, withheld, secret_in=2):
    """What an attacker can say of the secret count from every published number."""
    values, hidden, equations = {}, set(), []
    for i, draft in tables.items():
        for d, cell in draft.base.items():
            for part, value in numbers(i, cell).items():
                if d in withheld[i] or value is None:
                    hidden.add((i, part, d))
                else:
                    values[(i, part, d)] = value
        if CITY not in withheld[i]:
            for part, value in numbers(i, draft.cells[CITY]).items():
                equations.append(Equation({(i, part, d): 1.0 for d in SHOWN}, value))
    for d in SHOWN:
        equations.append(
            Equation({(FRAUENANTEIL, "denominator", d): 1.0, (EINWOHNER, "value", d): -1.0}, 0)
        )
    problem = Problem(values, hidden, equations, set(values) | hidden)
    return feasible_range(problem, Secret({(EINWOHNER, "value", secret_in): 1.0}, None))


def test_a_count_kept_secret_takes_the_rate_that_divides_by_it_along():
    tables = drafts()
    withheld = disclose(tables, [COPY])
    assert 2 in withheld[FRAUENANTEIL]
    low, high = published_range(tables, withheld)
    assert low <= 60 <= high and high - low >= 1


def test_its_complement_is_withheld_in_every_table_that_publishes_it():
    withheld = disclose(drafts(), [COPY])
    complements = withheld[EINWOHNER] - {2}
    assert complements, withheld
    assert complements <= withheld[FRAUENANTEIL]


def test_without_the_declared_copy_the_rate_would_publish_the_secret_count():
    tables = drafts()
    withheld = disclose(tables, [])
    assert 2 not in withheld[FRAUENANTEIL]
    assert published_range(tables, withheld) == (60.0, 60.0)


def test_a_primary_rate_does_not_withhold_the_count_it_divides_by():
    # Two women in district 3: the rate is withheld for its cases, Einwohner is not secret.
    tables = drafts(secret_in=None)
    tables[FRAUENANTEIL].base[3] = tables[FRAUENANTEIL].cells[3] = Cell(
        2 / 70 * 100, 2, 70, "normal"
    )
    withheld = disclose(tables, [COPY])
    assert 3 in withheld[FRAUENANTEIL]
    assert 3 not in withheld[EINWOHNER]
