#!/usr/bin/env bash
# `make bench`: the performance scenarios against two Confab instances with a
# private Redis and a fresh PostgreSQL database, all on this machine, then a
# Markdown report (docs/BENCHMARKS.md) with an SVG chart (docs/bench-chart.svg).
#
#   deploy/bench.sh CONFAB_BIN LOAD_BIN
#   DUR=8 (seconds per run). PEERS (default docs/bench-peers.jsonl): other
#   servers' runs, measured in the same session by their load generator, to put
#   beside Confab's; NOTES (default docs/bench-notes.md): appended to the report.
set -euo pipefail
bin=${1:?confab binary} load=${2:?confab-load binary}
A=${A:-3201} B=${B:-3202} REDIS_PORT=${REDIS_PORT:-6392} DATABASE=${DATABASE:-confab_bench}
DUR=${DUR:-8}
PG_ADMIN=${CONFAB_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
docs=$(cd "$(dirname "$0")/../docs" && pwd)
run=$(mktemp -d /tmp/confab-bench.XXXXXX)
results=$docs/bench-results.jsonl
: > "$results"
pids=()

stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
trap 'stop; rm -rf "$run"' EXIT INT TERM

# Redis, a fresh database, and two instances with the per-client limits lifted
# (the load generator is one client sending as fast as it is told).
start() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --logfile "$run/redis.log" &
  pids+=($!)
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DATABASE" -c "CREATE DATABASE $DATABASE"
  for port in "$A" "$B"; do
    RUST_LOG=warn DATABASE_URL="${PG_ADMIN%/*}/$DATABASE" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    CONFAB_JWT_SECRET=bench-secret-bench-secret-bench-secret CONFAB_DATA_DIR="$run/data-$port" \
      "$bin" --listen "127.0.0.1:$port" --rate-per-sec 1000000 --rate-burst 1000000 \
      --user-rate-per-sec 1000000 --user-rate-burst 1000000 --max-conns-per-user 1000000 \
      --signups-per-network 1000000 --signups-per-hour 1000000 --max-rooms-per-user 1000000 &
    pids+=($!)
  done
  for port in "$A" "$B"; do
    for _ in $(seq 150); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  done
}

load() { "$load" "$@" >> "$results"; }

# scenario MODE LABEL CLIENTS MSGS_PER_S: 10 publishers into one room, clients
# split over both instances (saturate: the rate is where the steps start).
scenario() {
  load "$1" --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "${pids[1]},${pids[2]}" \
    --label "$2" --prefix "$2" --clients "$3" --publishers 10 --rate "$4" --duration "$DUR"
}

start
# Fresh instances answer slower in their first seconds (p99 of 70-180 ms on a
# first run here, 10-20 ms a minute later): one unrecorded run warms them.
echo "== warming up"
"$load" fanout --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "${pids[1]},${pids[2]}" \
  --label warmup --prefix sat100 --clients 100 --publishers 10 --rate 2000 --duration 4 > /dev/null
echo "== 100 clients, rising rates"
scenario saturate sat100 100 2000
echo "== 100 clients at 202,000 deliveries/s"
scenario fanout at202k 100 2020
echo "== 1,000 clients, rising rates"
scenario saturate sat1000 1000 6
echo "== 1,000 clients at 20,000 deliveries/s"
scenario fanout at20k 1000 20
stop

start
echo "== 5,000 idle connections to one instance"
load connect --url "http://127.0.0.1:$A" --pids "${pids[1]}" --label connect --prefix conn \
  --clients 5000 --hold 8
stop

# Every room at once: a user in 200 rooms connects (one instance, then both),
# and 1,000 users in 50 shared rooms hear a steady stream as `activity`.
start
echo "== a user in 200 rooms: time to a complete sidebar"
load sidebar --url "http://127.0.0.1:$A" --pids "${pids[1]},${pids[2]}" --label sidebar1 \
  --prefix side --rooms 200 --probes 50
load sidebar --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "${pids[1]},${pids[2]}" \
  --label sidebar2 --prefix sidetwo --rooms 200 --probes 50
echo "== 1,000 users in 50 shared rooms, 20 messages a second"
load activity --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "${pids[1]},${pids[2]}" \
  --label activity --prefix act --users 1000 --rooms 50 --rate 20 --duration "$DUR" --clients-per-user 1
stop

# Join latency by room size: each room filled with distinct users, then
# joins timed with everyone in it.
for size in 100 1000 10000; do
  start
  echo "== joining a room with $size online"
  load connect --url "http://127.0.0.1:$A" --pids "${pids[1]}" --label "join$size" \
    --prefix "join$size" --clients "$size" --clients-per-user 1 --hold 1 --join-probes 20
  stop
done

# What durable acks on SQLite cost: the embedded default (one instance, no
# Redis) with synchronous=FULL (the default: an ack survives power loss)
# against NORMAL, 10 clients all publishing into one room at rising rates.
for sync in full normal; do
  RUST_LOG=warn DATABASE_URL="sqlite:$run/sqlite-$sync/confab.db?synchronous=$sync" \
  CONFAB_JWT_SECRET=bench-secret-bench-secret-bench-secret CONFAB_DATA_DIR="$run/sqlite-$sync" \
    "$bin" --listen "127.0.0.1:$A" --rate-per-sec 1000000 --rate-burst 1000000 \
    --user-rate-per-sec 1000000 --user-rate-burst 1000000 --max-conns-per-user 1000000 \
    --signups-per-network 1000000 --signups-per-hour 1000000 &
  pids=($!)
  for _ in $(seq 150); do curl -fs "http://127.0.0.1:$A/readyz" >/dev/null && break; sleep 0.2; done
  echo "== SQLite, synchronous=$sync: messages stored a second"
  load saturate --url "http://127.0.0.1:$A" --pids "${pids[0]}" --label "sqlite-$sync" \
    --prefix "sqlite$sync" --clients 10 --publishers 10 --rate 200 --duration "$DUR"
  stop
done

# The peers' runs and the notes kept in docs/ go beside Confab's figures.
PEERS=${PEERS:-$docs/bench-peers.jsonl} NOTES=${NOTES:-$docs/bench-notes.md}
[ -f "$PEERS" ] || PEERS=
[ -f "$NOTES" ] || NOTES=
"$load" report "$results" --out "$docs/BENCHMARKS.md" --chart "$docs/bench-chart.svg" \
  ${PEERS:+--peers "$PEERS"} ${NOTES:+--notes "$NOTES"}
