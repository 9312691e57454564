# shellcheck shell=bash
# The cluster topology of the local stack (`stack.sh up --cluster`, or
# STACK_TOPOLOGY=cluster), sourced by stack.sh: the same servers, secured the
# same way (secure.sh), but
#
#   Kafka          3 brokers, each also a KRaft controller (combined roles: 3 JVMs
#                  instead of 6 on a 2-core box); broker n listens on
#                  29092+100(n-1) (controller +1, partner TLS +2)
#   Elasticsearch  3 master-eligible data nodes, HTTP 29200..29202, transport
#                  29300..29302 (mutual TLS between nodes)
#   Redis          a primary (26379) and a replica (26380) watched by 3 Sentinels
#                  (26479..26481, quorum 2), master name `dragnet`
#
# in its own state dir (<repo>/.stack-cluster), so it runs next to the single
# stack. The single-node functions of stack.sh do the work: each `*_node N cmd`
# below runs cmd with that node's directory and ports in scope (bash locals are
# dynamically scoped). Why Sentinel and not Redis Cluster: docs/operations.md,
# "Running a cluster".

CLUSTER_NODES=3
CLUSTER_KAFKA_PORT="${DRAGNET_CLUSTER_KAFKA_PORT:-29092}"
CLUSTER_KAFKA_HEAP="${DRAGNET_CLUSTER_KAFKA_HEAP:-384m}"
CLUSTER_ES_PORT="${DRAGNET_CLUSTER_ES_PORT:-29200}"
CLUSTER_ES_TRANSPORT_PORT="${DRAGNET_CLUSTER_ES_TRANSPORT_PORT:-29300}"
CLUSTER_ES_HEAP="${DRAGNET_CLUSTER_ES_HEAP:-512m}"
CLUSTER_REDIS_PORT="${DRAGNET_CLUSTER_REDIS_PORT:-26379}"
CLUSTER_SENTINEL_PORT="${DRAGNET_CLUSTER_SENTINEL_PORT:-26479}"
SENTINEL_MASTER_NAME=dragnet
# How long Sentinels wait before calling the primary down; failover follows within a few seconds.
SENTINEL_DOWN_AFTER_MS="${DRAGNET_SENTINEL_DOWN_AFTER_MS:-5000}"
CLUSTER_NODE_NUMBERS=(1 2 3)
CLUSTER_REDIS_NUMBERS=(1 2)

[ "$TOPOLOGY" = cluster ] && KAFKA_LIBS="$STATE/kafka-libs"

# --- node scopes ---------------------------------------------------------------------

kafka_node() {
  local n="$1"
  shift
  local KAFKA_DIR="$STATE/kafka-$n" KAFKA_NODE_ID="$n" KAFKA_HEAP="$CLUSTER_KAFKA_HEAP"
  local KAFKA_PORT=$((CLUSTER_KAFKA_PORT + 100 * (n - 1)))
  local KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1)) KAFKA_PARTNER_PORT=$((KAFKA_PORT + 2))
  local KAFKA_LOG="$KAFKA_DIR/logs/server.log"
  "$@"
}

es_node() {
  local n="$1"
  shift
  local ES_DIR="$STATE/elasticsearch-$n" ES_NODE_NUMBER="$n" ES_HEAP="$CLUSTER_ES_HEAP"
  local ES_HOME="$STATE/elasticsearch-$n/elasticsearch-$ES_VERSION"
  local ES_PORT=$((CLUSTER_ES_PORT + n - 1)) ES_TRANSPORT_PORT=$((CLUSTER_ES_TRANSPORT_PORT + n - 1))
  local ES_URL="https://127.0.0.1:$((CLUSTER_ES_PORT + n - 1))"
  [ "$SECURITY" = on ] || ES_URL="http://127.0.0.1:$ES_PORT"
  local ES_LOG="$ES_DIR/logs/dragnet-cluster.log"
  "$@"
}

