#!/usr/bin/env bash
# The whole test suite: install, checks (format, lint, types, circular imports),
# start the local stack if it is not running, unit + integration + end-to-end
# tests, stop what this script started. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0

bash scripts/bootstrap.sh
pnpm() { corepack pnpm "$@"; }

echo "== checks: format, lint, types, circular imports"
pnpm lint
pnpm typecheck
pnpm circular

started_stack=0
if ! bash infra/local/stack.sh status >/dev/null 2>&1; then
  echo "== starting the local stack"
  bash infra/local/stack.sh up
  started_stack=1
fi
cleanup() {
  if [ "$started_stack" = 1 ]; then
    echo "== stopping the local stack"
    bash infra/local/stack.sh down || true
  fi
}
trap cleanup EXIT

# The DNS provider's test runs a real resolver on loopback: Debian's dnsmasq.
if ! command -v dnsmasq >/dev/null && [ ! -x /usr/sbin/dnsmasq ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's dnsmasq-base (DNS provider test)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q dnsmasq-base >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q dnsmasq-base >/dev/null; }
  else
    echo "dnsmasq is missing: sudo apt-get install dnsmasq-base (the DNS provider test needs it)" >&2
  fi
fi

# docker compose kept honest: docker-compose.yml must be what Compose accepts
# (validated without a Docker engine); test/compose.test.ts compares it with the stack.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's docker-compose (compose file check)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q docker-compose >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q docker-compose >/dev/null; }
  else
    echo "docker-compose is missing: sudo apt-get install docker-compose (the compose file check needs it)" >&2
  fi
fi
echo "== docker-compose.yml: compose config"
bash scripts/compose-config.sh >/dev/null

echo "== tests"
report=$(mktemp)
status=0
corepack pnpm exec vitest run --project unit --project integration --project e2e \
  --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# One plain closing line that any CI reader understands.
summary() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$1" "$2" || true
}
summary "$report" tests

# Failover tests on the cluster topology (infra/local/cluster.sh), a stack of its own. The single
# stack goes first when this script started it: six more JVMs on a 2-core box need the CPU.
# DRAGNET_SKIP_CLUSTER=1 skips the stage (a quick local run).
if [ "${DRAGNET_SKIP_CLUSTER:-0}" != 1 ]; then
  if [ "$started_stack" = 1 ]; then
    echo "== stopping the local stack (the cluster stage needs the CPU)"
    bash infra/local/stack.sh down || true
    started_stack=0
  fi
  echo "== cluster stage: starting the cluster topology"
  cluster_started=$SECONDS
  cluster_env=$(bash infra/local/stack.sh up --cluster) || status=1
  echo "cluster up in $((SECONDS - cluster_started))s"
  if [ -n "$cluster_env" ]; then
    (
      eval "$cluster_env"
      corepack pnpm exec vitest run --project cluster --reporter=default --reporter=json --outputFile.json="$report"
    ) || status=$?
    summary "$report" "cluster tests"
  fi
  echo "== cluster stage: stopping the cluster topology"
  bash infra/local/stack.sh down --cluster || true
fi
rm -f "$report"
exit "$status"
