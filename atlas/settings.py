"""Settings for the Demografie- und Sozialatlas, read from the environment.

Defaults are safe for local development; production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)
# Only ever with DEBUG on (`make dev`, the tests); `make run` generates a key of its own once.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "atlas.apps.AtlasAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "leaflet",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "atlas",
    "districts",
    "facilities",
    "indicators",
    "projections",
    "reports",
]

MIDDLEWARE = [
    "atlas.logs.RequestIdMiddleware",
    "atlas.health.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Write methods on the read-only API, OGC API and downloads: 405, not CSRF's 403.
    "atlas.errors.ReadOnlyMiddleware",
    "atlas.httpcache.DataStateMiddleware",
    "atlas.httpcache.CorsMiddleware",
    "atlas.httpcache.RateLimitMiddleware",
    # Kept public responses, before sessions, language, CSRF and CSP (atlas/pagecache.py).
    "atlas.pagecache.SharedResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "atlas.middleware.LanguageFromQueryMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "atlas.httpcache.ConditionalGetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "atlas.security.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "atlas.security.AtlasCSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "atlas.urls"
WSGI_APPLICATION = "atlas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "atlas.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgis://atlas:atlas@127.0.0.1:5432/atlas"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A persistent connection is tested before each request reuses it, so the atlas
        # reconnects by itself after the database restarted.
        conn_health_checks=True,
    )
}
# While the database host is unreachable, a request fails after this many seconds instead of
# tying up a worker until the operating system gives up.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
)
# dj-database-url maps postgres:// to the plain backend; the atlas always needs GeoDjango's.
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {
            # Redis, but a Redis outage only makes the atlas slower (atlas/cache.py).
            "BACKEND": "atlas.cache.FailSafeRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
# Unambiguous English dates (atlas/formats/en/formats.py); German keeps Django's own.
FORMAT_MODULE_PATH = ["atlas.formats"]
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "atlas.staticfiles.AtlasStaticFilesStorage"
        )
    },
}

# The atlas must be fully usable without a base map, and no request may leave the site by
# default: no tile layer unless ATLAS_TILE_URL names one (e.g. the city's own tile server).
ATLAS_TILE_URL = os.environ.get("ATLAS_TILE_URL", "")
ATLAS_TILE_ATTRIBUTION = os.environ.get("ATLAS_TILE_ATTRIBUTION", "")
ATLAS_CITY_NAME = os.environ.get("ATLAS_CITY_NAME", "Bottrop")
# Orientation without a base map: the neighbouring municipalities as light outlines with their
# names, a GeoJSON file under static/ (manage.py orientation_layer writes one); empty: none.
ATLAS_ORIENTATION = os.environ.get("ATLAS_ORIENTATION", "atlas/orientation/05512000.geojson")
ATLAS_ORIENTATION_ATTRIBUTION = os.environ.get(
    "ATLAS_ORIENTATION_ATTRIBUTION", "© Land NRW (2022), dl-de/zero-2-0"
)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (51.565, 6.93),
    "DEFAULT_ZOOM": 11,
    "MIN_ZOOM": 9,
    "MAX_ZOOM": 18,
    "TILES": [(_("Grundkarte"), ATLAS_TILE_URL, {"attribution": ATLAS_TILE_ATTRIBUTION})]
    if ATLAS_TILE_URL
    else [],
    "ATTRIBUTION_PREFIX": "Leaflet",
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# One line per record; ATLAS_LOG_JSON (default on in production) writes them as JSON for a log
# collector. Every line carries the request id (header X-Request-ID), method and path.
ATLAS_LOG_JSON = envbool("ATLAS_LOG_JSON", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "atlas.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "atlas.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "json" if ATLAS_LOG_JSON else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF and each CSS rule it does not know;
    # pyogrio reports every layer it writes (GeoPackage downloads) at INFO.
    # django.server repeats the access line of atlas.request under runserver.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "pyogrio": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
    },
}
ATLAS_DEFAULT_INDICATOR = os.environ.get("ATLAS_DEFAULT_INDICATOR", "kinderarmut")

# GDAL 3.9 or newer can refuse network access while parsing spatial references; Debian 12 (and
# the Dockerfile's base) ship 3.6. GeoDjango here parses only the atlas's own EPSG codes and
# geometries; uploaded files are read by pyogrio, which brings its own GDAL.
SILENCED_SYSTEM_CHECKS = [
    "gis.W001",
    # HSTS preloading is decided for a whole registrable domain (the city's), and the preload
    # list accepts only such domains; the atlas runs under a subdomain and cannot opt in on
    # its own. DJANGO_HSTS_PRELOAD=1 sends the directive where the domain owner wants it.
    "security.W021",
]

# Behind a TLS-terminating proxy (the usual production set-up).
ATLAS_BEHIND_TLS_PROXY = envbool("DJANGO_BEHIND_TLS_PROXY", False)
if ATLAS_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # The __Host- prefix makes browsers accept the cookie only over HTTPS, for the whole site
    # (path "/") and from this host alone (no Domain attribute).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
SECURE_SSL_REDIRECT = envbool("DJANGO_SSL_REDIRECT", False)
# Sent only on HTTPS responses; a year, as browsers' preload rules expect.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", False)
# Probes call these over plain HTTP from inside the container or cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# How many reverse proxies in front of the atlas append to X-Forwarded-For; 0: trust none,
# use the peer address (a client can write anything into that header). A hop counts as a proxy
# only from these addresses (loopback and the private ranges, where the compose network and a
# TLS proxy on the same host are), so a direct request is judged by its peer address.
# core/clients.py finds the client with both.
ATLAS_TRUSTED_PROXIES = int(os.environ.get("ATLAS_TRUSTED_PROXIES", "0"))
ATLAS_TRUSTED_PROXY_ADDRESSES = envlist(
    "ATLAS_TRUSTED_PROXY_ADDRESSES",
    "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
)

SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Other sites that may show the map in a frame (?embed=1), e.g. "https://www.bottrop.de".
ATLAS_EMBED_ORIGINS = envlist("ATLAS_EMBED_ORIGINS", "")


def _origin(url: str) -> str | None:
    """The scheme and host of a tile URL template such as https://tiles.example/{z}/{x}/{y}.png."""
    # Leaflet's {s} stands for subdomains a, b, c: a wildcard in CSP.
    parts = urlsplit(url.replace("{s}", "*"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# No inline script anywhere on the public pages: JSON data blocks are not executed, and
# Leaflet and Plotly set styles through the DOM, which style-src does not restrict. The admin
# adds a per-request nonce for django-leaflet's map widget (atlas/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: for the chart images Plotly draws when a chart is saved as PNG.
        "img-src": [SELF, "data:", "blob:", *filter(None, [_origin(ATLAS_TILE_URL)])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Admin login throttling: after AXES_FAILURE_LIMIT failures for one user name from one client
# address (core/clients.py), that combination waits 15 minutes; nobody elsewhere can lock the
# account's owner out. Each failure of an account also makes the next attempt on it from the
# same address wait a little longer, up to a minute (atlas/security.py).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failed sign-ins from one address, whatever the user names, before that address waits the
# cool-off too (one password tried on many accounts); 0: no such limit.
ATLAS_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("ATLAS_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_LOCKOUT_CALLABLE = "atlas.security.lockout"
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
# A second factor for the admin: TOTP devices are set up under "OTP_TOTP" by an administrator.
# On by default wherever DEBUG is off: in production and under `make run`, not under `make dev`.
ATLAS_ADMIN_REQUIRE_OTP = envbool("ATLAS_ADMIN_REQUIRE_OTP", not DEBUG)
# Only staff have sessions (public pages keep none): they end after 8 hours without a request.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
OTP_TOTP_ISSUER = f"Sozialatlas {ATLAS_CITY_NAME}"
# Four eyes on what the public sees: an import, a publication, a withdrawal, an edit of the
# catalogue or of boundaries waits for a second person. On by default wherever DEBUG is off (in
# production and under `make run`), so no one person can change the public atlas unless the
# city says so (ATLAS_FOUR_EYES=0, where one person runs it).
ATLAS_FOUR_EYES = envbool("ATLAS_FOUR_EYES", not DEBUG)
# No indicator's disclosure threshold may be lower than this, whoever sets it: values from
# fewer cases stay withheld even if a threshold of 0 reaches the database.
ATLAS_DISCLOSURE_FLOOR = int(os.environ.get("ATLAS_DISCLOSURE_FLOOR", "3"))
# Roll-ups across levels that do not nest leave out a district of which less than this share
# lies in the area (slivers from drawing the lines); the parts list names them.
ATLAS_MIN_PART_SHARE = float(os.environ.get("ATLAS_MIN_PART_SHARE", "0.01"))
ATLAS_UPLOAD_MAX_BYTES = int(os.environ.get("ATLAS_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Reading an upload happens in a child process with these limits (core/sandbox.py); a file
# beyond them is refused. Spreadsheet cells counted while reading.
ATLAS_UPLOAD_CPU_SECONDS = int(os.environ.get("ATLAS_UPLOAD_CPU_SECONDS", "10"))
ATLAS_UPLOAD_MEMORY_BYTES = int(os.environ.get("ATLAS_UPLOAD_MEMORY_BYTES", str(1024**3)))
ATLAS_UPLOAD_WALL_SECONDS = float(os.environ.get("ATLAS_UPLOAD_WALL_SECONDS", "15"))
ATLAS_UPLOAD_MAX_CELLS = int(os.environ.get("ATLAS_UPLOAD_MAX_CELLS", "5000000"))
ATLAS_IMPORT_JUMP_SHARE = float(os.environ.get("ATLAS_IMPORT_JUMP_SHARE", "0.5"))
# Key indicators of the Stadtbezirk fact sheet (slugs; unknown ones are left out).
ATLAS_FACTSHEET_INDICATORS = envlist(
    "ATLAS_FACTSHEET_INDICATORS",
    "einwohner,durchschnittsalter,anteil-unter-18,anteil-65-plus,anteil-80-plus,"
    "anteil-alleinerziehende,sgb-ii-quote,kinderarmut,arbeitslosenanteil,"
    "grundsicherung-im-alter,wohnungslose-je-1000,pflegequote",
)

# Open data: the licence every download states, who publishes, and whom to ask.
ATLAS_DATA_LICENSE = os.environ.get("ATLAS_DATA_LICENSE", "dl-de/by-2-0")
ATLAS_DATA_LICENSE_NAME = os.environ.get(
    "ATLAS_DATA_LICENSE_NAME", "Datenlizenz Deutschland – Namensnennung – Version 2.0"
)
ATLAS_DATA_LICENSE_URL = os.environ.get(
    "ATLAS_DATA_LICENSE_URL", "https://www.govdata.de/dl-de/by-2-0"
)
# The licence as DCAT-AP.de names it (its vocabulary of licences).
ATLAS_DATA_LICENSE_URI = os.environ.get(
    "ATLAS_DATA_LICENSE_URI", "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
)
# A theme published under another licence than ATLAS_DATA_LICENSE: "slug=licence,…", the
# licence one of indicators.services.downloads.KNOWN_LICENCES.
ATLAS_THEME_LICENSES = dict(
    entry.strip().split("=", 1)
    for entry in os.environ.get("ATLAS_THEME_LICENSES", "").split(",")
    if entry.strip()
)
ATLAS_DATA_PUBLISHER = os.environ.get("ATLAS_DATA_PUBLISHER", f"Stadt {ATLAS_CITY_NAME}")
ATLAS_DATA_CONTACT_EMAIL = os.environ.get("ATLAS_DATA_CONTACT_EMAIL", "")
# Who delivers the catalogue to GovData, from the DCAT-AP.de list of contributors
# (http://dcat-ap.de/def/contributors/): a city in North Rhine-Westphalia does so through Open.NRW.
ATLAS_DATA_CONTRIBUTOR_ID = os.environ.get(
    "ATLAS_DATA_CONTRIBUTOR_ID", "http://dcat-ap.de/def/contributors/openNRW"
)

# Erklärung zur Barrierefreiheit: where visitors report barriers, who settles a dispute, and the
# date of the last self-assessment. The address below must be replaced by the operator's own.
ATLAS_ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ATLAS_ACCESSIBILITY_CONTACT_EMAIL", "sozialatlas@example.org"
)
# Default: the body for public bodies in North Rhine-Westphalia (§§ 10d, 10e BGG NRW).
ATLAS_ACCESSIBILITY_ENFORCEMENT_NAME = os.environ.get(
    "ATLAS_ACCESSIBILITY_ENFORCEMENT_NAME",
    "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
)
ATLAS_ACCESSIBILITY_ENFORCEMENT_URL = os.environ.get(
    "ATLAS_ACCESSIBILITY_ENFORCEMENT_URL", "https://www.lbbp.nrw.de/ombudsstelle"
)
try:
    ATLAS_ACCESSIBILITY_REVIEWED = datetime.date.fromisoformat(
        os.environ.get("ATLAS_ACCESSIBILITY_REVIEWED") or "2026-12-06"
    )
except ValueError as error:
    raise ImproperlyConfigured(
        "ATLAS_ACCESSIBILITY_REVIEWED must be a date (YYYY-MM-DD)"
    ) from error

# The data interfaces (/api/v1/, /ogcapi/, /daten/): how long browsers and proxies may reuse a
# response, requests per client on /api/v1/ and /ogcapi/ ("120/minute"; 0 or empty: no
# limit), and an identifier of the deployed build (part of every ETag, so a new version of the
# code is never answered 304 with an old body).
# Year tables of the read path kept per worker process (indicators/readcache.py; about 15 KB
# each with the Bottrop data, whose 73 indicators over 14 years make some 1,100); 0: none.
ATLAS_TABLE_CACHE_SIZE = int(os.environ.get("ATLAS_TABLE_CACHE_SIZE", "2000"))
# Public pages kept per worker process for anonymous visitors (atlas/pagecache.py); 0: none.
ATLAS_PAGE_CACHE_SIZE = int(os.environ.get("ATLAS_PAGE_CACHE_SIZE", "300"))
# ... and at most this many bytes of them.
ATLAS_PAGE_CACHE_BYTES = int(os.environ.get("ATLAS_PAGE_CACHE_BYTES", str(64 * 1024 * 1024)))
ATLAS_API_RATE_LIMIT = os.environ.get("ATLAS_API_RATE_LIMIT", "120/minute")
ATLAS_BUILD_ID = os.environ.get("ATLAS_BUILD_ID", "")
# The map's two requests (boundaries of a level, values of an indicator) as files, rendered
# once per state of the published data and served under /data/<state>/; nginx may serve the
# directory itself and fall back to the atlas for a file not rendered yet.
ATLAS_PUBLIC_DATA_ROOT = Path(os.environ.get("ATLAS_PUBLIC_DATA_ROOT", BASE_DIR / "public-data"))
# From this many areas on, the map loads a level's boundaries per zoom band (districts/zoom.py)
# instead of the one web geometry: NRW's 396 municipalities, not Bottrop's 17 districts.
ATLAS_ZOOM_BANDS_FROM = int(os.environ.get("ATLAS_ZOOM_BANDS_FROM", "100"))
# From this many areas on, the map loads a band's boundaries for the part of the level in view
# only, in chunks (districts/zoom.py), wherever the view does not hold the whole level.
ATLAS_BOUNDARY_CHUNKS_FROM = int(os.environ.get("ATLAS_BOUNDARY_CHUNKS_FROM", "2000"))
# Downloads (/daten/) and fact sheet PDFs, built once per state of the published data and kept
# here for every worker (atlas/kept.py); empty: MEDIA_ROOT/downloads. Old states are deleted.
ATLAS_DOWNLOAD_ROOT = os.environ.get("ATLAS_DOWNLOAD_ROOT", "")
# Requests per client for the downloads that cost a build (XLSX, CSV, GeoPackage, PDF);
# empty or 0: none. Counted like ATLAS_API_RATE_LIMIT, separately from it.
ATLAS_DOWNLOAD_RATE_LIMIT = os.environ.get("ATLAS_DOWNLOAD_RATE_LIMIT", "30/minute")
# Seconds a request waits for the same download being built by another; then 503 Retry-After.
ATLAS_DOWNLOAD_WAIT_SECONDS = float(os.environ.get("ATLAS_DOWNLOAD_WAIT_SECONDS", "5"))
# A level with very many areas is drawn at zooms where they are specks as the finest coarser
# level of at most this many areas that it is crosswalked to (districts.selectors.overview_of).
ATLAS_OVERVIEW_AREAS = int(os.environ.get("ATLAS_OVERVIEW_AREAS", "1000"))
# The map's table shows a level with more areas than this a page of this many rows at a time.
ATLAS_TABLE_PAGE_ROWS = int(os.environ.get("ATLAS_TABLE_PAGE_ROWS", "100"))
