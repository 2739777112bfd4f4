"""A TOTP device for a staff account, so that it can sign in where the admin requires one.

With ATLAS_ADMIN_REQUIRE_OTP on (the production default) the first superuser needs a device
before the admin's own page for devices can be reached; later devices can be added there too.
"""

import base64

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Richtet für ein Konto einen zweiten Faktor (TOTP) ein und zeigt den Schlüssel an."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Authenticator-App", help="Name des Geräts")
        parser.add_argument("--dry-run", action="store_true", help="nichts speichern")

    def handle(self, *args, username: str, name: str, dry_run: bool, **options):
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"Kein Konto mit Zugang zur Verwaltung: {username}")
        device = TOTPDevice(user=user, name=name, confirmed=True)
        if dry_run:
            self.stdout.write(f"Würde für {username} ein Gerät „{name}“ einrichten.")
            return
        device.save()
        secret = base64.b32encode(device.bin_key).decode()
        self.stdout.write(f"Schlüssel (in die Authenticator-App eintragen): {secret}")
        self.stdout.write(f"oder als Adresse für einen QR-Code: {device.config_url}")
