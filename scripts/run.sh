#!/usr/bin/env bash
# Serve the atlas on this machine, after scripts/setup.sh (`make run`, `make dev`).
#   scripts/run.sh           as production serves it (Dockerfile, docker-compose.yml): gunicorn
#                            with deploy/gunicorn.conf.py, DEBUG off, the static files collected
#                            and served compressed by whitenoise, the map's boundary files
#                            rendered into ATLAS_PUBLIC_DATA_ROOT as the compose "migrate" does
#   scripts/run.sh --dev     Django's runserver with DEBUG, for development
#   scripts/run.sh --check   only check the settings the first would serve with, start nothing
# HOST and PORT (default 127.0.0.1 and 8000) say where. Without DJANGO_SECRET_KEY a key is
# generated once into SECRET_KEY_FILE (default .secret-key, not in git).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PY=$VENV/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
SECRET_KEY_FILE=${SECRET_KEY_FILE:-.secret-key}
GUNICORN=("$VENV/bin/gunicorn" atlas.wsgi:application --config deploy/gunicorn.conf.py
          --bind "$HOST:$PORT")

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

secret_key() {
  if [ ! -s "$SECRET_KEY_FILE" ]; then
    (umask 077 && "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" >"$SECRET_KEY_FILE")
  fi
  cat "$SECRET_KEY_FILE"
}

production_settings() {
  # As the Dockerfile and .env.example set them, except where a workstation has no TLS proxy
  # in front: cookies marked Secure would not come back over plain http://, and the admin's
  # CSRF check would fail. Everything else keeps its production default (second factor for the
  # admin, JSON log lines, …) unless set in the environment.
  export DJANGO_DEBUG=0
  DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(secret_key)}
  export DJANGO_SECRET_KEY
  export DJANGO_SECURE_COOKIES=${DJANGO_SECURE_COOKIES:-0}
  export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost,[::1]}
  export WEB_CONCURRENCY=${WEB_CONCURRENCY:-3}
}


static_fingerprint() {
  # What the collected files are made of: the atlas's own, the installed packages' (their
  # stamp from setup.sh) and the storage that compresses and names them.
  {
    find static -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum atlas/staticfiles.py
    cat "$VENV/.installed" 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

collect_static() {
  # Compressing every file takes a minute or more: only when something changed.
  local root=${DJANGO_STATIC_ROOT:-staticfiles} want
  want=$(static_fingerprint)
  if [ -f "$root/staticfiles.json" ] && [ "$(cat "$root/.collected" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  log "Collecting and compressing the static files into $root"
  rm -f "$root/.collected"
  "$PY" manage.py collectstatic --no-input --clear -v 0
  echo "$want" >"$root/.collected"
}

port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

start_worker() {
  # Projection runs started in the admin are computed by this worker, one at a time; it stops
  # with the server.
  log "Starting the projection worker (manage.py run_projections)"
  "$PY" manage.py run_projections &
  worker=$!
  trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
}

case "${1:-}" in
  --dev)
    log "Serving http://$HOST:$PORT/ with runserver and DEBUG on"
    export DJANGO_DEBUG=1
    start_worker
    "$PY" manage.py runserver "$HOST:$PORT"
    ;;
  --check)
    production_settings
    "$PY" manage.py check_serving
    "${GUNICORN[@]}" --check-config
    ;;
  "")
    if port_in_use "$HOST" "$PORT"; then
      echo "Port $PORT on $HOST is taken; choose another: make run PORT=8001" >&2
      exit 1
    fi
    production_settings
    "$PY" manage.py check_serving
    collect_static
    log "Rendering the map's boundary files"
    "$PY" manage.py render_public_data --boundaries-only
    start_worker
    log "Serving http://$HOST:$PORT/ as in production (gunicorn, DEBUG off); make dev for runserver"
    "${GUNICORN[@]}"
    ;;
  *)
    echo "usage: scripts/run.sh [--dev|--check]" >&2
    exit 2
    ;;
esac
