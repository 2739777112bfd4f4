"""What the read path answers with: the value of an area, and a year's table of them."""

from dataclasses import dataclass

from ..models import Indicator
from ..stats import Cell

CITY_LEVEL = "stadt"


@dataclass(frozen=True)
class Source:
    """A district a roll-up drew on, with the share of it that counted."""

    code: str
    name: str
    weight: float


@dataclass(frozen=True)
class AreaValue:
    district_id: int
    code: str
    name: str
    level: str
    cell: Cell | None  # None: nothing published for this area and year
    approximate: bool = False  # rolled up across levels that do not nest
    sources: tuple[Source, ...] = ()
    ignored: tuple[Source, ...] = ()  # parts below the minimum share, left out
    interval: tuple[float, float] | None = None
    comparison: str | None = None  # "above", "below", "not_different" (against the city)
    verdict: str | None = None  # "better", "worse" by the indicator's polarity
    share_inside: float = 1.0  # in Bezirk views: the part of the area inside the Bezirk

    @property
    def has_value(self) -> bool:
        return self.cell is not None and self.cell.has_value


@dataclass(frozen=True)
class PlausibilityWarning:
    indicator: str  # the slug
    year: int
    observed: float
    rolled_up: float
    name: str = ""
    decimals: int = 1

    def __str__(self) -> str:
        # As the statistician reads numbers: German format, to the indicator's decimals (where
        # the two differ, by the check that found them).
        def shown(value: float) -> str:
            text = f"{value:,.{self.decimals}f}"
            return text.replace(",", " ").replace(".", ",").replace(" ", ".")

        return (
            f"{self.name or self.indicator} {self.year}: städtischer Wert {shown(self.observed)} "
            f"weicht von der Summe der Bezirke ({shown(self.rolled_up)}) ab"
        )


@dataclass
class YearTable:
    """Every public number of one indicator in one year, disclosure control applied."""

    indicator: Indicator
    year: int
    base_level: str | None
    areas: dict[int, AreaValue]
    warnings: list[PlausibilityWarning]

    def of_level(self, slug: str) -> list[AreaValue]:
        return sorted((a for a in self.areas.values() if a.level == slug), key=lambda a: a.code)

    @property
    def city(self) -> AreaValue | None:
        return next((a for a in self.areas.values() if a.level == CITY_LEVEL), None)
