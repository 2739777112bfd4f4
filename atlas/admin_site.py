"""The admin site: login with a second factor (TOTP), required by setting.

User name, password and one-time code are asked for together and get one answer: whatever
was wrong, the message is the same, so a guessed password is not confirmed by a question for
the code. With ``ATLAS_ADMIN_REQUIRE_OTP`` off, an account that has a confirmed TOTP device must
give a token with its password; with it on, staff without a device cannot sign in at all.
A wrong or missing code counts as a failed login for the lock-out, like a wrong password.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.clients import client_address

from .security import address_blocked, forget_failures, record_failure, seconds_to_wait

logger = logging.getLogger(__name__)


def otp_required() -> bool:
    return getattr(settings, "ATLAS_ADMIN_REQUIRE_OTP", False)


class OTPLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Einmalcode (TOTP)"),
        required=False,
        max_length=8,
        help_text=_("Nur wenn für Ihr Konto ein zweiter Faktor eingerichtet ist."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Die Anmeldung ist fehlgeschlagen. Bitte Benutzername, Passwort und – wenn für Ihr "
            "Konto eingerichtet – den Einmalcode prüfen; Groß- und Kleinschreibung zählen."
        ),
        "address": _(
            "Von Ihrer Adresse aus gab es zu viele fehlgeschlagene Anmeldungen. Bitte in "
            "%(minutes)s Minuten erneut versuchen."
        ),
        "wait": _(
            "Für dieses Konto gab es mehrere fehlgeschlagene Anmeldungen. Bitte in %(seconds)s "
            "Sekunden erneut versuchen."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        if otp_required():
            self.fields["otp_token"].help_text = _("Der Code aus Ihrer Authenticator-App.")

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request) if self.request is not None else ""
        if address_blocked(address):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            raise forms.ValidationError(
                self.error_messages["address"], code="address", params={"minutes": minutes}
            )
        if username:
            # Refused before the password is looked at: no answer about it while waiting.
            wait = seconds_to_wait(username, address)
            if wait:
                raise forms.ValidationError(
                    self.error_messages["wait"], code="wait", params={"seconds": wait}
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                record_failure(username, address)
            raise
        forget_failures(username)
        return cleaned

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        problem = self.second_factor_problem(user)
        if problem:
            logger.info("admin login refused for %s: %s", user.get_username(), problem)
            # Counted by django-axes like a wrong password, and answered like one.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise self.get_invalid_login_error()

    def second_factor_problem(self, user) -> str | None:
        """Why the token does not let the user in, for the log; None when it does."""
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
        if not devices:
            return "no TOTP device, but one is required" if otp_required() else None
        token = (self.cleaned_data.get("otp_token") or "").strip().replace(" ", "")
        if not token:
            return "no token"
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        if not allowed:
            return "token throttled"
        for device in allowed:
            if device.verify_token(token):
                # django_otp marks the session as verified on login when this is set.
                user.otp_device = device
                return None
        return "wrong token"


class AtlasAdminSite(admin.AdminSite):
    login_form = OTPLoginForm
    login_template = "admin/atlas_login.html"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        # A session is accepted if it was verified by a token at login, or if no token could
        # have been asked for (no device, and none required).
        if user.is_verified():
            return True
        return not otp_required() and not user_has_device(user)
