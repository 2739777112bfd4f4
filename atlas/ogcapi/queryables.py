"""The properties of a collection's features as a JSON Schema (OGC API – Features Part 3,
"Queryables"), and the simple filters ``?<property>=value`` on them.

The schema is the one description of the properties: the queryables document shows it and
the filter parses a value by its type, so what a client reads there is what the server
accepts. A filter keeps the features whose property equals the value as the response writes
it (approximate values rounded, withheld ones null and so never equal to a number).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from core.http import BadParameter
from indicators.models import Indicator, Observation

from .features import APPROXIMATE_SUFFIX, STATUS_SUFFIX, Collection

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Filter:
    name: str
    value: Any

    def keeps(self, properties: dict) -> bool:
        return self.name in properties and properties[self.name] == self.value


def schema(collection: Collection, *, url: str) -> dict:
    """The queryables document of ``collection``; ``url`` is its own address ($id)."""
    return {
        "$schema": JSON_SCHEMA,
        "$id": url,
        "type": "object",
        "title": collection.level.name_plural,
        "properties": properties(collection),
        "additionalProperties": False,
    }


def properties(collection: Collection) -> dict[str, dict]:
    result = {
        "geometry": {
            "title": _("Grenze"),
            "format": "geometry-multipolygon",
            "x-ogc-role": "primary-geometry",
        },
        "code": {"title": _("Schlüssel"), "type": "string", "x-ogc-role": "id"},
        "name": {"title": _("Name"), "type": "string"},
        "year": {
            "title": _("Jahr"),
            "description": _(
                "Jahr der Werte (Stichtag 31.12.); der Parameter wählt das Jahr aller Werte."
            ),
            "type": "integer",
        },
        "is_demo": {
            "title": _("Demodaten"),
            "description": _("Gebiet oder Werte sind Demodaten: synthetisch, nicht amtlich."),
            "type": "boolean",
        },
    }
    for indicator in collection.indicators:
        result.update(_indicator_properties(indicator))
    return result


def _indicator_properties(indicator: Indicator) -> dict[str, dict]:
    slug = indicator.slug
    return {
        slug: {
            "title": indicator.name,
            "description": _indicator_description(indicator),
            "type": "number",
        },
        slug + STATUS_SUFFIX: {
            "title": _("Status: %(name)s") % {"name": indicator.name},
            "description": _(
                "normal, provisional (vorläufig), estimated (geschätzt) oder ein Zeichen nach "
                "DIN 55301; „.“: zum Schutz vor Rückschlüssen auf Personen zurückgehalten."
            ),
            "type": "string",
            "enum": [status.value for status in Observation.Status],
        },
        slug + APPROXIMATE_SUFFIX: {
            "title": _("Angenähert: %(name)s") % {"name": indicator.name},
            "description": _(
                "Aus Teilen von Gebieten einer anderen Ebene geschätzt und auf die "
                "Nachkommastellen des Indikators gerundet."
            ),
            "type": "boolean",
        },
    }


def _indicator_description(indicator: Indicator) -> str:
    # The source's licence is the source's own, not the atlas's licence of its outputs.
    parts = [
        indicator.definition,
        _("Einheit: %(unit)s.") % {"unit": indicator.unit} if indicator.unit else "",
        _("Quelle: %(source)s.") % {"source": indicator.localised_source},
        _("Lizenz der Quelle: %(licence)s.") % {"licence": indicator.licence}
        if indicator.licence
        else "",
        _("Demodaten: synthetisch, nicht amtlich.") if indicator.is_demo else "",
    ]
    return " ".join(part for part in parts if part)


def filters(request, collection: Collection, *, known: tuple[str, ...]) -> list[Filter]:
    """The filters of the request; any other parameter than ``known`` and the queryables
    is refused with a 400 that names it. A known parameter that is also a property ("year")
    keeps its own meaning: ``year`` picks the year of all values rather than filtering."""
    described = properties(collection)
    simple = {name: p for name, p in described.items() if "type" in p}
    result = []
    for name in sorted(set(request.GET) - set(known)):
        if name not in simple:
            allowed = ", ".join([*known, *[n for n in simple if n not in known]])
            raise BadParameter(
                name,
                f"unbekannter Parameter „{name}“, erlaubt: {allowed} / "
                f"unknown parameter '{name}', allowed: {allowed}",
            )
        result.append(Filter(name, _parse(name, request.GET[name], simple[name])))
    return result


def _parse(name: str, raw: str, prop: dict) -> Any:
    parse = PARSERS[prop["type"]]
    try:
        value = parse(raw)
    except ValueError:
        value = None
    if value is None or ("enum" in prop and value not in prop["enum"]):
        expected = ", ".join(prop["enum"]) if "enum" in prop else prop["type"]
        raise BadParameter(
            name,
            f"„{name}“ erwartet {expected}, nicht {raw!r} / '{name}' expects {expected}, "
            f"not {raw!r}",
        )
    return value


def _number(raw: str) -> float | None:
    number = float(raw)
    return number if math.isfinite(number) else None


def _boolean(raw: str) -> bool | None:
    return {"true": True, "false": False}.get(raw)


PARSERS: dict[str, Callable[[str], Any]] = {
    "string": lambda raw: raw,
    "number": _number,
    "integer": int,
    "boolean": _boolean,
}
