#!/usr/bin/env bash
# Prints docker-compose.yml as Compose resolves it (anchors merged, variables
# interpolated) as JSON, and exits non-zero when Compose finds it invalid.
# Needs no Docker engine. Used by scripts/test.sh and test/compose.test.ts. Every
# service is listed, those of the `cluster` profile too.
#
# Compose v2 (`docker compose`) when it is there; otherwise Debian's
# docker-compose package (Compose 1.29 on bookworm), which predates the
# Compose Specification's top-level `name:`: it gets the file without that
# line and the project name with -p instead; everything else it validates.
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  # --profile cluster: Compose v2 leaves the services of inactive profiles out (v1 lists every service).
  exec docker compose -f docker-compose.yml --profile cluster config --format json
fi
if ! command -v docker-compose >/dev/null; then
  echo "compose-config: neither 'docker compose' nor 'docker-compose' is installed (apt-get install docker-compose)" >&2
  exit 127
fi
# Debian's python3 (its python3-yaml comes with docker-compose), not whichever python3 is first on PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
name="$(sed -n 's/^name: *//p' docker-compose.yml)"
sed '/^name: /d' docker-compose.yml | docker-compose -p "${name:-dragnet}" --project-directory . --profile cluster -f - config |
  "$py" -c 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'
