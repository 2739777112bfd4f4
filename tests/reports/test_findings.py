"""The findings a report states, checked against expectations worked out here from the demo
data's raw numbers (fixtures/bottrop/observations.csv, the facility register), in both
languages; no finding states a withheld value; a pinned finding keeps its numbers."""

import csv
import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from districts.models import District, Level
from facilities.models import Facility
from indicators.models import Indicator, Observation, Release
from indicators.selectors import level_values
from reports.findings import KINDS, findings

pytestmark = pytest.mark.django_db

OBSERVATIONS = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "observations.csv"
LEVEL = "statistischer-bezirk"
Z = 1.959964


def raw(slug: str, year: int, level: str = LEVEL) -> dict[str, dict]:
    """code → the row of the demo file (numbers as floats)."""
    with OBSERVATIONS.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["indicator"] == slug and r["year"] == str(year)]
    result = {}
    for r in rows:
        if r["level"] == level:
            numbers = {
                k: float(r[k]) if r[k] else None for k in ("value", "numerator", "denominator")
            }
            result[r["code"]] = {**r, **numbers}
    return result


def city(slug: str, year: int) -> dict:
    return next(iter(raw(slug, year, level="stadt").values()))


def names() -> dict[str, str]:
    return dict(District.objects.current().filter(level__slug=LEVEL).values_list("code", "name"))


