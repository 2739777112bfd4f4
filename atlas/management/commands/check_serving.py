"""Are these the settings the atlas is served with in production? `scripts/run.sh` asks first.

Production (Dockerfile, docker-compose.yml) serves with DEBUG off, a secret key of its own and
the static files compressed under their hashed names by whitenoise. `make run` must do the
same, so that what is tried on a workstation is what the public gets: an unknown address gives
the atlas's own 404 page, an error never Django's debug page with its local variables.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from whitenoise.storage import CompressedManifestStaticFilesStorage

WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"


def problems() -> list[str]:
    """What differs from production, in words; empty if nothing does."""
    found = []
    if settings.DEBUG:
        found.append("DEBUG ist an (DJANGO_DEBUG=0 fehlt)")
    if settings.DEBUG_PROPAGATE_EXCEPTIONS:
        found.append("DEBUG_PROPAGATE_EXCEPTIONS ist an")
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        found.append("kein eigener geheimer Schlüssel (DJANGO_SECRET_KEY, mindestens 50 Zeichen)")
    storage = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    if not issubclass(storage, CompressedManifestStaticFilesStorage):
        found.append(f"statische Dateien nicht komprimiert und gehasht ({storage.__name__})")
    if WHITENOISE not in settings.MIDDLEWARE:
        found.append("whitenoise liefert die statischen Dateien nicht aus")
    if not settings.ALLOWED_HOSTS:
        found.append("DJANGO_ALLOWED_HOSTS ist leer")
    return found


class Command(BaseCommand):
    help = (
        "Prüft, ob die Einstellungen denen der Produktion entsprechen (DEBUG aus, eigener "
        "Schlüssel, komprimierte statische Dateien), und nennt sie; sonst Exit-Status 1."
    )

    def handle(self, *args, **options):
        found = problems()
        if found:
            raise CommandError("Nicht wie in Produktion: " + "; ".join(found))
        self.stdout.write(
            "Wie in Produktion: DEBUG aus, eigener Schlüssel, statische Dateien komprimiert "
            f"aus {settings.STATIC_ROOT}, Hosts {', '.join(settings.ALLOWED_HOSTS)}, "
            f"Kartendateien in {settings.ATLAS_PUBLIC_DATA_ROOT}."
        )
