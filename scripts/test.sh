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

echo "== tests"
report=$(mktemp)
status=0
corepack pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# One plain closing line that any CI reader understands.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
rm -f "$report"
exit "$status"
