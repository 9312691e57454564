#!/usr/bin/env bash
# Dragnet's local stack without Docker: Kafka (KRaft), Elasticsearch and Redis
# as plain processes on loopback, for development and tests.
#
#   stack.sh up             start what is not running, wait until healthy, print endpoints
#   stack.sh status         health and version of each server (exit 1 if any is unhealthy)
#   stack.sh down [--purge] stop everything this script started (--purge: then delete data and logs)
#   stack.sh purge          same as down --purge
#   stack.sh secrets        (security on) make the CA, certificates and passwords only
#
# --cluster (or STACK_TOPOLOGY=cluster) on any command: the cluster topology of
# infra/local/cluster.sh instead — 3 Kafka brokers, 3 Elasticsearch nodes, a
# Redis primary + replica under 3 Sentinels — on its own ports and state dir
# (<repo>/.stack-cluster), so it runs next to the single-node stack.
#
# DRAGNET_STACK_SECURITY=on: Kafka with SASL/SCRAM + ACLs (and a TLS partner
# listener), Elasticsearch with TLS and users, Redis with ACL users; see
# infra/local/secure.sh. off: everything open on loopback, as before.
#
# Kafka and Elasticsearch come from Maven Central through Maven, so ~/.m2
# caches them; Redis is Debian's redis-server. Everything else (data, logs,
# unpacked distributions, pid files) lives in the state dir, <repo>/.stack by
# default. See docs/local-stack.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/infra/local"

TOPOLOGY="${STACK_TOPOLOGY:-${DRAGNET_STACK_TOPOLOGY:-single}}"
ARGS=()
for arg in "$@"; do
  if [ "$arg" = --cluster ]; then TOPOLOGY=cluster; else ARGS+=("$arg"); fi
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
case "$TOPOLOGY" in single | cluster) ;; *)
  echo "stack: STACK_TOPOLOGY must be single or cluster (got $TOPOLOGY)" >&2
  exit 2
  ;;
esac
if [ "$TOPOLOGY" = cluster ]; then
  STATE="${DRAGNET_STACK_DIR:-$ROOT/.stack-cluster}"
else
  STATE="${DRAGNET_STACK_DIR:-$ROOT/.stack}"
fi

KAFKA_VERSION=3.9.1 # kafkajs 2.2.4 needs protocol versions Kafka 4 removed
ES_VERSION=9.4.3    # must match the major of the @elastic/elasticsearch client
KAFKA_PORT="${DRAGNET_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${DRAGNET_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP="${DRAGNET_KAFKA_HEAP:-512m}"
ES_PORT="${DRAGNET_ES_PORT:-19200}"
ES_TRANSPORT_PORT="${DRAGNET_ES_TRANSPORT_PORT:-19300}"
ES_HEAP="${DRAGNET_ES_HEAP:-512m}"
ES_USER="${DRAGNET_ES_USER:-dragnet-es}"
REDIS_PORT="${DRAGNET_REDIS_PORT:-16379}"
REDIS_EXTERNAL="${DRAGNET_REDIS_EXTERNAL:-0}"
START_TIMEOUT="${DRAGNET_START_TIMEOUT:-180}"
# Six JVMs forming two clusters on a shared 2-core box take longer.
[ "$TOPOLOGY" = single ] || START_TIMEOUT="${DRAGNET_START_TIMEOUT:-600}"
STOP_TIMEOUT="${DRAGNET_STOP_TIMEOUT:-45}"
# The default flips to on (with DEFAULT_STACK_SECURITY in packages/config/src/secrets.ts) once the suite passes secured.
SECURITY="${DRAGNET_STACK_SECURITY:-on}"
KAFKA_PARTNER_PORT="${DRAGNET_KAFKA_PARTNER_PORT:-19094}"
case "$SECURITY" in on | off) ;; *)
  echo "stack: DRAGNET_STACK_SECURITY must be on or off (got $SECURITY)" >&2
  exit 2
  ;;
