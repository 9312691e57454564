#!/usr/bin/env node
// Runs the CLI from its bundle (packages/cli/dist, built by scripts/bundle.mjs): no TypeScript
// is compiled on the way, so `dragnet --help` answers in a tenth of a second. In a source
// checkout the bundle is rebuilt first when it is missing or any of its sources is newer
// (dist/inputs.json lists them); the container image ships the bundle without sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(packageDir, '..', '..');
const bundle = join(packageDir, 'dist', 'main.js');
const bundler = join(root, 'scripts', 'bundle.mjs');

function stale() {
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(packageDir, 'dist', 'inputs.json'), 'utf8'));
  } catch {
    return true;
  }
  // A source that no longer exists was moved or deleted: whoever imported it changed too.
  return inputs.some((input) => {
    const path = join(root, input);
    return existsSync(path) && statSync(path).mtimeMs > built;
  });
}

if (existsSync(bundler) && stale()) {
  process.stderr.write('dragnet: sources changed, rebuilding the CLI bundle…\n');
  const result = spawnSync(process.execPath, [bundler, '--cli'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
await import(pathToFileURL(bundle).href);
