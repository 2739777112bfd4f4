"""The API guide at /api/: what each endpoint of /api/v1/ gives, for people, in German.

Paths and parameters come from the OpenAPI document, so the guide lists exactly what the API
offers; the text for people lives here, the examples use values that exist now.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from districts.models import District, Level
from indicators.models import MAX_CLASSES, MIN_CLASSES, Indicator, Theme
from indicators.selectors import published_years
from indicators.services import downloads

from .httpcache import parse_rate
from .openapi import DOCUMENT, EXAMPLES

ENDPOINTS = {
    "/levels": _("Die Gebietsebenen (Stadt, Stadtbezirke, statistische Bezirke …) mit der Zahl "
                 "ihrer aktuellen Gebiete."),
    "/districts": _("Die Grenzen aller Gebiete einer Ebene als GeoJSON in WGS 84, mit Kennziffer, "
                    "Name und Fläche."),
    "/tiles/{level}/{z}/{x}/{y}.mvt": _("Die Grenzen einer Ebene als Vektorkacheln (Mapbox "
                                        "Vector Tiles) mit Kennziffer und Name, je Zoomstufe "
                                        "passend vereinfacht."),
    "/themes": _("Die Themenfelder mit den Kennungen ihrer Indikatoren."),
    "/indicators": _("Alle Indikatoren mit Definition, Einheit, Quelle, Lizenz, "
                     "Geheimhaltungsschwelle und den Ebenen, für die es Werte gibt."),
    "/values": _("Die Werte eines Indikators für alle Gebiete einer Ebene in einem Jahr, mit "
                 "Stadtwert, Konfidenzintervall, Vergleich mit der Stadt und Kartenklassen; mit "
                 "„from“ die Veränderung seit einem früheren Jahr."),
    "/series": _("Die Zeitreihe eines Indikators für einzelne Gebiete und die Stadt; für die "
                 "Einwohnerzahl und Altersgruppen der Kinder unter „projection“ die Jahre der "
                 "Bevölkerungsvorausberechnung (Median und Intervalle)."),
    "/change": _("Die Veränderung eines Indikators zwischen zwei Jahren je Gebiet."),
    "/profile": _("Alle Werte eines Gebiets: jeder Indikator in einem Jahr, mit Stadtwert, "
                  "Abstand und Rang unter den Gebieten der Ebene."),
    "/releases": _("Die veröffentlichten Datenstände, neueste zuerst, mit der Zahl ihrer Werte je "
                   "Themenfeld und Links zu ihren Downloads. Entwürfe erscheinen nicht."),
    "/facility-types": _("Die Arten sozialer Angebote (Kita, Jugendzentrum, Beratung …) mit der "
                         "Zielgruppe, der sie dienen."),
    "/facilities": _("Die Angebote als GeoJSON in WGS 84: Name, Adresse, Plätze und Art, je Jahr "
                     "die damals bestehenden."),
    "/catchment": _("Erreichbarkeit: der Anteil der Fläche jedes Gebiets, der höchstens die "
                    "gewählte Entfernung von einem Angebot der Art entfernt liegt."),
}  # fmt: skip

PARAMETERS = {
    "indicator": _("Kennung des Indikators (siehe „indicators“)"),
    "level": _("Kennung der Gebietsebene (siehe „levels“)"),
    "year": _("Jahr; ohne Angabe das neueste"),
    "code": _("Kennziffer des Gebiets"),
    "codes": _("Kennziffern der Gebiete, durch Kommas getrennt"),
    "within": _("Kennziffer eines Stadtbezirks: nur die Gebiete darin"),
    "method": _("Klassenbildung: quantiles, equal_interval, natural_breaks, std_mean oder manual"),
    "classes": format_lazy(
        _("Zahl der Kartenklassen, {min} bis {max}"), min=MIN_CLASSES, max=MAX_CLASSES
    ),
    "breaks": _("bei method=manual: obere Klassengrenzen, aufsteigend, mit Dezimalpunkt"),
    "from": _("erstes Jahr des Vergleichs"),
    "to": _("zweites Jahr des Vergleichs; ohne Angabe das neueste"),
    "theme": _("nur die Indikatoren dieses Themenfelds (Kennung)"),
    "geometry": _("simplified (vereinfacht, Standard) oder full (Grenzen in voller Auflösung)"),
    "zoom": _(
        "Zoomstufe der Karte, 0 bis 22: die für sie vereinfachten Grenzen; die "
        "Antwort nennt unter „zoom“, bis zu welcher Zoomstufe sie reichen"
    ),
    "chunk": _(
        "nur mit zoom: x,y einer Kachel eine Zoomstufe gröber als das Band der Zoomstufe; "
        "nur die Gebiete, die sie berühren, ganz"
    ),
    "z": _("Zoomstufe der Kachel, 0 bis 22"),
    "x": _("Spalte der Kachel, von Westen gezählt ab 0, kleiner als 2^z"),
    "y": _("Zeile der Kachel, von Norden gezählt ab 0, kleiner als 2^z"),
    "limit": _("Einträge je Seite, 1 bis 100 (Standard 20)"),
    "offset": _("so viele Einträge überspringen (Standard 0)"),
    "type": _("Kennung der Angebotsart (siehe „facility-types“)"),
    "distance": _("Entfernung in Metern, 300 bis 2000"),
    "bbox": _("nur Angebote in diesem Rechteck: West, Süd, Ost, Nord in Grad (WGS 84)"),
    "scenario": _(
        "Szenario der Bevölkerungsvorausberechnung (Standard: trend); die Szenarien des "
        "veröffentlichten Laufs"
    ),
    "release": _(
        "Nummer eines veröffentlichten Datenstands: die Werte, wie sie bis zu ihm "
        "veröffentlicht waren (eingebettete Karten)"
    ),
}
# Parameters whose meaning differs by endpoint.
PARAMETER_OVERRIDES = {
    ("/districts", "year"): _("Grenzen, die am 31. Dezember dieses Jahres galten; ohne Angabe "
                              "die heutigen"),
    ("/tiles/{level}/{z}/{x}/{y}.mvt", "year"): _("Grenzen, die am 31. Dezember dieses "
                                                  "Jahres galten; ohne Angabe die heutigen"),
    ("/values", "from"): _("Veränderungskarte: Veränderung von diesem Jahr bis „year“"),
    ("/facilities", "level"): _("Kennung einer Gebietsebene: jedes Angebot nennt das Gebiet "
                                "dieser Ebene, in dem es liegt"),
}  # fmt: skip
# Which parameters the example URL of an endpoint uses.
EXAMPLE_PARAMETERS = {
    "/districts": ["level"],
    "/indicators": ["theme"],
    "/values": ["indicator", "level", "year"],
    "/series": ["indicator", "level", "codes"],
    "/change": ["indicator", "level", "from", "to"],
    "/profile": ["level", "code", "year"],
    "/releases": ["limit"],
    "/facilities": ["type", "year"],
    "/catchment": ["type", "distance", "level", "year"],
}


@dataclass(frozen=True)
class Parameter:
    name: str
    required: bool
    text: str
    allowed: str = ""  # the values the document's schema allows, as the server checks them

    @property
    def is_range(self) -> bool:
        return self.allowed[:1].isdigit() or self.allowed[:1] in "≥≤-"


def allowed(schema: dict) -> str:
    """A parameter's range or choices from its schema ("1900–2100", "json, html"); "" else."""
    if "enum" in schema:
        return ", ".join(str(value) for value in schema["enum"])
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"≥ {low}"
    if high is not None:
        return f"≤ {high}"
    return ""


