#!/usr/bin/env bash
# Installs what building and testing Confab needs, if it is missing. Idempotent:
# every step checks first. Usage: .ci/install-deps.sh [run|test|cluster|watch]
# (cargo-leptos only for watch: the other builds are .ci/build-site.sh).
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10       # 0.3.11 needs a newer rustc than 1.95
WASM_BINDGEN_VERSION=0.2.130      # must equal the wasm-bindgen pin in Cargo.toml
BINARYEN_VERSION=132              # wasm-opt, for release builds

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  local missing=()
  # Installed means "install ok installed": a removed package whose config
  # files remain still answers dpkg -s.
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

command -v cargo >/dev/null || { echo "Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
command -v cc >/dev/null || apt_install build-essential
command -v pkg-config >/dev/null || apt_install pkg-config
command -v npm >/dev/null || apt_install nodejs npm

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

if [ "$mode" = watch ] && ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "cargo install cargo-leptos@$CARGO_LEPTOS_VERSION (takes ~10 minutes once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "cargo install wasm-bindgen-cli@$WASM_BINDGEN_VERSION (wasm-bindgen only, unoptimized)"
  # Not --locked: one of its locked dependencies is no longer on the registry.
  # Only the wasm-bindgen binary (not the test runner, which compiles an HTTP
  # server), and unoptimized: it installs in about a minute instead of four,
  # and still binds a release wasm in seconds (a debug one in under ten).
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --bin wasm-bindgen --force
fi
if ! command -v wasm-opt >/dev/null; then
  say "npm install -g binaryen@$BINARYEN_VERSION (wasm-opt)"
  as_root npm install -g --silent "binaryen@$BINARYEN_VERSION"
fi

if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium
  # Reactions are emoji: without a font for them, screenshots show boxes.
  apt_install fonts-noto-color-emoji
fi
if [ "$mode" = cluster ]; then
  # `make bench` counts instructions per operation under callgrind.
  command -v valgrind >/dev/null || apt_install valgrind
fi
if [ "$mode" = test ] || [ "$mode" = cluster ]; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx
  # Tests spawn their own redis-server processes (they kill and restart them).
  command -v redis-server >/dev/null || apt_install redis-server
  # The TLS Redis test makes its certificates with openssl.
  command -v openssl >/dev/null || apt_install openssl
  # Tests create a database each on the local PostgreSQL, as user postgres.
  command -v pg_isready >/dev/null || apt_install postgresql
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  fi
  # Stock Debian asks for a password over TCP: give the test user the one the
  # Makefile passes (CONFAB_TEST_POSTGRES_URL). Where trust auth is on, nothing to do.
  if ! psql -h 127.0.0.1 -U postgres -d postgres -w -c 'select 1' >/dev/null 2>&1; then
    say "setting the postgres role's password for the tests"
    as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
  fi
fi
SCHEMATHESIS_VERSION=4.32.5
if [ "$mode" = test ]; then
  # schemathesis checks the API description against the server (make schema).
  command -v python3 >/dev/null || apt_install python3
  venv=${CONFAB_VENV:-$HOME/.cache/confab/venv}
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "pip install schemathesis==$SCHEMATHESIS_VERSION (in $venv)"
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # The push service the Web Push tests talk to (server/tests/support):
  # VAPID and aes128gcm checked by libraries independent of the server's.
  # The SMTP server the e-mail tests talk to (aiosmtpd). Slack's own SDK
  # (slack_sdk), posting to webhooks as CI tools do.
  if ! "$venv/bin/python" -c 'import http_ece, py_vapid, aiosmtpd, slack_sdk' 2>/dev/null; then
    say "pip install http-ece py-vapid aiosmtpd slack_sdk (in $venv)"
    "$venv/bin/pip" install -q "http-ece==1.2.1" "py-vapid==1.9.2" "aiosmtpd==1.4.6" \
      "slack_sdk==3.48.0"
  fi
  command -v curl >/dev/null || apt_install curl
fi
if [ "$mode" = test ]; then
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "npm ci (end2end)"
    (cd end2end && npm ci --no-audit --no-fund --silent)
  fi
fi
say "dependencies ready"
