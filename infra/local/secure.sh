# shellcheck shell=bash
# The secured local stack (DRAGNET_STACK_SECURITY=on), sourced by stack.sh:
# a local CA, one server certificate, generated passwords, and the Kafka, Elasticsearch
# and Redis settings that use them. docker-compose.yml's `secrets` step runs this
# same file (stack.sh secrets) so both set-ups share one definition.
#
# Layout of $SECRETS (mode 700, files 600; never committed — the state dir is git-ignored):
#   ca.crt ca.key                  the local CA; ca.crt is what a partner (or any client) needs
#   server.crt server.key          127.0.0.1 / localhost / kafka / elasticsearch / redis, signed by the CA
#   server.pem                     key + certificate in one file (Kafka's PEM keystore)
#   kafka-<principal>.password     SCRAM-SHA-512 password of each Kafka principal
#   es-<user>.password             file-realm password of each Elasticsearch user
#   redis-<user>.password          ACL password of each Redis user
#   es-admin.curlrc                curl config (CA + admin credentials) for stack.sh's own checks

SECRETS="${DRAGNET_SECRETS_DIR:-$STATE/secrets}"

# Kafka principals: the admin super-user, then one per service role.
KAFKA_ADMIN_USER=admin
KAFKA_SERVICE_USERS=(normalizer deduplicator indexer enricher api taxii-collector operator)
# Elasticsearch file-realm users and their roles (roles in elasticsearch-roles.yml).
ES_USERS=(dragnet-admin:superuser dragnet-indexer:dragnet_indexer dragnet-reader:dragnet_reader dragnet-api:dragnet_api dragnet-kibana:kibana_system)
# Redis ACL users (rules in redis_write_acl).
REDIS_USERS=(dragnet-admin deduplicator enricher api taxii-collector cli)
# Clients of the cluster topology's Sentinels (infra/local/cluster.sh): where is the primary, nothing else.
REDIS_USERS+=(dragnet-sentinel)

secret_file() { printf '%s/%s.password' "$SECRETS" "$1"; }

# A random password of URL-, JAAS-, shell- and YAML-safe characters (hex).
new_password() { openssl rand -hex 24; }

# ensure_password NAME: creates $SECRETS/NAME.password once; prints nothing.
ensure_password() {
  local file
  file="$(secret_file "$1")"
  [ -s "$file" ] && return 0
  (umask 077 && new_password >"$file.tmp" && mv "$file.tmp" "$file")
}

read_password() { tr -d '\n' <"$(secret_file "$1")"; }

# The CA, the server certificate and every password; idempotent (existing files are kept).
secrets_prepare() {
  command -v openssl >/dev/null || die "security: openssl is needed to make the local CA (apt-get install openssl)"
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  (
    umask 077
    cd "$SECRETS"
    if [ ! -s ca.crt ] || [ ! -s ca.key ]; then
      log "security: creating the local CA in $SECRETS"
      openssl req -x509 -newkey rsa:3072 -sha256 -days 825 -nodes -keyout ca.key -out ca.crt \
        -subj "/CN=Dragnet local CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 || die "security: openssl could not create the CA"
      rm -f server.crt server.key server.pem
    fi
    if [ ! -s server.crt ] || [ ! -s server.key ] || [ ! -s server.pem ]; then
      log "security: creating the server certificate"
      # CN is the broker's own principal on the controller listener (mutual TLS).
      openssl req -newkey rsa:2048 -sha256 -nodes -keyout server.key.tmp -out server.csr \
        -subj "/CN=dragnet-broker" >/dev/null 2>&1
      printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth,clientAuth" \
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kafka,DNS:elasticsearch,DNS:redis" >server.ext
      openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 \
        -extfile server.ext -out server.crt >/dev/null 2>&1 || die "security: openssl could not sign the server certificate"
      # Kafka's PEM keystore wants PKCS#8.
      openssl pkcs8 -topk8 -nocrypt -in server.key.tmp -out server.key
      cat server.key server.crt >server.pem
      rm -f server.key.tmp server.csr server.ext ca.srl
    fi
    # Elasticsearch and Redis run as other users and read these (copied for Elasticsearch).
    chmod 644 ca.crt server.crt
  )
  ensure_password "kafka-$KAFKA_ADMIN_USER"
  local user entry
  for user in "${KAFKA_SERVICE_USERS[@]}"; do ensure_password "kafka-$user"; done
  for entry in "${ES_USERS[@]}"; do ensure_password "es-${entry%%:*}"; done
  for user in "${REDIS_USERS[@]}"; do ensure_password "redis-$user"; done
  (umask 077 && printf 'cacert = "%s"\nuser = "dragnet-admin:%s"\n' "$SECRETS/ca.crt" "$(read_password es-dragnet-admin)" >"$SECRETS/es-admin.curlrc")
}

# --- Kafka -------------------------------------------------------------------------

