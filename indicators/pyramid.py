"""The population pyramid of a profile: inhabitants by sex and age group, beside the city."""

from dataclasses import dataclass

from indicators.models import Indicator
from indicators.selectors import AreaValue, ProfileRow

from .presenters import shown, shown_area

SHARE_DECIMALS = 1


def is_pyramid_part(indicator: Indicator) -> bool:
    """A count of one sex in one age group: one bar of the pyramid."""
    return indicator.kind == Indicator.Kind.COUNT and bool(indicator.sex and indicator.age_group)


@dataclass(frozen=True)
class PyramidRow:
    age_group: str
    men: str  # as shown: a German number, "." where withheld, "–" where missing
    women: str
    men_share: str
    women_share: str
    city_men_share: str
    city_women_share: str


@dataclass(frozen=True)
class Pyramid:
    rows: list[PyramidRow]  # youngest group first
    chart: dict  # percentages for the chart; None where withheld or missing (a gap)
    withheld: bool  # some group is shown as "." (disclosure control)


def _shares(areas: dict[tuple[str, str], AreaValue | None]) -> dict[tuple[str, str], float]:
    """Each group's percentage of the people in all groups with a published value."""
    values = {k: a.cell.value for k, a in areas.items() if a is not None and a.has_value}
    total = sum(values.values())
    return {k: v / total * 100 for k, v in values.items()} if total else {}


def pyramid(rows: list[ProfileRow]) -> Pyramid | None:
    """The pyramid from a district's profile rows, or None where no group has a value.

    Withheld groups carry no number of any kind: "." in the table, a gap in the chart.
    """
    parts = [r for r in rows if is_pyramid_part(r.indicator)]
    own = {(r.indicator.sex, r.indicator.age_group): r.value for r in parts}
    if not any(a is not None and a.has_value for a in own.values()):
        return None
    city = {(r.indicator.sex, r.indicator.age_group): r.city for r in parts}
    order = {
        r.indicator.age_group: (r.indicator.age_from is None, r.indicator.age_from) for r in parts
    }
    groups = sorted(order, key=lambda g: (*order[g], g))
    own_share, city_share = _shares(own), _shares(city)

    def column(shares: dict, sex: str) -> list[float | None]:
        return [round(shares[(sex, g)], 2) if (sex, g) in shares else None for g in groups]

    def share_text(shares: dict, areas: dict, key: tuple[str, str]) -> str:
        if key in shares:
            return shown(shares[key], SHARE_DECIMALS)
        return shown_area(areas.get(key), 0)

    def table_row(group: str) -> PyramidRow:
        m, w = (Indicator.Sex.MALE, group), (Indicator.Sex.FEMALE, group)
        return PyramidRow(
            group,
            shown_area(own.get(m), 0),
            shown_area(own.get(w), 0),
            share_text(own_share, own, m),
            share_text(own_share, own, w),
            share_text(city_share, city, m),
            share_text(city_share, city, w),
        )

    chart = {
        "groups": groups,
        "men": column(own_share, Indicator.Sex.MALE),
        "women": column(own_share, Indicator.Sex.FEMALE),
        "cityMen": column(city_share, Indicator.Sex.MALE),
        "cityWomen": column(city_share, Indicator.Sex.FEMALE),
    }
    withheld = any(
        a is not None and a.cell is not None and a.cell.suppressed
        for a in [*own.values(), *city.values()]
    )
    return Pyramid([table_row(g) for g in groups], chart, withheld)
