"""The interval audit and the choice of complements, worked by hand and as properties."""

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.disclosure import Equation, Problem, Secret, complete, feasible_range, protected

# Altstadt (11), Innenstadt-Nordost (12) and Batenbrock-Nord (41) with their real shares of
# Stadtbezirk Mitte; men 90+ in 2014 with Altstadt set to 1.
MITTE = {"11": 0.636017, "12": 0.803402, "41": 0.806296}
CITY = {"11": 1.0, "12": 1.0, "41": 1.0}
MEN_90 = {"11": 1.0, "12": 11.0, "41": 12.0}


def problem(values, withheld, equations, *, integer=True):
    return Problem(values, set(withheld), equations, set(values) if integer else set())


def mitte(slack):
    value = sum(MITTE[k] * MEN_90[k] for k in MITTE)
    return Equation(MITTE, round(value) if slack else value, slack)


def test_near_collinear_weights_pin_a_cell_when_the_estimate_is_published_in_full():
    # Mitte − 0.803402 × city leaves −0.167 x11 + 0.003 x41: x11 is 1 and nothing else.
    known = problem(MEN_90, MEN_90, [mitte(0.0), Equation(CITY, 24.0)])
    assert feasible_range(known, Secret({"11": 1.0}, None)) == (1.0, 1.0)
    assert not protected(known, Secret({"11": 1.0}, 1.0, protection=3))


def test_the_estimate_rounded_as_published_leaves_the_cell_its_protection():
    rounded = problem(MEN_90, MEN_90, [mitte(0.5), Equation(CITY, 24.0)])
    low, high = feasible_range(rounded, Secret({"11": 1.0}, None))
    assert low == 0 and high >= 1 + 3
    assert protected(rounded, Secret({"11": 1.0}, 1.0, protection=3))


def test_whole_numbers_pin_what_the_reals_leave_open():
    # 2x + y = 7 lets x reach 3.5 over the reals, 3 over the whole numbers.
    equations = [Equation({"x": 2.0, "y": 1.0}, 7.0)]
    secret = Secret({"x": 1.0}, 0.0, protection=3.5)
    assert protected(problem({"x": 0.0, "y": 7.0}, "xy", equations, integer=False), secret)
    assert not protected(problem({"x": 0.0, "y": 7.0}, "xy", equations), secret)


def test_a_cell_no_published_number_touches_is_protected():
    assert protected(problem({"a": 1.0}, "a", []), Secret({"a": 1.0}, 1.0, protection=3))


def test_a_lone_withheld_cell_in_a_published_sum_is_pinned():
    values = {"a": 2.0, "b": 5.0, "c": 7.0}
    city = Equation(dict.fromkeys(values, 1.0), 14.0)
    assert feasible_range(problem(values, "a", [city]), Secret({"a": 1.0}, None)) == (2.0, 2.0)


def test_a_complement_large_enough_is_chosen_and_passes_the_audit():
    # a (2 cases) is primary; b has 1 case (too few to hide a behind), c has 7, d has 40.
    values = {"a": 2.0, "b": 1.0, "c": 7.0, "d": 40.0}
    city = Equation(dict.fromkeys(values, 1.0), 50.0)
    secret = Secret({"a": 1.0}, 2.0, protection=3)
    cells, totals = run_complete(values, {"a"}, [city], [secret])
    assert (cells, totals) == ({"c"}, set())
    assert protected(problem(values, {"a", "c"}, [city]), secret)


def test_nested_totals_are_judged_together():
    # Kirchhellen = a + b and city = a + b + c + d: hiding a with c would leave a = K − b.
    values = {"a": 1.0, "b": 9.0, "c": 4.0, "d": 40.0}
    kirchhellen = Equation({"a": 1.0, "b": 1.0}, 10.0)
    city = Equation(dict.fromkeys(values, 1.0), 54.0)
    secret = Secret({"a": 1.0}, 1.0, protection=3)
    cells, _ = run_complete(values, {"a"}, [kirchhellen, city], [secret])
    assert cells == {"b"}
    assert protected(problem(values, {"a", "b"}, [kirchhellen, city]), secret)


