#!/usr/bin/env bash
# The main job end to end on this machine: install, start the local stack,
# create topics and the index, start every service supervised (`dragnet up`,
# with a demo API key), push sample partner feeds (plus a generated one), wait
# until the pipeline is idle, then print what got indexed, merged, rejected and
# enriched (`dragnet demo summary`) and three commands to try. The services and
# the API stay up (`pnpm dragnet down` stops them; `pnpm stack:down` the stack).
# DRAGNET_NAMESPACE runs it beside other pipelines on the same stack;
# DRAGNET_RUN_DIR and API_PORT keep its supervisor and API apart too.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
COUNT="${DEMO_COUNT:-100000}"
started=$SECONDS

bash scripts/bootstrap.sh
# Its state lines go to stderr; stdout is the environment block, for other scripts.
bash infra/local/stack.sh up >/dev/null
# Every service and the CLI from their bundles: no TypeScript compiled on each command.
node scripts/bundle.mjs >/dev/null
dragnet() { node packages/cli/bin/dragnet.mjs "$@"; }

dragnet setup >/dev/null # topics and index (a list of each one); problems still reach stderr

# The demo's API key: made once, kept in the git-ignored run dir, so a re-run reuses it.
run="${DRAGNET_RUN_DIR:-.stack/run}"
mkdir -p "$run"
if [ ! -s "$run/demo-api-key" ] || [ ! -s "$run/api-keys.json" ]; then
  created="$(dragnet api-key create --id demo --max-tlp amber --organisation 'Dragnet demo')"
  sed -n 's/^key (shown once; give it to the client): //p' <<<"$created" >"$run/demo-api-key"
  printf '[%s]\n' "$(sed -n 's/^entry for API_KEYS: //p' <<<"$created")" >"$run/api-keys.json"
fi
export API_KEYS_FILE="$PWD/$run/api-keys.json" API_HOST=127.0.0.1 API_PORT="${API_PORT:-8080}"
# Every service from its bundle, supervised: logs in $run/logs, restarted on crash.
dragnet up --run-dir "$run" --timeout 300

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
dragnet feed push --partner synthetic-b infra/samples/with-mistakes.csv
if [ -d ../shared/feeds ]; then
  # Real published feeds, when the shared test corpus sits beside the checkout.
  dragnet feed push --partner unit42 ../shared/feeds/unit42/*.json
  dragnet feed push --partner eset ../shared/feeds/eset/misp/*/*.json
  dragnet feed push --partner eset-hashes ../shared/feeds/eset/hashes/*/samples.sha256
fi

dragnet status --wait --timeout 1200 >/dev/null
echo
dragnet demo summary --api-url "http://127.0.0.1:$API_PORT" --api-key-file "$run/demo-api-key"
echo
echo "== running: \`pnpm dragnet ps --run-dir $run\` lists the services, \`pnpm dragnet down --run-dir $run\` stops them (logs in $run/logs)"
echo "== the demo took $((SECONDS - started)) s"