esac

KAFKA_DIR="$STATE/kafka"
# The jars; the cluster's brokers share one copy.
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_LOG="$KAFKA_DIR/logs/server.log"
ES_DIR="$STATE/elasticsearch"
ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
ES_URL="http://127.0.0.1:$ES_PORT"
[ "$SECURITY" = off ] || ES_URL="https://127.0.0.1:$ES_PORT"
ES_LOG="$ES_DIR/logs/dragnet-local.log"
REDIS_DIR="$STATE/redis"
REDIS_LOG="$REDIS_DIR/redis.log"
if [ "$REDIS_EXTERNAL" = 1 ]; then
  REDIS_URL_OUT="${REDIS_URL:-redis://127.0.0.1:6379}"
else
  REDIS_URL_OUT="redis://127.0.0.1:$REDIS_PORT"
fi

# shellcheck source=infra/local/secure.sh
. "$HERE/secure.sh"
# shellcheck source=infra/local/cluster.sh
. "$HERE/cluster.sh"

# --- helpers -------------------------------------------------------------------

log() { printf '%s\n' "$*" >&2; }
die() {
  log "stack: $*"
  exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who listens on a port (for the port-clash message).
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1; }

# pid_alive PIDFILE MARKER: the pid in PIDFILE runs and its command line
# contains MARKER (so a recycled pid is not mistaken for our server).
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(cat "$1")"
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# Major version of a JDK, from its release file (no JVM start).
java_major() {
  local v
  v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" 2>/dev/null)"
  [ -n "$v" ] || v="$("$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  v="${v#1.}"
  echo "${v%%[.+-]*}"
}

