#!/usr/bin/env bash
# The disclosure audit (manage.py audit_disclosure) in AUDIT_WORKERS processes side by side,
# each taking every n-th planted case; fails if any of them finds a disclosed cell.
set -uo pipefail
cd "$(dirname "$0")/.."
workers="${AUDIT_WORKERS:-$(nproc)}"
pids=()
for k in $(seq 1 "$workers"); do
    (.venv/bin/python manage.py audit_disclosure --shard "$k/$workers" "$@" 2>&1 \
        | sed -u "s|^|[$k/$workers] |") &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
exit "$failed"