# Data nodes are 1 (first primary) and 2 (first replica); Sentinels are 1..3.
redis_node() {
  local n="$1"
  shift
  local REDIS_DIR="$STATE/redis-$n" REDIS_PORT=$((CLUSTER_REDIS_PORT + n - 1)) REDIS_EXTERNAL=0
  local REDIS_LOG="$STATE/redis-$n/redis.log"
  "$@"
}

sentinel_node() {
  local n="$1"
  shift
  local REDIS_DIR="$STATE/sentinel-$n" REDIS_PORT=$((CLUSTER_SENTINEL_PORT + n - 1)) REDIS_EXTERNAL=0
  local REDIS_LOG="$STATE/sentinel-$n/sentinel.log"
  "$@"
}

list_ports() {
  local base="$1" step="$2" n out=""
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do out+="${out:+,}127.0.0.1:$((base + step * (n - 1)))"; done
  echo "$out"
}

# --- Kafka -----------------------------------------------------------------------------

# Appended to the generated server.properties (the keys it replaces are removed first).
kafka_cluster_settings() {
  local file="$1" voters="" n
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    voters+="${voters:+,}$n@127.0.0.1:$((CLUSTER_KAFKA_PORT + 100 * (n - 1) + 1))"
  done
  sed -i -E '/^(node\.id|controller\.quorum\.voters|offsets\.topic\.replication\.factor|transaction\.state\.log\.replication\.factor|transaction\.state\.log\.min\.isr)=/d' "$file"
  cat >>"$file" <<EOF
# The cluster topology (infra/local/cluster.sh): three brokers, each also a KRaft controller.
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$voters
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
# For topics created without settings; Dragnet's own topics set them explicitly (packages/kafka, ensureTopics).
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
EOF
}

# One cluster id for all brokers (a Kafka Uuid: 16 random bytes, base64url without padding).
kafka_cluster_id() {
  if [ ! -s "$STATE/kafka-cluster-id" ]; then
    openssl rand 16 | base64 | tr '+/' '-_' | tr -d '=\n' >"$STATE/kafka-cluster-id.tmp"
    mv "$STATE/kafka-cluster-id.tmp" "$STATE/kafka-cluster-id"
  fi
  mkdir -p "$KAFKA_DIR"
  [ -s "$KAFKA_DIR/cluster-id" ] || cp "$STATE/kafka-cluster-id" "$KAFKA_DIR/cluster-id"
}

kafka_node_marker() { echo "kafka.Kafka $KAFKA_DIR/server.properties"; }

# Brokers, controller and partitions without an in-sync quorum, as the admin (kafkajs, infra/local/cluster-probe.mjs).
kafka_cluster_probe() {
  local env=()
  if [ "$SECURITY" = on ]; then env=(DRAGNET_PROBE_USER="$KAFKA_ADMIN_USER" DRAGNET_PROBE_PASSWORD_FILE="$(secret_file "kafka-$KAFKA_ADMIN_USER")"); fi
  env "${env[@]}" timeout 20 node "$HERE/cluster-probe.mjs" "$(list_ports "$CLUSTER_KAFKA_PORT" 100)" 2>/dev/null
}

# --- Elasticsearch -------------------------------------------------------------------------

es_cluster_node_settings() {
  local seeds="" names="" n
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    seeds+="${seeds:+, }127.0.0.1:$((CLUSTER_ES_TRANSPORT_PORT + n - 1))"
    names+="${names:+, }dragnet-cluster-$n"
  done
  cat <<EOF
cluster.name: dragnet-cluster
node.name: dragnet-cluster-$ES_NODE_NUMBER
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
discovery.seed_hosts: [$seeds]
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  # Only to bootstrap the cluster the very first time (Elasticsearch warns when it stays set).
  if [ ! -d "$ES_DIR/data/_state" ]; then echo "cluster.initial_master_nodes: [$names]"; fi
}