# find_jdk MIN PREFERRED EXPLICIT: EXPLICIT if given (must be >= MIN), else the
# JDK under /usr/lib/jvm (or on PATH) whose major is PREFERRED, else the newest >= MIN.
find_jdk() {
  local min="$1" preferred="$2" explicit="$3" candidate major best="" best_major=0
  if [ -n "$explicit" ]; then
    [ -x "$explicit/bin/java" ] || die "$explicit/bin/java does not exist"
    major="$(java_major "$explicit")"
    [ "$major" -ge "$min" ] 2>/dev/null || die "$explicit is Java $major; Java $min or newer is needed"
    echo "$explicit"
    return 0
  fi
  local candidates=(/usr/lib/jvm/*/)
  if command -v java >/dev/null; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for candidate in "${candidates[@]}"; do
    candidate="$(readlink -f "$candidate")"
    [ -x "$candidate/bin/java" ] || continue
    major="$(java_major "$candidate")"
    [ "$major" -ge "$min" ] 2>/dev/null || continue
    if [ "$major" = "$preferred" ]; then
      echo "$candidate"
      return 0
    fi
    if [ "$major" -gt "$best_major" ]; then best="$candidate" best_major="$major"; fi
  done
  [ -n "$best" ] && echo "$best"
}

# Maven, offline first (no network round trips when ~/.m2 has everything).
mvn_fetch() {
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka and Elasticsearch: apt-get install maven"
  mvn -q -B -o "$@" >/dev/null 2>&1 || mvn -q -B "$@" >&2
}

# stop_pid NAME PIDFILE MARKER: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
  local name="$1" pidfile="$2" marker="$3" pid deadline
  if ! pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "$name: stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while [ -d "/proc/$pid" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.3
  done
  if [ -d "/proc/$pid" ]; then
    log "$name: could not stop pid $pid (started by another user?)"
    return 1
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

# Kill, by pid, anything of ours that outlived its pid file (a crashed start).
kill_leftovers() {
  local pattern pids patterns=("kafka.Kafka $KAFKA_DIR/server.properties" "-Des.path.home=$ES_HOME")
  [ "$REDIS_EXTERNAL" = 1 ] || patterns+=("redis-server 127.0.0.1:$REDIS_PORT")
  for pattern in "${patterns[@]}"; do
    pids="$(pgrep -f -- "$pattern" || true)"
    [ -z "$pids" ] && continue
    log "stack: killing leftover process(es) $(echo "$pids" | tr '\n' ' ')($pattern)"
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
  done
}

# refuse_port_clash NAME PORT ENVVAR: a port that answers without our server behind it.
refuse_port_clash() {
  if port_open "$2"; then
    die "$1: port $2 is already in use by another process ($(port_owner "$2")); stop it or pick another port with $3"
  fi
}

# --- Kafka -----------------------------------------------------------------------

kafka_pid_alive() { pid_alive "$KAFKA_DIR/kafka.pid" "kafka.Kafka $KAFKA_DIR/server.properties"; }

# A Metadata (v0) request over the Kafka protocol, in bash: prints how many
# brokers the cluster metadata lists (1 once the broker is up and registered).
kafka_broker_count() {
  # shellcheck disable=SC2016 # $1 expands in the inner shell
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # size 21 | api_key 3 (Metadata) | version 0 | correlation id 7 | client id "dragnet" | topics [] (all)
    printf "\x00\x00\x00\x15\x00\x03\x00\x00\x00\x00\x00\x07\x00\x07dragnet\x00\x00\x00\x00" >&3
    head -c 12 <&3 | od -An -tu1 -w12
  ' _ "$KAFKA_PORT" 2>/dev/null |
    awk 'NF == 12 && $8 == 7 { print $9 * 16777216 + $10 * 65536 + $11 * 256 + $12; found = 1 } END { if (!found) print 0 }'
}

# Security on: the listeners want SASL first; ApiVersions is the one request a
# broker answers before authentication, and it answers only once it has started.
kafka_answers_api_versions() {
  # shellcheck disable=SC2016 # $1 expands in the inner shell
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # size 17 | api_key 18 (ApiVersions) | version 0 | correlation id 7 | client id "dragnet"
    printf "\x00\x00\x00\x11\x00\x12\x00\x00\x00\x00\x00\x07\x00\x07dragnet" >&3
    head -c 10 <&3 | od -An -tu1 -w10
  ' _ "$KAFKA_PORT" 2>/dev/null | awk 'NF == 10 && $8 == 7 && $9 == 0 && $10 == 0 { ok = 1 } END { exit !ok }'
}

kafka_healthy() {
  kafka_pid_alive || return 1
  if [ "$SECURITY" = on ]; then kafka_answers_api_versions; else [ "$(kafka_broker_count)" -ge 1 ]; fi
}

kafka_version() { find "$KAFKA_LIBS" -maxdepth 1 -name 'kafka_2.13-*.jar' 2>/dev/null | sed -n 's/.*kafka_2\.13-\([0-9][^/]*\)\.jar$/\1/p' | head -1; }

kafka_fetch() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  log "kafka: fetching $KAFKA_VERSION and its dependencies with Maven"
  rm -rf "$KAFKA_LIBS"
  mvn_fetch -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka: Maven did not produce kafka_2.13-$KAFKA_VERSION.jar"
}

kafka_write_config() {
  if [ "$SECURITY" = on ]; then
    kafka_write_secure_config
  else
    kafka_write_open_config
  fi
  if [ "$TOPOLOGY" = cluster ]; then kafka_cluster_settings "$KAFKA_DIR/server.properties"; fi
}

kafka_write_open_config() {
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by infra/local/stack.sh on every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=10485760
EOF
}

# Prepare and launch the broker (does not wait for it).
kafka_start() {
  local java_home java_opts classpath="$KAFKA_LIBS/*"
  java_home="$(find_jdk 17 17 "${DRAGNET_KAFKA_JAVA_HOME:-}")" || true
  [ -n "$java_home" ] || die "kafka: needs Java 17 or newer; set DRAGNET_KAFKA_JAVA_HOME"
  mkdir -p "$KAFKA_DIR/logs" "$KAFKA_DIR/data"
  kafka_fetch
  kafka_write_config
  java_opts=(-Djava.awt.headless=true "-Dlog4j.configuration=file:$HERE/kafka/log4j.properties" "-Dkafka.logs.dir=$KAFKA_DIR/logs")
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    if [ ! -s "$KAFKA_DIR/cluster-id" ]; then
      "$java_home/bin/java" "${java_opts[@]}" -cp "$classpath" kafka.tools.StorageTool random-uuid >"$KAFKA_DIR/cluster-id.tmp"
      mv "$KAFKA_DIR/cluster-id.tmp" "$KAFKA_DIR/cluster-id"
    fi
    local scram_args=()
    if [ "$SECURITY" = on ]; then mapfile -t scram_args < <(kafka_format_scram_args); fi
    "$java_home/bin/java" "${java_opts[@]}" -cp "$classpath" kafka.tools.StorageTool \
      format -t "$(cat "$KAFKA_DIR/cluster-id")" -c "$KAFKA_DIR/server.properties" "${scram_args[@]}" >"$KAFKA_DIR/logs/format.log" 2>&1 ||
      die "kafka: storage format failed; see $KAFKA_DIR/logs/format.log"
    echo "$SECURITY" >"$KAFKA_DIR/data/dragnet-security"
  fi
  if [ "$SECURITY" = on ]; then kafka_write_admin_properties; fi
  # A new session, so the broker outlives this shell and ignores its terminal.
  rm -f "$KAFKA_DIR/kafka.pid"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$KAFKA_DIR/kafka.pid" \
    "$java_home/bin/java" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "${java_opts[@]}" \
    -cp "$classpath" kafka.Kafka "$KAFKA_DIR/server.properties" \
    </dev/null >"$KAFKA_DIR/logs/stdout.log" 2>&1 &
  local tries=0
  until [ -s "$KAFKA_DIR/kafka.pid" ] || [ "$tries" -ge 50 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  log "kafka: starting $KAFKA_VERSION on Java $(java_major "$java_home") ($java_home)"
}

# --- Elasticsearch ---------------------------------------------------------------

es_pid_alive() { pid_alive "$ES_DIR/es.pid" "-Des.path.home=$ES_HOME"; }

# curl as the admin over TLS (security on); the config file keeps the password off the command line.
es_curl() {
  if [ "$SECURITY" = on ]; then curl -K "$SECRETS/es-admin.curlrc" "$@"; else curl "$@"; fi
}

es_healthy() {
  es_curl -fsS --max-time 5 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null |
    grep -q '"status":"\(green\|yellow\)"'
}

# The integ-test distribution has no GET / (405): _nodes answers with the version.
es_version() { es_curl -fsS --max-time 5 "$ES_URL/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'; }

# Run a command as the Elasticsearch user (Elasticsearch refuses to run as root).
as_es_user() {
  if is_root; then
    setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- env HOME="$ES_DIR" "$@"
  else
    "$@"
  fi
}

es_prepare_user() {
  is_root || return 0
  if ! id "$ES_USER" >/dev/null 2>&1; then
    log "elasticsearch: creating system user $ES_USER"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
  fi
  # Only what is not already its own (cheap on a warm start).
  find "$ES_DIR" ! -user "$ES_USER" -exec chown "$ES_USER:$ES_USER" {} + 2>/dev/null || chown -R "$ES_USER:$ES_USER" "$ES_DIR"
  if ! as_es_user test -x "$ES_DIR" -a -w "$ES_DIR/data"; then
    # Name the first directory on the way that the user cannot search.
    local dir="" part parts
    IFS=/ read -ra parts <<<"${ES_DIR#/}"
    for part in "${parts[@]}"; do
      dir="$dir/$part"
      as_es_user test -x "$dir" || break
    done
    die "elasticsearch: user $ES_USER cannot reach $ES_DIR (no search permission on $dir); chmod o+x it or set DRAGNET_STACK_DIR to a reachable place"
  fi
}

es_fetch() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  log "elasticsearch: fetching $ES_VERSION (integ-test distribution) with Maven"
  mkdir -p "$ES_DIR/download"
  mvn_fetch dependency:copy -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$ES_DIR/download"
  rm -rf "$ES_HOME" "$ES_HOME.tmp"
  mkdir -p "$ES_HOME.tmp"
  unzip -q "$ES_DIR/download/elasticsearch-$ES_VERSION.zip" -d "$ES_HOME.tmp"
  mv "$ES_HOME.tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$ES_HOME.tmp" "$ES_DIR/download" # ~/.m2 keeps the zip
}

# The node's settings in both modes (the security settings follow them).
es_node_settings() {
  if [ "$TOPOLOGY" = cluster ]; then
    es_cluster_node_settings
    return 0
  fi
  cat <<EOF
cluster.name: dragnet-local
node.name: dragnet-local-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

es_write_config() {
  if [ "$SECURITY" = on ]; then
    es_write_secure_config "$1"
    return 0
  fi
  # The integ-test zip is the minimal distribution, but 9.x ships x-pack-core and
  # x-pack-security in it: left alone, the first start auto-configures TLS and
  # passwords. A loopback-only dev node runs without security, as in docker-compose.yml.
  {
    echo '# Generated by infra/local/stack.sh on every start: edit the script, not this file.'
    es_node_settings
    echo 'xpack.security.enabled: false'
  } >"$ES_HOME/config/elasticsearch.yml"
  # Leftovers of a security auto-configuration (TLS keystores) clash with security off.
  if [ -d "$ES_HOME/config/certs" ]; then rm -rf "$ES_HOME/config/certs" "$ES_HOME/config/elasticsearch.keystore"; fi
}

# Prepare and launch the node; returns once it has started (bin/elasticsearch -d waits for that).
es_start() {
  local java_home
  java_home="$(find_jdk 21 0 "${DRAGNET_ES_JAVA_HOME:-}")" || true
  [ -n "$java_home" ] || die "elasticsearch: $ES_VERSION needs Java 21 or newer; set DRAGNET_ES_JAVA_HOME"
  mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
  es_fetch
  es_write_config "$java_home"
  es_prepare_user
  rm -f "$ES_DIR/es.pid"
  local run_as
  run_as="$(id -un)"
  if is_root; then run_as="$ES_USER"; fi
  log "elasticsearch: starting $ES_VERSION on Java $(java_major "$java_home") ($java_home) as user $run_as"
  ulimit -n 65535 2>/dev/null || true
  (cd "$ES_DIR" && as_es_user env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$ES_HOME/config" ES_TMPDIR="$ES_DIR/tmp" \
    ES_JAVA_OPTS="${DRAGNET_ES_JAVA_OPTS:--Xms$ES_HEAP -Xmx$ES_HEAP}" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_DIR/es.pid" </dev/null >"$ES_DIR/logs/stdout.log" 2>&1) || {
    log "elasticsearch: failed to start; last lines of $ES_DIR/logs/stdout.log (more in $ES_LOG):"
    grep -v '^[[:space:]]*at ' "$ES_DIR/logs/stdout.log" | tail -n 15 >&2
    exit 1
  }
}

# --- Redis -----------------------------------------------------------------------

redis_cli() {
  if [ "$SECURITY" = on ] && [ "$REDIS_EXTERNAL" != 1 ]; then
    REDISCLI_AUTH="$(read_password redis-dragnet-admin)" timeout 5 redis-cli --no-auth-warning --user dragnet-admin \
      -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>/dev/null
  elif [ "$REDIS_EXTERNAL" = 1 ]; then
    timeout 5 redis-cli -u "$REDIS_URL_OUT" "$@" 2>/dev/null
  else
    timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>/dev/null
  fi
}

redis_pid_alive() { pid_alive "$REDIS_DIR/redis.pid" "127.0.0.1:$REDIS_PORT"; }

redis_healthy() {
  command -v redis-cli >/dev/null || return 1
  if [ "$REDIS_EXTERNAL" != 1 ]; then redis_pid_alive || return 1; fi
  [ "$(redis_cli ping)" = PONG ]
}

redis_version() { redis_cli info server | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p'; }

redis_install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  is_root || die "redis: redis-server is not installed (sudo apt-get install redis-server)"
  log "redis: installing Debian's redis-server"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q redis-server >/dev/null 2>&1; then
    { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; } || die "redis: apt-get install redis-server failed"
  fi
}

redis_start() {
  redis_install
  mkdir -p "$REDIS_DIR"
  # noeviction: merge state must never be evicted silently (docs/operations.md).
  # AOF (fsync every second) keeps queues and merge state across restarts; no RDB snapshots.
  local acl=()
  if [ "$SECURITY" = on ]; then
    redis_write_acl
    acl=(--aclfile "$REDIS_DIR/users.acl")
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" "${acl[@]}" \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_LOG" \
    --save '' --appendonly yes --maxmemory-policy noeviction >/dev/null ||
    die "redis: failed to start; see $REDIS_LOG"
  log "redis: starting $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
}

# --- orchestration -----------------------------------------------------------------

# wait_healthy NAME CHECK LOG STARTER_PID ALIVE_CHECK: poll CHECK until it passes;
# fail early when the starter failed or the server process is gone.
wait_healthy() {
  local name="$1" check="$2" logfile="$3" starter="$4" alive="$5" deadline=$((SECONDS + START_TIMEOUT)) rc
  while ! "$check"; do
    if [ -n "$starter" ] && ! kill -0 "$starter" 2>/dev/null; then
      rc=0
      wait "$starter" || rc=$?
      starter=""
      [ "$rc" = 0 ] || {
        log "stack: $name failed to start (exit $rc)"
        return 1
      }
    fi
    if [ -z "$starter" ] && [ -n "$alive" ] && ! "$alive"; then
      log "stack: $name exited during start-up; last lines of $logfile:"
      tail -n 25 "$logfile" >&2 2>/dev/null || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "stack: $name not healthy after ${START_TIMEOUT}s (DRAGNET_START_TIMEOUT); last lines of $logfile:"
      tail -n 25 "$logfile" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.5
  done
  [ -z "$starter" ] || wait "$starter" || true
}

print_endpoints() {
  cat <<EOF
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export ELASTICSEARCH_URL=$ES_URL
export REDIS_URL=$REDIS_URL_OUT
EOF
  [ "$SECURITY" = on ] || return 0
  # The admin identities: a development shell and the test suite act as operators.
  # Production gives every service its own (docs/operations.md, "Security").
  cat <<EOF
export DRAGNET_STACK_SECURITY=on
export DRAGNET_SECRETS_DIR=$SECRETS
export KAFKA_SASL_USERNAME=$KAFKA_ADMIN_USER
export KAFKA_SASL_PASSWORD_FILE=$(secret_file "kafka-$KAFKA_ADMIN_USER")
export KAFKA_PARTNER_BROKERS=127.0.0.1:$KAFKA_PARTNER_PORT
export DRAGNET_CA_FILE=$SECRETS/ca.crt
export KAFKA_TOOLS_CLASSPATH='$KAFKA_LIBS/*'
export ELASTICSEARCH_USERNAME=dragnet-admin
export ELASTICSEARCH_PASSWORD_FILE=$(secret_file es-dragnet-admin)
export ELASTICSEARCH_CA_FILE=$SECRETS/ca.crt
export REDIS_USERNAME=dragnet-admin
export REDIS_PASSWORD_FILE=$(secret_file redis-dragnet-admin)
EOF
}

# A state dir keeps the mode it was made with: Kafka's users live in its formatted
# metadata, Redis' and Elasticsearch's in files written at start.
refuse_mode_change() {
  local recorded="$KAFKA_DIR/data/dragnet-security" was=off
  [ -f "$KAFKA_DIR/data/meta.properties" ] || return 0
  [ -f "$recorded" ] && was="$(cat "$recorded")"
  [ "$was" = "$SECURITY" ] ||
    die "kafka: $KAFKA_DIR was formatted with security $was; 'stack.sh purge' it (or use another DRAGNET_STACK_DIR) to run with security $SECURITY"
}

cmd_up() {
  local started=$SECONDS start_kafka=0 start_es=0 start_redis=0 kafka_starter="" es_starter="" failed=()
  mkdir -p "$STATE"
  refuse_mode_change
  if [ "$SECURITY" = on ]; then secrets_prepare; fi

  # Decide what to start, and refuse port clashes, before starting anything.
  if kafka_healthy; then
    log "kafka: already running (pid $(cat "$KAFKA_DIR/kafka.pid"))"
  elif kafka_pid_alive; then
    log "kafka: process running (pid $(cat "$KAFKA_DIR/kafka.pid")), waiting for it"
  else
    refuse_port_clash kafka "$KAFKA_PORT" DRAGNET_KAFKA_PORT
    refuse_port_clash kafka "$KAFKA_CONTROLLER_PORT" DRAGNET_KAFKA_CONTROLLER_PORT
    [ "$SECURITY" = off ] || refuse_port_clash kafka "$KAFKA_PARTNER_PORT" DRAGNET_KAFKA_PARTNER_PORT
    start_kafka=1
  fi
  if es_pid_alive && es_healthy; then
    log "elasticsearch: already running (pid $(cat "$ES_DIR/es.pid"))"
  elif es_pid_alive; then
    log "elasticsearch: process running (pid $(cat "$ES_DIR/es.pid")), waiting for it"
  else
    refuse_port_clash elasticsearch "$ES_PORT" DRAGNET_ES_PORT
    refuse_port_clash elasticsearch "$ES_TRANSPORT_PORT" DRAGNET_ES_TRANSPORT_PORT
    start_es=1
  fi
  if [ "$REDIS_EXTERNAL" = 1 ]; then
    log "redis: external ($REDIS_URL_OUT), not managed here"
  elif redis_healthy; then
    log "redis: already running (pid $(cat "$REDIS_DIR/redis.pid"))"
  elif redis_pid_alive; then
    log "redis: process running (pid $(cat "$REDIS_DIR/redis.pid")), waiting for it"
  else
    refuse_port_clash redis "$REDIS_PORT" DRAGNET_REDIS_PORT
    start_redis=1
  fi

  # Kafka and Elasticsearch prepare and boot in the background, in parallel.
  if [ "$start_kafka" = 1 ]; then
    kafka_start &
    kafka_starter=$!
  fi
  if [ "$start_es" = 1 ]; then
    es_start &
    es_starter=$!
  fi
  if [ "$start_redis" = 1 ]; then redis_start; fi

  wait_healthy redis redis_healthy "$REDIS_LOG" "" "" || failed+=(redis)
  wait_healthy kafka kafka_healthy "$KAFKA_LOG" "$kafka_starter" kafka_pid_alive || failed+=(kafka)
  wait_healthy elasticsearch es_healthy "$ES_LOG" "$es_starter" es_pid_alive || failed+=(elasticsearch)
  if [ "${#failed[@]}" -gt 0 ]; then
    die "not healthy: ${failed[*]} (the others keep running; 'stack.sh down' stops them)"
  fi
  if [ "$SECURITY" = on ] && [ "$start_kafka" = 1 ]; then kafka_apply_service_acls; fi

  log "stack healthy in $((SECONDS - started))s:"
  log "  kafka $(kafka_version)          127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)  log $KAFKA_LOG"
  [ "$SECURITY" = off ] || log "    security on: SASL/SCRAM-SHA-512 + ACLs; partners TLS on 127.0.0.1:$KAFKA_PARTNER_PORT (CA $SECRETS/ca.crt)"
  log "  elasticsearch $(es_version)  $ES_URL  log $ES_LOG"
  if [ "$REDIS_EXTERNAL" = 1 ]; then
    log "  redis $(redis_version)         $REDIS_URL_OUT (external)"
  else
    log "  redis $(redis_version)         127.0.0.1:$REDIS_PORT  log $REDIS_LOG"
  fi
  print_endpoints
}

cmd_status() {
  local rc=0
  if kafka_healthy; then
    printf '%-14s %-9s %-8s %s\n' kafka healthy "$(kafka_version)" "127.0.0.1:$KAFKA_PORT"
  else
    printf '%-14s %-9s %-8s %s\n' kafka DOWN - "127.0.0.1:$KAFKA_PORT (log $KAFKA_LOG)"
    rc=1
  fi
  if es_healthy; then
    printf '%-14s %-9s %-8s %s\n' elasticsearch healthy "$(es_version)" "$ES_URL"
  else
    printf '%-14s %-9s %-8s %s\n' elasticsearch DOWN - "$ES_URL (log $ES_LOG)"
    rc=1
  fi
  if redis_healthy; then
    printf '%-14s %-9s %-8s %s\n' redis healthy "$(redis_version)" "$REDIS_URL_OUT$([ "$REDIS_EXTERNAL" = 1 ] && echo ' (external)')"
  else
    printf '%-14s %-9s %-8s %s\n' redis DOWN - "$REDIS_URL_OUT (log $REDIS_LOG)"
    rc=1
  fi
  return "$rc"
}

cmd_down() {
  local purge="${1:-}" rc=0
  stop_pid kafka "$KAFKA_DIR/kafka.pid" "kafka.Kafka $KAFKA_DIR/server.properties" &
  local kafka_stopper=$!
  stop_pid elasticsearch "$ES_DIR/es.pid" "-Des.path.home=$ES_HOME" &
  local es_stopper=$!
  if [ "$REDIS_EXTERNAL" != 1 ]; then
    # SHUTDOWN flushes the append-only file before exiting.
    if redis_pid_alive; then
      log "redis: stopping (pid $(cat "$REDIS_DIR/redis.pid"))"
      redis_cli shutdown >/dev/null || true
      stop_pid redis "$REDIS_DIR/redis.pid" "127.0.0.1:$REDIS_PORT" || rc=1
      log "redis: stopped"
    fi
  fi
  wait "$kafka_stopper" || rc=1
  wait "$es_stopper" || rc=1
  kill_leftovers
  if [ "$purge" = --purge ]; then
    log "stack: deleting data and logs in $STATE"
    # Only what this script creates: the state dir may hold other tools' files.
    rm -rf "$KAFKA_DIR" "$ES_DIR" "$REDIS_DIR" "$STATE/secrets"
  fi
  return "$rc"
}

if [ "$TOPOLOGY" = cluster ]; then
  cluster_main "$@"
  exit $?
fi

case "${1:-}" in
  up) cmd_up ;;
  status) cmd_status ;;
  down)
    case "${2:-}" in
      "" | --purge) cmd_down "${2:-}" ;;
      *) die "usage: $0 down [--purge]" ;;
    esac
    ;;
  purge) cmd_down --purge ;;
  secrets)
    [ "$SECURITY" = on ] || die "secrets: only with DRAGNET_STACK_SECURITY=on"
    secrets_prepare
    log "secrets in $SECRETS"
    ;;
  compose-secrets)
    compose_secrets
    log "docker compose secrets in $SECRETS"
    ;;
  *)
    log "usage: $0 up|status|down [--purge]|purge|secrets"
    exit 2
    ;;
esac
