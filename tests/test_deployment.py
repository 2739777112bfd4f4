"""The production set-up: docker-compose.yml, .env.example and the settings' deployment checks."""

import ast
import copy
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
# The Compose Specification's own schema (see tests/data/compose-spec/SOURCE.md).
SCHEMA = json.loads((ROOT / "tests" / "data" / "compose-spec" / "compose-spec.json").read_text())
ENV_EXAMPLE = (ROOT / ".env.example").read_text()

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "atlas.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "1",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://atlas.example.org",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_SSL_REDIRECT": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
}


def compose_errors(document) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


def documented_variables() -> set[str]:
    """Names set in .env.example, or shown there commented out (``# NAME=…``)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.MULTILINE))


def compose_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text().replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def settings_variables() -> set[str]:
    """Every name atlas/settings.py reads: os.environ[...] / .get(...) and the env helpers."""
    tree = ast.parse((ROOT / "atlas" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(node.slice.value)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "os.getenv"} or function.startswith("env"):
                names.add(node.args[0].value)
    return names


def test_docker_compose_follows_the_compose_specification():
    assert compose_errors(COMPOSE) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda c: c["services"]["web"].update(helthcheck={"test": ["CMD", "true"]}),
        lambda c: c["services"]["db"]["healthcheck"].update(intervall="10s"),
        lambda c: c.update(volume={"media": None}),
    ],
)
def test_the_schema_check_catches_a_broken_file(damage):
    broken = copy.deepcopy(COMPOSE)
    damage(broken)
    assert compose_errors(broken)


def test_every_compose_variable_is_documented_in_env_example():
    assert compose_variables() - documented_variables() == set()


def test_every_setting_read_from_the_environment_is_documented_in_env_example():
    read = settings_variables()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "ATLAS_LOG_JSON"} <= read
    assert read - documented_variables() == set()


def test_long_running_services_have_health_checks_and_restart():
    for name in ("db", "cache", "web"):
        service = COMPOSE["services"][name]
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name


def test_the_web_health_check_is_the_liveness_endpoint():
    test = " ".join(COMPOSE["services"]["web"]["healthcheck"]["test"])
    assert "http://localhost:8000/healthz" in test


def test_data_lives_in_named_volumes():
    declared = set(COMPOSE["volumes"])
    used = {
        volume.split(":")[0]
        for service in COMPOSE["services"].values()
        for volume in service.get("volumes", [])
    }
    assert used == declared == {"db-data", "media", "public-data"}
    assert "db-data:/var/lib/postgresql/data" in COMPOSE["services"]["db"]["volumes"]


def test_nginx_reads_the_data_files_the_atlas_writes():
    services = COMPOSE["services"]
    assert "public-data:/data/public-data" in services["web"]["volumes"]
    assert "public-data:/srv/public-data:ro" in services["proxy"]["volumes"]
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "alias /srv/public-data/;" in site
    assert "try_files $uri @atlas;" in site


def test_nginx_is_published_only_on_the_address_the_tls_proxy_uses():
    (port,) = COMPOSE["services"]["proxy"]["ports"]
    assert port == "${ATLAS_BIND:-127.0.0.1}:${ATLAS_PORT:-8000}:8000"
    assert re.search(r"^ATLAS_BIND=127\.0\.0\.1$", ENV_EXAMPLE, flags=re.MULTILINE)


def test_nginx_does_not_pass_on_a_made_up_forwarded_proto():
    proxy = (ROOT / "deploy" / "nginx-proxy.conf").read_text()
    directives = [line.strip() for line in proxy.splitlines() if not line.strip().startswith("#")]
    assert "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;" not in directives
    assert "set $atlas_forwarded_proto $scheme;" in directives
    assert 'if ($http_x_forwarded_proto = "https") {' in directives
    assert "proxy_set_header X-Forwarded-Proto $atlas_forwarded_proto;" in directives
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in directives


def test_env_example_counts_both_proxies_and_requires_the_second_factor():
    def value(name: str) -> str:
        return re.search(rf"^{name}=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE).group(1)

    assert value("ATLAS_TRUSTED_PROXIES") == "2"  # TLS proxy and nginx
    assert value("ATLAS_ADMIN_REQUIRE_OTP") == "1"


def test_the_database_image_has_postgis():
    assert COMPOSE["services"]["db"]["image"].startswith("postgis/postgis:")


def run_with(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATLAS_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.external
def test_check_deploy_passes_without_warnings_in_production():
    done = run_with(PRODUCTION_ENV, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.external
def test_check_deploy_fails_with_development_settings():
    done = run_with({}, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "security.W018" in done.stderr  # DEBUG on


def test_production_needs_a_second_person_unless_the_city_turns_it_off():
    show = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'atlas.settings';"
        "from django.conf import settings; print(settings.ATLAS_FOUR_EYES)"
    )
    assert run_with(PRODUCTION_ENV, "-c", show).stdout.strip() == "True"
    assert (
        run_with({**PRODUCTION_ENV, "ATLAS_FOUR_EYES": "0"}, "-c", show).stdout.strip() == "False"
    )
    assert run_with({}, "-c", show).stdout.strip() == "False"  # make dev and the tests


def test_production_logs_json_and_development_plain_text():
    # The settings alone, without loading the apps: a tenth of the time of django.setup().
    show = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'atlas.settings';"
        "from django.conf import settings;"
        "print(settings.LOGGING['handlers']['console']['formatter'])"
    )
    assert run_with(PRODUCTION_ENV, "-c", show).stdout.strip() == "json"
    assert run_with({}, "-c", show).stdout.strip() == "text"
    assert run_with({**PRODUCTION_ENV, "ATLAS_LOG_JSON": "0"}, "-c", show).stdout.strip() == "text"


def test_a_worker_computes_the_projection_runs_started_in_the_admin():
    worker = COMPOSE["services"]["worker"]
    assert worker["command"] == ["python", "manage.py", "run_projections"]
    assert worker["restart"] == "unless-stopped"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