# kafka_write_secure_config [FILE [HOST [PARTNER_HOST [PARTNER_PORT]]]]: compose writes its own copy with container names.
kafka_write_secure_config() {
  local scram_login='org.apache.kafka.common.security.scram.ScramLoginModule required'
  local file="${1:-$KAFKA_DIR/server.properties}" host="${2:-127.0.0.1}" partner_host="${3:-127.0.0.1}" bind="${2:-127.0.0.1}"
  local partner_advertised_port="${4:-$KAFKA_PARTNER_PORT}"
  [ "$host" = 127.0.0.1 ] || bind=0.0.0.0
  cat >"$file" <<EOF
# Generated by infra/local/stack.sh (DRAGNET_STACK_SECURITY=on) on every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
# INTERNAL: Dragnet's services, SASL/SCRAM on loopback without TLS.
# PARTNER: partners, TLS + SASL/SCRAM. CONTROLLER: KRaft, mutual TLS (the broker's certificate).
listeners=INTERNAL://$bind:$KAFKA_PORT,PARTNER://$bind:$KAFKA_PARTNER_PORT,CONTROLLER://$bind:$KAFKA_CONTROLLER_PORT
advertised.listeners=INTERNAL://$host:$KAFKA_PORT,PARTNER://$partner_host:$partner_advertised_port
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,PARTNER:SASL_SSL,CONTROLLER:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=$scram_login username="$KAFKA_ADMIN_USER" password="$(read_password "kafka-$KAFKA_ADMIN_USER")";
listener.name.partner.scram-sha-512.sasl.jaas.config=$scram_login;
ssl.keystore.type=PEM
ssl.keystore.location=$SECRETS/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$SECRETS/ca.crt
listener.name.controller.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([a-zA-Z0-9.-]+)(,.*)?$/\$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:$KAFKA_ADMIN_USER;User:dragnet-broker
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
  chmod 600 "$file"
}

# Bootstrap SCRAM credentials, written into the cluster metadata by `kafka-storage format`
# (KRaft has no other way to get the first user before the broker runs).
kafka_format_scram_args() {
  local user
  printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN_USER,password=$(read_password "kafka-$KAFKA_ADMIN_USER")]"
  for user in "${KAFKA_SERVICE_USERS[@]}"; do
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$user,password=$(read_password "kafka-$user")]"
  done
}

# Client properties for Kafka's own tools (kafka.admin.ConfigCommand, AclCommand) as the admin.
kafka_write_admin_properties() {
  (umask 077 && cat >"$SECRETS/kafka-admin.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_ADMIN_USER" password="$(read_password "kafka-$KAFKA_ADMIN_USER")";
EOF
  )
}

# The service roles' ACLs (defined in packages/cli/src/commands/partner.ts, applied with kafkajs).
kafka_apply_service_acls() {
  local tsx="$ROOT/node_modules/.bin/tsx"
  if [ ! -x "$tsx" ]; then
    log "kafka: node_modules missing; after 'pnpm install' run 'pnpm dragnet perimeter apply' to grant the services' ACLs"
    return 0
  fi
  KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" KAFKA_SASL_USERNAME="$KAFKA_ADMIN_USER" \
    KAFKA_SASL_PASSWORD_FILE="$(secret_file "kafka-$KAFKA_ADMIN_USER")" DRAGNET_SECRETS_DIR="$SECRETS" \
    DRAGNET_NAMESPACE="" LOG_LEVEL=error \
    "$tsx" "$ROOT/packages/cli/src/main.ts" perimeter apply >"$KAFKA_DIR/logs/acls.log" 2>&1 ||
    die "kafka: applying the service ACLs failed; see $KAFKA_DIR/logs/acls.log"
  log "kafka: service ACLs applied ($(grep -c . "$KAFKA_DIR/logs/acls.log") lines in $KAFKA_DIR/logs/acls.log)"
}

# --- Elasticsearch -------------------------------------------------------------------

es_write_secure_config() {
  local certs="$ES_HOME/config/dragnet-certs" entry user role
  # Elasticsearch reads TLS files only from inside its config directory.
  mkdir -p "$certs"
  cp "$SECRETS/ca.crt" "$SECRETS/server.crt" "$SECRETS/server.key" "$certs/"
  chmod 600 "$certs/server.key"
  {
    echo '# Generated by infra/local/stack.sh (DRAGNET_STACK_SECURITY=on) on every start: edit the script, not this file.'
    es_node_settings
    cat <<EOF
xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: dragnet-certs/server.key
xpack.security.http.ssl.certificate: dragnet-certs/server.crt
xpack.security.http.ssl.certificate_authorities: [dragnet-certs/ca.crt]
EOF
    es_transport_tls_settings
    cat <<EOF
# The file realm (users below) first; the native realm for API keys and Kibana's own users.
xpack.security.authc.realms.file.file1.order: 0
xpack.security.authc.realms.native.native1.order: 1
EOF
  } >"$ES_HOME/config/elasticsearch.yml"
  cp "$HERE/elasticsearch-roles.yml" "$ES_HOME/config/roles.yml"
  # The file realm: users and users_roles, written by Elasticsearch's own tool (bcrypt hashes).
  for entry in "${ES_USERS[@]}"; do
    user="${entry%%:*}" role="${entry#*:}"
    if ! grep -q "^$user:" "$ES_HOME/config/users" 2>/dev/null; then
      ES_JAVA_HOME="$1" ES_PATH_CONF="$ES_HOME/config" "$ES_HOME/bin/elasticsearch-users" useradd "$user" \
        -p "$(read_password "es-$user")" -r "$role" >/dev/null 2>&1 || die "elasticsearch: could not add file-realm user $user"
    fi
  done
}

