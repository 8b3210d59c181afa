#!/usr/bin/env bash
# Installs and builds what the test environment needs; a no-op when all is
# present. Called by `npm test`; safe to run by hand (`npm run setup`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
started=$(date +%s)

# Debian packages: pebble (ACME test server), bind9 (RFC 2136 DNS),
# bind9-dnsutils (nsupdate, dig), git (smart-HTTP backend).
declare -A wanted=([/usr/bin/pebble]=pebble [/usr/sbin/named]=bind9 [/usr/bin/nsupdate]=bind9-dnsutils [/usr/bin/dig]=bind9-dnsutils [/usr/bin/git]=git)
missing=()
for path in "${!wanted[@]}"; do [ -x "$path" ] || missing+=("${wanted[$path]}"); done
if [ ${#missing[@]} -gt 0 ]; then
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "setup: installing Debian packages: $packages"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

command -v go >/dev/null || { echo "setup: Go is needed to build kube-apiserver and etcd, and is not on PATH" >&2; exit 1; }
"$here/build-binaries.sh"

echo "setup: test environment ready in $(( $(date +%s) - started )) s"
