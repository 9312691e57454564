import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeDeadLetter, names } from '@dragnet/contracts';
import { decodeReport } from '@dragnet/indicators';
import { fuzzTargets, loadCorpus } from '@dragnet/indicators/fuzz';
import type { ConsumedRecord } from '@dragnet/kafka';
import { loadRegistry } from '@dragnet/partners';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeBatch } from './normalize.js';

const registry = loadRegistry();
// A namespace of its own: the core must put every record on the topics of the names it is given.
const NAMES = names('normalizer-test');
const TOPICS = NAMES.topics;
const topic = registry.byId.get('synthetic-a')!.topic;
const record = (value: string | null, offset: string, on = topic): ConsumedRecord => ({
  topic: on,
  partition: 1,
  offset,
  key: null,
  value: value === null ? null : Buffer.from(value),
  headers: { 'dragnet-correlation-id': `c-${offset}` },
  timestamp: Date.UTC(2026, 0, 1),
});

describe('normalizeBatch', () => {
  it('turns partner lines into canonical Avro reports keyed by indicator id, with the correlation id', () => {
    const batch = normalizeBatch(
      [record('hxxp://Evil[.]COM:80/a,url,2026-01-02T00:00:00Z\n8.8.8.8,ipv4,2026-01-02T00:00:00Z\n', '7')],
      registry,
      NAMES,
    );
    expect(batch.indicators).toBe(2);
    const [first] = batch.outgoing;
    expect(first).toMatchObject({
      topic: TOPICS.mergeInput,
      headers: { 'dragnet-correlation-id': 'c-7', 'dragnet-record-type': 'report' },
    });
    const report = decodeReport(first!.value as Buffer);
    expect(report).toMatchObject({
      value: 'http://evil.com/a',
      provider: 'synthetic-a',
      provenance: { topic, partition: 1, offset: '7' },
    });
    expect(first!.key).toBe(report.id);
  });

  it("replaces a partner's correlation id that is not one (too long, control bytes) and keeps a good one", () => {
    const line = '8.8.8.8,ipv4,2026-01-02T00:00:00Z\n';
    const withCorrelation = (offset: string, correlationId: string) => ({
      ...record(line, offset),
      headers: { 'dragnet-correlation-id': correlationId },
    });
    const batch = normalizeBatch(
      [
        withCorrelation('1', 'partner-run-17'),
        withCorrelation('2', `x${'y'.repeat(10_000)}`),
        withCorrelation('3', 'forged\n{"level":60}'),
      ],
      registry,
      NAMES,
    );
    const ids = batch.outgoing.map((out) => String(out.headers?.['dragnet-correlation-id']));
    expect(ids[0]).toBe('partner-run-17');
    for (const replaced of ids.slice(1)) expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('dead-letters a message with rejects once, with all reasons and the original bytes, and keeps its good lines', () => {
    const text =
      '300.1.1.1,ipv4,2026-01-01T00:00:00Z\n1.1.1.1,ipv4,2026-01-01T00:00:00Z\nx,pdb,2026-01-01T00:00:00Z\n';
    const batch = normalizeBatch([record(text, '9')], registry, NAMES);
    expect(batch.indicators).toBe(1);
    const letters = batch.outgoing.filter((out) => out.topic === TOPICS.deadLetter);
    expect(letters).toHaveLength(1);
    const letter = decodeDeadLetter(letters[0]!.value as Buffer);
    expect(letter).toMatchObject({
      stage: 'normalizer',
      code: 'invalid_ipv4',
      source: { topic, partition: 1, offset: '9', partner: 'synthetic-a' },
    });
    expect(letter.rejects.map((reject) => reject.reason)).toEqual(['invalid_ipv4', 'unsupported_type']);
    expect(Buffer.from(letter.original, 'base64').toString()).toBe(text);
    expect(Object.fromEntries(batch.rejectsByReason)).toEqual({ invalid_ipv4: 1, unsupported_type: 1 });
  });

  it('dead-letters empty messages and topics no partner owns', () => {
    const batch = normalizeBatch(
      [record(null, '1'), record('1.1.1.1', '2', 'feeds.nobody')],
      registry,
      NAMES,
    );
    const codes = batch.outgoing
      .filter((out) => out.topic === TOPICS.deadLetter)
      .map((out) => decodeDeadLetter(out.value as Buffer).code);
    expect(codes).toEqual(['empty_value', 'invalid_structure']);
    // A topic no partner owns has no rejects topic to tell: operators only.
    const partnerBound = batch.outgoing.filter((out) => out.topic !== TOPICS.deadLetter);
    expect(partnerBound.map((out) => out.topic)).toEqual([registry.byId.get('synthetic-a')!.rejectsTopic]);
  });

  it("puts each partner's dead letters on that partner's rejects topic only, and every one on the shared topic", () => {
    const a = registry.byId.get('synthetic-a')!;
    const b = registry.byId.get('synthetic-b')!;
    const c = registry.byId.get('synthetic-c')!;
    const badA =
      '300.1.1.1,ipv4,2026-01-01T00:00:00Z\n1.1.1.1,ipv4,2026-01-01T00:00:00Z\nsecret-of-a,pdb,2026-01-01T00:00:00Z\n';
    const badB = '999.2.2.2,ipv4,2026-01-01T00:00:00Z\n';
    const goodC = '8.8.4.4,ipv4,2026-01-01T00:00:00Z\n';
    const batch = normalizeBatch(
      [record(badA, '10', a.topic), record(badB, '11', b.topic), record(goodC, '12', c.topic)],
      registry,
      NAMES,
    );
    const on = (topic: string) =>
      batch.outgoing.filter((out) => out.topic === topic).map((out) => decodeDeadLetter(out.value as Buffer));
    const rejectsOfA = on(a.rejectsTopic);
    expect(rejectsOfA).toHaveLength(1);
    expect(rejectsOfA[0]).toMatchObject({ source: { topic: a.topic, offset: '10', partner: 'synthetic-a' } });
    expect(rejectsOfA[0]!.rejects.map((reject) => [reject.reason, reject.location, reject.value])).toEqual([
      ['invalid_ipv4', 'line 1', '300.1.1.1'],
      ['unsupported_type', 'line 3', 'secret-of-a'],
    ]);
    expect(Buffer.from(rejectsOfA[0]!.original, 'base64').toString()).toBe(badA);
    const rejectsOfB = on(b.rejectsTopic);
    expect(rejectsOfB.map((letter) => letter.source.offset)).toEqual(['11']);
    // Nothing of A's message reaches B's rejects topic, and a partner without rejects gets none.
    expect(JSON.stringify(rejectsOfB)).not.toContain('secret-of-a');
    expect(on(c.rejectsTopic)).toEqual([]);
    expect(on(TOPICS.deadLetter).map((letter) => letter.source.offset)).toEqual(['10', '11']);
    expect(batch.indicators).toBe(2);
  });
});

describe('normalizeBatch on hostile messages (fixed seed; `pnpm fuzz` runs this at scale)', () => {
  const shared = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared', 'feeds');
  const targets = new Map(fuzzTargets(loadCorpus(shared)).map((target) => [target.name, target]));
  it.each([
    ['eset', 'misp'],
    ['unit42', 'stix'],
    ['synthetic-a', 'csv#2'],
    ['cert-demo', 'avro-v2'],
  ])(
    '%s (%s): never throws; one dead letter at most; every report decodes under its id',
    (partnerId, name) => {
      expect(existsSync(shared), `${shared} is missing`).toBe(true);
      const partner = registry.byId.get(partnerId)!;
      fc.assert(
        fc.property(targets.get(name)!.inputs, (bytes) => {
          const batch = normalizeBatch(
            [{ ...record(null, '5', partner.topic), value: Buffer.from(bytes) }],
            registry,
            NAMES,
          );
          const reports = batch.outgoing.filter((out) => out.topic === TOPICS.mergeInput);
          const letters = batch.outgoing.filter((out) => out.topic === TOPICS.deadLetter);
          expect(reports).toHaveLength(batch.indicators);
          expect(letters.length).toBeLessThanOrEqual(1);
          for (const report of reports) expect(decodeReport(report.value as Buffer).id).toBe(report.key);
          for (const letter of letters)
            expect(decodeDeadLetter(letter.value as Buffer).stage).toBe('normalizer');
        }),
        { seed: 20_260_101, numRuns: 60 },
      );
    },
  );
});