# Between nodes: mutual TLS with the server certificate (its SAN holds 127.0.0.1), checked in full.
es_transport_tls_settings() {
  if [ "$TOPOLOGY" != cluster ]; then
    echo '# One node on loopback: no transport peers, so no transport TLS (the cluster topology has it).'
    echo 'xpack.security.transport.ssl.enabled: false'
    return 0
  fi
  cat <<EOF
xpack.security.transport.ssl.enabled: true
xpack.security.transport.ssl.verification_mode: full
xpack.security.transport.ssl.client_authentication: required
xpack.security.transport.ssl.key: dragnet-certs/server.key
xpack.security.transport.ssl.certificate: dragnet-certs/server.crt
xpack.security.transport.ssl.certificate_authorities: [dragnet-certs/ca.crt]
EOF
}

# --- Redis -----------------------------------------------------------------------------

# ACL users: `default` is off, so a connection without credentials gets NOAUTH.
# Key patterns start with `*` so a DRAGNET_NAMESPACE prefix (e.g. `e2e-x.`) still matches.
redis_write_acl() {
  local common='resetkeys resetchannels -@all +@connection +@read +@write +@keyspace +@scripting +@transaction +@list +@hash +@sortedset +@set +@string +@stream +@pubsub +info -@dangerous +info +client|setname +client|getname'
  (
    umask 077
    {
      echo "user default off resetkeys resetchannels -@all"
      echo "user dragnet-admin on #$(read_password redis-dragnet-admin | sha256sum | cut -d' ' -f1) ~* &* +@all"
      # Merge state, and enrichment jobs it enqueues.
      echo "user deduplicator on #$(read_password redis-deduplicator | sha256sum | cut -d' ' -f1) $common ~*dragnet:merge:* ~bull:*dragnet-enrichment*"
      # Jobs of both queues, merge state (results), the control channel.
      echo "user enricher on #$(read_password redis-enricher | sha256sum | cut -d' ' -f1) $common ~*dragnet:merge:* ~bull:*dragnet-enrichment* ~bull:*dragnet-maintenance* &*dragnet:control"
      # Rate-limit windows and TAXII inbox status resources only.
      echo "user api on #$(read_password redis-api | sha256sum | cut -d' ' -f1) $common ~*dragnet:ratelimit:* ~*dragnet:taxii-status:*"
      # Each TAXII source's position only.
      echo "user taxii-collector on #$(read_password redis-taxii-collector | sha256sum | cut -d' ' -f1) $common ~*dragnet:taxii:*"
      # The operator CLI: queues (status, failed jobs, sweeps) and the control channel.
      echo "user cli on #$(read_password redis-cli | sha256sum | cut -d' ' -f1) $common ~bull:*dragnet-enrichment* ~bull:*dragnet-maintenance* &*dragnet:control"
    } >"$REDIS_DIR/users.acl"
  )
}

# --- docker compose ---------------------------------------------------------------------

# `stack.sh compose-secrets` (run by docker-compose.yml's `secrets` step, DRAGNET_SECRETS_DIR=/secrets):
# the same CA, certificates, passwords, Kafka settings and Redis users as the local stack,
# for containers named kafka, elasticsearch and redis. The containers run as different
# users, so these files are readable to all inside the (git-ignored) secrets directory.
compose_secrets() {
  secrets_prepare
  mkdir -p "$SECRETS/kafka" "$SECRETS/redis"
  local saved_kafka_dir="$KAFKA_DIR" saved_redis_dir="$REDIS_DIR"
  # Inside the network: kafka:9092 (services), kafka:9094 (partners; published on the host as 127.0.0.1:19094).
  KAFKA_DIR=/var/lib/kafka REDIS_DIR="$SECRETS/redis"
  KAFKA_PORT=9092 KAFKA_PARTNER_PORT=9094 KAFKA_CONTROLLER_PORT=9093
  kafka_write_secure_config "$SECRETS/kafka/server.properties" kafka "${DRAGNET_PARTNER_HOST:-localhost}" 19094
  KAFKA_DIR="$saved_kafka_dir"
  redis_write_acl
  REDIS_DIR="$saved_redis_dir"
  kafka_format_scram_args | paste -sd' ' >"$SECRETS/kafka/format-scram.args"
  kafka_write_admin_properties
  chmod 755 "$SECRETS" "$SECRETS/kafka" "$SECRETS/redis"
  chmod 644 "$SECRETS"/*.password "$SECRETS"/server.key "$SECRETS"/server.pem "$SECRETS"/kafka-admin.properties "$SECRETS"/kafka/* "$SECRETS"/redis/*
}
