// Bundles each service and the CLI into one ESM file under its dist/ for the
// container image (no tsx, no dev dependencies at run time).
import { build } from 'esbuild';

const entries = {
  'services/normalizer/dist/main': 'services/normalizer/src/main.ts',
  'services/deduplicator/dist/main': 'services/deduplicator/src/main.ts',
  'services/indexer/dist/main': 'services/indexer/src/main.ts',
  'services/enricher/dist/main': 'services/enricher/src/main.ts',
  'services/api/dist/main': 'services/api/src/main.ts',
  'packages/cli/dist/main': 'packages/cli/src/main.ts',
};
const existing = Object.fromEntries(
  await Promise.all(
    Object.entries(entries).map(async ([out, src]) => {
      const { existsSync } = await import('node:fs');
      return existsSync(src) ? [out, src] : null;
    }),
  ).then((pairs) => pairs.filter(Boolean)),
);
await build({
  entryPoints: existing,
  outdir: '.',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Native or worker-thread modules stay external and are installed in the image.
  external: [
    'pino',
    'pino-pretty',
    'thread-stream',
    'msgpackr-extract',
    '@elastic/elasticsearch',
    'bullmq',
    'ioredis',
    'kafkajs',
    'avsc',
  ],
  banner: {
    // Aliased: bundled modules import createRequire themselves (packages/enrichment).
    js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// Assets that code finds relative to its own file (packages/indicators/src/avro.ts,
// packages/enrichment/src/warninglist-loader.ts) resolve relative to the bundle:
// `<package>/dist/main.js` → `<package>/schemas`, `<package>/warninglists`.
const { cpSync } = await import('node:fs');
const { dirname } = await import('node:path');
for (const out of Object.keys(existing)) {
  const packageDir = dirname(dirname(out));
  cpSync('packages/indicators/schemas', `${packageDir}/schemas`, { recursive: true });
  cpSync('packages/enrichment/warninglists', `${packageDir}/warninglists`, { recursive: true });
}
console.log(`bundled ${Object.keys(existing).length} entry points`);
