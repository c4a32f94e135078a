#!/usr/bin/env bash
# Installs everything rtcstream needs to build, run and test on Debian 12:
# Debian packages (apt) and the browser-test packages (npm). Safe to re-run:
# it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libsimdjson-dev libsqlite3-dev zlib1g-dev libssl-dev
  libtomlplusplus-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Browser tests need Chromium and Node.js.
if [[ "${1:-}" == "--with-browser" ]]; then
  APT_PACKAGES+=(chromium nodejs sqlite3)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from another Debian-compatible source; accept any working node + npm.
if [[ " ${missing[*]-} " == *" nodejs "* ]] && command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
fi
missing=(${missing[@]+"${missing[@]}"})
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--with-browser" ]]; then
  if [[ ! -d tests/e2e/node_modules ]] || [[ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]]; then
    echo "install-deps: installing browser-test npm packages"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    touch tests/e2e/node_modules
  fi
fi
