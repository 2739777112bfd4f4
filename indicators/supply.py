"""Supply indicators as the read path sees them: what it needs of the facility register.

Facilities sit above the statistics (DESIGN.md, layers): indicators computed from facilities
(``FACILITY_COMPUTATIONS``) get their counts through the provider that the facilities app
registers in its ``AppConfig.ready()``, so this app never imports it. Without a provider
there are no facility types, and supply indicators have no values.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServedPart(models.TextChoices):
    """Which number of the served group's indicator counts its people."""

    VALUE = "value", _("Wert (Anzahl)")
    NUMERATOR = "numerator", _("Zähler (einer Quote)")
    DENOMINATOR = "denominator", _("Nenner (einer Quote)")


@dataclass(frozen=True)
class SupplyType:
    """A facility type: its slug, and the indicator and part that count the group it serves."""

    slug: str
    served_indicator: str
    served_part: str


@dataclass(frozen=True)
class Supply:
    """Facilities of a type open in a district, and their places where all of them tell."""

    facilities: int
    places: int | None  # None: a facility of the district has no capacity on record


class Provider(Protocol):
    def types(self, slugs: Iterable[str]) -> dict[str, SupplyType]:
        """Slug → type, for the slugs that name a facility type."""

    def by_district(self, *, type_slug: str, year: int, district_ids) -> dict[int, Supply]:
        """District id → the supply of the type open on 31 Dec of the year."""


_provider: Provider | None = None


def register(provider: Provider) -> None:
    """Called once by the app that keeps the facility register."""
    global _provider
    _provider = provider


def supply_types(slugs: Iterable[str]) -> dict[str, SupplyType]:
    """Slug → facility type, for the slugs that name one."""
    return _provider.types(set(slugs)) if _provider is not None else {}


def supply_by_district(*, type_slug: str, year: int, district_ids) -> dict[int, Supply]:
    """District id → the supply of the type open on 31 Dec of the year, for the districts."""
    if _provider is None:
        return {}
    return _provider.by_district(type_slug=type_slug, year=year, district_ids=district_ids)
