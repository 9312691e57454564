import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ParseResult, RejectReason } from './model.js';
import { type FeedFormat, parseFeedMessage } from './parsers/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED = resolve(REPO_ROOT, '..', 'shared', 'feeds');
const context = {
  provider: 'p',
  feedName: 'f',
  defaultTlp: 'clear' as const,
  topic: 't',
  partition: 0,
  offset: '0',
  receivedAt: Date.UTC(2026, 0, 1),
};

/** The format each corpus folder would be registered with; hash lists by their extension. */
function formatOf(file: string): FeedFormat {
  // As ESET is registered (infra/partners.json): its events name Tor hidden services.
  if (file.includes('/misp/')) return { type: 'misp', internalSuffixes: ['onion'] };
  if (file.includes('/unit42/')) return { type: 'stix' };
  const kind = file.split('.').pop() as 'md5' | 'sha1' | 'sha256';
  return { type: 'csv', valueColumn: 0, fixedKind: kind, commentPrefix: '#' };
}

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
const parse = (path: string): ParseResult =>
  parseFeedMessage(readFileSync(join(SHARED, path)), formatOf(`/${path}`), context);
const countBy = <T>(items: T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => {
    counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    return counts;
  }, {});
const kinds = (result: ParseResult) => countBy(result.indicators, (item) => item.kind);
const reasons = (result: ParseResult) => countBy(result.rejects, (reject) => reject.reason);

/**
 * Rejects the real feeds are expected to produce, each for a stated reason:
 * - MISP: attribute types without an observable Dragnet indexes (`other`,
 *   `pdb`, `windows-scheduled-task`); context that is not an indicator (text,
 *   comments, bare ports, vulnerabilities — tagged on the event's
 *   indicators —, `link`s and "External analysis" URLs to the vendor's
 *   write-up, used as the reference); `url` attributes written without a
 *   scheme (`djcaps.gotdns.ch`) or as `tcp://`; `filename`s ending in a
 *   directory separator are directories, and registry keys without a hive
 *   (`Software\ESET…`, `(HKLM|HKCU)\…`, a bare CLSID) are `invalid_registry_key`.
 * - STIX: scheme-less url:value strings (`pastebin.com/raw/…`); patterns that
 *   do not reduce to observables (process:command_line…) are kept whole as
 *   `stix-pattern` indicators.
 * - Hash lists: one truncated SHA-1 line in modiloader/samples.sha1.
 */
const EXPECTED_REJECTS: Record<FeedFormat['type'], ReadonlySet<RejectReason>> = {
  misp: new Set(['unsupported_type', 'not_an_indicator', 'invalid_url', 'invalid_registry_key']),
  // not_a_domain: file names sent as domain-name (`order-130722.28554.iso`, `vdfjgklffsdfmv.txt`).
  stix: new Set(['invalid_url', 'invalid_registry_key', 'not_a_domain']),
  csv: new Set(),
  avro: new Set(),
};
const EXPECTED_FILE_REJECTS: Record<string, ReadonlySet<RejectReason>> = {
  'eset/hashes/modiloader/samples.sha1': new Set(['invalid_hash']),
};

