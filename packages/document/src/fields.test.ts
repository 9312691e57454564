/**
 * Drift between the projection, its inverse, the mapping and the field-path
 * constants, caught mechanically: seeded merge states of every kind (with
 * real enrichment results) are projected, and every leaf of every document
 * must be mapped with a compatible type; every mapped leaf must be written
 * by the projection (or be an ECS field Dragnet leaves empty); every `FIELDS`
 * path must be mapped and written; and each state must come back exactly from
 * its document, filtered as recovery reads it. The walkers below are written
 * here, independently of the code they check.
 */
import { isIP } from 'node:net';
import { type DnsProvider, type EnrichmentResult, enrichIndicator, enrichWithDns } from '@dragnet/enrichment';
import {
  canonicalize,
  ECS_FIELD_OF_REPORT,
  INDICATOR_KINDS,
  type IndicatorKind,
  type IndicatorReport,
  indicatorId,
  KINDS,
  TLP_LEVELS,
} from '@dragnet/indicators';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentToState, scoreBelowMarking, stateToDocument } from './document.js';
import { FIELDS, SOURCE_ONLY_FIELDS, STATE_SOURCE_FIELDS } from './fields.js';
import { ECS_ONLY_FIELDS, INDICATOR_MAPPINGS, type MappedField } from './mapping.js';
import { mergeEnrichment } from './merge-enrichment.js';
import { DEFAULT_GRANULARITY_MS, mergeReport } from './merge-report.js';
import type { MergeState } from './state.js';