def wilson(k: float, n: float) -> tuple[float, float]:
    """95 % Wilson interval in %."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * (centre - half), 100 * (centre + half)


def newcombe(a: dict, b: dict) -> tuple[float, float]:
    """Newcombe's hybrid score interval of b − a (rows with numerator and denominator), in
    percentage points."""
    p1, p2 = 100 * a["numerator"] / a["denominator"], 100 * b["numerator"] / b["denominator"]
    (l1, u1), (l2, u2) = (
        wilson(a["numerator"], a["denominator"]),
        wilson(b["numerator"], b["denominator"]),
    )
    d = p2 - p1
    return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt(
        (u2 - p2) ** 2 + (p1 - l1) ** 2
    )


def written(x: float, decimals: int, language: str) -> str:
    """A number as the German or English page writes it (half away from zero, grouped)."""
    text = f"{Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP):,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if language == "de" else text


def pct(x: float, language: str, decimals: int = 1) -> str:
    return f"{written(x, decimals, language)}\u00a0%"


def indicators(*slugs: str) -> list[Indicator]:
    return [Indicator.objects.get(slug=slug) for slug in slugs]


def test_areas_significantly_worse_than_the_city_are_those_whose_interval_lies_above_it():
    rows, whole = raw("kinderarmut", 2024), city("kinderarmut", 2024)
    assert min(r["numerator"] for r in rows.values()) >= 3  # nothing withheld
    worse = sorted(
        (
            code
            for code, r in rows.items()
            if wilson(r["numerator"], r["denominator"])[0] > whole["value"]
        ),
        key=lambda code: -abs(rows[code]["value"] - whole["value"]),
    )
    found = findings(kind="versus_city", indicators=indicators("kinderarmut"), year=2024)
    first = found[0]
    assert first.areas == tuple(worse) and len(worse) >= 4
    for language, text in (("de", first.de), ("en", first.en)):
        assert f"({pct(whole['value'], language)})" in text
        for code in worse:
            assert f"{names()[code]} ({pct(rows[code]['value'], language)})" in text
    assert "signifikant ungünstiger als die Stadt" in first.de
    assert "significantly worse than the city" in first.en
    # Every value of 2024 is provisional in the demo file: the sentence says so.
    assert {rows[code]["status"] for code in worse} | {whole["status"]} == {"provisional"}
    assert first.de.endswith(" Die Werte sind vorläufig.")
    assert first.en.endswith(" The figures are provisional.")
    assert first.url == f"/?indicator=kinderarmut&year=2024&sel={','.join(worse[:6])}&chart=compare"


def test_areas_significantly_better_than_the_city_come_second_nearest_last():
    rows, whole = raw("kinderarmut", 2024), city("kinderarmut", 2024)
    better = sorted(
        (
            code
            for code, r in rows.items()
            if wilson(r["numerator"], r["denominator"])[1] < whole["value"]
        ),
        key=lambda code: -abs(rows[code]["value"] - whole["value"]),
    )
    found = findings(kind="versus_city", indicators=indicators("kinderarmut"), year=2024)
    assert [f.kind for f in found] == ["versus_city", "versus_city"]
    assert found[1].areas == tuple(better)
    assert "signifikant günstiger" in found[1].de and "significantly better" in found[1].en


def test_a_significant_change_is_one_whose_difference_interval_excludes_zero():
    start, end = raw("sgb-ii-quote", 2014), raw("sgb-ii-quote", 2024)
    intervals = {code: newcombe(start[code], end[code]) for code in end}
    down = sorted(
        (code for code, (low, high) in intervals.items() if high < 0),
        key=lambda code: start[code]["value"] - end[code]["value"],
        reverse=True,
    )
    up = [code for code, (low, _high) in intervals.items() if low > 0]
    assert down and not up
    found = findings(kind="change", indicators=indicators("sgb-ii-quote"), year=2024, since=2014)
    assert len(found) == 1 and found[0].areas == tuple(down)
    code = down[0]
    low, high = intervals[code]
    change = round(end[code]["value"], 1) - round(start[code]["value"], 1)
    for language, text in (("de", found[0].de), ("en", found[0].en)):
        assert (
            f"{pct(start[code]['value'], language)} → {pct(end[code]['value'], language)}" in text
        )
        assert "−" + written(-change, 1, language) in text
        assert (
            "−" + written(-low, 1, language) in text and "−" + written(-high, 1, language) in text
        )
    assert "signifikant gesunken" in found[0].de and "95-%-Intervall" in found[0].de
    assert "significantly down" in found[0].en and "pp" in found[0].en
    assert found[0].url == "/?indicator=sgb-ii-quote&year=2024&from=2014"


def test_a_trend_turned_where_a_significant_rise_is_followed_by_a_significant_fall():
    years = range(2012, 2025)
    rows = {y: raw("sgb-ii-quote", y) for y in years}

    def significant(a, b) -> int:
        low, high = newcombe(a, b)
        return 1 if low > 0 else -1 if high < 0 else 0

    expected = []
    for code in rows[2024]:
        inner = [y for y in years if 2014 <= y <= 2022]
        peak = max(inner, key=lambda y: (rows[y][code]["value"], y))
        if (
            significant(rows[2012][code], rows[peak][code]) == 1
            and significant(rows[peak][code], rows[2024][code]) == -1
        ):
            expected.append((code, peak))
    found = findings(kind="trend_turned", indicators=indicators("sgb-ii-quote"), year=2024)
    rise_then_fall = next(f for f in found if "erst signifikant gestiegen" in f.de)
    assert set(rise_then_fall.areas) == {code for code, _peak in expected} and expected
    code, peak = expected[0]
    for language, text in (("de", rise_then_fall.de), ("en", rise_then_fall.en)):
        steps = ", ".join(
            f"{y}: {pct(rows[y][code]['value'], language)}" for y in (2012, peak, 2024)
        )
        assert f"{names()[code]} ({steps})" in text
    assert "first significantly up, then significantly down" in rise_then_fall.en


def test_the_share_of_cases_in_the_areas_with_the_highest_rates():
    rows, whole = raw("kinderarmut", 2024), city("kinderarmut", 2024)
    top = sorted(rows, key=lambda code: -rows[code]["value"])[:4]
    cases = sum(rows[code]["numerator"] for code in top)
    children = sum(rows[code]["denominator"] for code in top)
    (found,) = findings(kind="concentration", indicators=indicators("kinderarmut"), year=2024)
    assert found.areas == tuple(top)
    for language, text in (("de", found.de), ("en", found.en)):
        assert pct(100 * cases / whole["numerator"], language) in text
        assert pct(100 * children / whole["denominator"], language) in text
    assert f"{written(cases, 0, 'de')} von {written(whole['numerator'], 0, 'de')}" in found.de
    assert f"{written(cases, 0, 'en')} of {written(whole['numerator'], 0, 'en')}" in found.en
    assert "4 von 17 Bezirken" in found.de and "4 of 17 districts" in found.en


def test_a_concentration_over_areas_that_do_not_nest_is_worded_as_approximate():
    found = findings(
        kind="concentration", indicators=indicators("kinderarmut"), year=2024, level="stadtbezirk"
    )
    assert found and found[0].de.count("rund ") >= 3 and found[0].en.count("about ") >= 3


def test_approximate_values_get_no_significance_verdict():
    level = Level.objects.get(slug="stadtbezirk")
    approximate = {
        a.code
        for a in level_values(indicator=indicators("kinderarmut")[0], level=level, year=2024).areas
        if a.approximate
    }
    found = findings(
        kind="versus_city", indicators=indicators("kinderarmut"), year=2024, level="stadtbezirk"
    )
    assert approximate and found
    assert all(not approximate & set(f.areas) for f in found)
    assert "nur angenäherte Werte" in found[0].de and "approximate values only" in found[0].en


def groups_from_raw(year: int) -> dict[str, tuple[str, str]]:
    """code → (status group, dynamics group) after the Berlin monitoring, from the raw core
    values: z-values per indicator, their mean, standardised again, the groups' limits."""
    core = ("arbeitslosenanteil", "sgb-ii-quote", "kinderarmut", "grundsicherung-im-alter")

    def z(values: dict) -> dict:
        mean = sum(values.values()) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values.values()) / len(values))
        return {k: (v - mean) / sd for k, v in values.items()}

    def index(per_indicator: list[dict]) -> dict:
        zs = [z(values) for values in per_indicator]
        return z({code: sum(zz[code] for zz in zs) / len(zs) for code in zs[0]})

    now = [{c: r["value"] for c, r in raw(slug, year).items()} for slug in core]
    before = [{c: r["value"] for c, r in raw(slug, year - 2).items()} for slug in core]
    status = index(now)
    dynamics = index([{c: n[c] - b[c] for c in n} for n, b in zip(now, before, strict=True)])

    def status_group(x):
        return (
            "sehr niedriger"
            if x >= 1.5
            else "niedriger"
            if x >= 1
            else "mittlerer"
            if x >= -1
            else "hoher"
        )

    def dynamics_group(x):
        return "negative" if x > 1 else "stabile" if x >= -1 else "positive"

    return {c: (status_group(status[c]), dynamics_group(dynamics[c])) for c in status}


