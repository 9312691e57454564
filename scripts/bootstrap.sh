#!/usr/bin/env bash
# Installs the workspace on a machine that has only Node (>= 20.19) and a JDK:
# pnpm comes from corepack at the version pinned in package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# corepack releases bundled with Node 20 carry outdated npm signing keys;
# the registry's integrity hash is still checked.
export COREPACK_INTEGRITY_KEYS=0
corepack enable >/dev/null 2>&1 || true
if [ "${CI:-}" = "true" ]; then
  corepack pnpm install --frozen-lockfile --reporter=append-only
else
  corepack pnpm install --reporter=append-only
fi
