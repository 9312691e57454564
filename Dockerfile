# One image for every Dragnet service and the CLI; the command picks which.
FROM node:20-bookworm-slim AS build
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
WORKDIR /app
RUN corepack enable
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY services ./services
COPY test/package.json ./test/package.json
COPY scripts ./scripts
COPY vitest.config.ts ./
RUN pnpm install --frozen-lockfile
RUN pnpm build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/services ./services
COPY --from=build /app/packages ./packages
COPY infra/partners.json ./infra/partners.json
COPY infra/kibana ./infra/kibana
USER node
EXPOSE 8080 9464
CMD ["node", "services/normalizer/dist/main.js"]