def test_the_social_index_groups_areas_by_status_and_dynamics_as_berlin_does():
    expected = groups_from_raw(2023)
    found = findings(kind="social_index", indicators=[], year=2023)
    seen = {}
    for f in found:
        match = re.match(r"Sozialindex 2023: (.+?) Status und (.+?) Dynamik – ", f.de)
        assert match, f.de
        for code in f.areas:
            seen[code] = match.groups()
    assert seen == expected
    assert {g for g, _d in expected.values()} >= {"hoher", "mittlerer", "niedriger"}
    assert found[0].en.startswith("Social index 2023: very low status")


def test_the_social_index_names_the_areas_that_changed_group():
    now, before = groups_from_raw(2023), groups_from_raw(2020)
    changed = {code for code in now if now[code] != before[code]}
    found = findings(kind="social_index", indicators=[], year=2023, since=2020)
    last = found[-1]
    assert "die Gruppe gewechselt" in last.de and "change of group" in last.en
    assert set(last.areas) == changed and changed


def test_supply_names_the_areas_with_the_fewest_places_per_100_children():
    children = {code: r["numerator"] for code, r in raw("anteil-unter-6", 2024).items()}
    places = {}
    open_kitas = Facility.objects.open_in(2024).filter(type__slug="kita")
    for district in District.objects.current().filter(level__slug=LEVEL):
        inside = open_kitas.filter(location__within=district.boundary)
        places[district.code] = sum(f.capacity for f in inside)
    per_100 = {code: 100 * places[code] / children[code] for code in children}
    scarcest = sorted(per_100, key=per_100.get)[:4]
    (found,) = findings(
        kind="supply", indicators=indicators("kita-plaetze-je-100-unter-6"), year=2024
    )
    assert found.areas == tuple(scarcest)
    for language, text in (("de", found.de), ("en", found.en)):
        for code in scarcest:
            assert f"{names()[code]} ({written(per_100[code], 1, language)})" in text
    assert "die niedrigsten Werte" in found.de and "the lowest values" in found.en
    assert "angebote=kita" in found.url


def test_reach_names_the_areas_mostly_beyond_500_m_of_a_day_care_centre():
    kitas = [f.location for f in Facility.objects.open_in(2024).filter(type__slug="kita")]
    reach = kitas[0].buffer_with_style(500, quadsegs=16)
    for point in kitas[1:]:
        reach = reach.union(point.buffer_with_style(500, quadsegs=16))
    shares = {}
    for district in District.objects.current().filter(level__slug=LEVEL):
        boundary = GEOSGeometry(district.boundary.wkb, srid=district.boundary.srid)
        shares[district.code] = boundary.intersection(reach).area / boundary.area
    outside = sorted((c for c, s in shares.items() if s < 0.5), key=shares.get)
    (found,) = findings(kind="reach", indicators=[], facility_types=["kita"], year=2024)
    assert found.areas == tuple(outside) and outside
    for language, text in (("de", found.de), ("en", found.en)):
        for code in outside:
            assert f"{names()[code]} ({pct(100 * shares[code], language)})" in text
    assert "500 m" in found.de and found.url == "/?year=2024&erreichbarkeit=kita&distanz=500"


def test_a_bezirk_report_names_only_its_own_districts_and_links_to_its_view():
    sued = District.objects.current().get(level__slug="stadtbezirk", code="2")
    level = Level.objects.get(slug=LEVEL)
    inside = {
        a.code
        for a in level_values(
            indicator=indicators("kinderarmut")[0], level=level, year=2024, within=sued
        ).areas
    }
    found = findings(
        kind="versus_city", indicators=indicators("kinderarmut"), year=2024, within=sued
    )
    assert found and all(set(f.areas) <= inside and f.url.startswith("/bezirk/2/?") for f in found)


