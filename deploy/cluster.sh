#!/usr/bin/env bash
# `make cluster`: Redis, PostgreSQL, two Confab instances and nginx in front, all
# on loopback. Open the printed address; Ctrl-C stops everything this started.
# REDIS=sentinel starts a master, a replica and three sentinels instead of one
# Redis (kill the master to watch a failover: its pid is printed); REDIS=cluster
# a Redis Cluster of three masters and three replicas on REDIS_PORT..+5 (each
# also uses port + 10000 for its bus).
#
#   PORT=8080 A=3101 B=3102 REDIS_PORT=6390 DATABASE=confab_cluster REDIS=single|sentinel|cluster \
#     deploy/cluster.sh BIN SITE_ROOT
set -euo pipefail
bin=${1:?confab binary}
site=${2:?site root}
PORT=${PORT:-8080} A=${A:-3101} B=${B:-3102} REDIS_PORT=${REDIS_PORT:-6390}
DATABASE=${DATABASE:-confab_cluster} REDIS=${REDIS:-single}
PG_ADMIN=${CONFAB_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
here=$(cd "$(dirname "$0")" && pwd)
run=$(mktemp -d /tmp/confab-cluster.XXXXXX)
pids=()

cleanup() {
  echo; echo "stopping the cluster"
  [ -f "$run/nginx.pid" ] && nginx -c "$run/nginx.conf" -s quit 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

. "$here/redis-set.sh"
start_redis_set "$REDIS" "$REDIS_PORT"

# The cluster's database, created once and kept between runs.
base=${PG_ADMIN%/*}
if ! psql "$PG_ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
  psql "$PG_ADMIN" -qc "CREATE DATABASE $DATABASE"
fi
secret_file=${CONFAB_DATA_DIR:-data}/cluster-jwt-secret
mkdir -p "$(dirname "$secret_file")"
[ -s "$secret_file" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$secret_file"

# Both instances keep files in one directory (what a shared filesystem or
# S3 is in a real deployment).
for port in "$A" "$B"; do
  env DATABASE_URL="$base/$DATABASE" "${redis_env[@]}" \
  CONFAB_JWT_SECRET="$(cat "$secret_file")" LEPTOS_SITE_ROOT="$site" \
  CONFAB_DATA_DIR="$run/data-$port" CONFAB_TRUST_FORWARDED_FOR=true \
  CONFAB_FILE_STORE="file://$run/files" \
    "$bin" --listen "127.0.0.1:$port" --drain-secs 5 --max-pending-conns-per-address 4096 &
  pids+=($!)
done

sed -e "s#__RUN__#$run#g" -e "s#__PORT__#$PORT#g" -e "s#__PORT_A__#$A#g" -e "s#__PORT_B__#$B#g" \
  "$here/nginx.conf" > "$run/nginx.conf"
for port in "$A" "$B"; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
done
nginx -c "$run/nginx.conf"
echo
echo "Confab cluster: http://127.0.0.1:$PORT  (instances :$A and :$B, Redis :$REDIS_PORT ($REDIS), database $DATABASE)"
[ "$REDIS" = sentinel ] && echo "Redis master pid $master_pid (kill -9 it to watch the replica take over)"
[ "$REDIS" = cluster ] && redis-cli -p "$REDIS_PORT" cluster nodes | awk '{print "  " $2, $3}' &&
  echo "(kill -9 a master's redis-server to watch its replica take over)"
echo "Ctrl-C stops it."
wait "${pids[@]}"