@dataclass(frozen=True)
class Endpoint:
    path: str
    summary: str
    text: str
    parameters: list[Parameter]
    example: str


def _examples() -> dict:
    """Example values that exist in the atlas now, where the document's do not."""
    values = {**EXAMPLES, "limit": 5, "type": "kita", "distance": 500}
    years = published_years()
    if years:
        values.update(year=years[-1], to=years[-1], **{"from": years[0]})
    default = Indicator.objects.filter(slug=settings.ATLAS_DEFAULT_INDICATOR).first()
    if default is not None:
        values["indicator"] = default.slug
        values["theme"] = default.theme.slug
    if not Level.objects.filter(slug=values["level"]).exists():
        values["level"] = Level.objects.order_by("-rank").values_list("slug", flat=True).first()
    codes = list(
        District.objects.current()
        .filter(level__slug=values["level"])
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    if codes and values["code"] not in codes:
        values.update(code=codes[0], codes=",".join(codes))
    if not Theme.objects.filter(slug=values["theme"]).exists():
        values.pop("theme")
    return values


def endpoints() -> list[Endpoint]:
    examples = _examples()
    base = reverse("v1:openapi").removesuffix("openapi.json").rstrip("/")
    rows = []
    for path, item in DOCUMENT["paths"].items():
        operation = item["get"]
        parameters = [
            Parameter(
                p["name"],
                p["required"],
                str(PARAMETER_OVERRIDES.get((path, p["name"]), PARAMETERS[p["name"]])),
                allowed(p["schema"]),
            )
            for p in operation.get("parameters", [])
        ]
        query = {
            name: examples[name] for name in EXAMPLE_PARAMETERS.get(path, []) if name in examples
        }
        in_path = {p["name"]: examples[p["name"]] for p in operation.get("parameters", [])
                   if p["in"] == "path"}  # fmt: skip
        example = base + path.format(**in_path) + (f"?{urlencode(query)}" if query else "")
        rows.append(Endpoint(path, operation["summary"], str(ENDPOINTS[path]), parameters, example))
    return rows


def api_guide(request):
    """The API described for people: endpoints, parameters, examples, errors, licence."""
    context = {
        "endpoints": endpoints(),
        "openapi_url": reverse("v1:openapi"),
        "licence": downloads.licence(),
        "attribution": downloads.attribution(),
        "rate": parse_rate(settings.ATLAS_API_RATE_LIMIT),
        "error_example": '{"error": {"parameter": "level", "message": '
        "\"unbekannter Wert für „level“: 'x' / unknown level: 'x'\"}}",
    }
    return render(request, "atlas/api.html", context)
