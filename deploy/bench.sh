#!/usr/bin/env bash
# `make bench`: the performance scenarios against two Confab instances with a
# private Redis and a fresh PostgreSQL database, all on this machine, then a
# Markdown report (docs/BENCHMARKS.md) with an SVG chart (docs/bench-chart.svg).
#
#   deploy/bench.sh CONFAB_BIN LOAD_BIN
#   DUR=8 (seconds per run). ONLY="redis storm" runs only those parts (of
#   fanout links connect rooms joins redis storm sqlite) into $RESULTS and writes no
#   report (for trying a part). PEERS (default docs/bench-peers.jsonl): other
#   servers' runs, measured in the same session by their load generator, to put
#   beside Confab's; NOTES (default docs/bench-notes.md): appended to the report.
set -euo pipefail
bin=${1:?confab binary} load=${2:?confab-load binary}
A=${A:-3201} B=${B:-3202} REDIS_PORT=${REDIS_PORT:-6392} DATABASE=${DATABASE:-confab_bench}
DUR=${DUR:-8}
PG_ADMIN=${CONFAB_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
here=$(cd "$(dirname "$0")" && pwd)
docs=$(cd "$here/../docs" && pwd)
run=$(mktemp -d /tmp/confab-bench.XXXXXX)
ONLY=${ONLY:-}
results=${RESULTS:-$docs/bench-results.jsonl}
: > "$results"
# want PART: whether this run includes PART.
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
pids=()

stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
trap 'stop; rm -rf "$run"' EXIT INT TERM
. "$here/redis-set.sh"

# start [REDIS] [FLAGS…]: a Redis set (single by default: redis-set.sh), a
# fresh database, and two instances with the per-client limits lifted (the
# load generator is one client sending as fast as it is told); their PIDs in
# pid_a and pid_b.
start() {
  rm -rf "${run:?}"/*
  # Write out what is waiting in the page cache first: the release build just
  # wrote ~650 MB, and the kernel writing it out 30 s later held a commit
  # (and the room's deliveries behind it) for a second in the middle of a
  # step (docs/BENCHMARKS.md, "third pass").
  sync
  start_redis_set "${1:-single}" "$REDIS_PORT" >/dev/null
  shift || true
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DATABASE" -c "CREATE DATABASE $DATABASE"
  local instance=()
  for port in "$A" "$B"; do
    env RUST_LOG=warn DATABASE_URL="${PG_ADMIN%/*}/$DATABASE" "${redis_env[@]}" \
    CONFAB_JWT_SECRET=bench-secret-bench-secret-bench-secret CONFAB_DATA_DIR="$run/data-$port" \
      "$bin" --listen "127.0.0.1:$port" --rate-per-sec 1000000 --rate-burst 1000000 \
      --user-rate-per-sec 1000000 --user-rate-burst 1000000 --max-conns-per-user 1000000 \
      --signups-per-network 1000000 --signups-per-hour 1000000 --max-rooms-per-user 1000000 \
      --max-pending-conns-per-address 1000000 "$@" &
    pids+=($!)
    instance+=($!)
  done
  pid_a=${instance[0]} pid_b=${instance[1]}
  for port in "$A" "$B"; do
    for _ in $(seq 150); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  done
}

load() { "$load" "$@" >> "$results"; }

# scenario MODE LABEL CLIENTS MSGS_PER_S: 10 publishers into one room, clients
# split over both instances (saturate: the rate is where the steps start).
scenario() {
  load "$1" --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "$pid_a,$pid_b" \
    --label "$2" --prefix "$2" --clients "$3" --publishers 10 --rate "$4" --duration "$DUR"
}

# Fresh instances answer slower in their first seconds (p99 of 70-180 ms on a
# first run here, 10-20 ms a minute later): one unrecorded run warms them.
warm() {
  echo "== warming up"
  "$load" fanout --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "$pid_a,$pid_b" \
    --label warmup --prefix "warm$1" --clients 100 --publishers 10 --rate 2000 --duration 4 > /dev/null
}

if want fanout; then
start
warm sat100
echo "== 100 clients, rising rates"
scenario saturate sat100 100 2000
echo "== 100 clients at 202,000 deliveries/s"
scenario fanout at202k 100 2020
echo "== 1,000 clients, rising rates"
scenario saturate sat1000 1000 6
echo "== 1,000 clients at 20,000 deliveries/s"
scenario fanout at20k 1000 20
stop
fi

# Link previews are off the send path: the at-rate run again, with a link to
# a page on this machine (allow-listed) in every tenth message.
if want links; then
mkdir -p "$run/pages"
printf '<!doctype html><title>Release notes</title><meta property="og:description" content="What shipped.">' \
  > "$run/pages/page.html"
PAGE_PORT=${PAGE_PORT:-3299}
python3 -m http.server "$PAGE_PORT" --bind 127.0.0.1 --directory "$run/pages" >/dev/null 2>&1 &
pids+=($!)
start single --unfurl-allow-hosts 127.0.0.1 --unfurl-per-room-per-minute 1000000 --unfurl-per-minute 1000000
warm links
echo "== 1,000 clients at 20,000 deliveries/s, a link in every tenth message"
load fanout --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "$pid_a,$pid_b" \
  --label at20k-links --prefix at20k-links --clients 1000 --publishers 10 --rate 20 --duration "$DUR" \
  --link-every 10 --link-url "http://127.0.0.1:$PAGE_PORT/page.html"
stop
fi

if want connect; then
start
echo "== 5,000 idle connections to one instance"
load connect --url "http://127.0.0.1:$A" --pids "$pid_a" --label connect --prefix conn \
  --clients 5000 --hold 8
stop
fi

# Every room at once: a user in 200 rooms connects (one instance, then both),
# and 1,000 users in 50 shared rooms hear a steady stream as `activity`.
if want rooms; then
start
echo "== a user in 200 rooms: time to a complete sidebar"
load sidebar --url "http://127.0.0.1:$A" --pids "$pid_a,$pid_b" --label sidebar1 \
  --prefix side --rooms 200 --probes 50
load sidebar --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "$pid_a,$pid_b" \
  --label sidebar2 --prefix sidetwo --rooms 200 --probes 50
echo "== 1,000 users in 50 shared rooms, 20 messages a second"
load activity --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "$pid_a,$pid_b" \
  --label activity --prefix act --users 1000 --rooms 50 --rate 20 --duration "$DUR" --clients-per-user 1
stop
fi

# Join latency by room size: each room filled with distinct users, then
# joins timed with everyone in it.
want joins && for size in 100 1000 10000; do
  start
  echo "== joining a room with $size online"
  load connect --url "http://127.0.0.1:$A" --pids "$pid_a" --label "join$size" \
    --prefix "join$size" --clients "$size" --clients-per-user 1 --hold 1 --join-probes 20
  stop
done

# The same fan-out on each Redis topology: one server, Sentinel (master and
# replica), and a 3-shard Cluster (sharded Pub/Sub), 100 clients at rising
# rates (held rate and p99), then 1,000 clients at 20,000 deliveries/s.
want redis && for topology in single sentinel cluster; do
  start "$topology"
  warm "$topology"
  echo "== Redis $topology: 100 clients, rising rates"
  scenario saturate "redis-$topology" 100 2000
  echo "== Redis $topology: 1,000 clients at 20,000 deliveries/s"
  scenario fanout "redis20k-$topology" 1000 20
  stop
done

# A restart storm: 5,000 clients on A, a publisher on B; A gets SIGTERM and
# every client comes back on B with `since`. Without a drain window they all
# come at once; with --drain-secs 5 A spreads their closing over 5 s.
want storm && for drain in 0 5; do
  start single --drain-secs "$drain"
  echo "== restart storm: 5,000 clients, drain $drain s"
  load storm --url "http://127.0.0.1:$A,http://127.0.0.1:$B" --pids "$pid_a" \
    --label "storm-drain$drain" --prefix "storm$drain" --clients 5000 --clients-per-user 50 \
    --rate 20 --before 3 --after $((drain + 15))
  stop
done

# What durable acks on SQLite cost: the embedded default (one instance, no
# Redis) with synchronous=FULL (the default: an ack survives power loss)
# against NORMAL, 10 clients all publishing into one room at rising rates.
want sqlite && for sync in full normal; do
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

[ -n "$ONLY" ] && { echo "ONLY=$ONLY: results in $results, no report"; exit 0; }
# The peers' runs and the notes kept in docs/ go beside Confab's figures.
PEERS=${PEERS:-$docs/bench-peers.jsonl} NOTES=${NOTES:-$docs/bench-notes.md}
[ -f "$PEERS" ] || PEERS=
[ -f "$NOTES" ] || NOTES=
"$load" report "$results" --out "$docs/BENCHMARKS.md" --chart "$docs/bench-chart.svg" \
  ${PEERS:+--peers "$PEERS"} ${NOTES:+--notes "$NOTES"}
