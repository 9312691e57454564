import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KINDS } from './kinds.js';
import type { IndicatorKind } from './model.js';
import { parseFeedMessage } from './parsers/index.js';
import { scoProperties, stixPatternOf } from './stix-export.js';

const context = {
  provider: 'p',
  feedName: 'f',
  defaultTlp: 'clear' as const,
  topic: 't',
  partition: 0,
  offset: '0',
  receivedAt: Date.UTC(2026, 0, 1),
};
const parseObjects = (...objects: unknown[]) =>
  parseFeedMessage(
    Buffer.from(JSON.stringify({ type: 'bundle', id: 'bundle--1', objects })),
    { type: 'stix' },
    context,
  );
const VECTORS = (
  JSON.parse(readFileSync(new URL('../../../test/checker/vectors.json', import.meta.url), 'utf8')) as {
    registry_vectors: [IndicatorKind, string, string][];
  }
).registry_vectors;
const PATTERN_LANGUAGES = new Set<IndicatorKind>(['yara', 'sigma', 'snort', 'suricata']);

describe('STIX export of the registry kinds', () => {
  it.each([
    ['sha3-256', 'a'.repeat(64), `[file:hashes.'SHA3-256' = '${'a'.repeat(64)}']`],
    ['asn', '13335', '[autonomous-system:number = 13335]'],
    ['registry-key', 'HKEY_CURRENT_USER\\Run', "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Run']"],
    ['file-name', "it's.exe", "[file:name = 'it\\'s.exe']"],
    ['file-path', 'C:\\x\\y.exe', "[file:name = 'y.exe' AND file:parent_directory_ref.path = 'C:\\\\x']"],
    ['file-path', '/y.sh', "[file:name = 'y.sh' AND file:parent_directory_ref.path = '/']"],
    [
      'user-agent',
      'curl/8',
      "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'curl/8']",
    ],
    ['stix-pattern', "[mutex:name = 'x'] AND [file:name = 'y']", "[mutex:name = 'x'] AND [file:name = 'y']"],
    ['yara', 'rule x { condition: true }', null],
  ] as const)('%s %s → %s', (kind, value, pattern) => {
    expect(stixPatternOf(kind, value)).toBe(pattern);
  });

  it('asn properties carry a number, pattern kinds no SCO', () => {
    expect(scoProperties('asn', '13335')).toEqual({ number: 13335 });
    expect(scoProperties('sigma', 'title: x')).toBeNull();
  });

  // Round trips through Dragnet's own STIX parser: the export must read back as what it exported.
  it.each(VECTORS.filter(([kind]) => !PATTERN_LANGUAGES.has(kind) && kind !== 'file-path'))(
    'pattern of %s %s reads back as itself',
    (kind, value) => {
      const pattern = stixPatternOf(kind, value)!;
      const result = parseObjects({
        type: 'indicator',
        id: 'indicator--1',
        pattern,
        valid_from: '2026-01-01T00:00:00Z',
      });
      expect(result.rejects).toEqual([]);
      expect(result.indicators.map((item) => [item.kind, item.value])).toContainEqual([kind, value]);
    },
  );

  it.each(
    VECTORS.filter(
      ([kind]) => KINDS[kind].stixType('') !== 'indicator' && !['file-path', 'user-agent'].includes(kind),
    ),
  )('SCO of %s %s reads back as itself, with the same id', (kind, value, id) => {
    const result = parseObjects({ ...scoProperties(kind, value), type: id.split('--')[0], id });
    expect(result.rejects).toEqual([]);
    expect(result.indicators.map((item) => [item.kind, item.value, item.id])).toEqual([[kind, value, id]]);
  });
});
