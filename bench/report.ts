/**
 * Helpers shared by the benchmarks: progress lines, rates, percentiles, the
 * machine description and the git-ignored results folder. Node built-ins only,
 * so importing it never fixes the Dragnet namespace before a benchmark sets it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(import.meta.dirname, '..', 'bench-results');

export const log = (line: string) => process.stderr.write(`${line}\n`);

export const rate = (count: number, ms: number) => Math.round(count / (ms / 1_000));

export function progress(label: string, done: number, total: number, started: number): void {
  const line = `${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} · ${rate(done, Date.now() - started).toLocaleString('en')}/s`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
  else log(line);
}

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function machine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kafka: '3.9.1',
    elasticsearch: '9.4.3',
  };
}

/** Writes `bench-results/<name>-<at>.json` and returns its path. */
export function writeResult(name: string, result: { at: string }): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${result.at.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
