/**
 * `pnpm bench --instances 1,2,4`: how the pipeline scales. One pass per
 * instance count, each in its own process and namespace
 * (bench/scaling-pass.ts), against the stack the environment names (the
 * local single-node stack by default; the cluster's with its `env`). Prints
 * one row per pass: end-to-end indicators/s, each service's CPU seconds per
 * 1,000 indicators and peak RSS, and Redis memory per million merge states.
 * Node built-ins only (imported before a pass fixes its namespace).
 */
import { loadavg } from 'node:os';
import { log, machine, writeResult } from './report.js';
import { formatScalingTable, SCALED_SERVICES, type ScalingResult } from './scaling-table.js';
import { runPass } from './security-cost.js';

/** `1,2,4` → [1, 2, 4]; anything else than positive integers up to 64 is refused with the reason. */
export function parseInstanceList(text: string): number[] {
  const counts = text.split(',').map((part) => part.trim());
  const invalid = counts.find((part) => !/^[1-9]\d?$/.test(part) || Number(part) > 64);
  if (invalid !== undefined || counts.length === 0)
    throw new Error(
      `--instances: expected positive integers up to 64, comma-separated (got ${JSON.stringify(text)})`,
    );
  return counts.map(Number);
}

/** The arguments a pass gets: the parent's, with one instance count instead of the list. */
export function passArguments(args: readonly string[], instances: number): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--instances') index++;
    else if (!arg.startsWith('--instances=')) out.push(arg);
  }
  return [...out, '--instances', String(instances)];
}

export async function compareInstances(args: readonly string[], counts: readonly number[]): Promise<void> {
  const results: ScalingResult[] = [];
  let failure: Error | undefined;
  for (const instances of counts) {
    try {
      results.push(await runPass<ScalingResult>('scaling', passArguments(args, instances), process.env));
    } catch (error) {
      // The passes already measured are still worth their table.
      failure = error as Error;
      break;
    }
  }
  if (results.length > 0) console.log(`\n${formatScalingTable(results)}`);
  log(
    `services: ${SCALED_SERVICES.join(', ')} — CPU-s per 1,000 indicators (all instances) · largest peak RSS of one instance; load average now ${loadavg()[0]!.toFixed(1)}`,
  );
  const summary = { at: new Date().toISOString(), machine: machine(), args, passes: results };
  console.log(`written ${writeResult('pipeline-scaling', summary)}`);
  if (failure) throw failure;
}