def test_there_is_nothing_to_state_without_values():
    assert findings(kind="social_index", indicators=[], year=2024) == []
    assert findings(kind="change", indicators=indicators("kinderarmut"), year=2012) == []


PLANTED = 2  # children in SGB II: below the threshold of 3


@pytest.fixture
def planted():
    """Altstadt's child poverty 2023 and 2024 rest on 2 children: withheld."""
    for year in (2023, 2024):
        observation = Observation.objects.get(
            indicator__slug="kinderarmut",
            district__level__slug=LEVEL,
            district__code="11",
            year=year,
        )
        observation.numerator = PLANTED
        observation.value = 100 * PLANTED / observation.denominator
        observation.save()
    return 100 * PLANTED / observation.denominator


def test_no_finding_states_a_withheld_value_or_names_its_area(planted):
    level = Level.objects.get(slug=LEVEL)
    kinderarmut = indicators("kinderarmut")[0]
    withheld = {
        a.code
        for year in (2023, 2024)
        for a in level_values(indicator=kinderarmut, level=level, year=year).areas
        if not a.has_value
    }
    assert "11" in withheld
    found = [
        f
        for kind in ("versus_city", "change", "trend_turned", "concentration")
        for f in findings(kind=kind, indicators=[kinderarmut], year=2024, since=2014)
    ] + findings(kind="social_index", indicators=[], year=2023, since=2020)
    assert len(found) >= 5
    district_names = names()
    numbers = [pct(planted, "de"), pct(planted, "en"), f"{PLANTED} von", f"{PLANTED} of"]
    for f in found:
        assert not withheld & set(f.areas), f.de
        for code in withheld:
            assert district_names[code] not in f.de + f.en, f.de
        for text in numbers:
            assert text not in f.de + f.en, f.de
    # The sum of the published cases only: the withheld numerators are not in it.
    (share,) = findings(kind="concentration", indicators=[kinderarmut], year=2024)
    published = level_values(indicator=kinderarmut, level=level, year=2024).areas
    assert "Für " in share.de and "kein Wert veröffentlicht" in share.de
    assert "mit veröffentlichtem Wert" in share.de and "with a published value" in share.en
    cases = sum(a.cell.numerator for a in published if a.code in share.areas)
    assert f"{written(cases, 0, 'de')} von " in share.de


def test_findings_as_of_a_release_keep_its_numbers_after_a_later_one():
    demo = Release.objects.get(status=Release.Status.PUBLISHED)
    altstadt = District.objects.current().get(level__slug=LEVEL, code="11")
    before = raw("kinderarmut", 2024)["11"]
    later = Release.objects.create(
        title="Korrektur", status=Release.Status.PUBLISHED, published_at=timezone.now()
    )
    Observation.objects.create(
        release=later, indicator=indicators("kinderarmut")[0], district=altstadt, year=2024,
        reference_date=datetime.date(2024, 12, 31), value=100 * 700 / before["denominator"],
        numerator=700, denominator=before["denominator"], status="normal",
    )  # fmt: skip

    def altstadt_in(as_of):
        found = findings(
            kind="versus_city", indicators=indicators("kinderarmut"), year=2024, as_of=as_of
        )
        return found[0]

    pinned, now = altstadt_in(demo.published_at), altstadt_in(None)
    assert f"Altstadt ({pct(before['value'], 'de')})" in pinned.de
    assert f"Altstadt ({pct(100 * 700 / before['denominator'], 'de')})" in now.de
    assert f"release={demo.pk}" in pinned.url and "release=" not in now.url


def test_every_kind_answers_in_both_languages():
    asked = {
        "versus_city": {"indicators": indicators("kinderarmut")},
        "change": {"indicators": indicators("anteil-65-plus"), "since": 2014},
        "trend_turned": {"indicators": indicators("arbeitslosenanteil")},
        "concentration": {"indicators": indicators("kinderarmut")},
        "social_index": {"indicators": [], "year": 2023},
        "supply": {"indicators": indicators("kita-plaetze-je-100-unter-6")},
        "reach": {"indicators": indicators("kita-plaetze-je-100-unter-6")},
    }
    assert set(asked) == set(KINDS)
    for kind, arguments in asked.items():
        found = findings(kind=kind, **{"year": 2024, **arguments})
        assert found, kind
        for f in found:
            assert f.kind == kind and f.de != f.en and f.url.startswith("/")
            # No German left in the English sentence, no English in the German one.
            assert not re.search(r"\b(und|signifikant|Werte)\b|Stadt:", f.en), f.en
            assert not re.search(r"\b(and|significantly|values)\b|City:", f.de), f.de
