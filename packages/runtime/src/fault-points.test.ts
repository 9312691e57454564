import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from './fault-points.js';

const MODULE = fileURLToPath(new URL('./fault-points.ts', import.meta.url));

/** Runs a process that passes `point` five times, printing each pass; returns what it printed and how it ended. */
function passFiveTimes(env: string | undefined, point = 'stage.after-write') {
  const script = `import { faultPoint } from ${JSON.stringify(MODULE)};
for (let pass = 1; pass <= 5; pass++) { faultPoint('other.point'); faultPoint(${JSON.stringify(point)}); process.stdout.write(pass + ' '); }`;
  const { DRAGNET_FAULT_POINT: _unset, ...inherited } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: env === undefined ? inherited : { ...inherited, DRAGNET_FAULT_POINT: env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { printed: run.stdout.trim(), signal: run.signal, status: run.status };
}

describe('faultPoint', () => {
  it('parses name and name@N, and nothing else', () => {
    expect(parseFaultSpec(undefined)).toBeNull();
    expect(parseFaultSpec(' ')).toBeNull();
    expect(parseFaultSpec('deduplicator.after-save-before-commit')).toEqual({
      name: 'deduplicator.after-save-before-commit',
      hit: 1,
    });
    expect(parseFaultSpec('indexer.after-bulk@3')).toEqual({ name: 'indexer.after-bulk', hit: 3 });
    expect(parseFaultSpec('indexer@0')).toBeNull();
    expect(parseFaultSpec('indexer@x')).toBeNull();
    expect(parseFaultSpec('Indexer')).toBeNull();
  });

  it('is a no-op when unset or naming another point', () => {
    expect(passFiveTimes(undefined)).toEqual({ printed: '1 2 3 4 5', signal: null, status: 0 });
    expect(passFiveTimes('stage.before-write')).toEqual({ printed: '1 2 3 4 5', signal: null, status: 0 });
  });

  it('SIGKILLs the process at the named point, on the N-th hit', () => {
    expect(passFiveTimes('stage.after-write')).toEqual({ printed: '', signal: 'SIGKILL', status: null });
    expect(passFiveTimes('stage.after-write@3')).toEqual({ printed: '1 2', signal: 'SIGKILL', status: null });
  });
});
