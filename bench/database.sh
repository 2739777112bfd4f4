#!/usr/bin/env bash
# The benchmark database: created if missing, migrated, with the Bottrop demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL names the benchmark database}"
name=${DATABASE_URL##*/}
admin=${DATABASE_URL%/*}/postgres
admin=${admin/#postgis:/postgresql:}
if [ -z "$(psql "$admin" -XtAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
  psql "$admin" -Xq -c "CREATE DATABASE \"$name\""
fi
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py load_demo_data --if-empty >/dev/null
