import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { IndicatorKind } from './model.js';
import { type FeedFormat, parseFeedMessage } from './parsers/index.js';

const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/feeds');
const context = {
  provider: 'p',
  feedName: 'f',
  defaultTlp: 'clear' as const,
  topic: 't',
  partition: 0,
  offset: '0',
  receivedAt: Date.UTC(2026, 0, 1),
};

function formatOf(file: string): FeedFormat {
  if (file.includes('/misp/')) return { type: 'misp' };
  if (file.includes('/unit42/')) return { type: 'stix' };
  return { type: 'csv', valueColumn: 0, commentPrefix: '#' };
}
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)],
  );
const parse = (relative: string) =>
  parseFeedMessage(readFileSync(join(SHARED, relative)), formatOf(`/${relative}`), context);
const countKinds = (kinds: IndicatorKind[]) =>
  kinds.reduce<Record<string, number>>(
    (counts, kind) => ({ ...counts, [kind]: (counts[kind] ?? 0) + 1 }),
    {},
  );

/**
 * Rejects the real feeds are expected to produce, each for a stated reason:
 * MISP attribute types without an observable (text, comments, file names,
 * mutexes …), STIX comparisons over objects Dragnet does not index
 * (file:name, process:command_line, directory:path …), URL attributes written
 * without a scheme or with tcp://, and one truncated hash in an ESET list.
 */
const EXPECTED_REJECTS: Record<string, Set<string>> = {
  misp: new Set(['unsupported_type', 'invalid_url']),
  stix: new Set(['unsupported_pattern', 'invalid_url']),
  csv: new Set(['unsupported_type']),
};

describe('the shared partner corpus (../shared/feeds)', () => {
  it('is present (this test fails, never skips, without it)', () => {
    expect(existsSync(SHARED), `${SHARED} is missing: clone the project with ../shared beside it`).toBe(true);
  });

  it('parses every file with only expected rejects, and never crashes', () => {
    const files = walk(SHARED).filter((file) => !file.endsWith('LICENSE'));
    expect(files.length).toBeGreaterThan(200);
    for (const file of files) {
      const format = formatOf(file);
      const result = parseFeedMessage(readFileSync(file), format, context);
      const unexpected = result.rejects.filter(
        (reject) => !EXPECTED_REJECTS[format.type]!.has(reject.reason),
      );
      expect(unexpected, file).toEqual([]);
      for (const reject of result.rejects) {
        expect(reject.message.length, file).toBeGreaterThan(0);
        expect(reject.location, file).not.toBe('');
      }
    }
  });

  // Counts established by hand (Python json/grep over the files, not this parser): see the closing note.
  it('ESET SignSight MISP event: 3 filename|sha1 + 2 sha1 hashes, 2 domains, 3 URLs (2 url + 1 link), 3 text attributes rejected', () => {
    const result = parse('eset/misp/signsight/signsight-misp-event.json');
    expect(countKinds(result.indicators.map((item) => item.kind))).toEqual({ sha1: 5, domain: 2, url: 3 });
    expect(result.rejects.map((reject) => reject.reason)).toEqual([
      'unsupported_type',
      'unsupported_type',
      'unsupported_type',
    ]);
  });

  it('ESET PowerPool MISP event: 5 sha1, 4 domains, 1 IP, 1 URL; 7 text attributes rejected', () => {
    const result = parse('eset/misp/powerpool/misp-powerpool.json');
    expect(countKinds(result.indicators.map((item) => item.kind))).toEqual({
      sha1: 5,
      domain: 4,
      ipv4: 1,
      url: 1,
    });
    expect(result.rejects).toHaveLength(7);
  });

  it('Unit 42 Pikabot bundle: 3 SHA-256 and 7 URL indicators', () => {
    const result = parse('unit42/2024-02-08-Pikabot.json');
    expect(countKinds(result.indicators.map((item) => item.kind))).toEqual({ sha256: 3, url: 7 });
    expect(result.rejects).toEqual([]);
  });

  it('ESET hash lists: every line one hash of the right kind', () => {
    expect(
      countKinds(parse('eset/hashes/agrius/samples.sha256').indicators.map((item) => item.kind)),
    ).toEqual({ sha256: 7 });
    expect(countKinds(parse('eset/hashes/agrius/samples.md5').indicators.map((item) => item.kind))).toEqual({
      md5: 7,
    });
    expect(
      countKinds(parse('eset/hashes/ballisticbobcat/samples.sha256').indicators.map((item) => item.kind)),
    ).toEqual({ sha256: 15 });
  });
});
