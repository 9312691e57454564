// Bundles each service and the CLI into ESM under its dist/ for the container image
// and for `pnpm dragnet` (no tsx, no dev dependencies at run time).
//   node scripts/bundle.mjs          every entry point
//   node scripts/bundle.mjs --cli    the CLI only (what packages/cli/bin/dragnet.mjs runs when stale)
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

const services = {
  'services/normalizer/dist/main': 'services/normalizer/src/main.ts',
  'services/deduplicator/dist/main': 'services/deduplicator/src/main.ts',
  'services/indexer/dist/main': 'services/indexer/src/main.ts',
  'services/enricher/dist/main': 'services/enricher/src/main.ts',
  'services/api/dist/main': 'services/api/src/main.ts',
  'services/taxii-collector/dist/main': 'services/taxii-collector/src/main.ts',
};

const common = {
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
};

// Assets that code finds relative to its own file (packages/indicators/src/avro.ts,
// packages/enrichment/src/warninglist-loader.ts) resolve relative to the bundle:
// `<package>/dist/main.js` → `<package>/schemas`, `<package>/warninglists`.
function copyAssets(packageDir) {
  cpSync('packages/indicators/schemas', `${packageDir}/schemas`, { recursive: true });
  cpSync('packages/enrichment/warninglists', `${packageDir}/warninglists`, { recursive: true });
}

/**
 * The CLI: code-split, so each command's modules (and the drivers they import:
 * kafkajs, the Elasticsearch client, ioredis) load only when that command runs,
 * and `dragnet --help` reads the table alone. Chunks sit next to main.js, at
 * the depth that `import.meta.url`-relative paths in the packages expect.
 * `dist/inputs.json` lists the sources, so the launcher can tell a stale bundle.
 */
async function bundleCli() {
  const result = await build({
    ...common,
    entryPoints: { main: 'packages/cli/src/main.ts' },
    outdir: 'packages/cli/dist',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    metafile: true,
  });
  mkdirSync('packages/cli/dist', { recursive: true });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes('node_modules/.pnpm/'))
    .map((input) => relative(ROOT, join(ROOT, input)));
  writeFileSync('packages/cli/dist/inputs.json', `${JSON.stringify(inputs)}\n`);
  copyAssets('packages/cli');
  pruneOldChunks(new Set(Object.keys(result.metafile.outputs).map((output) => basename(output))));
}

/**
 * Chunks of earlier builds are kept a while, not deleted at once: a CLI started
 * just before a rebuild still loads its command's chunk by the old name.
 */
function pruneOldChunks(current) {
  const dir = 'packages/cli/dist';
  const before = Date.now() - 10 * 60_000;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('chunk-') || current.has(name) || current.has(name.replace(/\.map$/, ''))) continue;
    if (statSync(join(dir, name)).mtimeMs < before) rmSync(join(dir, name), { force: true });
  }
}

async function bundleServices() {
  const existing = Object.fromEntries(Object.entries(services).filter(([, src]) => existsSync(src)));
  await build({ ...common, entryPoints: existing, outdir: '.' });
  for (const out of Object.keys(existing)) copyAssets(dirname(dirname(out)));
  return Object.keys(existing).length;
}

const cliOnly = process.argv.includes('--cli');
const bundled = (cliOnly ? 0 : await bundleServices()) + 1;
await bundleCli();
if (!cliOnly) console.log(`bundled ${bundled} entry points`);
