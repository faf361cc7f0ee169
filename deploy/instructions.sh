#!/usr/bin/env bash
# Instructions per operation, counted by valgrind's callgrind: the same on a
# busy machine as on an idle one, so a change's effect is a number and not a
# guess (wall-clock figures swing 2x between runs on these machines).
#
#   deploy/instructions.sh CONFAB_BIN LOAD_BIN [LIMIT_BIN PEER_LOADGEN]
#
# Each workload runs twice against a fresh server under callgrind, a small and a
# large one with the same setup (the same users, the same room); the server's
# instructions over its whole life differ only by the extra operations, so
# (large - small) / (extra operations) is what one costs, startup and setup
# cancelled out. Confab: one instance, a private Redis, a fresh PostgreSQL
# database. The peers' `limit` (given its binary and the peers' load
# generator) the same way, for the workloads it has. Prints Markdown rows.
set -euo pipefail
bin=${1:?confab binary} load=${2:?confab-load binary} limit=${3:-} peer_load=${4:-}
PORT=${PORT:-3231} REDIS_PORT=${REDIS_PORT:-6394} DATABASE=${DATABASE:-confab_instructions}
PG_ADMIN=${CONFAB_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
run=$(mktemp -d /tmp/confab-instructions.XXXXXX)
server=
stop() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true # a server killed by the signal answers 143
  fi
  server=
  return 0
}
trap 'stop; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null

# counted CMD...: runs CMD under callgrind as the server until stop; the
# instructions it ran are in $run/out.
counted() {
  rm -f "$run/out"
  valgrind --tool=callgrind --callgrind-out-file="$run/out" "$@" >/dev/null 2>&1 &
  server=$!
}
instructions() { awk '/^totals:/ {print $2}' "$run/out"; }

confab() {
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DATABASE" -c "CREATE DATABASE $DATABASE" 2>/dev/null
  RUST_LOG=warn DATABASE_URL="${PG_ADMIN%/*}/$DATABASE" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    CONFAB_JWT_SECRET=instructions-secret-instructions-secret CONFAB_DATA_DIR="$run/data" \
    counted "$bin" --listen "127.0.0.1:$PORT" --rate-per-sec 1000000 --rate-burst 1000000 \
      --user-rate-per-sec 1000000 --user-rate-burst 1000000 --max-conns-per-user 1000000 \
      --signups-per-network 1000000 --signups-per-hour 1000000 --max-pending-conns-per-address 1000000
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.2; done
  echo "the server did not start under valgrind" >&2; exit 1
}

# per WHAT SMALL_JSON LARGE_JSON KEY IR_SMALL IR_LARGE: one Markdown row.
per() {
  local a b
  a=$(sed -n "s/.*\"$4\":\([0-9.]*\).*/\1/p" <<<"$2")
  b=$(sed -n "s/.*\"$4\":\([0-9.]*\).*/\1/p" <<<"$3")
  awk -v what="$1" -v a="$a" -v b="$b" -v ia="$5" -v ib="$6" 'BEGIN {
    printf "| %s | %d | %.0f |\n", what, b - a, (ib - ia) / (b - a) }'
}

# measure WHAT KEY SMALL_ARGS LARGE_ARGS START RUN: RUN (a load command
# taking the size args) against a server START starts, small then large.
measure() {
  local what=$1 key=$2 small=$3 large=$4 start=$5 runner=$6 out_small out_large ir_small ir_large
  $start; out_small=$($runner $small | tail -1); stop; ir_small=$(instructions)
  $start; out_large=$($runner $large | tail -1); stop; ir_large=$(instructions)
  per "$what" "$out_small" "$out_large" "$key" "$ir_small" "$ir_large"
}

base="http://127.0.0.1:$PORT"
fanout() { "$load" fanout --url "$base" --prefix ins --clients 100 --publishers 1 --rate 20 "$@" 2>/dev/null; }
connects() { "$load" connect --url "$base" --prefix ins --clients-per-user 100000 --hold 0.5 --join-probes 0 "$@" 2>/dev/null; }
activity() { "$load" activity --url "$base" --prefix ins --users 200 --rooms 10 --rate 20 --clients-per-user 1 "$@" 2>/dev/null; }

cat <<HEAD
# Instructions per operation

Counted by valgrind's callgrind in the server process (user space only: the
kernel's share of a write or an accept is not in it), by \`deploy/instructions.sh\`
on $(date -u +%Y-%m-%d): each workload small and large against a fresh server,
the difference divided by the extra operations (startup and setup cancel out).
Confab: one instance, a private Redis and a fresh PostgreSQL database (their own
instructions are not counted). A delivery: 100 clients in a room, one publisher
at 20 messages a second. A connect: socket, token check, \`join\`, \`joined\` and
the online list, and the close, all by one user. An activity frame: 200 users in
10 rooms, none joined, 20 messages a second.

| operation | counted | instructions each |
|---|---|---|
HEAD
measure "Confab: a delivery to one of 100 clients" delivered "--duration 3" "--duration 8" confab fanout
measure "Confab: a connect with the token checked, joined" connected "--clients 100" "--clients 600" confab connects
measure "Confab: an activity frame" activity_received "--duration 3" "--duration 8" confab activity

[ -n "$limit" ] && [ -n "$peer_load" ] || exit 0
limit_server() {
  ADDR="127.0.0.1:$PORT" counted "$limit"
  for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return; sleep 0.2; done
}
limit_fanout() {
  "$peer_load" fanout --proto seed --servers "ws://127.0.0.1:$PORT" --clients 100 --publishers 1 \
    --rate 20 --warmup 0 "$@" 2>/dev/null
}
limit_conns() {
  "$peer_load" conns --proto seed --server "ws://127.0.0.1:$PORT" --pid "$server" --hold 0.5 "$@" 2>/dev/null
}
measure "limit: a delivery to one of 100 clients" delivered "--duration 3" "--duration 8" limit_server limit_fanout
measure "limit: a connect" connected "--n 100" "--n 600" limit_server limit_conns
