#!/usr/bin/env bash
# Restore a backup made by backup.sh into the configured database and MEDIA_ROOT.
#   scripts/restore.sh BACKUP_DIRECTORY      (or BACKUP=... in the environment)
# The database may be empty (freshly created) or hold an atlas: its objects are dropped and
# recreated (pg_restore --clean --if-exists) in one transaction, so a failed restore leaves
# the database as it was. The uploaded files in MEDIA_ROOT are replaced by those of the backup.
# PostGIS must already be installed in the database: the extension belongs to the database
# administrator, so the restore neither drops nor creates it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/backup-common.sh

BACKUP=${1:-${BACKUP:-}}
if [ -z "$BACKUP" ]; then
  echo "usage: scripts/restore.sh BACKUP_DIRECTORY  (or make restore BACKUP=...)" >&2
  exit 2
fi
for file in database.dump media.tar.gz SHA256SUMS; do
  if [ ! -f "$BACKUP/$file" ]; then
    echo "$BACKUP is not a complete backup: $file is missing" >&2
    exit 1
  fi
done
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) || {
  echo "$BACKUP is damaged: checksums do not match" >&2
  exit 1
}

# Everything in the dump except the extensions, their comments and PostGIS's table of
# coordinate reference systems, which the extension owns and fills itself.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
pg_restore --list "$BACKUP/database.dump" \
  | grep -v -E '^[0-9]+; [0-9]+ [0-9]+ (EXTENSION|COMMENT - EXTENSION|TABLE DATA public spatial_ref_sys) ' \
  > "$list"

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --use-list "$list" --dbname "$(libpq_url)" "$BACKUP/database.dump"

mkdir -p "$MEDIA_ROOT"
incoming="$MEDIA_ROOT/.restore-$$"
mkdir "$incoming"
tar --extract --gzip --file "$BACKUP/media.tar.gz" --directory "$incoming"
find "$MEDIA_ROOT" -mindepth 1 -maxdepth 1 ! -path "$incoming" -exec rm -rf {} +
find "$incoming" -mindepth 1 -maxdepth 1 -exec mv {} "$MEDIA_ROOT"/ \;
rmdir "$incoming"

echo "restored $BACKUP into $(database_label) and $MEDIA_ROOT"
