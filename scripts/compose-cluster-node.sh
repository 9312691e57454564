#!/usr/bin/env bash
# One server node of docker-compose.yml's `cluster` profile, run inside its
# container: the topology of the local cluster mode (infra/local/cluster.sh)
# with the same ports, secured with the files of the compose `secrets` step
# (/secrets). Every node shares one network namespace (the `cluster-net`
# container), so the nodes find each other on 127.0.0.1 exactly as the local
# cluster does, and the host reaches them on the same loopback ports.
#
#   compose-cluster-node.sh kafka N        broker N (also a KRaft controller)
#   compose-cluster-node.sh redis N        Redis data node N (1 starts as primary)
#   compose-cluster-node.sh sentinel N     Sentinel N
#
# Ports come from the container's environment (set per node in docker-compose.yml):
# KAFKA_NODE_PORT (controller +1, partner TLS +2), KAFKA_VOTERS, REDIS_NODE_PORT,
# REDIS_PRIMARY_PORT, SENTINEL_QUORUM.
set -euo pipefail

die() {
  echo "compose-cluster-node: $*" >&2
  exit 1
}
password() { tr -d '\n' <"/secrets/$1.password"; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

kafka_node() {
  local n="$1" port="${KAFKA_NODE_PORT:?}" file=/tmp/server.properties
  umask 077
  # The compose secrets' single-broker settings (SASL/SCRAM, TLS, ACLs), with this broker's
  # identity, listeners and the cluster's replication settings instead (as cluster.sh appends them).
  sed -E '/^(node\.id|controller\.quorum\.voters|listeners|advertised\.listeners|offsets\.topic\.replication\.factor|transaction\.state\.log\.replication\.factor|transaction\.state\.log\.min\.isr)=/d' \
    /secrets/kafka/server.properties >"$file"
  cat >>"$file" <<EOF
# The cluster profile (scripts/compose-cluster-node.sh): three brokers, each also a KRaft controller.
node.id=$n
controller.quorum.voters=${KAFKA_VOTERS:?}
# Bound on every interface of the shared namespace (the host's published ports arrive there), advertised as loopback.
listeners=INTERNAL://0.0.0.0:$port,PARTNER://0.0.0.0:$((port + 2)),CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=INTERNAL://127.0.0.1:$port,PARTNER://127.0.0.1:$((port + 2))
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
EOF
  # shellcheck disable=SC2046 # one --add-scram argument per word
  /opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${KAFKA_CLUSTER_ID:?}" -c "$file" \
    $(cat /secrets/kafka/format-scram.args) >/dev/null || die "kafka-$n: format failed"
  exec /opt/kafka/bin/kafka-server-start.sh "$file"
}

# Written on the first start only: Sentinel rewrites the replication lines when it fails over.
redis_node() {
  local n="$1" port="${REDIS_NODE_PORT:?}" primary="${REDIS_PRIMARY_PORT:?}" conf=/data/redis.conf
  if [ ! -s "$conf" ]; then
    (
      umask 077
      {
        echo "# Written by scripts/compose-cluster-node.sh on the first start (as infra/local/cluster.sh)."
        echo "bind 0.0.0.0"
        echo "port $port"
        echo "dir /data"
        echo "replica-announce-ip 127.0.0.1"
        echo 'save ""'
        echo "appendonly yes"
        echo "appendfsync everysec"
        echo "maxmemory-policy noeviction"
        echo "aclfile /secrets/redis/users.acl"
        echo "masteruser dragnet-admin"
        echo "masterauth $(password redis-dragnet-admin)"
        if [ "$port" != "$primary" ]; then echo "replicaof 127.0.0.1 $primary"; fi
      } >"$conf"
    )
  fi
  echo "redis-$n: port $port"
  exec docker-entrypoint.sh redis-server "$conf"
}

# Sentinel's client user may only ask where the primary is and listen for switch-overs (as cluster.sh).
SENTINEL_CLIENT_RULES='-@all +auth +hello +ping +client|setname +client|getname +role +info +sentinel|get-master-addr-by-name +sentinel|sentinels +sentinel|master +sentinel|replicas +subscribe +psubscribe +unsubscribe +punsubscribe'

sentinel_node() {
  local n="$1" port="${REDIS_NODE_PORT:?}" conf=/data/sentinel.conf admin
  admin="$(password redis-dragnet-admin)"
  if [ ! -s "$conf" ]; then
    (
      umask 077
      {
        echo "# Written by scripts/compose-cluster-node.sh on the first start; Sentinel keeps its state in it."
        echo "bind 0.0.0.0"
        echo "port $port"
        echo "dir /data"
        echo "sentinel announce-ip 127.0.0.1"
        echo "sentinel resolve-hostnames no"
        echo "sentinel monitor dragnet 127.0.0.1 ${REDIS_PRIMARY_PORT:?} ${SENTINEL_QUORUM:-2}"
        echo "sentinel down-after-milliseconds dragnet 5000"
        echo "sentinel failover-timeout dragnet 20000"
        echo "sentinel parallel-syncs dragnet 1"
        echo "sentinel auth-user dragnet dragnet-admin"
        echo "sentinel auth-pass dragnet $admin"
        echo "sentinel sentinel-user dragnet-admin"
        echo "sentinel sentinel-pass $admin"
        echo "user default off resetkeys resetchannels -@all"
        echo "user dragnet-admin on #$(sha "$admin") ~* &* +@all"
        echo "user dragnet-sentinel on #$(sha "$(password redis-dragnet-sentinel)") &* $SENTINEL_CLIENT_RULES"
      } >"$conf"
    )
  fi
  echo "sentinel-$n: port $port"
  exec docker-entrypoint.sh redis-server "$conf" --sentinel
}

case "${1:-}" in
  kafka) kafka_node "${2:?node number}" ;;
  redis) redis_node "${2:?node number}" ;;
  sentinel) sentinel_node "${2:?node number}" ;;
  *) die "usage: $0 kafka|redis|sentinel N" ;;
esac
