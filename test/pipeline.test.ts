import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDeadLetters } from '@dragnet/cli';
import { CONSUMER_GROUPS, INDEX } from '@dragnet/contracts';
import { indexingCount } from '@dragnet/elasticsearch';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import { eventually, requireStack, SHARED_DIR, testElasticsearch, testKafka } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparableDocument,
  createPipelineResources,
  dropPipelineResources,
  expectedDocument,
  expectedStates,
  indexedDocuments,
  Pipeline,
  pushFile,
  pushMessages,
  registry,
  waitForCount,
  waitForIdle,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const pipeline = new Pipeline();
const PARTNERS = ['eset', 'eset-hashes', 'unit42', 'synthetic-a', 'synthetic-b'];
const feeds = (path: string) => join(SHARED_DIR, 'feeds', path);

describe('pipeline end to end (real Kafka, Redis, Elasticsearch; services as processes)', () => {
  let expected: Awaited<ReturnType<typeof expectedStates>>;

  beforeAll(async () => {
    await requireStack();
    await createPipelineResources(kafka, elasticsearch);
    const dir = mkdtempSync(join(tmpdir(), 'dragnet-e2e-'));
    const generated = [
      ...generateIndicators({
        count: 3_000,
        duplicateRatio: 0.3,
        seed: 11,
        partners: ['synthetic-a', 'synthetic-b'],
      }),
    ];
    for (const partner of ['synthetic-a', 'synthetic-b']) {
      const lines = generated.filter((item) => item.partner === partner).map(toCsvLine);
      writeFileSync(join(dir, `${partner}.csv`), `${lines.join('\n')}\n`);
    }
    // Overlaps with the real feeds, written the way another partner would: defanged and in other case.
    writeFileSync(
      join(dir, 'overlap.csv'),
      [
        'EVIL-OVERLAP[.]example[.]com,domain,2026-01-02T00:00:00Z',
        'hxxp://Evil-Overlap.Example.COM:80/a,url,2026-01-03T00:00:00Z',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'overlap-b.csv'),
      [
        'evil-overlap.example.com,domain,2026-01-05T00:00:00Z',
        'http://evil-overlap.example.com/a,url,2026-01-01T00:00:00Z',
      ].join('\n'),
    );
    await pushFile(kafka, 'eset', feeds('eset/misp/signsight/signsight-misp-event.json'));
    await pushFile(kafka, 'eset', feeds('eset/misp/powerpool/misp-powerpool.json'));
    await pushFile(kafka, 'eset-hashes', feeds('eset/hashes/agrius/samples.sha256'));
    await pushFile(kafka, 'eset-hashes', feeds('eset/hashes/ballisticbobcat/samples.sha256'));
    await pushFile(kafka, 'unit42', feeds('unit42/2024-02-08-Pikabot.json'));
    await pushFile(kafka, 'unit42', feeds('unit42/avoslocker-ransomware.json'));
    await pushFile(kafka, 'synthetic-a', join(dir, 'synthetic-a.csv'), 500);
    await pushFile(kafka, 'synthetic-b', join(dir, 'synthetic-b.csv'), 500);
    await pushFile(kafka, 'synthetic-a', join(dir, 'overlap.csv'));
    await pushFile(kafka, 'synthetic-b', join(dir, 'overlap-b.csv'));
    expected = await expectedStates(kafka, PARTNERS);
    pipeline.startAll();
  });

  afterAll(async () => {
    await pipeline.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
    await elasticsearch.close();
  });

  it('leaves exactly one merged document per indicator, with every source, first/last seen and TLP', async () => {
    expect(expected.size).toBeGreaterThan(2_000);
    await waitForCount(elasticsearch, expected.size);
    await waitForIdle(kafka, PARTNERS);
    const documents = await indexedDocuments(elasticsearch);
    expect([...documents.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, state] of expected) {
      expect(comparableDocument(documents.get(id)!.source), id).toEqual(expectedDocument(state));
    }
    // Hand-checked merges: the defanged, upper-case domain and URL from partner A and the plain ones from partner B are one indicator each.
    const domain = [...documents.values()].find(
      (doc) => doc.source.dragnet.value === 'evil-overlap.example.com',
    )!;
    expect(domain.source.threat.indicator.provider).toEqual(['synthetic-a', 'synthetic-b']);
    expect(domain.source.threat.indicator.first_seen).toBe('2026-01-02T00:00:00.000Z');
    expect(domain.source.threat.indicator.last_seen).toBe('2026-01-05T00:00:00.000Z');
    expect(domain.source.dragnet.tlp).toBe('amber');
    expect(domain.source.threat.indicator.marking.tlp).toBe('AMBER');
    const url = [...documents.values()].find(
      (doc) => doc.source.dragnet.value === 'http://evil-overlap.example.com/a',
    )!;
    expect(url.source.dragnet.sources.map((source: { provider: string }) => source.provider)).toEqual([
      'synthetic-a',
      'synthetic-b',
    ]);
    expect(url.source.event).toMatchObject({
      kind: 'enrichment',
      category: ['threat'],
      type: ['indicator'],
      module: 'ti_dragnet',
    });
  });

  it('replaying the same partner records changes no document and writes nothing to Elasticsearch', async () => {
    const before = await indexedDocuments(elasticsearch);
    const writesBefore = await indexingCount(elasticsearch, INDEX.alias);
    // A true replay: the normalizer re-reads every partner record from the beginning.
    const normalizers = pipeline.running('normalizer');
    await Promise.all(normalizers.map((process) => process.kill('SIGTERM')));
    const admin = kafka.admin();
    await admin.connect();
    for (const partnerId of PARTNERS) {
      await admin.resetOffsets({
        groupId: CONSUMER_GROUPS.normalizer,
        topic: registry.byId.get(partnerId)!.topic,
        earliest: true,
      });
    }
    await admin.disconnect();
    pipeline.start('normalizer');
    await waitForIdle(kafka, PARTNERS);
    const after = await indexedDocuments(elasticsearch);
    expect(await indexingCount(elasticsearch, INDEX.alias)).toBe(writesBefore);
    for (const [id, document] of before) expect(after.get(id)?.version, id).toBe(document.version);
  });

  it('dead-letters malformed records with their reason and original bytes, and processes the rest of the message', async () => {
    const badStix = JSON.stringify({
      type: 'bundle',
      id: 'bundle--6b7c2f1e-4c36-4e1d-9d55-0f1b2c3d4e5f',
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--0f2a6c1e-9b1f-4d55-8f4e-1a2b3c4d5e6f',
          created: '2026-01-01T00:00:00Z',
          modified: '2026-01-01T00:00:00Z',
          // A pattern language Dragnet does not keep (STIX patterns that do not reduce are kept whole).
          pattern_type: 'pcre',
          valid_from: '2026-01-01T00:00:00Z',
          pattern: 'evil.exe',
        },
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--1f2a6c1e-9b1f-4d55-8f4e-1a2b3c4d5e6f',
          created: '2026-01-01T00:00:00Z',
          modified: '2026-01-01T00:00:00Z',
          pattern_type: 'stix',
          valid_from: '2026-01-01T00:00:00Z',
          pattern: "[ipv4-addr:value = '203.0.113.77']",
        },
      ],
    });
    await pushMessages(kafka, 'unit42', ['{ this is not json', badStix]);
    await pushMessages(kafka, 'synthetic-a', [
      '300.1.2.3,ipv4,2026-01-01T00:00:00Z\n203.0.113.78,ipv4,2026-01-01T00:00:00Z\n',
    ]);
    await pushMessages(kafka, 'cert-demo', [Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01])]);
    const letters = await eventually(
      async () =>
        (await readDeadLetters(kafka)).filter((entry) =>
          ['unit42', 'synthetic-a', 'cert-demo'].includes(entry.letter.source.partner ?? ''),
        ),
      (entries) =>
        ['invalid_json', 'unsupported_pattern', 'invalid_ipv4', 'invalid_avro'].every((code) =>
          entries.some(
            (entry) =>
              entry.letter.code === code &&
              (code !== 'unsupported_pattern' ||
                entry.letter.rejects.some((reject) => reject.value === 'evil.exe')),
          ),
        ),
      { what: 'the four dead letters' },
    );
    const byCode = new Map(
      letters
        .filter(
          ({ letter }) =>
            letter.code !== 'unsupported_pattern' ||
            letter.rejects.some((reject) => reject.value === 'evil.exe'),
        )
        .map((entry) => [entry.letter.code, entry.letter]),
    );
    expect(byCode.get('invalid_json')?.source.topic).toBe(registry.byId.get('unit42')!.topic);
    expect(Buffer.from(byCode.get('invalid_json')!.original, 'base64').toString()).toBe('{ this is not json');
    expect(byCode.get('unsupported_pattern')?.rejects[0]?.message).toMatch(/pcre/);
    expect(byCode.get('invalid_ipv4')?.rejects[0]?.value).toBe('300.1.2.3');
    expect(byCode.get('invalid_avro')?.source.partner).toBe('cert-demo');
    for (const { letter } of letters) expect(letter.source.offset).toMatch(/^\d+$/);
    // The valid indicators of the same messages were processed.
    await eventually(
      async () => {
        await elasticsearch.indices.refresh({ index: INDEX.alias });
        const found = await elasticsearch.search({
          index: INDEX.alias,
          query: { terms: { 'threat.indicator.ip': ['203.0.113.77', '203.0.113.78'] } },
        });
        return found.hits.hits.length;
      },
      (count) => count === 2,
      { what: 'the valid indicators of the partly bad messages' },
    );
  });
});
