"""Response headers that depend on the request: the content security policy and framing.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings; here it is adjusted for the two
kinds of page that need more: the admin (django-leaflet's map widget writes an inline script,
allowed by a per-request nonce) and the embeddable map (``?embed=1``), which other sites named
in ``ATLAS_EMBED_ORIGINS`` may show in a frame.
"""

import hashlib
import time

from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.http import BadParameter

EMBEDDABLE_VIEWS = {"map", "bezirk"}


def is_embed(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return (
        match is not None
        and match.url_name in EMBEDDABLE_VIEWS
        and not match.namespace
        and request.GET.get("embed") == "1"
    )


def is_admin(request) -> bool:
    return request.path_info.startswith(reverse("admin:index"))


class AtlasCSPMiddleware(CSPMiddleware):
    """The site's policy, with a nonce on admin pages and frame ancestors for embeds.

    Placed after XFrameOptionsMiddleware, so that its answer comes first: an embed gets
    X-Frame-Options only where it agrees with frame-ancestors.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = dict(parts.update or {})
        replace = dict(parts.replace or {})
        if is_admin(request):
            # Only here: the public pages have no inline script at all.
            update["script-src"] = [NONCE]
        if is_embed(request):
            replace["frame-ancestors"] = [SELF, *settings.ATLAS_EMBED_ORIGINS]
        parts.update, parts.replace = update or None, replace or None
        return parts

    def process_response(self, request, response):
        if is_embed(request):
            if settings.ATLAS_EMBED_ORIGINS:
                # X-Frame-Options cannot name other sites; frame-ancestors does.
                response.xframe_options_exempt = True
            else:
                response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return super().process_response(request, response)


def lockout(request, original_response=None, credentials=None):
    """The page shown while a login is locked: what happened and how long it lasts."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "atlas/lockout.html", context, status=429)


# --- a growing delay per account ----------------------------------------------------------
#
# django-axes locks a user name at one address (AXES_LOCKOUT_PARAMETERS): a stranger elsewhere
# cannot lock the account's owner out. Against guessing one account from many addresses, each
# failure of the account makes the next attempt *from the same address* wait longer. A stranger
# can make the owner wait only after her own failure, and at most ACCOUNT_DELAY_CAP seconds.

ACCOUNT_FREE_FAILURES = 3
ACCOUNT_DELAY_CAP = 60


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode(), usedforsecurity=False)
    return f"login-delay:{digest.hexdigest()[:32]}"


def account_delay(failures: int) -> int:
    """Seconds between attempts on an account after this many failures: 2, 4, 8 … 60."""
    if failures < ACCOUNT_FREE_FAILURES:
        return 0
    return min(2 ** (failures - ACCOUNT_FREE_FAILURES + 1), ACCOUNT_DELAY_CAP)


def seconds_to_wait(username: str, address: str) -> int:
    """How long an attempt on the account from this address must still wait (0: none)."""
    failures = cache.get(_key("failures", username)) or 0
    last = cache.get(_key("last", username, address))
    if last is None:
        return 0
    return max(0, int(last + account_delay(failures) - time.time() + 0.999))


def address_blocked(address: str) -> bool:
    """Whether an address failed with more than ATLAS_LOGIN_ADDRESS_FAILURE_LIMIT user names
    and passwords in the cool-off time: one password tried on many accounts (spraying) never
    reaches the lock per user name, this stops it. Only the sprayer's own address waits."""
    limit = settings.ATLAS_LOGIN_ADDRESS_FAILURE_LIMIT
    return bool(limit) and (cache.get(_key("address", address)) or 0) >= limit


def _count(key: str, window: int) -> None:
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=window)


def record_failure(username: str, address: str) -> None:
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    _count(_key("failures", username), window)
    _count(_key("address", address), window)
    cache.set(_key("last", username, address), time.time(), timeout=ACCOUNT_DELAY_CAP + 1)


def forget_failures(username: str) -> None:
    cache.delete(_key("failures", username))


JSON_PATHS = ("/api/v1/", "/ogcapi/", "/daten/")


class RejectNulMiddleware:
    """A NUL character in the path or a parameter is refused with 400 before any view runs.

    PostgreSQL cannot store or compare text containing NUL, so such a value would otherwise
    reach the database as an error instead of an answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return self._refuse(
                request, "path", _("Die Adresse enthält ein unzulässiges Zeichen (NUL).")
            )
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                name = name.replace("\x00", "")
                message = _("Parameter „%(name)s“ enthält ein unzulässiges Zeichen (NUL).") % {
                    "name": name
                }
                return self._refuse(request, name, message)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, parameter: str, message: str):
        # The data interfaces answer in their own error format; pages in text.
        if request.path.startswith(JSON_PATHS):
            return BadParameter(parameter, message).response()
        return HttpResponseBadRequest(message)
