#!/usr/bin/env bash
# Builds the site and the server the way `cargo leptos build` does, with
# plain cargo, wasm-bindgen and (release) wasm-opt, so that `make run` and
# `make test` need no cargo-leptos: compiling it was most of a fresh
# machine's first half hour. `cargo leptos watch` still works for UI work
# (Cargo.toml's [workspace.metadata.leptos] says the same as this script).
#
# Usage: .ci/build-site.sh debug|run|release
#   target/site/pkg/confab.js, confab.wasm, confab.css, public/ copied
#   into target/site, and $CARGO_TARGET_DIR/{debug,local,release}/confab:
#   debug for the tests (a debug wasm), run for `make run` (the release
#   wasm, the server in Cargo.toml's `local` profile: a dev build that
#   compiles in a third of a release build's time), release for production.
set -euo pipefail
mode=${1:-debug}
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$HOME/.cache/confab/target}"
export CARGO_TARGET_DIR
# The server names /pkg/confab.js and /pkg/confab.wasm by this.
export LEPTOS_OUTPUT_NAME=confab
site=target/site
pkg=$site/pkg

case "$mode" in
  debug) wasm_profile=dev; wasm_dir=debug ;;  # for the tests
  run) wasm_profile=wasm-release; wasm_dir=wasm-release; server_profile=local ;;
  release) wasm_profile=wasm-release; wasm_dir=wasm-release; server_profile=release ;;
  *) echo "usage: $0 debug|run|release" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "wasm ($mode)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$wasm_profile"
mkdir -p "$pkg"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name confab \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$wasm_dir/frontend.wasm"
# The page loads /pkg/confab.wasm (Leptos' hydration script, as cargo-leptos
# names it), passing its path to confab.js.
mv "$pkg/confab_bg.wasm" "$pkg/confab.wasm"
if [ "$mode" != debug ]; then
  say "wasm-opt -Oz"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$pkg/confab.wasm" -o "$pkg/confab.wasm"
fi
cp style/main.css "$pkg/confab.css"
cp -R public/. "$site/"

say "server ($mode)"
if [ "$mode" != debug ]; then
  cargo build -p server --bin confab --profile "$server_profile"
else
  # The debug server is the one `make unit` builds for the integration
  # tests (same packages, same features): a plain `cargo build` would
  # compile most of the tree again with the features of normal builds.
  cargo test -p protocol -p app -p server -p tools --no-run
  # The Slack export generator the browser tests import from.
  cargo build -p tools --bin confab-slack-export
fi
