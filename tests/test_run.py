"""`make run` serves as production does: scripts/run.sh checks its settings before it starts
gunicorn (``--check`` runs only that check), with the gunicorn settings of the Docker image."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.external

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    # The caller's DJANGO_/ATLAS_ settings stay out, as on a fresh machine.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATLAS_"))}
    return subprocess.run(
        args, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=300
    )


def test_make_run_starts_with_debug_off_and_a_key_of_its_own(tmp_path):
    key = tmp_path / "secret-key"
    # Even where the shell has DEBUG on for development.
    done = run(["bash", "scripts/run.sh", "--check"], SECRET_KEY_FILE=str(key), DJANGO_DEBUG="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Wie in Produktion: DEBUG aus" in done.stdout
    assert len(key.read_text().strip()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_make_run_uses_the_key_in_its_file(tmp_path):
    key = tmp_path / "secret-key"
    key.write_text("kurz\n")
    done = run(["bash", "scripts/run.sh", "--check"], SECRET_KEY_FILE=str(key))
    assert done.returncode != 0
    assert "kein eigener geheimer Schlüssel" in done.stderr
    assert key.read_text() == "kurz\n"  # never replaced


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"DJANGO_DEBUG": "1"}, "DEBUG ist an"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "development-only-not-secret"},
         "kein eigener geheimer Schlüssel"),
    ],
)  # fmt: skip
def test_the_settings_check_refuses_what_production_would_not_serve(env, problem):
    done = run([sys.executable, "manage.py", "check_serving"], **env)
    assert done.returncode != 0
    assert problem in done.stderr


def test_make_run_and_the_docker_image_give_gunicorn_the_same_settings():
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", "")
    command = json.loads(re.search(r"^CMD (\[.*?\])$", dockerfile, re.M | re.S).group(1))
    assert command[:4] == ["gunicorn", "atlas.wsgi:application", "--config",
                           "deploy/gunicorn.conf.py"]  # fmt: skip
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "atlas.wsgi:application --config deploy/gunicorn.conf.py" in script


def test_make_run_starts_the_projection_worker_beside_the_server():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert '"$PY" manage.py run_projections &' in script
    assert script.count("start_worker\n") == 2  # production and --dev
