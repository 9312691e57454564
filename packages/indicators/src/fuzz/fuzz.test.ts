import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FuzzTarget, fuzzTargets, loadCorpus, parsesSafely } from './targets.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SHARED = resolve(REPO_ROOT, '..', 'shared', 'feeds');

/** Fixed seed and few runs: this is the smoke run of `pnpm fuzz` (which runs 200,000 inputs and more). */
const SEED = 20_260_101;
const RUNS = 150;

describe('fuzzing every partner parser (fixed seed; `pnpm fuzz` for the long run)', () => {
  it('finds the shared corpus to mutate', () => {
    expect(existsSync(SHARED), `${SHARED} is missing`).toBe(true);
  });

  const targets: FuzzTarget[] = existsSync(SHARED) ? fuzzTargets(loadCorpus(SHARED)) : [];
  it.each(targets.map((target) => [target.name, target] as const))(
    '%s: never throws, bounded output, every record an indicator or a reject with a reason',
    (_name, target) => {
      fc.assert(parsesSafely(target), { seed: SEED, numRuns: RUNS });
    },
  );
});
