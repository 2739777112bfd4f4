#!/usr/bin/env bash
# Debian packages the benchmarks need and the atlas does not: wrk (HTTP load) and nginx
# (the static-file baseline). Idempotent: installs only what is missing.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for pkg in wrk nginx; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "==> Installing Debian packages for the benchmarks:$missing"
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
# The Debian package enables a site on port 80; the benchmarks start their own nginx with its
# own configuration and never need the system service.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled nginx >/dev/null 2>&1; then
  as_root systemctl disable --now nginx >/dev/null 2>&1 || true
fi
