"""Security headers, login throttling and the second factor for the admin."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from atlas import security
from atlas.permissions import STATISTICIANS
from core.clients import client_address

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "Sozial-Atlas-Test-2024"


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


def test_public_pages_allow_only_their_own_scripts_and_no_framing(client):
    response = client.get("/")
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_usual_protective_headers_are_sent(client):
    response = client.get("/api/v1/levels")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_an_embedded_map_may_be_framed_by_the_site_itself_only_by_default(client):
    response = client.get("/bezirk/1/", {"embed": "1"})
    assert policy(response)["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_an_embedded_map_may_be_framed_by_the_listed_sites(client, settings):
    settings.ATLAS_EMBED_ORIGINS = ["https://www.bottrop.de"]
    response = client.get("/", {"embed": "1"})
    assert policy(response)["frame-ancestors"] == ["'self'", "https://www.bottrop.de"]
    # X-Frame-Options cannot name another site and would contradict the policy.
    assert "X-Frame-Options" not in response


def test_only_the_map_pages_are_embeddable(client, settings):
    settings.ATLAS_EMBED_ORIGINS = ["https://www.bottrop.de"]
    for url in ["/gebiet/statistischer-bezirk/11/?embed=1", "/admin/login/?embed=1"]:
        response = client.get(url)
        assert policy(response)["frame-ancestors"] == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_the_tile_server_is_allowed_for_images():
    from atlas.settings import _origin

    assert _origin("https://tiles.bottrop.de/{z}/{x}/{y}.png") == "https://tiles.bottrop.de"
    assert _origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert _origin("/kacheln/{z}/{x}/{y}.png") is None


def test_the_admin_login_page_has_no_nonce_but_a_strict_policy(client):
    assert policy(client.get(LOGIN))["script-src"] == ["'self'"]


COOKIE_SETTINGS = (
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "SECURE_HSTS_SECONDS",
)


def production_settings(*names: str, **env) -> list:
    names = names or COOKIE_SETTINGS
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, name) for name in {list(names)!r}]))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "atlas.settings", **env}
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.external
def test_production_cookies_carry_the_host_prefix_and_hsts_lasts_a_year():
    names = production_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert names == ["__Host-sessionid", "__Host-csrftoken", True, True, "/", None, 31536000]


@pytest.mark.external
def test_development_keeps_plain_cookie_names():
    names = production_settings(DJANGO_DEBUG="1", DJANGO_SECURE_COOKIES="0")
    assert names[:3] == ["sessionid", "csrftoken", False]


@pytest.mark.external
def test_production_requires_the_second_factor_by_default():
    production = production_settings(
        "ATLAS_ADMIN_REQUIRE_OTP", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50
    )
    development = production_settings("ATLAS_ADMIN_REQUIRE_OTP", DJANGO_DEBUG="1")
    assert production == [True]
    assert development == [False]


# Login throttling


@pytest.fixture(autouse=True)
def empty_cache():
    """The per-account delay and the rate limit count in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def statistician_account():
    user = User.objects.create_user("statistik", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    return user


def log_in(client, username="statistik", password=PASSWORD, address="127.0.0.1", **fields):
    data = {"username": username, "password": password, **fields}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def error_note(page) -> str:
    html = page.content.decode()
    return html.split('<p class="errornote">', 1)[1].split("</p>", 1)[0]


@pytest.fixture
def no_delay(monkeypatch):
    """Failures without the growing delay per account, to reach the lock-out quickly."""
    monkeypatch.setattr(security, "account_delay", lambda failures: 0)


def test_five_wrong_passwords_lock_the_login_with_a_clear_page(
    client, statistician_account, no_delay
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, password="falsch").status_code == 200
    locked = log_in(client, password="falsch")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in html
    assert "in 15 Minuten erneut" in html
    # While locked, even the right password does not get in.
    assert log_in(client).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_name_and_address(client, statistician_account, no_delay):
    User.objects.create_user("kollege", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="falsch")
    assert log_in(client, username="kollege").status_code == 302
    other_address = log_in(client, address="10.1.2.3")
    assert other_address.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, statistician_account, no_delay):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="falsch")
    assert log_in(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert log_in(client).status_code == 302


def test_a_spoofed_x_forwarded_for_on_a_direct_request_does_not_escape_the_lock(
    client, statistician_account, no_delay, settings
):
    settings.ATLAS_TRUSTED_PROXIES = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "statistik", "password": "falsch"},
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    again = client.post(
        LOGIN,
        {"username": "statistik", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert again.status_code == 429


def test_a_strangers_failures_behind_the_proxies_do_not_lock_the_owner_out(
    client, statistician_account, settings
):
    settings.ATLAS_TRUSTED_PROXIES = 2

    def through_proxies(visitor: str, password: str):
        # The TLS proxy appends the visitor, nginx the TLS proxy; gunicorn sees nginx.
        return client.post(
            LOGIN,
            {"username": "statistik", "password": password},
            REMOTE_ADDR="172.18.0.5",
            HTTP_X_FORWARDED_FOR=f"10.9.9.9, {visitor}, 10.0.0.2",
        )

    for _ in range(settings.AXES_FAILURE_LIMIT * 2):
        through_proxies("203.0.113.66", "falsch")
    # The stranger's address waits or is locked; the owner's address is neither.
    assert through_proxies("203.0.113.66", PASSWORD).status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    assert through_proxies("192.0.2.7", PASSWORD).status_code == 302


def test_each_failure_on_an_account_makes_the_next_attempt_from_there_wait(
    client, statistician_account, monkeypatch
):
    now = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: now[0])
    for _ in range(security.ACCOUNT_FREE_FAILURES):
        assert "Anmeldung ist fehlgeschlagen" in error_note(log_in(client, password="falsch"))
    waiting = log_in(client)  # the right password, but too soon: not even looked at
    assert "Bitte in 2 Sekunden erneut versuchen" in error_note(waiting)
    assert "_auth_user_id" not in client.session
    # Another address has not failed: its first attempt needs no wait.
    assert log_in(client, password="falsch", address="192.0.2.50").status_code == 200
    now[0] += 60
    assert log_in(client).status_code == 302


def test_the_delay_grows_to_a_minute_at_most():
    delays = [security.account_delay(n) for n in range(12)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:7] == [2, 4, 8, 16]
    assert max(delays) == security.ACCOUNT_DELAY_CAP == 60


def test_the_api_limit_counts_each_client_behind_the_proxy(client, settings):
    settings.ATLAS_API_RATE_LIMIT = "3/minute"
    settings.ATLAS_TRUSTED_PROXIES = 1

    def get(visitor: str) -> int:
        response = client.get(
            "/api/v1/levels", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=visitor
        )
        return response.status_code

    assert [get("192.0.2.1") for _ in range(5)][-1] == 429
    assert get("192.0.2.2") == 200


# The client's address


def request_from(peer: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.ATLAS_TRUSTED_PROXIES = 0
    assert client_address(request_from("172.18.0.5", "6.6.6.6")) == "172.18.0.5"


def test_behind_nginx_the_client_is_the_entry_nginx_appended(settings):
    settings.ATLAS_TRUSTED_PROXIES = 1
    request = request_from("172.18.0.5", "6.6.6.6, 192.0.2.7")
    assert client_address(request) == "192.0.2.7"


def test_behind_the_tls_proxy_and_nginx_the_client_is_two_hops_from_the_right(settings):
    settings.ATLAS_TRUSTED_PROXIES = 2
    # The visitor wrote 6.6.6.6; the TLS proxy appended her address, nginx the TLS proxy's.
    request = request_from("172.18.0.5", "6.6.6.6, 192.0.2.7, 10.0.0.2")
    assert client_address(request) == "192.0.2.7"


def test_a_direct_request_is_judged_by_its_peer_whatever_it_forwards(settings):
    settings.ATLAS_TRUSTED_PROXIES = 2
    assert client_address(request_from("198.51.100.9", "6.6.6.6, 10.0.0.2")) == "198.51.100.9"


def test_a_hop_that_is_no_proxy_address_ends_the_walk(settings):
    settings.ATLAS_TRUSTED_PROXIES = 2
    # nginx reached by a visitor who bypassed the TLS proxy: her own address is not a proxy's.
    request = request_from("172.18.0.5", "6.6.6.6, 198.51.100.9")
    assert client_address(request) == "198.51.100.9"


def test_the_proxy_addresses_can_be_named(settings):
    settings.ATLAS_TRUSTED_PROXIES = 1
    settings.ATLAS_TRUSTED_PROXY_ADDRESSES = ["192.0.2.10"]
    assert client_address(request_from("192.0.2.10", "198.51.100.9")) == "198.51.100.9"
    assert client_address(request_from("127.0.0.1", "198.51.100.9")) == "127.0.0.1"


def test_a_made_up_entry_is_never_taken_as_an_address(settings):
    settings.ATLAS_TRUSTED_PROXIES = 2
    # Fewer hops than configured, and garbage where the client should be.
    assert client_address(request_from("127.0.0.1", "<script>")) == "127.0.0.1"
    assert client_address(request_from("127.0.0.1", "[2001:db8::1]:443")) == "2001:db8::1"
    assert client_address(request_from("127.0.0.1", "192.0.2.7:5123")) == "192.0.2.7"


# The second factor


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Handy", confirmed=True)


def device_for_name(username: str) -> TOTPDevice:
    return device_for(User.objects.create_user(username, password=PASSWORD, is_staff=True))


def token(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def test_without_a_device_the_password_is_enough(client, statistician_account):
    assert log_in(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_right_password_without_the_token_is_answered_like_a_wrong_one(
    client, statistician_account
):
    device_for(statistician_account)
    without_token = log_in(client)
    wrong_password = log_in(client, password="falsch", otp_token=token(device_for_name("x")))
    assert without_token.status_code == wrong_password.status_code == 200
    assert error_note(without_token) == error_note(wrong_password)
    assert "Authenticator" not in without_token.content.decode().split("otp_token")[0]
    assert "_auth_user_id" not in client.session


def test_a_wrong_token_is_refused_and_counted_like_a_wrong_password(client, statistician_account):
    device = device_for(statistician_account)
    wrong = str((int(token(device)) + 1) % 10**6).zfill(6)
    page = log_in(client, otp_token=wrong)
    assert error_note(page) == error_note(log_in(client, username="niemand", password="x"))
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="statistik")
    assert attempt.failures_since_start == 1


def test_the_right_token_opens_the_admin(client, statistician_account):
    device = device_for(statistician_account)
    assert log_in(client, otp_token=token(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_session_without_the_token_does_not_reach_the_admin(client, statistician_account):
    device_for(statistician_account)
    client.force_login(statistician_account)
    assert client.get("/admin/").status_code == 302


def test_when_required_staff_without_a_device_cannot_sign_in(
    client, statistician_account, settings
):
    settings.ATLAS_ADMIN_REQUIRE_OTP = True
    page = log_in(client)
    assert "Anmeldung ist fehlgeschlagen" in error_note(page)
    assert "_auth_user_id" not in client.session
    client.force_login(statistician_account)
    assert client.get("/admin/").status_code == 302


def test_when_required_staff_with_a_device_sign_in_with_the_token(
    client, statistician_account, settings
):
    settings.ATLAS_ADMIN_REQUIRE_OTP = True
    device = device_for(statistician_account)
    assert log_in(client, otp_token=token(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


# Admin sessions


def test_an_admin_session_ends_after_eight_idle_hours(client, statistician_account):
    assert log_in(client).status_code == 302
    session = Session.objects.get()
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/admin/").status_code == 302
    assert not Session.objects.filter(pk=session.pk, expire_date__gt=timezone.now()).exists()


def test_each_admin_request_starts_the_eight_hours_again(client, statistician_account):
    assert log_in(client).status_code == 302
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get("/admin/").status_code == 200
    left = Session.objects.get().expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < left <= datetime.timedelta(hours=8)


def test_public_pages_start_no_session(client):
    response = client.get("/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_device_can_be_set_up_from_the_command_line(statistician_account):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("add_totp_device", "statistik", stdout=out)
    device = TOTPDevice.objects.get(user=statistician_account)
    assert device.confirmed
    assert "otpauth://totp/" in out.getvalue()


def test_one_address_trying_many_accounts_waits_after_the_address_limit(
    client, statistician_account, settings
):
    settings.ATLAS_LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for n in range(4):
        assert log_in(client, username=f"konto{n}", password="falsch").status_code == 200
    refused = log_in(client, address="127.0.0.1")  # the right password, from the sprayer
    assert "zu viele fehlgeschlagene Anmeldungen" in error_note(refused)
    assert "_auth_user_id" not in client.session
    # The account's owner, from her own address, is not affected.
    assert log_in(client, address="192.0.2.7").status_code == 302
