# Sourced by cluster.sh and bench.sh: starts a private Redis set on loopback,
# so nothing touches another Redis' keys.
#
#   start_redis_set MODE PORT   (MODE: single | sentinel | cluster)
#
# single: one server on PORT. sentinel: a master on PORT, its replica on
# PORT+1, three sentinels on PORT+10..12 (down after 1 s). cluster: three
# masters and three replicas on PORT..PORT+5 (node timeout 1 s; each also
# uses its port + 10000 for the cluster bus).
# Needs $run (a directory) and the array pids (each process is appended);
# sets redis_env (the instances' environment) and master_pid.

start_redis() { # PORT LOG [ARGS…]
  local port=$1 log=$2; shift 2
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
    --logfile "$run/$log" --dir "$run" "$@" &
  pids+=($!)
}

start_redis_set() {
  local mode=$1 port=$2 i node
  case "$mode" in
    single)
      start_redis "$port" redis.log
      redis_env=(REDIS_URL="redis://127.0.0.1:$port")
      ;;
    sentinel)
      start_redis "$port" redis.log
      master_pid=$!
      start_redis $((port + 1)) replica.log --replicaof 127.0.0.1 "$port"
      local sentinels=()
      for i in 0 1 2; do
        printf 'port %s\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 %s 2\nsentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n' \
          $((port + 10 + i)) "$port" > "$run/sentinel-$i.conf"
        redis-server "$run/sentinel-$i.conf" --sentinel --logfile "$run/sentinel-$i.log" &
        pids+=($!)
        sentinels+=("127.0.0.1:$((port + 10 + i))")
      done
      redis_env=(CONFAB_REDIS_SENTINELS="$(IFS=,; echo "${sentinels[*]}")")
      # Sentinels learn of the replica from the master (every 10 s): until
      # they do, a dead master has no one to be replaced by.
      echo "waiting for the sentinels to know the replica"
      for _ in $(seq 150); do
        redis-cli -p $((port + 10)) sentinel replicas mymaster 2>/dev/null | grep -q '^ip$' && break
        sleep 0.2
      done
      ;;
    cluster)
      local nodes=()
      for i in 0 1 2 3 4 5; do
        start_redis $((port + i)) "node-$((port + i)).log" --cluster-enabled yes \
          --cluster-config-file "$run/nodes-$((port + i)).conf" --cluster-node-timeout 1000
        nodes+=("127.0.0.1:$((port + i))")
      done
      for node in "${nodes[@]}"; do
        for _ in $(seq 50); do redis-cli -p "${node#*:}" ping >/dev/null 2>&1 && break; sleep 0.1; done
      done
      redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes > "$run/create.log"
      for node in "${nodes[@]}"; do
        for _ in $(seq 100); do
          redis-cli -p "${node#*:}" cluster info | grep -q cluster_state:ok && break
          sleep 0.2
        done
      done
      redis_env=(CONFAB_REDIS_CLUSTER="$(IFS=,; echo "${nodes[*]}")")
      ;;
    *) echo "REDIS=$mode: use single, sentinel or cluster" >&2; return 2 ;;
  esac
}
