/**
 * Fuzz targets over every partner parser, shared by the unit test
 * (`fuzz.test.ts`, few runs, fixed seed) and `pnpm fuzz` (many runs). Each
 * target draws messages three ways — arbitrary bytes/JSON, hostile shapes
 * built for its format, and mutations of the real partner files in
 * `../shared/feeds` — and `resultProblem` states what must hold for any of
 * them: parsing returns (never throws), every record is an indicator or a
 * reject with a known reason, output is bounded by the input, and every
 * indicator is encodable with bounded, clean fields and printable dates.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { encodePartnerBatch, encodeReport, type PartnerIndicator } from '../avro.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_FEED_NAME_LENGTH,
  MAX_RECORD_ID_LENGTH,
  MAX_REFERENCE_LENGTH,
  MAX_REJECT_LOCATION_LENGTH,
  MAX_REJECT_MESSAGE_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  MAX_THREAT_NAME_LENGTH,
  MAX_THREAT_NAMES,
  MAX_VALUE_LENGTH,
} from '../limits.js';
import { INDICATOR_KINDS, type ParseResult, REJECT_REASONS } from '../model.js';
import { isEpochMsInRange } from '../parsers/dates.js';
import { type FeedFormat, type ParseContext, parseFeedMessage } from '../parsers/index.js';
import { textProblem } from '../text.js';
import {
  arr,
  hostileNumber,
  hostileObject,
  hostileString,
  hostileTree,
  hugeString,
  type JsonTree,
  listOf,
  obj,
  oneOfStrings,
  PROTOTYPE_KEYS,
  raw,
  serialize,
  treeOf,
  veryDeep,
} from './hostile-json.js';

export const FUZZ_CONTEXT: ParseContext = {
  provider: 'fuzz',
  feedName: 'fuzz',
  defaultTlp: 'amber',
  topic: 'feeds.fuzz',
  partition: 0,
  offset: '0',
  receivedAt: Date.UTC(2026, 0, 1),
};

/**
 * A canonical value may outgrow the raw one it came from: WHATWG
 * percent-encodes a non-ASCII URL character (one UTF-16 unit) as up to nine
 * characters (`%E2%82%AC`).
 */
const MAX_CANONICAL_VALUE_LENGTH = 9 * MAX_VALUE_LENGTH;
/** What one encoded report may weigh: value, 64 + 64 list items, description, reference, ids. */
export const MAX_REPORT_BYTES = 256 * 1024;
const REASONS = new Set<string>(REJECT_REASONS);
const KINDS = new Set<string>(INDICATOR_KINDS);
const STIX_ID = /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const cleanLine = (text: string, max: number) => text.length <= max && textProblem(text) === null;

/** What is wrong with `result` as the parse of an `inputLength`-byte message, or null. */
export function resultProblem(inputLength: number, result: ParseResult): string | null {
  const total = result.indicators.length + result.rejects.length;
  // Every record takes bytes; a whole-message reject takes none. Field rejects ride along with an indicator.
  if (total > inputLength + 1) return `${total} indicators and rejects from ${inputLength} bytes`;
  for (const reject of result.rejects) {
    if (!REASONS.has(reject.reason)) return `unknown reject reason ${JSON.stringify(reject.reason)}`;
    if (typeof reject.message !== 'string' || reject.message.length === 0) return 'reject without a message';
    if (reject.message.length > MAX_REJECT_MESSAGE_LENGTH + 1)
      return `reject message of ${reject.message.length}`;
    if (reject.location.length > MAX_REJECT_LOCATION_LENGTH + 1)
      return `reject location of ${reject.location.length}`;
    if (reject.value !== null && reject.value.length > 201) return `reject value of ${reject.value.length}`;
  }
  for (const report of result.indicators) {
    const where = `indicator ${JSON.stringify(report.value.slice(0, 80))}`;
    if (!KINDS.has(report.kind)) return `${where}: unknown kind ${report.kind}`;
    if (!STIX_ID.test(report.id)) return `${where}: id ${report.id}`;
    if (report.value.length === 0 || report.value.length > MAX_CANONICAL_VALUE_LENGTH)
      return `${where}: value of ${report.value.length} characters`;
    if (textProblem(report.value) !== null) return `${where}: ${textProblem(report.value)} in the value`;
    if (report.tags.length > MAX_TAGS || !report.tags.every((tag) => cleanLine(tag, MAX_TAG_LENGTH)))
      return `${where}: tags out of bounds`;
    if (
      report.threatNames.length > MAX_THREAT_NAMES ||
      !report.threatNames.every((name) => cleanLine(name, MAX_THREAT_NAME_LENGTH))
    )
      return `${where}: threat names out of bounds`;
    if (
      report.description !== null &&
      (report.description.length > MAX_DESCRIPTION_LENGTH || textProblem(report.description, true) !== null)
    )
      return `${where}: description out of bounds`;
    if (report.reference !== null && !cleanLine(report.reference, MAX_REFERENCE_LENGTH))
      return `${where}: reference out of bounds`;
    if (!cleanLine(report.feedName, MAX_FEED_NAME_LENGTH)) return `${where}: feed name out of bounds`;
    const recordId = report.provenance.recordId;
    if (recordId !== null && !cleanLine(recordId, MAX_RECORD_ID_LENGTH))
      return `${where}: record id out of bounds`;
    for (const [name, date] of [
      ['firstSeen', report.firstSeen],
      ['lastSeen', report.lastSeen],
      ['validUntil', report.validUntil ?? 0],
    ] as const) {
      if (!isEpochMsInRange(date)) return `${where}: ${name} ${date} outside 1970–9999`;
    }
    if (report.lastSeen < report.firstSeen) return `${where}: lastSeen before firstSeen`;
    new Date(report.lastSeen).toISOString();
    const bytes = encodeReport(report).length;
    if (bytes > MAX_REPORT_BYTES) return `${where}: encoded report of ${bytes} bytes`;
  }
  return null;
}

