import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChildState, type ServiceSpec, STATE_FILE, type SupervisorState } from './supervisor.js';

/** The services `dragnet up` runs, in start order; the API only when it has keys to check. */
export function dragnetServices(
  root: string,
  runtime: 'dist' | 'tsx',
  env: NodeJS.ProcessEnv,
): { services: ServiceSpec[]; skipped: string[] } {
  const names = ['normalizer', 'deduplicator', 'indexer', 'enricher', 'api'];
  const hasKeys = Boolean(env.API_KEYS || env.API_KEYS_FILE);
  const services = names
    .filter((name) => name !== 'api' || hasKeys)
    .map((name) => ({
      name,
      command: process.execPath,
      args:
        runtime === 'dist'
          ? [join(root, 'services', name, 'dist', 'main.js')]
          : ['--import', 'tsx', join(root, 'services', name, 'src', 'main.ts')],
      env: {},
    }));
  return {
    services,
    skipped: hasKeys
      ? []
      : ['api (no API_KEYS or API_KEYS_FILE: create a key with `dragnet api-key create`)'],
  };
}

/** The running supervisor's state, or null when none runs for `runDir`. */
export function readState(runDir: string): SupervisorState | null {
  const file = join(runDir, STATE_FILE);
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, 'utf8')) as SupervisorState;
  return isAlive(state.pid) ? state : null;
}

export function isAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface ChildReport {
  name: string;
  pid: number | null;
  health: 'ready' | 'not ready' | 'starting' | 'down';
  /** Records consumed per second over the probe (null: the service counts none). */
  rate: number | null;
  rssMb: number | null;
  restarts: number;
}

async function get(port: number, path: string): Promise<{ status: number; text: string } | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return null;
  }
}

/** Sum of `dragnet_records_in_total` over its labels, from a Prometheus text page (null: no such counter). */
export function recordsIn(metrics: string): number | null {
  // Registered but not counted yet: 0; a service without the counter (the API): none.
  let total: number | null = metrics.includes('# TYPE dragnet_records_in_total') ? 0 : null;
  for (const line of metrics.split('\n'))
    if (line.startsWith('dragnet_records_in_total')) total = (total ?? 0) + Number(line.split(' ').at(-1));
  return total;
}

function rssMb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Health, rate (two scrapes `windowMs` apart) and memory of every child. */
export async function inspect(state: SupervisorState, windowMs = 1_000): Promise<ChildReport[]> {
  const first = await Promise.all(state.children.map((child) => scrape(child)));
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return Promise.all(
    state.children.map(async (child, index) => {
      const second = await scrape(child);
      const before = first[index];
      const rate =
        before?.records != null && second?.records != null
          ? Math.round(((second.records - before.records) * 1_000) / windowMs)
          : null;
      const health = !child.pid ? 'down' : !second ? 'starting' : second.ready ? 'ready' : 'not ready';
      return {
        name: child.name,
        pid: child.pid,
        health,
        rate,
        rssMb: child.pid ? rssMb(child.pid) : null,
        restarts: child.restarts,
      };
    }),
  );
}

async function scrape(child: ChildState): Promise<{ ready: boolean; records: number | null } | null> {
  if (!child.pid || child.metricsPort === null) return null;
  const [ready, metrics] = await Promise.all([
    get(child.metricsPort, '/readyz'),
    get(child.metricsPort, '/metrics'),
  ]);
  if (!ready) return null;
  return { ready: ready.status === 200, records: metrics ? recordsIn(metrics.text) : null };
}

/** Waits until every child answers 200 on /readyz (or the timeout passes); returns those that did not. */
export async function waitReady(runDir: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = readState(runDir);
    const waiting: string[] = [];
    for (const child of state?.children ?? []) {
      const ready = child.pid && child.metricsPort !== null ? await get(child.metricsPort, '/readyz') : null;
      if (ready?.status !== 200) waiting.push(child.name);
    }
    if (state && waiting.length === 0) return [];
    if (Date.now() >= deadline) return state ? waiting : ['supervisor'];
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The `dragnet ps` table. */
export function formatReports(reports: readonly ChildReport[]): string {
  const rows = [
    ['service', 'pid', 'health', 'records/s', 'memory', 'restarts'],
    ...reports.map((report) => [
      report.name,
      report.pid ? String(report.pid) : '-',
      report.health,
      report.rate === null ? '-' : String(report.rate),
      report.rssMb === null ? '-' : `${report.rssMb} MB`,
      String(report.restarts),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
