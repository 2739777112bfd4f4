"""Units and rounding of derived figures: which unit a change has, and rounding as shown."""

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import units
from indicators.models import Indicator

CATALOGUES = [
    Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / name
    for name in ("catalogue.json", "facility_catalogue.json")
]


def indicator(kind, factor, unit_de, unit_en="", decimals=1) -> Indicator:
    return Indicator(kind=kind, factor=factor, unit_de=unit_de, unit_en=unit_en, decimals=decimals)


@pytest.mark.parametrize(
    ("kind", "factor", "unit_de", "unit_en", "code"),
    [
        ("rate", 100, "%", "%", "percentage_points"),
        # A mean or a rate with factor 1 whose unit is % changes in percentage points too.
        ("mean", 1, "%", "%", "percentage_points"),
        ("rate", 1, "Prozent", "percent", "percentage_points"),
        ("rate", 100, "je 100 Personen von 20 bis 64 Jahren", "per 100 persons", "points"),
        ("rate", 100, "Plätze je 100 Kinder", "places per 100 children", "points"),
        ("rate", 100, "", "", "points"),
        ("rate", 1000, "je 1.000 Einwohner/innen", "per 1,000 inhabitants", "per_mille_points"),
        ("rate", 1, "‰", "‰", "per_mille_points"),
        ("index", 100, "Index (2012 = 100)", "index (2012 = 100)", "points"),
        ("index", 1, "z-Wert", "z-value", ""),
        ("rate", 1, "Einw./km²", "inh./km²", ""),
        ("rate", 100_000, "je 100.000 Einwohner", "per 100,000 inhabitants", ""),
        ("mean", 1, "Jahre", "years", ""),
        ("median", 1, "Euro", "euros", ""),
        ("count", 1, "Personen", "persons", ""),
    ],
)
def test_the_unit_of_a_change_follows_from_kind_factor_and_unit(
    kind, factor, unit_de, unit_en, code
):
    assert units.change_unit(indicator(kind, factor, unit_de, unit_en)).code == code


def test_percentage_points_only_where_the_unit_is_percent():
    ratio = units.change_unit(indicator("rate", 100, "je 100 Personen", "per 100 persons"))
    share = units.change_unit(indicator("rate", 100, "%", "%"))
    assert (ratio.de, ratio.en) == ("Punkte", "points")
    assert (share.de, share.en, share.short("de"), share.short("en")) == (
        "Prozentpunkte",
        "percentage points",
        "Pp.",
        "pp",
    )


def test_a_change_in_the_indicators_own_unit_is_named_by_that_unit():
    unit = units.change_unit(indicator("mean", 1, "Jahre", "years"))
    assert (unit.de, unit.en, unit.short("de"), unit.short("en")) == ("Jahre", "years", "", "")
    assert not unit.relative


def test_a_count_changes_in_its_unit_and_in_percent():
    unit = units.change_unit(indicator("count", 1, "Personen", "persons", decimals=0))
    assert (unit.code, unit.de, unit.en, unit.relative) == ("", "Personen", "persons", True)
    change = units.change(indicator("count", 1, "Personen", decimals=0), 5323.4, 5695.2)
    assert (change.value, change.relative) == (372, 7.0)  # 5.695 − 5.323, of 5.323


def catalogue():
    for path in CATALOGUES:
        for entry in json.loads(path.read_text())["indicators"]:
            yield (
                entry["slug"],
                Indicator(
                    **{k: entry[k] for k in ("kind", "factor", "unit_de", "unit_en", "decimals")}
                ),
            )