// ---------------------------------------------------------------- STIX

const patterns = fc.oneof(
  fc.constantFrom(
    "[ipv4-addr:value = '1.2.3.4']",
    "[domain-name:value = 'evil.example'] OR [url:value = 'hxxp://evil[.]example/']",
    "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
    "[network-traffic:dst_ref.value = '10.0.0.0/8'] AND [email-addr:value = 'a@evil.example']",
    "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8'] WITHIN 5 SECONDS",
    "[process:name LIKE 'x%' AND NOT file:size > 5]",
    "[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2')]",
  ),
  hostileString.map((value) => `[url:value = '${value.replaceAll("'", "\\'")}']`),
  hostileString.map((value) => `[${value}]`),
  fc
    .tuple(fc.constantFrom(63, 64, 65, 5000), fc.constantFrom('(', '[('))
    .map(
      ([depth, open]) =>
        `${open.repeat(depth)}[ipv4-addr:value = '1.2.3.4']${(open === '(' ? ')' : ')]').repeat(depth)}`,
    ),
  fc
    .integer({ min: 1, max: 3000 })
    .map(
      (count) =>
        `[${Array.from({ length: count }, (_, index) => `ipv4-addr:value = '10.0.${index >> 8}.${index & 255}'`).join(' OR ')}]`,
    ),
);
const stixRef = oneOfStrings(
  'indicator--1',
  'malware--1',
  'identity--1',
  'marking-definition--1',
  ...PROTOTYPE_KEYS,
);
const stixObject = hostileObject({
  type: oneOfStrings(
    'indicator',
    'relationship',
    'malware',
    'identity',
    'marking-definition',
    'ipv4-addr',
    'ipv6-addr',
    'domain-name',
    'url',
    'email-addr',
    'file',
    'mutex',
    'bundle',
  ),
  id: stixRef,
  pattern: patterns.map(raw),
  pattern_type: oneOfStrings('stix', 'yara'),
  valid_from: fc.oneof(hostileString.map(raw), hostileNumber.map(raw)),
  valid_until: fc.oneof(hostileString.map(raw), hostileNumber.map(raw)),
  modified: fc.oneof(hostileString.map(raw), hostileNumber.map(raw)),
  confidence: fc.oneof(hostileNumber.map(raw), hostileString.map(raw)),
  labels: listOf(hostileString.map(raw), 80),
  indicator_types: listOf(hostileString.map(raw)),
  name: hostileString.map(raw),
  description: hostileString.map(raw),
  external_references: listOf(
    fc.oneof(hostileObject({ url: hostileString.map(raw) }), fc.constant(raw(null))),
  ),
  object_marking_refs: listOf(stixRef),
  created_by_ref: stixRef,
  relationship_type: oneOfStrings('indicates', 'uses'),
  source_ref: stixRef,
  target_ref: stixRef,
  value: hostileString.map(raw),
  hashes: hostileObject({
    MD5: hostileString.map(raw),
    'SHA-256': hostileString.map(raw),
    SHA1: hostileString.map(raw),
  }),
  definition_type: oneOfStrings('tlp'),
  definition: hostileObject({ tlp: oneOfStrings('amber', 'red', 'white') }),
});
const stixBundle = fc.tuple(listOf(stixObject, 8), fc.boolean()).map(([objects, asArray]) =>
  asArray
    ? objects
    : obj([
        ['type', raw('bundle')],
        ['id', raw('bundle--1')],
        ['objects', objects],
      ]),
);