/** Raw sample values per kind, canonicalised below; chosen so enrichment fills every field it can. */
const SAMPLES: Partial<Record<IndicatorKind, string[]>> = {
  ipv4: ['8.8.8.8', '198.51.100.7'],
  ipv6: ['2001:4860:4860::8888'],
  cidr: ['10.0.0.0/8', '2001:db8::/32'],
  domain: ['www.example.co.uk', 'bücher.example.com'],
  url: ['https://evil.example.com:8443/a/b?x=1', 'http://192.0.2.1/x'],
  email: ['a@mail.example.org'],
  md5: ['d41d8cd98f00b204e9800998ecf8427e'],
  sha1: ['da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  sha256: ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  sha512: [
    'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
  ],
  sha224: ['d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f'],
  sha384: [
    '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
  ],
  'sha3-256': ['a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'],
  'sha3-512': [
    'a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26',
  ],
  ssdeep: ['3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C'],
  tlsh: ['T1A0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4'],
  imphash: ['f34d5f2d4577ed6d9ceec516c1f5a744'],
  authentihash: ['3f1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809'],
  pehash: ['ffb7a38174aab4744cc4a509e34800fee9be8e57'],
  'file-name': ['invoice.exe'],
  'file-path': ['C:\\Users\\Public\\invoice.exe'],
  directory: ['C:\\Users\\Public'],
  'registry-key': ['HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run'],
  mutex: ['Global\\evil-mutex'],
  'x509-md5': ['d41d8cd98f00b204e9800998ecf8427e'],
  'x509-sha1': ['da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  'x509-sha256': ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  'x509-serial': ['0a:1b:2c:3d'],
  'x509-subject': ['CN=evil.example, O=Evil'],
  'x509-issuer': ['CN=Evil CA, O=Evil'],
  asn: ['AS64500'],
  mac: ['00:11:22:33:44:55'],
  'user-agent': ['Mozilla/5.0 (evil)'],
  'email-subject': ['Invoice overdue'],
  'crypto-wallet': ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
  phone: ['+1 (555) 010-0199', '555.010.0199'],
  ja3: ['E7D705A3286E19EA42F587B344EE6865'],
  ja3s: ['ae4edc6faf64d08308082ad26be60767'],
  jarm: ['27d40d40d29d40d1dc42d43d00041d4689ee210389f4f6b4b5b1b93f92252d'],
  hassh: ['ec7378c1a92f5a8dde7e8b7a1ddf33d1'],
  'hassh-server': ['b12d2871a1189eff20364cf5333619ee'],
  'stix-pattern': ["[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'evil.example']"],
  yara: ['rule evil { condition: true }'],
  sigma: ['title: evil detection: { selection: { Image: evil.exe }, condition: selection }'],
  snort: ['alert tcp any any -> any 80 (msg:"evil"; sid:1000001;)'],
  suricata: ['alert http any any -> any any (msg:"evil"; sid:1000002;)'],
};

interface Sample {
  kind: IndicatorKind;
  value: string;
  enrichment: EnrichmentResult;
}

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const HOUR = 3_600_000;

/** A DNS provider answering from a table: the document only needs a realistic result shape. */
const stubDns: DnsProvider = {
  name: 'dns',
  version: 1,
  enabled: true,
  resolve: async () => ({ status: 'ok', a: ['192.0.2.10'], aaaa: ['2001:db8::10'] }),
};

async function buildSamples(): Promise<{ samples: Sample[]; problems: string[] }> {
  const samples: Sample[] = [];
  const problems: string[] = [];
  for (const kind of INDICATOR_KINDS) {
    const raws = SAMPLES[kind] ?? [];
    if (raws.length === 0) problems.push(`${kind}: no sample value in fields.test.ts SAMPLES`);
    for (const raw of raws) {
      const canonical = canonicalize(kind, raw);
      if (!canonical.ok) {
        problems.push(`${kind}: sample ${JSON.stringify(raw)} rejected (${canonical.reason})`);
        continue;
      }
      const offline = enrichIndicator(kind, canonical.value);
      const enrichment = await enrichWithDns(offline, kind, canonical.value, stubDns);
      samples.push({ kind, value: canonical.value, enrichment });
    }
  }
  return { samples, problems };
}

const arbitraryReport = fc.record({
  provider: fc.constantFrom('a', 'b', 'c'),
  tlp: fc.option(fc.constantFrom(...TLP_LEVELS)),
  firstSeen: fc.integer({ min: -10_000, max: 10_000 }),
  span: fc.integer({ min: 0, max: 10_000 }),
  confidence: fc.option(fc.integer({ min: 0, max: 100 })),
  tags: fc.array(fc.constantFrom('x', 'victim:bank', 'vulnerability:CVE-2021-44228'), { maxLength: 2 }),
  threatNames: fc.array(fc.constantFrom('Emotet', 'QakBot'), { maxLength: 2 }),
  description: fc.option(fc.string({ maxLength: 8 })),
  reference: fc.option(fc.constantFrom('https://a.example/', 'https://b.example/')),
  validUntil: fc.option(fc.integer({ min: 0, max: 20_000 })),
  recordId: fc.option(fc.string({ minLength: 1, maxLength: 3 })),
});

const arbitraryCase = fc.record({
  reports: fc.array(arbitraryReport, { minLength: 1, maxLength: 6 }),
  enriched: fc.boolean(),
  scoring: fc.constantFrom('none', 'whole', 'below'),
  expired: fc.boolean(),
});

type Case = typeof arbitraryCase extends fc.Arbitrary<infer T> ? T : never;

function stateOf(sample: Sample, input: Case): MergeState {
  let state: MergeState | null = null;
  for (const item of input.reports) {
    const report: IndicatorReport = {
      id: indicatorId({ kind: sample.kind, value: sample.value }),
      kind: sample.kind,
      value: sample.value,
      provider: item.provider,
      feedName: `feed-${item.provider}`,
      firstSeen: T0 + item.firstSeen * HOUR,
      lastSeen: T0 + (item.firstSeen + item.span) * HOUR,
      confidence: item.confidence,
      tlp: item.tlp,
      tags: item.tags,
      threatNames: item.threatNames,
      description: item.description,
      reference: item.reference,
      validUntil: item.validUntil === null ? null : T0 + item.validUntil * HOUR,
      provenance: { topic: 't', partition: 0, offset: '0', recordId: item.recordId },
    };
    state = mergeReport(state, report, { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'amber' }).state;
  }
  if (!input.enriched) return state!;
  const { providers } = sample.enrichment.dragnet;
  return mergeEnrichment(state!, {
    id: state!.id,
    versions: providers,
    result: sample.enrichment as unknown as Record<string, unknown>,
  }).state;
}

function documentOf(state: MergeState, input: Case): Record<string, unknown> {
  const scoring = { score: 42.5, baseScore: 60, expired: input.expired, expiresAt: T0 + 99 * HOUR };
  const document = stateToDocument(state, {
    now: T0,
    scoring: input.scoring === 'none' ? null : scoring,
    ...(input.scoring === 'below' ? { scoringBelow: scoreBelowMarking(state, () => scoring) } : {}),
  });
  // What Elasticsearch stores and gives back.
  return JSON.parse(JSON.stringify(document));
}

/** Mapped leaf paths → type (`object-disabled` for objects kept unindexed); multi-fields are not leaves. */
function mappedLeaves(properties: Record<string, MappedField>, prefix = ''): Map<string, string> {
  const leaves = new Map<string, string>();
  for (const [name, field] of Object.entries(properties)) {
    const path = prefix + name;
    if (field.enabled === false) leaves.set(path, 'object-disabled');
    else if (field.properties)
      for (const entry of mappedLeaves(field.properties, `${path}.`)) leaves.set(...entry);
    else leaves.set(path, field.type ?? 'object');
  }
  return leaves;
}

/** The mapping node at a dotted path (object or leaf), or undefined. */
function mappedAt(path: string): MappedField | undefined {
  let node: MappedField | undefined = { properties: INDICATOR_MAPPINGS.properties };
  for (const name of path.split('.')) node = node?.properties?.[name];
  return node;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const COMPATIBLE: Record<string, (value: unknown) => boolean> = {
  keyword: (value) => typeof value === 'string',
  text: (value) => typeof value === 'string',
  date: (value) => typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)),
  ip: (value) => typeof value === 'string' && isIP(value) !== 0,
  ip_range: (value) =>
    typeof value === 'string' && isIP(value.split('/')[0]!) !== 0 && /^[^/]+(\/\d{1,3})?$/.test(value),
  long: (value) => Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d{1,18}$/.test(value)),
  float: (value) => typeof value === 'number' && Number.isFinite(value),
  boolean: (value) => typeof value === 'boolean',
};

