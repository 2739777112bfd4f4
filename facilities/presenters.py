"""What the map page needs to draw facilities: the types with a colour each, the API's
addresses and the overlay's texts in the page's language."""

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import FacilityType
from .selectors import MAX_DISTANCE, MIN_DISTANCE

# Paul Tol's "muted" scheme, distinct for colour-blind readers; types beyond nine repeat it.
# The colour only rings the marker: its symbol and the list name the type as well.
TYPE_COLOURS = [
    "#332288", "#117733", "#882255", "#44AA99", "#999933",
    "#AA4499", "#CC6677", "#88CCEE", "#DDCC77",
]  # fmt: skip
DISTANCES = [300, 500, 750, 1000, 1500, 2000]


def overlay_context() -> dict:
    """Types (slug, name, icon, colour) for the checkbox list and the script's configuration."""
    types = [
        {
            "slug": facility_type.slug,
            "name": facility_type.name,
            "icon_url": static(f"facilities/icons/{facility_type.icon}.svg"),
            "colour": TYPE_COLOURS[index % len(TYPE_COLOURS)],
        }
        for index, facility_type in enumerate(FacilityType.objects.all())
    ]
    distances = [d for d in DISTANCES if MIN_DISTANCE <= d <= MAX_DISTANCE]
    return {
        "types": types,
        "distances": distances,
        "config": {
            "types": types,
            "facilitiesUrl": reverse("v1:facilities"),
            "catchmentUrl": reverse("v1:catchment"),
            "catchmentCsvUrl": reverse("downloads:catchment-csv"),
            "catchmentXlsxUrl": reverse("downloads:catchment-xlsx"),
            "text": {
                "places": _("Plätze"),
                "noPlaces": _("keine Platzzahl"),
                "contact": _("Kontakt"),
                "demo": _("Demodaten: synthetischer Standort, nicht amtlich"),
                "opened": _("geöffnet seit {date}"),
                "cluster": _("{n} Angebote – Eingabetaste vergrößert die Karte hier"),
                "marker": _("{type}: {name}"),
                "count": _("{n} im Jahr {year}"),
                "shown": _("{n} Angebote angezeigt"),
                "none": _("Keine Angebote gewählt."),
                "loading": _("Angebote werden geladen …"),
                "caption": _("Angebote am 31.12.{year}: {types}"),
                "showOnMap": _("{name} auf der Karte zeigen"),
                "catchmentCaption": _(
                    "Anteil der Fläche in höchstens {distance} m Luftlinie von einem Angebot "
                    "„{type}“, {year}"
                ),
                "error": _("Die Angebote konnten nicht geladen werden."),
            },
        },
    }