# The distribution is fetched once; each node gets a hard-linked copy with a config dir of its own.
es_cluster_install() {
  local dist_dir="$STATE/elasticsearch-dist"
  ES_DIR="$dist_dir" ES_HOME="$dist_dir/elasticsearch-$ES_VERSION" es_fetch
  local n home
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    home="$STATE/elasticsearch-$n/elasticsearch-$ES_VERSION"
    [ -x "$home/bin/elasticsearch" ] && continue
    rm -rf "$home"
    mkdir -p "$STATE/elasticsearch-$n"
    cp -al "$dist_dir/elasticsearch-$ES_VERSION" "$home"
    rm -rf "$home/config"
    cp -r "$dist_dir/elasticsearch-$ES_VERSION/config" "$home/config"
  done
}

es_node_marker() { echo "-Des.path.home=$ES_HOME"; }

es_node_health() { es_curl -fsS --max-time 5 "$ES_URL/_cluster/health" 2>/dev/null; }

# `_cluster/health` of the first node that answers.
es_cluster_health() {
  local n
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do es_node "$n" es_node_health && return 0; done
  return 1
}

# --- Redis ---------------------------------------------------------------------------------

# Written on the first start only: Sentinel rewrites it (CONFIG REWRITE) when it
# turns a primary into a replica or back, and a restart must keep that role.
redis_cluster_write_config() {
  [ -s "$REDIS_DIR/redis.conf" ] && return 0
  (
    umask 077
    {
      echo "# Written by infra/local/cluster.sh on the first start; Sentinel rewrites the replication lines."
      echo "bind 127.0.0.1"
      echo "port $REDIS_PORT"
      echo "dir $REDIS_DIR"
      echo "daemonize yes"
      echo "pidfile $REDIS_DIR/redis.pid"
      echo "logfile $REDIS_LOG"
      # As the single stack: AOF every second, no RDB snapshots, never evict merge state.
      echo 'save ""'
      echo "appendonly yes"
      echo "appendfsync everysec"
      echo "maxmemory-policy noeviction"
      if [ "$SECURITY" = on ]; then
        echo "aclfile $REDIS_DIR/users.acl"
        echo "masteruser dragnet-admin"
        echo "masterauth $(read_password redis-dragnet-admin)"
      fi
      if [ "$REDIS_PORT" != "$CLUSTER_REDIS_PORT" ]; then echo "replicaof 127.0.0.1 $CLUSTER_REDIS_PORT"; fi
    } >"$REDIS_DIR/redis.conf"
  )
}

redis_cluster_start() {
  redis_install
  mkdir -p "$REDIS_DIR"
  if [ "$SECURITY" = on ]; then redis_write_acl; fi
  redis_cluster_write_config
  redis-server "$REDIS_DIR/redis.conf" >/dev/null || die "redis: failed to start on $REDIS_PORT; see $REDIS_LOG"
  log "redis: starting $REDIS_PORT"
}

# Sentinel's client user may only ask where the primary is and listen for switch-overs.
SENTINEL_CLIENT_RULES='-@all +auth +hello +ping +client|setname +client|getname +role +info +sentinel|get-master-addr-by-name +sentinel|sentinels +sentinel|master +sentinel|replicas +subscribe +psubscribe +unsubscribe +punsubscribe'

sentinel_write_config() {
  [ -s "$REDIS_DIR/sentinel.conf" ] && return 0
  (
    umask 077
    {
      echo "# Written by infra/local/cluster.sh on the first start; Sentinel keeps its state in it."
      echo "bind 127.0.0.1"
      echo "port $REDIS_PORT"
      echo "dir $REDIS_DIR"
      echo "daemonize yes"
      echo "pidfile $REDIS_DIR/redis.pid"
      echo "logfile $REDIS_LOG"
      echo "sentinel resolve-hostnames no"
      echo "sentinel monitor $SENTINEL_MASTER_NAME 127.0.0.1 $CLUSTER_REDIS_PORT 2"
      echo "sentinel down-after-milliseconds $SENTINEL_MASTER_NAME $SENTINEL_DOWN_AFTER_MS"
      echo "sentinel failover-timeout $SENTINEL_MASTER_NAME 20000"
      echo "sentinel parallel-syncs $SENTINEL_MASTER_NAME 1"
      if [ "$SECURITY" = on ]; then
        local admin
        admin="$(read_password redis-dragnet-admin)"
        echo "sentinel auth-user $SENTINEL_MASTER_NAME dragnet-admin"
        echo "sentinel auth-pass $SENTINEL_MASTER_NAME $admin"
        echo "sentinel sentinel-user dragnet-admin"
        echo "sentinel sentinel-pass $admin"
        echo "user default off resetkeys resetchannels -@all"
        echo "user dragnet-admin on #$(printf '%s' "$admin" | sha256sum | cut -d' ' -f1) ~* &* +@all"
        echo "user dragnet-sentinel on #$(read_password redis-dragnet-sentinel | sha256sum | cut -d' ' -f1) &* $SENTINEL_CLIENT_RULES"
      fi
    } >"$REDIS_DIR/sentinel.conf"
  )
}

