#!/usr/bin/env bash
# Dragnet's local stack without Docker: Kafka (KRaft), Elasticsearch and Redis
# as plain processes on loopback, for development and tests.
#
#   stack.sh up       start what is not running, wait until healthy, print endpoints
#   stack.sh status   health and version of each server (exit 1 if any is down)
#   stack.sh down     stop everything this script started
#   stack.sh purge    down, then delete data and logs
#
# Downloads come from Maven Central through Maven, so ~/.m2 caches them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/infra/local"
STATE="${DRAGNET_STACK_DIR:-$ROOT/.stack}"

KAFKA_VERSION=3.9.1
ES_VERSION=9.4.3
KAFKA_PORT="${DRAGNET_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${DRAGNET_KAFKA_CONTROLLER_PORT:-19093}"
ES_PORT="${DRAGNET_ES_PORT:-19200}"
ES_TRANSPORT_PORT="${DRAGNET_ES_TRANSPORT_PORT:-19300}"
REDIS_PORT="${DRAGNET_REDIS_PORT:-16379}"
KAFKA_HEAP="${DRAGNET_KAFKA_HEAP:-512m}"
ES_HEAP="${DRAGNET_ES_HEAP:-512m}"
ES_USER="${DRAGNET_ES_USER:-dragnet-es}"
START_TIMEOUT="${DRAGNET_START_TIMEOUT:-180}"

log() { printf '%s\n' "$*" >&2; }
die() { log "stack: $*"; exit 1; }

# --- helpers ---------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

