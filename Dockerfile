# One image for every Dragnet service and the CLI; the command picks which:
#   node services/<name>/dist/main.js     normalizer, deduplicator, indexer, enricher, api
#   node packages/cli/dist/main.js ...    the CLI (setup, kibana setup, feed push, ...)
# Each entry point is one esbuild bundle (scripts/bundle.mjs); only the packages
# the bundles keep external (kafkajs, @elastic/elasticsearch, ioredis, bullmq,
# pino, avsc, ...) are installed in the runtime image, flat (hoisted), so plain
# Node resolution finds them from any dist/ folder.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 npm_config_store_dir=/pnpm/store
# Node 20's bundled corepack may not know the keys of recent pnpm releases.
RUN npm install -g corepack@0.36.0 >/dev/null && corepack enable
WORKDIR /app

# --- build: full install, typecheck + bundle ---------------------------------
FROM base AS build
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --offline --frozen-lockfile
RUN pnpm build
# Collect what runs: every bundle with its package.json ("type": "module"), the
# partners registry, Kibana saved objects and the default warninglists. Assets that code finds relative to
# its own file (new URL('../schemas/x.avsc', import.meta.url) in
# packages/indicators) resolve relative to the bundle, so they are copied next
# to each entry point as well.
RUN set -eu; mkdir -p /out/infra; cp package.json /out/; \
    for dist in services/*/dist packages/cli/dist; do \
      [ -f "$dist/main.js" ] || continue; \
      pkg="$(dirname "$dist")"; mkdir -p "/out/$pkg"; \
      cp -r "$dist" "/out/$pkg/"; cp "$pkg/package.json" "/out/$pkg/"; \
      if [ -d packages/indicators/schemas ]; then cp -r packages/indicators/schemas "/out/$pkg/"; fi; \
      if [ -d packages/enrichment/warninglists ]; then cp -r packages/enrichment/warninglists "/out/$pkg/"; fi; \
    done; \
    cp infra/partners.json /out/infra/; \
    if [ -d infra/kibana ]; then cp -r infra/kibana /out/infra/; fi

# --- production dependencies, flat ----------------------------------------------
FROM base AS prod-deps
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --prod
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --prod --config.node-linker=hoisted \
 && rm -rf node_modules/@dragnet node_modules/.pnpm node_modules/.cache

# --- runtime ---------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
USER node
# api: 8080; every process: /healthz, /readyz, /metrics on 9464
EXPOSE 8080 9464
CMD ["node", "services/normalizer/dist/main.js"]