/**
 * Walks a document against the mapping: the leaf paths it writes, and what
 * is wrong (an unmapped field, a value the mapped type does not take).
 */
function checkDocument(document: Record<string, unknown>): { written: Set<string>; problems: string[] } {
  const written = new Set<string>();
  const problems: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path);
      return;
    }
    if (SOURCE_ONLY_FIELDS.includes(path)) {
      written.add(path);
      return;
    }
    const field = mappedAt(path);
    if (field === undefined) {
      problems.push(`${path}: written but not mapped`);
      return;
    }
    if (field.enabled === false) {
      written.add(path);
      return;
    }
    if (field.properties) {
      if (typeof value !== 'object')
        problems.push(`${path}: ${JSON.stringify(value)} where the mapping has an object`);
      else for (const [name, child] of Object.entries(value)) visit(child, `${path}.${name}`);
      return;
    }
    const compatible = COMPATIBLE[field.type ?? ''];
    if (!compatible) problems.push(`${path}: mapped as ${field.type}, which this test does not know`);
    else if (!compatible(value)) problems.push(`${path}: ${JSON.stringify(value)} is not a ${field.type}`);
    written.add(path);
  };
  for (const [name, value] of Object.entries(document)) visit(value, name);
  return { written, problems };
}

/** `_source_includes` as Elasticsearch applies it: whole subtrees under an included path, through arrays. */
function sourceIncludes(value: unknown, paths: readonly string[], prefix = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => sourceIncludes(item, paths, prefix));
  if (value === null || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const path = prefix + name;
    if (paths.some((include) => path === include || path.startsWith(`${include}.`))) kept[name] = child;
    else if (paths.some((include) => include.startsWith(`${path}.`)))
      kept[name] = sourceIncludes(child, paths, `${path}.`);
  }
  return kept;
}

function valueAt(document: unknown, path: string): unknown {
  let node = document;
  for (const name of path.split('.'))
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[name] : undefined;
  return node;
}