// ---------------------------------------------------------------- MISP

const mispTag = hostileObject({ name: hostileString.map(raw) });
const mispAttribute = hostileObject({
  type: oneOfStrings(
    'ip-src',
    'ip-dst|port',
    'domain',
    'domain|ip',
    'url',
    'link',
    'email',
    'md5',
    'filename|sha256',
    'text',
  ),
  value: hostileString.map(raw),
  category: oneOfStrings('External analysis', 'Network activity'),
  uuid: hostileString.map(raw),
  to_ids: fc.boolean().map(raw),
  timestamp: fc.oneof(hostileNumber.map(raw), hostileString.map(raw)),
  first_seen: fc.oneof(hostileNumber.map(raw), hostileString.map(raw)),
  last_seen: fc.oneof(hostileNumber.map(raw), hostileString.map(raw)),
  Tag: listOf(mispTag),
});
const mispEvent = hostileObject({
  info: hostileString.map(raw),
  date: fc.oneof(hostileString.map(raw), hostileNumber.map(raw)),
  Tag: listOf(mispTag, 80),
  Galaxy: listOf(
    hostileObject({
      type: oneOfStrings('malpedia', 'mitre-attack-pattern'),
      GalaxyCluster: listOf(hostileObject({ value: hostileString.map(raw) })),
    }),
  ),
  Attribute: listOf(mispAttribute, 8),
  Object: listOf(hostileObject({ Attribute: listOf(mispAttribute) })),
});
const mispDocument = fc.oneof(
  mispEvent.map((event) => obj([['Event', event]])),
  listOf(mispEvent.map((event) => obj([['Event', event]]))).map((events) => obj([['response', events]])),
);

// ---------------------------------------------------------------- CSV

export const CSV_FORMATS: readonly FeedFormat[] = [
  { type: 'csv', valueColumn: 0, commentPrefix: '#' },
  { type: 'csv', valueColumn: 0, fixedKind: 'sha256', commentPrefix: '#' },
  {
    type: 'csv',
    valueColumn: 0,
    typeColumn: 1,
    firstSeenColumn: 2,
    lastSeenColumn: 3,
    confidenceColumn: 4,
    tagsColumn: 5,
    threatNameColumn: 6,
    descriptionColumn: 7,
    referenceColumn: 8,
    tlpColumn: 9,
    hasHeader: true,
  },
];
const csvField = fc.oneof(
  hostileString,
  hostileNumber.map(String),
  fc.constantFrom('ipv4', 'url', 'domain', 'md5', 'mutex'),
);
const csvText = fc
  .array(
    fc
      .tuple(fc.array(csvField, { maxLength: 11 }), fc.constantFrom(',', '\t'), fc.boolean())
      .map(([fields, delimiter, quoted]) =>
        fields.map((field) => (quoted ? `"${field.replaceAll('"', '""')}"` : field)).join(delimiter),
      ),
    { maxLength: 10 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol)));

// ---------------------------------------------------------------- Avro

