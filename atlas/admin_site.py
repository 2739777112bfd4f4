"""The admin site: login with an optional second factor (TOTP), required by setting.

With ``ATLAS_ADMIN_REQUIRE_OTP`` off, an account that has a confirmed TOTP device must give a
token with its password; with it on, staff without a device cannot sign in at all.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice


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
        "otp_missing": _(
            "Für dieses Konto ist ein Einmalcode (TOTP) eingerichtet: bitte den Code aus der "
            "Authenticator-App eingeben."
        ),
        "otp_invalid": _("Der Einmalcode ist falsch oder abgelaufen."),
        "otp_throttled": _(
            "Zu viele falsche Einmalcodes. Bitte einen Moment warten und es dann erneut versuchen."
        ),
        "otp_not_set_up": _(
            "Die Anmeldung zur Verwaltung verlangt einen zweiten Faktor (TOTP), für dieses Konto "
            "ist aber keiner eingerichtet. Bitte wenden Sie sich an die Administration."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
        if not devices:
            if otp_required():
                raise forms.ValidationError(
                    self.error_messages["otp_not_set_up"], code="otp_not_set_up"
                )
            return
        token = (self.cleaned_data.get("otp_token") or "").strip().replace(" ", "")
        if not token:
            raise forms.ValidationError(self.error_messages["otp_missing"], code="otp_missing")
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        if not allowed:
            raise forms.ValidationError(self.error_messages["otp_throttled"], code="otp_throttled")
        for device in allowed:
            if device.verify_token(token):
                # django_otp marks the session as verified on login when this is set.
                user.otp_device = device
                return
        raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")


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
