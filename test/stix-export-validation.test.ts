/**
 * The STIX 2.1 export of the whole shared partner corpus validates with the
 * OASIS `stix2-validator` (the reference, not Dragnet's code): every
 * indicator the corpus yields (14,7k, 58k STIX objects), through the same
 * merge and projection the pipeline uses, plus one indicator of each kind the
 * corpus lacks (taken from the stix2-made vectors), so every kind's export
 * shape is validated.
 *
 * stix2-validator 3.3.1 spends 3–4 ms of CPU per object, more than half of it
 * re-crawling its schema files at each `$ref`; `support/validate-stix.py`
 * builds each schema's validator once and splits the objects over the cores
 * (about 80 s of CPU, 45–90 s here), and first checks on 300 objects (150
 * and a broken copy of each) that it gives exactly the validator's own
 * verdicts and messages.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_GRANULARITY_MS, type MergeState, mergeReport, stateToDocument } from '@dragnet/document';
import {
  type FeedFormat,
  INDICATOR_KINDS,
  type IndicatorKind,
  type IndicatorReport,
  observableId,
  parseFeedMessage,
} from '@dragnet/indicators';
import { toStixBundle } from '@dragnet/lookup';
import { ensureStixPython } from '@dragnet/test-kit';
import { describe, expect, it } from 'vitest';

const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'feeds');
const NOW = Date.UTC(2026, 11, 1);

function formatOf(file: string): FeedFormat {
  if (file.includes('/misp/')) return { type: 'misp', internalSuffixes: ['onion'] };
  if (file.includes('/unit42/')) return { type: 'stix' };
  const kind = file.split('.').pop() as 'md5' | 'sha1' | 'sha256';
  return { type: 'csv', valueColumn: 0, fixedKind: kind, commentPrefix: '#' };
}

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));

/** Reports of the corpus, grouped by indicator id. */
function corpusReports(): Map<string, IndicatorReport[]> {
  const byId = new Map<string, IndicatorReport[]>();
  for (const file of walk(SHARED).filter((path) => !path.includes('LICENSE'))) {
    const result = parseFeedMessage(readFileSync(file), formatOf(file), {
      provider: file.includes('/unit42/') ? 'unit42' : 'eset',
      feedName: 'corpus',
      defaultTlp: 'green',
      topic: 't',
      partition: 0,
      offset: '0',
      receivedAt: NOW,
    });
    for (const report of result.indicators) {
      const known = byId.get(report.id);
      if (known) known.push(report);
      else byId.set(report.id, [report]);
    }
  }
  return byId;
}

const SHA512_OF_EMPTY =
  'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

/** One report of each kind the corpus lacks, valued from the stix2-made vectors, naming a CVE. */
function syntheticReports(present: Set<string>): IndicatorReport[][] {
  const file = JSON.parse(readFileSync(resolve(import.meta.dirname, 'checker', 'vectors.json'), 'utf8')) as {
    vectors: [IndicatorKind, string, string][];
    registry_vectors: [IndicatorKind, string, string][];
  };
  const vectors = [...file.vectors, ...file.registry_vectors];
  return INDICATOR_KINDS.filter((kind) => !present.has(kind)).flatMap((kind) => {
    // The checker's vectors have no SHA-512 nor network; their ids then come from Dragnet (the validator checks the shape only).
    const fallback = kind === 'cidr' ? '10.0.0.0/8' : SHA512_OF_EMPTY;
    const [, value, id] = vectors.find(([vectorKind]) => vectorKind === kind) ?? [
      kind,
      fallback,
      observableId(kind, fallback),
    ];
    const report: IndicatorReport = {
      id,
      kind,
      value,
      provider: 'synthetic',
      feedName: 'corpus',
      firstSeen: NOW - 86_400_000,
      lastSeen: NOW,
      confidence: 70,
      tlp: 'amber',
      tags: ['vulnerability:CVE-2021-44228'],
      threatNames: [],
      description: null,
      reference: null,
      validUntil: null,
      provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
    };
    return [[report]];
  });
}

describe('the STIX export of the shared corpus', () => {
  it('validates with the OASIS stix2-validator, every kind included', () => {
    const python = ensureStixPython();
    const corpus = corpusReports();
    const corpusKinds = new Set([...corpus.values()].map((group) => group[0]!.kind));
    const groups = [...corpus.values(), ...syntheticReports(corpusKinds)];
    const documents = groups.map((group) => {
      let state: MergeState | null = null;
      for (const report of group)
        state = mergeReport(state, report, {
          granularityMs: DEFAULT_GRANULARITY_MS,
          defaultTlp: 'green',
        }).state;
      return stateToDocument(state!, {
        now: NOW,
        scoring: { score: 60, baseScore: 60, expired: false, expiresAt: null },
      });
    });
    // The corpus carries the new kinds too: the check covers them, not only IPs and hashes.
    for (const kind of ['domain', 'url', 'sha256', 'file-name', 'registry-key', 'stix-pattern'])
      expect(corpusKinds, kind).toContain(kind);
    // With the synthetic ones, every kind is exported and validated; CVEs as vulnerabilities too.
    expect(new Set(groups.map((group) => group[0]!.kind))).toEqual(new Set(INDICATOR_KINDS));
    const cves = new Set(documents.flatMap((document) => document.dragnet.vulnerabilities as string[]));
    // The corpus's three MISP vulnerability attributes (Ramsay, Winter Vivern; counted with Python) and the synthetic one.
    expect([...cves].sort()).toEqual(['CVE-2017-0199', 'CVE-2017-11882', 'CVE-2021-44228', 'CVE-2023-5631']);
    const bundle = toStixBundle(documents, new Date(NOW));
    const file = join(mkdtempSync(join(tmpdir(), 'dragnet-stix-')), 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const started = Date.now();
    const output = execFileSync(
      python,
      [
        join(import.meta.dirname, 'support', 'validate-stix.py'),
        file,
        '--check-against-reference-path',
        '150',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    ).toString();
    const result = JSON.parse(output) as {
      objects: number;
      invalid: [string, string][];
      workers: number;
      referenceCheck: { objects: number; invalid: number };
    };
    // The shortcut agreed with the validator's own path, broken copies included (the script exits otherwise).
    expect(result.referenceCheck.objects).toBe(300);
    expect(result.referenceCheck.invalid).toBeGreaterThan(100);
    const objects = bundle.objects as { type: string; name?: string }[];
    expect(result.objects).toBe(objects.length);
    expect(documents.length).toBeGreaterThan(14_000);
    console.info(
      `stix-export-validation: ${documents.length} indicators, ${result.objects} STIX objects validated ` +
        `by ${result.workers} processes in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    expect(new Set(objects.filter((o) => o.type === 'vulnerability').map((o) => o.name))).toEqual(cves);
    expect(result.invalid.slice(0, 10)).toEqual([]);
  }, 600_000);
});