const avroString = hostileString;
const avroLong = fc.oneof(
  fc.constant(null),
  fc.constantFrom(9e15, -5, 0, 253402300800000, 2 ** 52),
  fc.integer({ min: -(2 ** 40), max: 2 ** 45 }),
);
const avroIndicator: fc.Arbitrary<Partial<PartnerIndicator>> = fc.record({
  type: fc.oneof(fc.constantFrom('ipv4', 'url', 'domain', 'sha256', 'ip-dst', 'mutex'), avroString),
  value: avroString,
  first_seen: avroLong,
  last_seen: avroLong,
  valid_until: avroLong,
  confidence: fc.oneof(fc.constant(null), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  tlp: fc.oneof(fc.constant(null), fc.constantFrom('amber', 'white', 'purple'), avroString),
  tags: fc.array(avroString, { maxLength: 80 }),
  threat_names: fc.array(avroString, { maxLength: 4 }),
  description: fc.oneof(fc.constant(null), avroString),
  reference: fc.oneof(fc.constant(null), avroString),
  record_id: fc.oneof(fc.constant(null), avroString),
  feed_name: fc.oneof(fc.constant(null), avroString),
});
/** A valid batch, then maybe corrupted: bytes flipped, cut, or invalid UTF-8 spliced into a string. */
const avroBatch = (version: 1 | 2) =>
  fc
    .tuple(
      fc.array(avroIndicator, { maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      fc.option(fc.nat()),
    )
    .map(([items, flips, cut]) => {
      const bytes = new Uint8Array(
        encodePartnerBatch(version === 1 ? items.map(({ feed_name, ...rest }) => rest) : items, version),
      );
      for (const [at, byte] of flips) if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
    });

// ---------------------------------------------------------------- the real partner files, mutated

export interface Corpus {
  stix: JsonTree[];
  misp: JsonTree[];
  hashLists: string[];
}

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));

/**
 * The shared feeds as trees. The largest files are left out (STIX over
 * 400 KiB: 22 of 45; MISP over 128 KiB: 7 of 32) so one run stays in
 * milliseconds; shared-feeds.test.ts parses every file as it is.
 */
export function loadCorpus(sharedFeeds: string): Corpus {
  const files = walk(sharedFeeds).filter((file) => !file.includes('LICENSE'));
  const json = (filter: (file: string) => boolean, maxBytes: number) =>
    files
      .filter(filter)
      .filter((file) => statSync(file).size < maxBytes)
      .map((file) => treeOf(JSON.parse(readFileSync(file, 'utf8'))));
  return {
    stix: json((file) => file.includes('/unit42/') && file.endsWith('.json'), 400 * 1024),
    misp: json((file) => file.includes('/misp/') && file.endsWith('.json'), 128 * 1024),
    hashLists: files.filter((file) => file.includes('/hashes/')).map((file) => readFileSync(file, 'utf8')),
  };
}

type Mutation = {
  path: number[];
  op: 'drop' | 'duplicate' | 'replace' | 'swap-type' | 'prototype-key' | 'nest';
  value: JsonTree;
};
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  op: fc.constantFrom('drop', 'duplicate', 'replace', 'swap-type', 'prototype-key', 'nest'),
  value: hostileTree,
});

const swapType = (node: JsonTree): JsonTree => {
  if (node.t === 'raw') {
    if (typeof node.value === 'string')
      return Number.isNaN(Number(node.value)) ? arr([node]) : raw(Number(node.value));
    return raw(node.value === null ? '' : String(node.value));
  }
  return node.t === 'arr'
    ? obj(node.items.map((item, index) => [String(index), item]))
    : raw(serialize(node).slice(0, 100));
};

/** Applies one mutation at the node the path leads to, copying only the nodes on the way (the corpus is shared). */
function mutate(node: JsonTree, path: number[], change: Mutation): JsonTree {
  const children = node.t === 'obj' ? node.entries.length : node.t === 'arr' ? node.items.length : 0;
  if (path.length === 0 || children === 0) {
    switch (change.op) {
      case 'replace':
      case 'drop':
        return change.value;
      case 'swap-type':
        return swapType(node);
      case 'nest':
        return { t: 'deep', depth: 60 + (path.length % 8), objects: path.length % 2 === 0, inner: node };
      case 'duplicate':
        return arr([node, node]);
      case 'prototype-key':
        return node.t === 'obj'
          ? obj([...node.entries, [PROTOTYPE_KEYS[path.length % PROTOTYPE_KEYS.length]!, change.value]])
          : obj([
              ['__proto__', change.value],
              ['toString', node],
            ]);
    }
  }
  const [step, ...rest] = path as [number, ...number[]];
  const index = step % children;
  const atLeaf = rest.length === 0;
  if (node.t === 'obj') {
    const entries = node.entries.slice();
    if (atLeaf && change.op === 'drop') entries.splice(index, 1);
    else if (atLeaf && change.op === 'duplicate') entries.splice(index, 0, entries[index]!);
    else entries[index] = [entries[index]![0], mutate(entries[index]![1], rest, change)];
    return obj(entries);
  }
  const items = (node as { items: JsonTree[] }).items.slice();
  if (atLeaf && change.op === 'drop') items.splice(index, 1);
  else if (atLeaf && change.op === 'duplicate') items.splice(index, 0, items[index]!);
  else items[index] = mutate(items[index]!, rest, change);
  return arr(items);
}