def test_every_indicator_of_the_demo_catalogue_changes_in_a_fitting_unit():
    codes = {slug: units.change_unit(i).code for slug, i in catalogue()}
    percent = {slug for slug, i in catalogue() if i.unit_de == "%"}
    assert {slug for slug, code in codes.items() if code == "percentage_points"} == percent
    assert {slug for slug, code in codes.items() if code == "points"} == {
        "jugendquotient",
        "altenquotient",
        "kita-plaetze-je-100-unter-6",
        "bevoelkerungsentwicklung",
    }
    assert {slug for slug, code in codes.items() if code == "per_mille_points"} == {
        "geburtenrate",
        "sterberate",
        "natuerlicher-saldo",
        "zuzuege",
        "fortzuege",
        "wanderungssaldo",
        "wohnungslose-je-1000",
    }
    counts = {slug for slug, i in catalogue() if i.kind == "count"}
    assert counts and all(
        units.change_unit(i).relative for slug, i in catalogue() if slug in counts
    )


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (16.25, 1, 16.3),  # half away from zero, as the map's Intl.NumberFormat rounds
        (-16.25, 1, -16.3),
        (0.5, 0, 1.0),
        (2.5, 0, 3.0),  # not to even, as round() would
        (2.675, 2, 2.68),  # as written, not as stored (2.67499999…), as the browser does
        (764.525, 2, 764.53),
        (1.0000005, 6, 1.000001),
        (118825.5, 0, 118826.0),
    ],
)
def test_values_round_half_away_from_zero_as_the_map_does(value, decimals, expected):
    assert units.rounded(value, decimals) == expected


def test_a_value_that_rounds_to_zero_has_no_minus_sign():
    assert math.copysign(1, units.rounded(-0.04, 1)) == 1
    assert math.copysign(1, units.difference(-0.04, 0.01, 1)) == 1  # −0,0 − 0,0


def test_a_difference_is_that_of_the_rounded_values():
    # Arbeitslosenanteil in Altstadt 2024: 16,2 against 6,6 is 9,6 (9.516… unrounded).
    assert units.difference(16.16188, 6.645548, 1) == 9.6
    assert round(16.16188 - 6.645548, 1) == 9.5


def test_a_share_is_that_of_the_rounded_counts_to_one_decimal():
    assert units.share(5695.4, 118826.3, 0) == 4.8
    assert units.share(1, 8, 0) == 12.5
    assert units.share(1, 16, 0) == 6.3  # 6.25: half away from zero
    assert units.share(5, 0, 0) is None
    assert units.share(-5, 100, 0) is None
    assert units.share(None, 100, 0) is None


def test_a_change_without_either_value_is_none_but_keeps_its_unit():
    rate = indicator("rate", 100, "%", "%")
    for start, end in ((None, 5.0), (5.0, None), (None, None)):
        change = units.change(rate, start, end)
        assert (change.value, change.relative) == (None, None)
        assert change.unit.code == "percentage_points"


def test_a_count_that_started_at_zero_has_no_change_in_percent():
    count = indicator("count", 1, "Anzahl", "number", decimals=0)
    assert units.change(count, 0.2, 3).relative is None
    assert units.change(count, 0.2, 3).value == 3


# Up to 10⁸ (more than any population the atlas counts): 15 significant digits with 6
# decimals, which a float holds exactly as written.
finite = st.floats(min_value=-1e8, max_value=1e8, allow_nan=False, allow_infinity=False)
decimals = st.integers(min_value=0, max_value=6)


def exact(value: float, places: int) -> Decimal:
    """The value as written, rounded half away from zero."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")


@settings(max_examples=500, deadline=None)
@given(value=finite, reference=finite, places=decimals)
def test_a_difference_equals_rounded_value_minus_rounded_reference(value, reference, places):
    difference = units.difference(value, reference, places)
    assert Decimal(str(difference)) == exact(value, places) - exact(reference, places)
    # Shown with the indicator's decimals it stays the same figure.
    assert units.rounded(difference, places) == difference


@settings(max_examples=300, deadline=None)
@given(start=finite, end=finite, places=decimals)
def test_a_change_equals_rounded_end_minus_rounded_start(start, end, places):
    change = units.change(indicator("rate", 100, "%", "%", decimals=places), start, end)
    assert Decimal(str(change.value)) == exact(end, places) - exact(start, places)
