#!/usr/bin/env bash
# Checks that the served API description tells the truth: schemathesis
# (PyPI; installed by .ci/install-deps.sh test) runs its examples, coverage,
# fuzzing and stateful phases with every check against a real server on
# loopback, signed in as a user. Any answer the document does not list, or
# a request it allows that the server refuses, fails the run. Signing out is
# left out: it would end the session the run signs its requests with (the
# integration tests cover it); so is /ws, an upgrade to a socket rather than
# a request and its answer (its frames have their own JSON Schema, checked by
# the end-to-end tests).
#
# Usage: .ci/schema.sh path/to/confab [extra schemathesis options]
set -euo pipefail
bin=${1:?usage: $0 path/to/confab}
shift
cd "$(dirname "$0")/.."
venv=${CONFAB_VENV:-$HOME/.cache/confab/venv}
data=$(mktemp -d)
log=$data/server.log
"$bin" --listen 127.0.0.1:0 --data-dir "$data" --site-root target/site >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
base=
for _ in $(seq 100); do
  base=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //') || true
  [ -n "$base" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "the server did not start" >&2; cat "$log"; exit 1; }

# A signed-in user: registration answers a bearer token.
token=$(curl -sf -H 'Content-Type: application/json' \
  -d '{"username":"schema","password":"schema-password-1"}' \
  "$base/api/auth/register" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

config=$PWD/.ci/schemathesis.toml
# Run in the scratch directory: schemathesis keeps a cache of past failures
# where it runs, and each run should stand on its own.
cd "$data"
"$venv/bin/schemathesis" --no-color --config-file "$config" run "$base/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --phases examples,coverage,fuzzing,stateful \
  --checks all \
  --max-examples "${SCHEMA_EXAMPLES:-25}" \
  --seed "${SCHEMA_SEED:-1}" \
  --generation-database none \
  --workers 1 \
  --suppress-health-check all \
  --request-timeout 10 \
  --exclude-path /api/auth/logout \
  --exclude-path /ws \
  "$@"