def test_a_cycle_through_an_identity_is_closed_in_one_round():
    # Two districts, each with a band a and the rest r of its inhabitants e = a + r; the city
    # publishes the sums of a and of e. With a1 withheld, a1 can only rise if a2 falls, and
    # then e1 and e2 must move with them, or r1 and r2 against them: three cells, the
    # smaller pair of the two.
    values = {"a1": 1.0, "a2": 30.0, "r1": 50.0, "r2": 60.0, "e1": 51.0, "e2": 90.0}
    equations = [
        Equation({"a1": 1.0, "a2": 1.0}, 31.0),
        Equation({"e1": 1.0, "e2": 1.0}, 141.0),
        Equation({"e1": 1.0, "a1": -1.0, "r1": -1.0}, 0.0),
        Equation({"e2": 1.0, "a2": -1.0, "r2": -1.0}, 0.0),
    ]
    secret = Secret({"a1": 1.0}, 1.0, protection=3)
    cells, totals = run_complete(values, {"a1"}, equations, [secret])
    assert (cells, totals) == ({"a2", "r1", "r2"}, set())
    assert protected(problem(values, {"a1"} | cells, equations), secret)


def test_a_total_is_withheld_where_no_cell_can_hide_the_secret():
    # The only other cell of the total is published on its own elsewhere (pinned).
    values = {"a": 1.0, "b": 20.0}
    total = Equation({"a": 1.0, "b": 1.0}, 21.0)
    secret = Secret({"a": 1.0}, 1.0, protection=3)
    cells, totals = run_complete(values, {"a"}, [total], [secret], pinned={"b"})
    assert (cells, totals) == (set(), {"T0"})


def test_a_total_that_is_the_secret_alone_is_withheld_not_worked_around():
    # An area that is one district publishes a's value again: no complement can help.
    values = {"a": 1.0, "b": 20.0, "c": 30.0}
    alone = Equation({"a": 1.0}, 1.0)
    city = Equation(dict.fromkeys(values, 1.0), 51.0)
    secret = Secret({"a": 1.0}, 1.0, protection=3)
    cells, totals = run_complete(values, {"a"}, [alone, city], [secret])
    assert "T0" in totals and len(cells) == 1
    assert protected(problem(values, {"a"} | cells, [city]), secret)


def test_an_unknown_value_kept_secret_by_the_source_must_not_be_pinned():
    values = {"b": 5.0, "c": 7.0}
    city = Equation({"a": 1.0, "b": 1.0, "c": 1.0}, 14.0)
    secret = Secret({"a": 1.0}, None)
    assert not protected(problem(values, "a", [city]), secret)
    assert protected(problem(values, "ab", [city]), secret)


def run_complete(values, primary, equations, secrets, pinned=()):
    cells = {k: [k] for k in values if k not in primary}
    cases = {k: values[k] for k in cells}
    totals = {f"T{i}": [i] for i in range(len(equations))}
    return complete(
        problem(values, primary, equations),
        list(secrets),
        cells=cells,
        cases=cases,
        totals=totals,
        pinned=pinned,
    )


# --- properties ---------------------------------------------------------------------------


@st.composite
def tables(draw):
    """Cells with case counts and published totals over groups of them, some with
    fractional weights (rounded to whole numbers as the atlas publishes estimates)."""
    n = draw(st.integers(min_value=2, max_value=9))
    keys = [f"d{i}" for i in range(n)]
    values = {k: float(draw(st.integers(min_value=0, max_value=40))) for k in keys}
    groups = draw(
        st.lists(st.lists(st.sampled_from(keys), min_size=1, unique=True), min_size=0, max_size=4)
    )
    equations = []
    for group in groups:
        weights = {k: draw(st.sampled_from([1.0, 1.0, 0.5, 0.25, 0.8, 0.636017])) for k in group}
        exact = all(w == 1.0 for w in weights.values())
        value = sum(values[k] * w for k, w in weights.items())
        equations.append(Equation(weights, value if exact else round(value), 0 if exact else 0.5))
    equations.append(Equation(dict.fromkeys(keys, 1.0), sum(values.values())))  # the city
    return values, equations


@settings(max_examples=60, deadline=None)
@given(tables())
def test_after_completion_no_primary_cell_can_be_proven_small(table):
    values, equations = table
    primary = {k for k, v in values.items() if v < 3}
    secrets = [Secret({k: 1.0}, values[k], protection=3) for k in sorted(primary)]
    cells, totals = run_complete(values, primary, equations, secrets)
    published = [e for i, e in enumerate(equations) if f"T{i}" not in totals]
    withheld = primary | cells
    for k in primary:
        low, high = feasible_range(problem(values, withheld, published), Secret({k: 1.0}, None))
        assert low <= values[k] + 1e-6 and high >= values[k] + 3 - 1e-6, (k, low, high)
