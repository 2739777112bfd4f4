#!/usr/bin/env bash
# Back up the atlas: the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT),
# into a new timestamped directory under BACKUP_DIR. Prints the directory it wrote.
#   DATABASE_URL       the database (default: the local development database)
#   DJANGO_MEDIA_ROOT  the uploaded files (default: ./media)
#   BACKUP_DIR         where backups go (default: ./backups)
# A backup directory holds database.dump, media.tar.gz, SHA256SUMS and MANIFEST; it only
# appears under its final name once everything in it has been written.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/backup-common.sh

BACKUP_DIR=${BACKUP_DIR:-./backups}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/atlas-$stamp"
n=1
while [ -e "$target" ]; do
  target="$BACKUP_DIR/atlas-$stamp-$n"
  n=$((n + 1))
done
partial="$target.partial"
mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file "$partial/database.dump" "$(libpq_url)"

# The files relative to MEDIA_ROOT, so a restore may put them under another path.
if [ -d "$MEDIA_ROOT" ]; then
  tar --create --gzip --file "$partial/media.tar.gz" --directory "$MEDIA_ROOT" .
else
  tar --create --gzip --file "$partial/media.tar.gz" --files-from /dev/null
fi

{
  echo "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database: $(database_label)"
  echo "media_root: $MEDIA_ROOT"
  echo "pg_dump: $(pg_dump --version)"
} > "$partial/MANIFEST"
(cd "$partial" && sha256sum database.dump media.tar.gz > SHA256SUMS)

mv "$partial" "$target"
trap - EXIT
echo "$target"
