"""Disclosure control on the demo data, attacked from the outside: planted small counts, the
weights of the real geography, and the identities between indicators."""

from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from indicators import selectors
from indicators.attack import attack_case, bounds, planned, sweep
from indicators.models import Identity, Indicator, Observation
from indicators.read.linked import Linked, load_links
from indicators.suppression import numbers

pytestmark = pytest.mark.django_db


def indicator(slug):
    return Indicator.objects.get(slug=slug)


def test_men_90_plus_in_altstadt_set_to_1_cannot_be_worked_out():
    # The auditor's case: Altstadt (11) withheld with 12 and 41; Mitte's estimate and the
    # city's total pinned x11 = 1 while the estimate was published to the last digit.
    outcome = attack_case(indicator=indicator("bevoelkerung-m-90-plus"), year=2014, code="11",
                          planted=1)  # fmt: skip
    assert outcome.withheld
    assert outcome.low <= 1 and outcome.high >= 1 + 3


def test_a_withheld_age_band_would_follow_from_einwohner_without_the_identities():
    band = indicator("bevoelkerung-m-90-plus")
    alone = attack_case(indicator=band, year=2014, code="11", planted=1, linked=Linked())
    assert alone.withheld and alone.exact  # Einwohner − the 19 other bands
    joint = attack_case(indicator=band, year=2014, code="11", planted=1)
    assert not joint.narrow and not joint.proven_small


@pytest.mark.parametrize("planted", [1, 2])
def test_a_district_with_one_inhabitant_takes_a_neighbour_along_not_the_whole_level(planted):
    # Kirchhellen-Nord-West (73) with one or two inhabitants: every age band there is 0, 1
    # or 2, and fifteen rates divide by its Einwohner. A neighbour in Kirchhellen (its
    # Einwohner, and the bands that close the cycle) hides it; the other districts' counts
    # stay published.
    outcome = attack_case(indicator=indicator("einwohner"), year=2024, code="73", planted=planted)
    assert outcome.withheld and not outcome.narrow and not outcome.proven_small
    districts = {code for code in outcome.pattern["einwohner"] if len(code) == 2}
    assert "73" in districts and 2 <= len(districts) <= 3, districts
    assert sum(len(codes) for codes in outcome.pattern.values()) < 100


def test_the_numerator_of_the_sgb_ii_rate_is_protected_with_the_persons_it_counts():
    outcome = attack_case(indicator=indicator("sgb-ii-quote"), year=2020, code="61", planted=2)
    assert outcome.withheld and outcome.high >= 2 + 3


@pytest.mark.slow
@pytest.mark.parametrize("shard", [0, 1])
def test_a_seeded_sample_of_planted_counts_is_never_recovered(shard):
    # `make audit` runs every case; the suite a seeded sample of 200, in two parts that the
    # test workers share.
    outcomes = list(sweep(sample=200, seed=5, shard=(shard, 2)))
    assert len(outcomes) >= 90
    failed = [o for o in outcomes if o.exact or o.narrow or o.proven_small]
    assert failed == []


def test_shards_of_a_sweep_share_its_cases_without_overlap():
    every = list(range(1000))  # stands for the sweep's cases, which take a second to list

    def cases(**shard):
        return planned(every, sample=120, seed=5, **shard)

    whole, first, second = cases(shard=(0, 1)), cases(shard=(0, 2)), cases(shard=(1, 2))
    assert len(whole) == 120
    assert first and second and not set(first) & set(second)
    assert sorted(first + second) == sorted(whole)
    # The same sample on every process, so that together they cover it.
    assert cases(shard=(0, 1)) == whole


def test_the_sweep_attacks_the_planned_cases_of_its_shard():
    outcomes = list(sweep(sample=6, seed=5, shard=(1, 3)))
    assert 1 <= len(outcomes) <= 2
    assert all(not (o.exact or o.narrow or o.proven_small) for o in outcomes)


@pytest.mark.parametrize("shard", ["3/2", "0/2", "a/b", "2"])
def test_a_shard_that_is_no_part_of_the_sweep_is_refused_by_name(shard):
    with pytest.raises(CommandError, match="--shard"):
        call_command("audit_disclosure", shard=shard)