sentinel_start() {
  redis_install
  mkdir -p "$REDIS_DIR"
  sentinel_write_config
  redis-server "$REDIS_DIR/sentinel.conf" --sentinel >/dev/null || die "sentinel: failed to start on $REDIS_PORT; see $REDIS_LOG"
  log "sentinel: starting $REDIS_PORT"
}

# The primary Sentinel names (host:port), from the first Sentinel that answers.
sentinel_primary() {
  local n answer
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    answer="$(sentinel_node "$n" redis_cli sentinel get-master-addr-by-name "$SENTINEL_MASTER_NAME" | paste -sd:)" || continue
    [ -n "$answer" ] && echo "$answer" && return 0
  done
  return 1
}

# Sentinels agree on a primary that answers and has its replica in sync, and they reach quorum.
redis_cluster_healthy() {
  local primary port
  primary="$(sentinel_primary)" || return 1
  port="${primary##*:}"
  [ "$(redis_node "$((port - CLUSTER_REDIS_PORT + 1))" redis_cli info replication | grep -c '^slave[0-9]*:.*state=online')" -ge 1 ] || return 1
  sentinel_node 1 redis_cli sentinel ckquorum "$SENTINEL_MASTER_NAME" | grep -q '^OK'
}

# --- orchestration -------------------------------------------------------------------------

# True when something else than our own server listens on a node's ports.
cluster_refuse_clash() {
  local name="$1" port
  shift
  for port in "$@"; do refuse_port_clash "$name" "$port" "DRAGNET_CLUSTER_*_PORT"; done
}

kafka_node_needs_start() {
  if kafka_pid_alive; then
    log "kafka-$KAFKA_NODE_ID: running (pid $(cat "$KAFKA_DIR/kafka.pid"))"
    return 1
  fi
  cluster_refuse_clash "kafka-$KAFKA_NODE_ID" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_PARTNER_PORT"
}

es_node_needs_start() {
  if es_pid_alive; then
    log "elasticsearch-$ES_NODE_NUMBER: running (pid $(cat "$ES_DIR/es.pid"))"
    return 1
  fi
  cluster_refuse_clash "elasticsearch-$ES_NODE_NUMBER" "$ES_PORT" "$ES_TRANSPORT_PORT"
}

redis_node_needs_start() {
  if redis_pid_alive; then
    log "$(basename "$REDIS_DIR"): running (pid $(cat "$REDIS_DIR/redis.pid"))"
    return 1
  fi
  cluster_refuse_clash "$(basename "$REDIS_DIR")" "$REDIS_PORT"
}