java_major() { "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'; }

# A JDK at least $1 from $2 (explicit), JAVA_HOME, or /usr/lib/jvm (newest first).
find_jdk() {
  local min="$1" explicit="${2:-}" candidate
  for candidate in "$explicit" "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    if [ "$(java_major "$candidate")" -ge "$min" ] 2>/dev/null; then echo "$candidate"; return 0; fi
  done
  return 1
}

# Maven offline first (seconds when ~/.m2 has it), online only when it does not.
mvn_quiet() {
  mvn -q -B -o "$@" >/dev/null 2>&1 || mvn -q -B "$@" >&2
}

wait_until() {
  local what="$1" logfile="$2" check="$3" deadline=$((SECONDS + START_TIMEOUT))
  until eval "$check"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "stack: $what did not become healthy within ${START_TIMEOUT}s; last log lines ($logfile):"
      tail -n 30 "$logfile" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.5
  done
}

stop_pid() {
  local name="$1" pidfile="$2" deadline pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name did not stop in 30 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.3
  done
  rm -f "$pidfile"
  log "$name stopped"
}

# --- Kafka -----------------------------------------------------------------

KAFKA_DIR="$STATE/kafka"

kafka_healthy() { pid_alive "$KAFKA_DIR/kafka.pid" && port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_DIR/logs/server.log" 2>/dev/null; }

kafka_up() {
  if kafka_healthy; then log "kafka: already running"; return 0; fi
  local java_home
  java_home="$(find_jdk 17 "${DRAGNET_KAFKA_JAVA_HOME:-}")" || die "Kafka needs Java 17+: set DRAGNET_KAFKA_JAVA_HOME"
  mkdir -p "$KAFKA_DIR/logs" "$KAFKA_DIR/data"
  if [ ! -f "$KAFKA_DIR/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
    log "kafka: fetching $KAFKA_VERSION from Maven Central"
    rm -rf "$KAFKA_DIR/libs"
    mvn_quiet -f "$HERE/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_DIR/libs" -DincludeScope=runtime
  fi
  cat >"$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=10485760
delete.topic.enable=true
log.retention.check.interval.ms=60000
EOF
  local cp="$KAFKA_DIR/libs/*"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    [ -f "$KAFKA_DIR/cluster-id" ] || "$java_home/bin/java" -cp "$cp" kafka.tools.StorageTool random-uuid >"$KAFKA_DIR/cluster-id"
    "$java_home/bin/java" -Dlog4j.configuration="file:$HERE/kafka/log4j.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
      -cp "$cp" kafka.tools.StorageTool format -t "$(cat "$KAFKA_DIR/cluster-id")" -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 ||
      { cat "$KAFKA_DIR/logs/format.log" >&2; die "kafka: storage format failed"; }
  fi
  : >"$KAFKA_DIR/logs/server.log"
  nohup "$java_home/bin/java" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$HERE/kafka/log4j.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/stdout.log" 2>&1 &
  echo $! >"$KAFKA_DIR/kafka.pid"
  log "kafka: starting (pid $!, java $(java_major "$java_home"))"
}

kafka_version() { ls "$KAFKA_DIR/libs" 2>/dev/null | sed -n 's/^kafka_2.13-\(.*\)\.jar$/\1/p' | head -1; }

# --- Elasticsearch -----------------------------------------------------------

ES_DIR="$STATE/elasticsearch"
ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
ES_URL="http://127.0.0.1:$ES_PORT"

es_healthy() { curl -fs "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -q '"status":"\(green\|yellow\)"'; }

# Elasticsearch refuses to run as root: run it as an unprivileged user.
es_run_as() {
  if [ "$(id -u)" = 0 ]; then
    id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
    chown -R "$ES_USER:" "$ES_DIR"
    runuser -u "$ES_USER" -- "$@"
  else
    "$@"
  fi
}

es_up() {
  if es_healthy; then log "elasticsearch: already running"; return 0; fi
  local java_home
  java_home="$(find_jdk 21 "${DRAGNET_ES_JAVA_HOME:-}")" || die "Elasticsearch $ES_VERSION needs Java 21+: set DRAGNET_ES_JAVA_HOME"
  mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
  if [ ! -x "$ES_HOME/bin/elasticsearch" ]; then
    log "elasticsearch: fetching $ES_VERSION (integ-test distribution) from Maven Central"
    mvn_quiet dependency:copy -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" -DoutputDirectory="$ES_DIR/download"
    rm -rf "$ES_HOME"
    (cd "$ES_DIR" && unzip -q "download/elasticsearch-$ES_VERSION.zip")
  fi
  # The integ-test distribution ships the security module, enabled by default:
  # a local, loopback-only node runs without it (as docker-compose does).
  cat >"$ES_HOME/config/elasticsearch.yml" <<EOF
cluster.name: dragnet-local
node.name: dragnet-local-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: false
xpack.security.enabled: false
EOF
  # Security auto-configuration (if it ever ran) leaves TLS secrets behind that clash with security off.
  rm -rf "$ES_HOME/config/elasticsearch.keystore" "$ES_HOME/config/certs" "$ES_DIR/es.pid"
  es_run_as env ES_JAVA_HOME="$java_home" ES_TMPDIR="$ES_DIR/tmp" ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP ${DRAGNET_ES_JAVA_OPTS:-}" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_DIR/es.pid" >"$ES_DIR/logs/stdout.log" 2>&1 ||
    { tail -n 30 "$ES_DIR/logs/stdout.log" >&2; die "elasticsearch: failed to start"; }
  log "elasticsearch: starting (java $(java_major "$java_home"), as ${ES_USER})"
}

es_version() { curl -fs "$ES_URL/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'; }

# --- Redis -------------------------------------------------------------------

REDIS_DIR="$STATE/redis"

redis_cli() { redis-cli -p "$REDIS_PORT" "$@" 2>/dev/null; }
redis_healthy() { [ "$(redis_cli ping)" = PONG ]; }

redis_up() {
  if redis_healthy; then log "redis: already running"; return 0; fi
  if ! command -v redis-server >/dev/null; then
    [ "$(id -u)" = 0 ] || die "redis-server is missing: install Debian's redis-server package"
    log "redis: installing Debian's redis-server"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null; }) ||
      die "could not install redis-server"
  fi
  mkdir -p "$REDIS_DIR"
  # noeviction: merge state must not be evicted silently (see docs/operations.md).
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --daemonize yes \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --appendonly yes --save '' --maxmemory-policy noeviction >/dev/null
  log "redis: starting"
}

redis_version() { redis_cli info server | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p'; }

# --- commands ----------------------------------------------------------------

print_endpoints() {
  cat <<EOF
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export ELASTICSEARCH_URL=$ES_URL
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
EOF
}

cmd_up() {
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka and Elasticsearch"
  mkdir -p "$STATE"
  local started=$SECONDS
  redis_up
  es_up
  kafka_up
  wait_until redis "$REDIS_DIR/redis.log" redis_healthy
  wait_until kafka "$KAFKA_DIR/logs/server.log" kafka_healthy
  wait_until elasticsearch "$ES_DIR/logs/dragnet-local.log" es_healthy
  log "stack healthy in $((SECONDS - started)) s: kafka $(kafka_version) on 127.0.0.1:$KAFKA_PORT, elasticsearch $(es_version) on $ES_URL, redis $(redis_version) on 127.0.0.1:$REDIS_PORT"
  print_endpoints
}

cmd_status() {
  local ok=0
  if kafka_healthy; then printf 'kafka          healthy  %-8s 127.0.0.1:%s\n' "$(kafka_version)" "$KAFKA_PORT"; else printf 'kafka          DOWN\n'; ok=1; fi
  if es_healthy; then printf 'elasticsearch  healthy  %-8s %s\n' "$(es_version)" "$ES_URL"; else printf 'elasticsearch  DOWN\n'; ok=1; fi
  if redis_healthy; then printf 'redis          healthy  %-8s 127.0.0.1:%s\n' "$(redis_version)" "$REDIS_PORT"; else printf 'redis          DOWN\n'; ok=1; fi
  return "$ok"
}

cmd_down() {
  stop_pid kafka "$KAFKA_DIR/kafka.pid"
  stop_pid elasticsearch "$ES_DIR/es.pid"
  if redis_healthy; then redis_cli shutdown nosave >/dev/null || true; fi
  stop_pid redis "$REDIS_DIR/redis.pid"
  # Anything of ours left (a crashed start that wrote no pid file).
  pkill -KILL -f "$STATE/" 2>/dev/null || true
}

case "${1:-}" in
  up) cmd_up ;;
  status) cmd_status ;;
  down) cmd_down ;;
  purge) cmd_down; rm -rf "$STATE/kafka/data" "$STATE/kafka/logs" "$STATE/kafka/cluster-id" "$STATE/elasticsearch/data" "$STATE/elasticsearch/logs" "$STATE/redis" ;;
  *) log "usage: $0 up|status|down|purge"; exit 2 ;;
esac