@pytest.mark.parametrize(("code", "year"), [("61", 2020), ("11", 2024)])
def test_a_withheld_inhabitant_count_is_read_off_no_indicator_that_publishes_it(client, code, year):
    # Twenty indicators of the demo publish Einwohner again: fifteen rates and two means
    # divide by it, a density and a household size divide it, and Bevölkerungsentwicklung
    # compares it with 2012's.
    observation = Observation.objects.get(
        indicator__slug="einwohner", district__code=code, year=year,
        district__level__slug="statistischer-bezirk",
    )  # fmt: skip
    Observation.objects.filter(pk=observation.pk).update(status=".", value=None)
    copies = [
        (i.indicator.slug, i.part)
        for i in Identity.objects.filter(terms="einwohner", terms_year=None).select_related(
            "indicator"
        )
    ]
    assert len(copies) == 20
    in_year = set(
        Observation.objects.filter(
            year=year, indicator__slug__in=[s for s, _ in copies]
        ).values_list("indicator__slug", flat=True)
    )
    copies = [(slug, part) for slug, part in copies if slug in in_year]
    assert len(copies) >= 16
    for slug, part in [("einwohner", "value"), *copies]:
        rows = client.get(
            "/api/v1/values", {"indicator": slug, "level": "statistischer-bezirk", "year": year}
        ).json()["values"]
        (row,) = [row for row in rows if row["code"] == code]
        assert (row["value"], row[part]) == (None, None), slug
    # Nor from the totals and the other districts: the attacker, knowing every identity,
    # finds room around it.
    linked = load_links()
    einwohner = indicator("einwohner")
    group = Indicator.objects.filter(id__in=linked.members[linked.group[einwohner.id]])
    tables = selectors.year_tables(indicators=group, years=[year])
    by_id = {i.id: tables[(i.slug, year)] for i in group}
    target = (einwohner.id, "value", observation.district_id)
    low, high = bounds(by_id, linked.links, target)
    assert low <= observation.value <= high and high - low >= 2
    # And it takes few cells along: the districts that close its cycles, not the level.
    withheld = sum(
        area.cell is not None and area.cell.suppressed
        for table in by_id.values()
        for area in table.areas.values()
    )
    assert withheld <= 100, withheld


def test_an_inhabitant_count_withheld_in_the_base_year_is_not_read_off_a_later_index(client):
    # Bevölkerungsentwicklung divides every year by the inhabitants of 2012.
    Observation.objects.filter(
        indicator__slug="einwohner", district__code="61", year=2012,
        district__level__slug="statistischer-bezirk",
    ).update(status=".", value=None)  # fmt: skip
    for year in (2012, 2016, 2024):
        rows = client.get(
            "/api/v1/values",
            {"indicator": "bevoelkerungsentwicklung", "level": "statistischer-bezirk",
             "year": year},
        ).json()["values"]  # fmt: skip
        by_code = {row["code"]: row for row in rows}
        assert (by_code["61"]["value"], by_code["61"]["denominator"]) == (None, None), year
        assert by_code["62"]["denominator"] is not None  # the other districts stay


def test_a_tie_to_a_fixed_year_is_no_same_year_link():
    ties = load_links()
    index = indicator("bevoelkerungsentwicklung")
    assert ties.base_years[index.id] == ((indicator("einwohner").id, 2012),)
    assert all(link.whole != (index.id, "denominator") for link in selectors.identities())


def test_every_declared_identity_holds_in_the_demo_data():
    rows = defaultdict(dict)
    for o in Observation.objects.published().select_related("indicator"):
        rows[(o.district_id, o.year)][o.indicator.slug] = numbers(
            selectors.Cell(o.value, o.numerator, o.denominator, o.status), o.indicator
        )
    identities = list(Identity.objects.select_related("indicator"))
    assert len(identities) >= 27
    checked = 0
    for identity in identities:
        terms = identity.parsed_terms()
        for (district, year), row in rows.items():
            whole = row.get(identity.indicator.slug, {}).get(identity.part)
            # A sum of a fixed year (the base year's inhabitants) is read in that year.
            source = rows.get((district, identity.terms_year or year), {})
            parts = [source.get(slug, {}).get(part) for slug, part, _ in terms]
            if whole is None or None in parts:
                continue
            total = sum(sign * value for (_, _, sign), value in zip(terms, parts, strict=True))
            assert whole == pytest.approx(total), (identity, row)
            checked += 1
    assert checked > 2000


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("einwohner.zaehler", "keinen Teil"),
        ("bevoelkerungsentwicklung.wert", "keinen Teil"),  # an index's counts, not its value
        ("gibt-es-nicht", "kein Indikator"),
        ("einwohner.quersumme", "unbekannter Teil"),
        ("", "Mindestens ein Indikator"),
    ],
)
def test_an_identity_names_the_term_that_is_wrong(terms, message):
    identity = Identity(indicator=indicator("auslaender"), part="value", terms=terms)
    with pytest.raises(ValidationError) as raised:
        identity.full_clean()
    assert message in str(raised.value)


def test_an_index_published_with_its_counts_can_be_tied_to_them():
    # Bevölkerungsentwicklung publishes this year's inhabitants as its numerator.
    index = indicator("bevoelkerungsentwicklung")
    Identity(indicator=index, part="numerator", terms="einwohner").full_clean()
    cell = selectors.Cell(108.1, 5351.0, 4950.0, "normal")
    assert numbers(cell, index) == {"numerator": 5351.0, "denominator": 4950.0}


def test_an_identity_reads_signs_and_parts():
    identity = Identity(
        indicator=indicator("natuerlicher-saldo"),
        part="numerator",
        terms="geburtenrate.zaehler − sterberate.zaehler",
    )
    identity.full_clean()
    assert identity.parsed_terms() == [
        ("geburtenrate", "numerator", 1),
        ("sterberate", "numerator", -1),
    ]