kafka_cluster_ready() { [ "$(kafka_cluster_probe | awk '{print $1}')" = "$CLUSTER_NODES" ]; }
es_cluster_ready() {
  local health
  health="$(es_cluster_health)" || return 1
  [[ "$health" == *"\"number_of_nodes\":$CLUSTER_NODES,"* ]] && [[ "$health" =~ \"status\":\"(green|yellow)\" ]]
}

cluster_up() {
  local started=$SECONDS n failed=() kafka_started=0
  local -A kafka_starters=() es_starters=()
  mkdir -p "$STATE"
  if [ "$SECURITY" = on ]; then secrets_prepare; fi
  kafka_node 1 refuse_mode_change

  # Redis first (a second), then the JVMs in parallel.
  for n in "${CLUSTER_REDIS_NUMBERS[@]}"; do
    if redis_node "$n" redis_node_needs_start; then redis_node "$n" redis_cluster_start; fi
  done
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    if sentinel_node "$n" redis_node_needs_start; then sentinel_node "$n" sentinel_start; fi
  done

  local start_kafka=() start_es=()
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    if kafka_node "$n" kafka_node_needs_start; then start_kafka+=("$n"); fi
    if es_node "$n" es_node_needs_start; then start_es+=("$n"); fi
  done
  if [ "${#start_kafka[@]}" -gt 0 ]; then
    kafka_fetch
    for n in "${start_kafka[@]}"; do
      kafka_node "$n" kafka_cluster_id
      kafka_node "$n" kafka_start &
      kafka_starters[$n]=$!
    done
    kafka_started=1
  fi
  if [ "${#start_es[@]}" -gt 0 ]; then
    es_cluster_install
    for n in "${start_es[@]}"; do
      es_node "$n" es_start &
      es_starters[$n]=$!
    done
  fi

  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    kafka_node "$n" wait_healthy "kafka-$n" kafka_healthy "$STATE/kafka-$n/logs/server.log" "${kafka_starters[$n]:-}" kafka_pid_alive || failed+=("kafka-$n")
  done
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    es_node "$n" wait_healthy "elasticsearch-$n" es_pid_alive "$STATE/elasticsearch-$n/logs/stdout.log" "${es_starters[$n]:-}" "" || failed+=("elasticsearch-$n")
  done
  wait_healthy "kafka cluster" kafka_cluster_ready "$STATE/kafka-1/logs/server.log" "" "" || failed+=(kafka-cluster)
  wait_healthy "elasticsearch cluster" es_cluster_ready "$STATE/elasticsearch-1/logs/dragnet-cluster.log" "" "" || failed+=(elasticsearch-cluster)
  wait_healthy "redis + sentinel" redis_cluster_healthy "$STATE/sentinel-1/sentinel.log" "" "" || failed+=(redis)
  if [ "${#failed[@]}" -gt 0 ]; then
    die "not healthy: ${failed[*]} (the others keep running; 'stack.sh down --cluster' stops them)"
  fi
  # ACLs live in the KRaft metadata: once per cluster, not on every broker restart.
  if [ "$SECURITY" = on ] && [ "$kafka_started" = 1 ] && [ ! -f "$STATE/kafka-acls-applied" ]; then
    ELASTICSEARCH_URL="$(list_ports "$CLUSTER_ES_PORT" 1 | cut -d, -f1 | sed 's#^#https://#')" REDIS_SENTINELS='' \
      kafka_node 1 kafka_apply_service_acls
    touch "$STATE/kafka-acls-applied"
  fi
  log "cluster healthy in $((SECONDS - started))s:"
  cluster_status >&2 || true
  cluster_print_endpoints
}

cluster_print_endpoints() {
  cat <<EOF
export STACK_TOPOLOGY=cluster
export DRAGNET_STACK_DIR=$STATE
export KAFKA_BROKERS=$(list_ports "$CLUSTER_KAFKA_PORT" 100)
export ELASTICSEARCH_URL=$(list_ports "$CLUSTER_ES_PORT" 1 | sed "s#127#$([ "$SECURITY" = on ] && echo https || echo http)://127#g")
export REDIS_URL=redis://127.0.0.1:$CLUSTER_REDIS_PORT
export REDIS_SENTINELS=$(list_ports "$CLUSTER_SENTINEL_PORT" 1)
export REDIS_SENTINEL_NAME=$SENTINEL_MASTER_NAME
EOF
  [ "$SECURITY" = on ] || return 0
  cat <<EOF
export DRAGNET_STACK_SECURITY=on
export DRAGNET_SECRETS_DIR=$SECRETS
export KAFKA_SASL_USERNAME=$KAFKA_ADMIN_USER
export KAFKA_SASL_PASSWORD_FILE=$(secret_file "kafka-$KAFKA_ADMIN_USER")
export KAFKA_PARTNER_BROKERS=$(list_ports "$((CLUSTER_KAFKA_PORT + 2))" 100)
export DRAGNET_CA_FILE=$SECRETS/ca.crt
export KAFKA_TOOLS_CLASSPATH='$KAFKA_LIBS/*'
export ELASTICSEARCH_USERNAME=dragnet-admin
export ELASTICSEARCH_PASSWORD_FILE=$(secret_file es-dragnet-admin)
export ELASTICSEARCH_CA_FILE=$SECRETS/ca.crt
export REDIS_USERNAME=dragnet-admin
export REDIS_PASSWORD_FILE=$(secret_file redis-dragnet-admin)
export REDIS_SENTINEL_USERNAME=dragnet-sentinel
export REDIS_SENTINEL_PASSWORD_FILE=$(secret_file redis-dragnet-sentinel)
EOF
}

status_line() { printf '%-16s %-10s %-9s %s\n' "$@"; }

kafka_node_status() {
  if kafka_healthy; then
    status_line "kafka-$KAFKA_NODE_ID" up "$(kafka_version)" "127.0.0.1:$KAFKA_PORT (pid $(cat "$KAFKA_DIR/kafka.pid"))"
  else
    status_line "kafka-$KAFKA_NODE_ID" DOWN - "127.0.0.1:$KAFKA_PORT (log $KAFKA_LOG)"
    return 1
  fi
}

es_node_status() {
  if es_pid_alive && es_curl -fsS --max-time 5 "$ES_URL/_nodes/_local" >/dev/null 2>&1; then
    status_line "elasticsearch-$ES_NODE_NUMBER" up "$(es_version)" "$ES_URL (pid $(cat "$ES_DIR/es.pid"))"
  else
    status_line "elasticsearch-$ES_NODE_NUMBER" DOWN - "$ES_URL (log $ES_LOG)"
    return 1
  fi
}

redis_node_status() {
  local name role
  name="$(basename "$REDIS_DIR")"
  if redis_pid_alive && [ "$(redis_cli ping)" = PONG ]; then
    role="$(redis_cli info replication | sed -n 's/^role:\([a-z]*\).*/\1/p')"
    [ -n "$role" ] || role=sentinel
    status_line "$name" up "$role" "127.0.0.1:$REDIS_PORT (pid $(cat "$REDIS_DIR/redis.pid"))"
  else
    status_line "$name" DOWN - "127.0.0.1:$REDIS_PORT (log $REDIS_LOG)"
    return 1
  fi
}

cluster_status() {
  local rc=0 n probe health primary
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do kafka_node "$n" kafka_node_status || rc=1; done
  probe="$(kafka_cluster_probe)" || probe=""
  if [ -n "$probe" ]; then
    # brokers controller partitions under-replicated offline
    read -r brokers controller partitions under offline <<<"$probe"
    status_line "kafka cluster" "$([ "$brokers" = "$CLUSTER_NODES" ] && [ "$offline" = 0 ] && echo healthy || echo DEGRADED)" - \
      "$brokers brokers, controller $controller, $partitions partitions: $under under-replicated, $offline offline"
    [ "$brokers" = "$CLUSTER_NODES" ] && [ "$offline" = 0 ] || rc=1
  else
    status_line "kafka cluster" DOWN - "no broker answers"
    rc=1
  fi
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do es_node "$n" es_node_status || rc=1; done
  if health="$(es_cluster_health)"; then
    status_line "es cluster" "$(echo "$health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')" - \
      "$(echo "$health" | sed -n 's/.*"number_of_nodes":\([0-9]*\).*"active_primary_shards":\([0-9]*\).*"active_shards":\([0-9]*\).*"unassigned_shards":\([0-9]*\).*/\1 nodes, \2 primary shards, \3 shards active, \4 unassigned/p')"
    echo "$health" | grep -q '"status":"green"' || rc=1
  else
    status_line "es cluster" DOWN - "no node answers"
    rc=1
  fi
  for n in "${CLUSTER_REDIS_NUMBERS[@]}"; do redis_node "$n" redis_node_status || rc=1; done
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do sentinel_node "$n" redis_node_status || rc=1; done
  if primary="$(sentinel_primary)"; then
    status_line "redis sentinel" "$(redis_cluster_healthy && echo healthy || echo DEGRADED)" - \
      "master $SENTINEL_MASTER_NAME at $primary; $(sentinel_node 1 redis_cli sentinel ckquorum "$SENTINEL_MASTER_NAME" | head -1)"
    redis_cluster_healthy || rc=1
  else
    status_line "redis sentinel" DOWN - "no Sentinel answers"
    rc=1
  fi
  return "$rc"
}

cluster_down() {
  local purge="${1:-}" rc=0 n stoppers=()
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    kafka_node "$n" stop_pid "kafka-$n" "$STATE/kafka-$n/kafka.pid" "kafka.Kafka $STATE/kafka-$n/server.properties" &
    stoppers+=($!)
    es_node "$n" stop_pid "elasticsearch-$n" "$STATE/elasticsearch-$n/es.pid" "-Des.path.home=$STATE/elasticsearch-$n/elasticsearch-$ES_VERSION" &
    stoppers+=($!)
  done
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do
    sentinel_node "$n" stop_pid "sentinel-$n" "$STATE/sentinel-$n/redis.pid" "127.0.0.1:$((CLUSTER_SENTINEL_PORT + n - 1))" || rc=1
  done
  for n in "${CLUSTER_REDIS_NUMBERS[@]}"; do
    # SHUTDOWN flushes the append-only file before exiting.
    if redis_node "$n" redis_pid_alive; then redis_node "$n" redis_cli shutdown >/dev/null || true; fi
    redis_node "$n" stop_pid "redis-$n" "$STATE/redis-$n/redis.pid" "127.0.0.1:$((CLUSTER_REDIS_PORT + n - 1))" || rc=1
  done
  for n in "${stoppers[@]}"; do wait "$n" || rc=1; done
  cluster_kill_leftovers
  if [ "$purge" = --purge ]; then
    log "stack: deleting the cluster's data and logs in $STATE"
    rm -rf "$STATE"/kafka-[0-9] "$STATE"/elasticsearch-[0-9] "$STATE"/redis-[0-9] "$STATE"/sentinel-[0-9] \
      "$STATE/kafka-libs" "$STATE/elasticsearch-dist" "$STATE/kafka-cluster-id" "$STATE/kafka-acls-applied" "$STATE/secrets"
  fi
  return "$rc"
}

cluster_kill_leftovers() {
  local pattern pids patterns=("kafka.Kafka $STATE/kafka-" "-Des.path.home=$STATE/elasticsearch-") n
  for n in "${CLUSTER_REDIS_NUMBERS[@]}"; do patterns+=("redis-server 127.0.0.1:$((CLUSTER_REDIS_PORT + n - 1))"); done
  for n in "${CLUSTER_NODE_NUMBERS[@]}"; do patterns+=("redis-server 127.0.0.1:$((CLUSTER_SENTINEL_PORT + n - 1))"); done
  for pattern in "${patterns[@]}"; do
    pids="$(pgrep -f -- "$pattern" || true)"
    [ -z "$pids" ] && continue
    log "stack: killing leftover process(es) $(echo "$pids" | tr '\n' ' ')($pattern)"
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
  done
}

cluster_main() {
  case "${1:-}" in
    up) cluster_up ;;
    status) cluster_status ;;
    down)
      case "${2:-}" in
        "" | --purge) cluster_down "${2:-}" ;;
        *) die "usage: $0 down --cluster [--purge]" ;;
      esac
      ;;
    purge) cluster_down --purge ;;
    env) cluster_print_endpoints ;;
    *)
      log "usage: $0 up|status|down [--purge]|purge|env --cluster"
      exit 2
      ;;
  esac
}
