/**
 * The side-by-side of `pnpm bench:taxii --medallion N`: the OASIS reference
 * server `medallion` (PyPI 3.0.0, memory backend, the venv the collector's
 * test creates at `.venv-medallion`) serving N generated indicators on
 * loopback, walked page by page like Dragnet's server is. medallion's memory
 * backend matches every object against the whole manifest on each request,
 * so its cost grows with the square of the collection: N is kept small.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');
const VENV = join(REPO, '.venv-medallion');
const ROOT = 'trustgroup1';
const COLLECTION = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';
const USER = 'bench';
const PASSWORD = 'bench-medallion-password';
const TAXII = 'application/taxii+json;version=2.1';

type Data = Record<string, { collections?: { id: string; objects: unknown[]; manifest: unknown[] }[] }>;

function ensureMedallion(): string {
  const binary = join(VENV, 'bin', 'medallion');
  if (existsSync(binary)) return binary;
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', 'medallion==3.0.0'], { stdio: 'inherit' });
  return binary;
}

/** medallion's own sample data with the collection's objects replaced by `count` domain indicators. */
function writeData(file: string, count: number): void {
  const data = JSON.parse(
    readFileSync(join(REPO, 'test', 'taxii-collector.medallion-data.json'), 'utf8'),
  ) as Data;
  const collection = data[ROOT]!.collections!.find((entry) => entry.id === COLLECTION)!;
  collection.objects = [];
  collection.manifest = [];
  for (let index = 0; index < count; index++) {
    const id = `indicator--0b0e0c00-0000-4000-8000-${String(index).padStart(12, '0')}`;
    const at = new Date(Date.UTC(2025, 0, 1) + index * 1_000).toISOString();
    collection.objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id,
      created: at,
      modified: at,
      valid_from: at,
      pattern_type: 'stix',
      pattern: `[domain-name:value = 'b${index}.medallion-bench.example']`,
    });
    collection.manifest.push({
      id,
      date_added: at.replace('Z', '000Z'),
      version: at,
      media_type: 'application/stix+json;version=2.1',
    });
  }
  writeFileSync(file, JSON.stringify(data));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilServing(url: string, authorization: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`medallion exited with ${child.exitCode}`);
    const status = await fetch(url, { headers: { accept: TAXII, authorization } })
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('medallion did not start within a minute');
}

/** Walks medallion's collection with pages of `page` objects; objects and milliseconds. */
export async function walkMedallion(count: number, page: number): Promise<{ objects: number; ms: number }> {
  const binary = ensureMedallion();
  const work = mkdtempSync(join(tmpdir(), 'dragnet-bench-medallion-'));
  writeData(join(work, 'data.json'), count);
  const config = {
    backend: {
      module: 'medallion.backends.memory_backend',
      module_class: 'MemoryBackend',
      filename: join(work, 'data.json'),
    },
    users: { [USER]: PASSWORD },
    taxii: { max_page_size: page },
  };
  writeFileSync(join(work, 'medallion.json'), JSON.stringify(config));
  const port = await freePort();
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', String(port), join(work, 'medallion.json')], {
    stdio: 'ignore',
  });
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const base = `http://127.0.0.1:${port}/${ROOT}/collections/${COLLECTION}/objects/?limit=${page}`;
  try {
    await waitUntilServing(`http://127.0.0.1:${port}/${ROOT}/collections/`, authorization, child);
    const started = Date.now();
    let objects = 0;
    let next: string | undefined;
    do {
      const url = next ? `${base}&next=${encodeURIComponent(next)}` : base;
      const response = await fetch(url, { headers: { accept: TAXII, authorization } });
      if (response.status !== 200) throw new Error(`medallion: HTTP ${response.status}`);
      const body = (await response.json()) as { objects?: unknown[]; more?: boolean; next?: string };
      objects += body.objects?.length ?? 0;
      next = body.more ? body.next : undefined;
    } while (next);
    return { objects, ms: Date.now() - started };
  } finally {
    child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}