describe('the shared partner corpus (../shared/feeds)', () => {
  it('is present beside the repository (this test fails, never skips, without it)', () => {
    expect(existsSync(SHARED), `${SHARED} is missing: check out ../shared beside the repository`).toBe(true);
  });

  it('parses every file with only expected rejects, each located and explained', () => {
    const files = walk(SHARED).filter((file) => !basename(file).startsWith('LICENSE'));
    expect(files.length).toBeGreaterThan(200);
    for (const file of files) {
      const name = relative(SHARED, file);
      const format = formatOf(file);
      const result = parseFeedMessage(readFileSync(file), format, context);
      const expected = EXPECTED_FILE_REJECTS[name] ?? EXPECTED_REJECTS[format.type];
      expect(
        result.rejects.filter((reject) => !expected.has(reject.reason)),
        name,
      ).toEqual([]);
      for (const reject of result.rejects) {
        expect(reject.message.length, name).toBeGreaterThan(0);
        expect(reject.location, name).toMatch(
          /^(line \d+|objects\[\d+\]|(Event\[\d+\] )?(Object\[\d+\]\.)?Attribute\[\d+\])/,
        );
        expect(reject.value?.length ?? 0, name).toBeLessThanOrEqual(201);
      }
    }
    // 200+ files: seconds on a loaded shared machine, above vitest's 5 s default.
  }, 60_000);

  // The counts below were established with Python/jq/wc over the files, independently of this parser.

  it('dead-letters under 2 % of all values as unsupported: only MISP other (53), pdb (22), windows-scheduled-task (2)', () => {
    const files = walk(SHARED).filter((file) => !basename(file).startsWith('LICENSE'));
    let values = 0;
    const unsupported: Record<string, number> = {};
    for (const file of files) {
      const result = parseFeedMessage(readFileSync(file), formatOf(file), context);
      values += result.indicators.length + result.rejects.length;
      for (const reject of result.rejects) {
        if (reject.reason !== 'unsupported_type' && reject.reason !== 'unsupported_pattern') continue;
        const type = /MISP attribute type "([^"]*)"/.exec(reject.message)?.[1] ?? reject.message;
        unsupported[type] = (unsupported[type] ?? 0) + 1;
      }
    }
    expect(unsupported).toEqual({ other: 53, pdb: 22, 'windows-scheduled-task': 2 });
    expect(Object.values(unsupported).reduce((sum, count) => sum + count, 0) / values).toBeLessThan(0.02);
  }, 30_000);

  it('ESET SignSight (MISP): 3 filename|sha1 (name and hash) + 2 sha1, 2 domains, 2 URLs; 3 text and 1 link as context', () => {
    const result = parse('eset/misp/signsight/signsight-misp-event.json');
    expect(kinds(result)).toEqual({ 'file-name': 3, sha1: 5, domain: 2, url: 2 });
    expect(reasons(result)).toEqual({ not_an_indicator: 4 });
    expect(result.indicators[0]!.reference).toBe(
      'https://www.welivesecurity.com/2020/12/17/operation-signsight-supply-chain-attack-southeast-asia',
    );
  });

  it('ESET PowerPool (MISP): 5 sha1, 4 domains, 1 IP; 7 text and 1 External-analysis URL as context', () => {
    const result = parse('eset/misp/powerpool/misp-powerpool.json');
    expect(kinds(result)).toEqual({ sha1: 5, domain: 4, ipv4: 1 });
    expect(reasons(result)).toEqual({ not_an_indicator: 8 });
  });

  it('ESET Sednit 2017-05-09 (MISP): 12 filename|hash composites, 3 hashes, 1 mutex, 1 regkey|value; 6 text as context', () => {
    const result = parse('eset/misp/sednit/2017-05-09_Trump_Attack_on_Syria_IoCs.json');
    expect(kinds(result)).toEqual({
      'file-name': 12,
      md5: 5,
      sha1: 5,
      sha256: 5,
      mutex: 1,
      'registry-key': 1,
    });
    expect(reasons(result)).toEqual({ not_an_indicator: 6 });
    const key = result.indicators.find((item) => item.kind === 'registry-key')!;
    expect(key.value).toBe('HKEY_CURRENT_USER\\Software\\Microsoft\\Office test\\Special\\Perf');
    expect(key.tags).toContain('registry-data:%TEMP%\\apisecconnect.dll');
  });

  it('Unit 42 Pikabot (STIX 2.0): 3 SHA-256 and 7 URL indicators, nothing rejected', () => {
    const result = parse('unit42/2024-02-08-Pikabot.json');
    expect(kinds(result)).toEqual({ sha256: 3, url: 7 });
    expect(result.rejects).toEqual([]);
  });

  it('Unit 42 AgedLibra (STIX 2.0): 52+6 domains, 39+7 URLs, 34 SHA-256, 8 MD5, 5 IPs, 2 directories, 6 command-line patterns; the 7 scheme-less URLs kept (http:// assumed) with their hosts', () => {
    const result = parse('unit42/agedlibra.json');
    expect(kinds(result)).toEqual({
      domain: 58,
      url: 46,
      sha256: 34,
      md5: 8,
      ipv4: 5,
      directory: 2,
      'stix-pattern': 6,
    });
    expect(reasons(result)).toEqual({});
  });

  it('Unit 42 IcedID (STIX 2.0): 25 SHA-256, 14+1 IPs, 8 domains, 1 file name, 1 scheme-less URL kept; the file name sent as a domain rejected', () => {
    const result = parse('unit42/IcedID_Unit42_Intel.json');
    expect(kinds(result)).toEqual({ sha256: 25, ipv4: 15, domain: 8, url: 1, 'file-name': 1 });
    expect(reasons(result)).toEqual({ not_a_domain: 1 });
    expect(result.rejects[0]!.value).toBe('order-130722.28554.iso');
  });

  it('ESET hash lists: one indicator per non-empty line, of the list kind', () => {
    const lists = walk(join(SHARED, 'eset/hashes'));
    expect(lists.length).toBeGreaterThan(30);
    for (const file of lists) {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim().length > 0).length;
      const result = parseFeedMessage(readFileSync(file), formatOf(file), context);
      expect(result.indicators.length + result.rejects.length, file).toBe(lines);
      expect(Object.keys(kinds(result)), file).toEqual(
        result.indicators.length ? [file.split('.').pop()] : [],
      );
    }
    expect(kinds(parse('eset/hashes/agrius/samples.sha256'))).toEqual({ sha256: 7 });
    expect(kinds(parse('eset/hashes/ballisticbobcat/samples.md5'))).toEqual({ md5: 15 });
    expect(parse('eset/hashes/modiloader/samples.sha1').rejects).toMatchObject([
      { reason: 'invalid_hash', value: 'f0295f2e46cebffaf7892a5b33ba54122781c20bs' },
    ]);
  });
});