/** A structured message with one megabyte string somewhere in it. */
const withHugeString = (trees: fc.Arbitrary<JsonTree>) =>
  fc
    .tuple(trees, fc.array(fc.nat(), { maxLength: 6 }), hugeString)
    .map(([tree, path, huge]) => mutate(tree, path, { path, op: 'replace', value: raw(huge) }));

const mutatedTree = (trees: JsonTree[]) =>
  fc
    .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([pick, changes]) =>
      changes.reduce((tree, change) => mutate(tree, change.path, change), trees[pick % trees.length]!),
    );

const mutatedHashList = (lists: string[]) =>
  fc
    .tuple(
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'insert', 'cut'), hostileString), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([pick, changes]) => {
      const lines = lists[pick % lists.length]!.split('\n');
      for (const [at, op, text] of changes) {
        const index = at % (lines.length + 1);
        if (op === 'replace') lines[index] = text;
        else if (op === 'insert') lines.splice(index, 0, text);
        else lines[index] = (lines[index] ?? '').slice(0, at % 40);
      }
      return lines.join('\n');
    });

// ---------------------------------------------------------------- targets

export interface FuzzTarget {
  name: string;
  format: FeedFormat;
  /** Messages for this format: arbitrary, hostile, mutated corpus. */
  inputs: fc.Arbitrary<Uint8Array>;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text));
const anyBytes = fc.uint8Array({ maxLength: 512 });
const jsonText = (tree: fc.Arbitrary<JsonTree>) => tree.map((node) => utf8(serialize(node)));

export function fuzzTargets(corpus: Corpus): FuzzTarget[] {
  const json = (structured: fc.Arbitrary<JsonTree>, real: JsonTree[]) =>
    fc.oneof(
      { arbitrary: anyBytes, weight: 10 },
      { arbitrary: fc.json().map(utf8), weight: 10 },
      { arbitrary: jsonText(hostileTree), weight: 20 },
      { arbitrary: jsonText(structured), weight: 60 },
      { arbitrary: jsonText(mutatedTree(real)), weight: 30 },
      { arbitrary: jsonText(withHugeString(structured)), weight: 1 },
      { arbitrary: jsonText(veryDeep), weight: 1 },
    );
  return [
    { name: 'stix', format: { type: 'stix' }, inputs: json(stixBundle, corpus.stix) },
    { name: 'misp', format: { type: 'misp' }, inputs: json(mispDocument, corpus.misp) },
    ...CSV_FORMATS.map((format, index) => ({
      name: `csv#${index}`,
      format,
      inputs: fc.oneof(
        { arbitrary: anyBytes, weight: 10 },
        { arbitrary: csvText.map(utf8), weight: 60 },
        { arbitrary: mutatedHashList(corpus.hashLists).map(utf8), weight: 30 },
        { arbitrary: hugeString.map((huge) => utf8(`${huge},url,${huge}\n1.2.3.4,ipv4\n`)), weight: 1 },
      ),
    })),
    ...([1, 2] as const).map((version) => ({
      name: `avro-v${version}`,
      format: { type: 'avro', schemaVersion: version } as FeedFormat,
      inputs: fc.oneof(
        { arbitrary: anyBytes, weight: 10 },
        { arbitrary: avroBatch(version), weight: 60 },
        {
          arbitrary: hugeString.map(
            (huge) =>
              new Uint8Array(
                encodePartnerBatch([{ type: 'url', value: huge, description: huge, tags: [huge] }], version),
              ),
          ),
          weight: 1,
        },
      ),
    })),
  ];
}

/** The property of one target: parsing any of its inputs returns a result `resultProblem` finds nothing wrong with. */
export function parsesSafely(target: FuzzTarget): fc.IPropertyWithHooks<[Uint8Array]> {
  return fc.property(target.inputs, (bytes) => {
    const result = parseFeedMessage(bytes, target.format, FUZZ_CONTEXT);
    const problem = resultProblem(bytes.length, result);
    if (problem) throw new Error(problem);
  });
}
