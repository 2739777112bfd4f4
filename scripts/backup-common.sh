# Shared by backup.sh and restore.sh (sourced, not run).

DATABASE_URL=${DATABASE_URL:-postgis://atlas:atlas@127.0.0.1:5432/atlas}
MEDIA_ROOT=${DJANGO_MEDIA_ROOT:-./media}

libpq_url() {
  # The atlas's URLs say postgis://; libpq knows the same URL as postgresql://.
  case "$DATABASE_URL" in
    postgis://*) echo "postgresql://${DATABASE_URL#postgis://}" ;;
    *) echo "$DATABASE_URL" ;;
  esac
}

database_label() {
  # host/name without user and password, for the manifest and messages.
  local rest=${DATABASE_URL#*://}
  rest=${rest#*@}
  echo "${rest%%\?*}"
}
