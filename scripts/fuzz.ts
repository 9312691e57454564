/**
 * `pnpm fuzz [--runs N] [--seed S] [--target NAME]`: the properties of
 * packages/indicators/src/fuzz/fuzz.test.ts at scale, over every partner
 * parser and the normalizer's pure path (normalizeBatch). Prints inputs/s per
 * target and every finding with its shrunk counterexample; exits 1 on a
 * finding. `--runs` is the total over all targets (default 200,000).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { decodeDeadLetter, TOPICS } from '../packages/contracts/src/index.js';
import {
  type FuzzTarget,
  fuzzTargets,
  loadCorpus,
  parsesSafely,
} from '../packages/indicators/src/fuzz/index.js';
import { decodeReport } from '../packages/indicators/src/index.js';
import { loadRegistry } from '../packages/partners/src/index.js';
import { normalizeBatch } from '../services/normalizer/src/normalize.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    target: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs <= 0 || !Number.isInteger(seed)) {
  console.error('usage: pnpm fuzz [--runs N] [--seed S] [--target NAME]');
  process.exit(2);
}

const SHARED = resolve(fileURLToPath(new URL('../', import.meta.url)), '..', 'shared', 'feeds');
const parsers = fuzzTargets(loadCorpus(SHARED));
const registry = loadRegistry();

/** The normalizer on one message of a registered partner: reports decode, at most one dead letter, nothing thrown. */
function normalizerProperty(partnerId: string, inputs: FuzzTarget['inputs']) {
  const partner = registry.byId.get(partnerId)!;
  return fc.property(inputs, (bytes) => {
    const batch = normalizeBatch(
      [
        {
          topic: partner.topic,
          partition: 0,
          offset: '1',
          key: null,
          value: Buffer.from(bytes),
          headers: {},
          timestamp: Date.UTC(2026, 0, 1),
        },
      ],
      registry,
      { topics: TOPICS },
    );
    const reports = batch.outgoing.filter((record) => record.topic === TOPICS.mergeInput);
    const letters = batch.outgoing.filter((record) => record.topic === TOPICS.deadLetter);
    if (reports.length !== batch.indicators)
      throw new Error('indicator count differs from the reports produced');
    if (letters.length > 1) throw new Error(`${letters.length} dead letters for one message`);
    for (const record of reports) {
      if (decodeReport(record.value as Buffer).id !== record.key) throw new Error('report key is not its id');
    }
    for (const letter of letters) decodeDeadLetter(letter.value as Buffer);
  });
}

const byName = new Map(parsers.map((target) => [target.name, target]));
const targets: { name: string; property: ReturnType<typeof parsesSafely> }[] = [
  ...parsers.map((target) => ({ name: target.name, property: parsesSafely(target) })),
  { name: 'normalizer/misp', property: normalizerProperty('eset', byName.get('misp')!.inputs) },
  { name: 'normalizer/stix', property: normalizerProperty('unit42', byName.get('stix')!.inputs) },
  { name: 'normalizer/csv', property: normalizerProperty('synthetic-a', byName.get('csv#2')!.inputs) },
  { name: 'normalizer/avro', property: normalizerProperty('cert-demo', byName.get('avro-v2')!.inputs) },
].filter((target) => !values.target || target.name === values.target);

const perTarget = Math.max(1, Math.floor(runs / targets.length));
console.log(`fuzz: ${perTarget} inputs × ${targets.length} targets, seed ${seed}`);
let findings = 0;
let total = 0;
const started = performance.now();
for (const { name, property } of targets) {
  const start = performance.now();
  const details = fc.check(property, { seed, numRuns: perTarget });
  const seconds = (performance.now() - start) / 1000;
  total += details.numRuns;
  const rate = Math.round(details.numRuns / seconds);
  console.log(
    `${name.padEnd(18)} ${String(details.numRuns).padStart(8)} inputs ${seconds.toFixed(1).padStart(7)} s ${String(rate).padStart(7)} inputs/s  ${details.failed ? 'FINDING' : 'ok'}`,
  );
  if (details.failed) {
    findings++;
    const example = details.counterexample?.[0];
    const text = example instanceof Uint8Array ? Buffer.from(example).toString('utf8') : String(example);
    console.log(
      `  error: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    );
    console.log(
      `  counterexample (${example instanceof Uint8Array ? example.length : '?'} bytes, shrunk ${details.numShrinks}×): ${JSON.stringify(text.slice(0, 2000))}`,
    );
    console.log(
      `  replay: pnpm fuzz --target ${name} --seed ${seed} --runs ${perTarget}  (fast-check path ${details.counterexamplePath})`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `total ${total} inputs in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} inputs/s), ${findings} finding(s)`,
);
process.exit(findings > 0 ? 1 : 0);