describe('the document, its inverse and the mapping agree', () => {
  let samples: Sample[] = [];
  let sampleProblems: string[] = [];
  const written = new Set<string>();
  const problems: string[] = [];
  const placementProblems: string[] = [];

  beforeAll(async () => {
    ({ samples, problems: sampleProblems } = await buildSamples());
    for (const [index, sample] of samples.entries()) {
      fc.assert(
        fc.property(arbitraryCase, (input) => {
          const state = stateOf(sample, input);
          const document = documentOf(state, input);
          const checked = checkDocument(document);
          for (const path of checked.written) written.add(path);
          for (const problem of checked.problems) problems.push(`${sample.kind} ${sample.value}: ${problem}`);
          const placed = valueAt(document, KINDS[sample.kind].ecsField);
          if (placed !== sample.value)
            placementProblems.push(
              `${sample.kind}: ${KINDS[sample.kind].ecsField} holds ${JSON.stringify(placed)}`,
            );
        }),
        { numRuns: 8, seed: 1_000 + index },
      );
    }
    // Problems repeat across runs; one of each is enough to read.
    problems.splice(0, problems.length, ...new Set(problems));
  });

  it('has a valid sample for every kind', () => {
    expect(sampleProblems).toEqual([]);
  });

  it('writes only mapped fields, each with a value its mapped type takes', () => {
    expect(problems).toEqual([]);
  });

  it('writes every mapped field (or the field is a listed ECS field Dragnet leaves empty)', () => {
    const unwritten = [...mappedLeaves(INDICATOR_MAPPINGS.properties).keys()].filter(
      (path) => !written.has(path) && !ECS_ONLY_FIELDS.includes(path),
    );
    expect(unwritten).toEqual([]);
    expect(ECS_ONLY_FIELDS.filter((path) => written.has(path))).toEqual([]);
    expect(ECS_ONLY_FIELDS.filter((path) => !mappedLeaves(INDICATOR_MAPPINGS.properties).has(path))).toEqual(
      [],
    );
  });

  it('places each kind at its registry field, and that field is mapped', () => {
    expect(placementProblems).toEqual([]);
    const unmapped = INDICATOR_KINDS.map((kind) => KINDS[kind].ecsField).filter((path) => !mappedAt(path));
    expect([...new Set(unmapped)]).toEqual([]);
  });

  it('maps the field every report field lands in', () => {
    expect(Object.values(ECS_FIELD_OF_REPORT).filter((path) => !mappedAt(path))).toEqual([]);
  });

  it('names in FIELDS only fields that are mapped (or kept in _source) and written', () => {
    const paths = [...Object.values(FIELDS), ...STATE_SOURCE_FIELDS];
    const isWritten = (path: string) =>
      [...written].some((leaf) => leaf === path || leaf.startsWith(`${path}.`));
    expect(paths.filter((path) => !mappedAt(path) && !SOURCE_ONLY_FIELDS.includes(path))).toEqual([]);
    expect(paths.filter((path) => !isWritten(path))).toEqual([]);
  });

  it('rebuilds every state from its document as recovery reads it (STATE_SOURCE_FIELDS only)', () => {
    for (const [index, sample] of samples.entries()) {
      fc.assert(
        fc.property(arbitraryCase, (input) => {
          const state = stateOf(sample, input);
          const stored = sourceIncludes(documentOf(state, input), STATE_SOURCE_FIELDS);
          expect(documentToState(stored as Record<string, unknown>)).toEqual({
            ...state,
            enrichmentRequested: null,
          });
        }),
        { numRuns: 8, seed: 2_000 + index },
      );
    }
    expect(samples.length).toBeGreaterThanOrEqual(INDICATOR_KINDS.length);
  });

  it('the checks above can fail: an unmapped field, a wrong type and a lost field are seen', () => {
    const checked = checkDocument({ dragnet: { nope: 1, score: 'high', sources: [{ provider: 7 }] } });
    expect(checked.problems).toEqual([
      'dragnet.nope: written but not mapped',
      'dragnet.score: "high" is not a float',
      'dragnet.sources.provider: 7 is not a keyword',
    ]);
    const stored = sourceIncludes({ dragnet: { id: 'x', sources: [{ provider: 'p' }], tlp: 'red' } }, [
      FIELDS.id,
    ]);
    expect(stored).toEqual({ dragnet: { id: 'x' } });
  });
});
