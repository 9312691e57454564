/**
 * Crash points for fault tests: `faultPoint('deduplicator.after-produce')`
 * is a no-op unless the environment variable `DRAGNET_FAULT_POINT` names it
 * (`name`, or `name@N` for the N-th time the point is reached); then the
 * process SIGKILLs itself there — a crash at an exact moment between two
 * writes, which a kill from outside can only hit by chance.
 *
 * The variable is read once, at load: unset, every call is one comparison.
 */

export interface FaultSpec {
  readonly name: string;
  /** Crash on this hit of the point (1 = the first). */
  readonly hit: number;
}

/** `name` or `name@N` (N ≥ 1); null for an unset, empty or malformed value. */
export function parseFaultSpec(raw: string | undefined): FaultSpec | null {
  const text = raw?.trim();
  if (!text) return null;
  const match = /^([a-z0-9][a-z0-9.-]*)(?:@([1-9]\d{0,8}))?$/.exec(text);
  if (!match) return null;
  return { name: match[1]!, hit: match[2] === undefined ? 1 : Number(match[2]) };
}

const ARMED = parseFaultSpec(process.env.DRAGNET_FAULT_POINT);
let hits = 0;

/** Kills the process with SIGKILL here when `DRAGNET_FAULT_POINT` names this point (and hit). */
export function faultPoint(name: string): void {
  if (ARMED === null || ARMED.name !== name) return;
  hits++;
  if (hits < ARMED.hit) return;
  process.stderr.write(`fault point ${name}@${hits}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}

/** The crash points the services carry, so tests and docs name them from one place. */
export const FAULT_POINTS = {
  normalizerBeforeProduce: 'normalizer.before-produce',
  normalizerAfterProduce: 'normalizer.after-produce-before-commit',
  deduplicatorAfterProduce: 'deduplicator.after-produce-before-save',
  deduplicatorAfterSave: 'deduplicator.after-save-before-commit',
  indexerAfterBulk: 'indexer.after-bulk-before-commit',
} as const;
