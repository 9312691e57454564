#!/usr/bin/env bash
# The main job end to end on this machine: install, start the local stack,
# create topics and the index, start every service, push sample partner feeds
# (plus a generated one), wait until the pipeline is idle, then print what got
# indexed and one merged document. Services stop at the end; the stack stays
# up (`pnpm stack:down` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
COUNT="${DEMO_COUNT:-100000}"

bash scripts/bootstrap.sh
bash infra/local/stack.sh up
dragnet() { node --import tsx packages/cli/src/main.ts "$@"; }

dragnet setup

logs=.stack/demo-logs
mkdir -p "$logs"
pids=()
stop_services() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT
port=9464
for service in normalizer deduplicator indexer enricher; do
  [ -f "services/$service/src/main.ts" ] || continue
  METRICS_PORT=$port node --import tsx "services/$service/src/main.ts" >"$logs/$service.log" 2>&1 &
  pids+=($!)
  echo "started $service (pid $!, metrics on :$port, log $logs/$service.log)"
  port=$((port + 1))
done

feeds=.stack/demo-feeds
mkdir -p "$feeds"
# Sightings dated up to today, so the demo shows active (not decayed) indicators.
dragnet feed generate --count "$COUNT" --duplicates 0.3 --seed 42 --base-date "$(date -u +%F)" --out-dir "$feeds"
for partner in synthetic-a synthetic-b synthetic-c; do
  dragnet feed push --partner "$partner" "$feeds/$partner.csv"
done
dragnet feed push --partner unit42 infra/samples/unit42-style.stix.json
dragnet feed push --partner eset infra/samples/cert-style.misp.json
dragnet feed push --partner synthetic-a infra/samples/blocklist.csv
if [ -d ../shared/feeds ]; then
  # Real published feeds, when the shared test corpus sits beside the checkout.
  dragnet feed push --partner unit42 ../shared/feeds/unit42/*.json
  dragnet feed push --partner eset ../shared/feeds/eset/misp/*/*.json
  dragnet feed push --partner eset-hashes ../shared/feeds/eset/hashes/*/samples.sha256
fi

dragnet status --wait --timeout 1200
echo
echo "== one merged indicator (the one most partners reported):"
dragnet sample
