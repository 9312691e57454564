import { spawnSync } from 'node:child_process';
import type { DeadLetter } from '@dragnet/contracts';
import { describe, expect, it } from 'vitest';
import {
  type DemoFacts,
  exampleFromDocument,
  formatDemoSummary,
  shellWord,
  summarizeRejects,
  table,
  tryCommands,
} from './demo-summary.js';

const letter = (overrides: Partial<DeadLetter>): DeadLetter => ({
  stage: 'normalizer',
  code: 'invalid_ipv4',
  reason: '1 of 3 records rejected',
  source: { topic: 'feeds.a', partition: 0, offset: '7', key: null, partner: 'a', timestamp: 0 },
  rejects: [],
  original: '',
  failedAt: '2026-01-01T00:00:00Z',
  correlationId: null,
  ...overrides,
});

const facts = (overrides: Partial<DemoFacts> = {}): DemoFacts => ({
  documents: 1234,
  byKind: [
    { term: 'ipv4', count: 700 },
    { term: 'domain', count: 534 },
  ],
  byPartner: [
    { term: 'synthetic-a', count: 800 },
    { term: 'synthetic-b', count: 600 },
  ],
  byPartnerCount: [
    { partners: 1, count: 1068 },
    { partners: 2, count: 160 },
    { partners: 3, count: 6 },
  ],
  enriched: 1200,
  example: {
    value: '11.0.0.59',
    kind: 'ipv4',
    score: 33.93,
    tlp: 'amber',
    partners: [
      { partner: 'synthetic-a', tlp: 'green' },
      { partner: 'synthetic-b', tlp: 'amber' },
    ],
  },
  rejects: {
    letters: 2,
    byReason: [
      {
        reason: 'invalid_ipv4',
        count: 3,
        example: { value: '300.1.1.1', message: 'octet > 255', position: '0:4' },
      },
    ],
  },
  tryThis: { cli: 'pnpm dragnet', apiUrl: 'http://127.0.0.1:8080', apiKeyFile: '.stack/run/demo-api-key' },
  ...overrides,
});

describe('formatDemoSummary', () => {
  it('shows counts per kind and per partner, the overlap with one example, rejects, enrichment and commands', () => {
    const text = formatDemoSummary(facts());
    expect(text).toContain('== indexed: 1,234 indicators from 2 partners');
    expect(text).toMatch(/^ {2}ipv4 {4}\s*700$/m);
    expect(text).toMatch(/^ {2}synthetic-b\s+600$/m);
    // Only the indicators with two or more partners count as reported by several.
    expect(text).toContain(
      '== reported by several partners: 166 indicators (2 partners: 160, 3 partners: 6)',
    );
    expect(text).toContain('for example 11.0.0.59 (ipv4), score 33.93, TLP amber overall');
    expect(text).toMatch(/^ {4}synthetic-a {2}green$/m);
    expect(text).toContain('== rejected: 3 records in 2 dead letters');
    expect(text).toMatch(/invalid_ipv4\s+3 {2}"300\.1\.1\.1": octet > 255 \(dlq show 0:4\)/);
    expect(text).toContain('see them: pnpm dragnet dlq list (one reason: --code invalid_ipv4)');
    expect(text).toContain('== enriched: 1,200 of 1,234 indicators');
    expect(text).toContain('  pnpm dragnet lookup 11.0.0.59\n');
    expect(text).toContain('docker compose up -d --build');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says so when nothing was rejected and when no indicator has several partners', () => {
    const text = formatDemoSummary(
      facts({
        rejects: { letters: 0, byReason: [] },
        byPartnerCount: [{ partners: 1, count: 1234 }],
        example: null,
      }),
    );
    expect(text).toContain('== rejected: nothing');
    expect(text).toContain('== reported by several partners: 0 indicators\n');
    expect(text).not.toContain('for example');
    expect(tryCommands(facts({ example: null }))).toEqual(['pnpm dragnet dlq list']);
  });

  it('escapes terminal controls in partner text and cuts long values', () => {
    const text = formatDemoSummary(
      facts({
        rejects: {
          letters: 1,
          byReason: [
            {
              reason: 'invalid_domain',
              count: 1,
              example: {
                value: `\u001b[2Jevil${'x'.repeat(200)}`,
                message: 'bad\u009bname',
                position: '0:1',
              },
            },
          ],
        },
      }),
    );
    expect(text).not.toMatch(/[\u001b\u009b]/);
    expect(text).toContain('\\u001b[2Jevil');
    expect(text).toContain('bad\\u009bname');
    expect(text).not.toContain('x'.repeat(60));
  });
});

describe('tryCommands', () => {
  it('quotes a value with shell characters so the printed command runs as pasted', () => {
    const value = "http://a.example/x?y=1&z=$(id)'q";
    const [lookup, curl] = tryCommands(facts({ example: { ...facts().example!, value } }));
    // The shell reads back exactly the value (printf prints its argument).
    const echoed = spawnSync('bash', ['-c', `printf %s ${lookup!.replace('pnpm dragnet lookup ', '')}`], {
      encoding: 'utf8',
    });
    expect(echoed.stdout).toBe(value);
    const url = curl!.split(' ').at(-1)!;
    const prefix = 'http://127.0.0.1:8080/v1/indicators/';
    expect(url.startsWith(prefix)).toBe(true);
    // Nothing the shell or a URL parser acts on is left unencoded, and the segment decodes back to the value.
    expect(url.slice(prefix.length)).toMatch(/^[A-Za-z0-9._~%-]+$/);
    expect(decodeURIComponent(url.slice(prefix.length))).toBe(value);
    expect(curl).toContain('$(cat .stack/run/demo-api-key)');
  });

  it('leaves plain words bare', () => {
    expect(shellWord('198.51.100.23')).toBe('198.51.100.23');
    expect(shellWord('a b')).toBe("'a b'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
  });
});

describe('table', () => {
  it('aligns columns, numbers to the right', () => {
    expect(
      table(
        ['kind', 'indicators'],
        [
          ['ipv4', 12345],
          ['sha256', 7],
        ],
      ),
    ).toEqual(['  kind    indicators', '  ipv4        12,345', '  sha256           7']);
  });
});

describe('summarizeRejects', () => {
  it('adds up records per reason over letters, from rejectCounts, listed rejects or the code, with the first example', () => {
    const summary = summarizeRejects([
      {
        position: '0:1',
        letter: letter({
          rejects: [
            { reason: 'invalid_ipv4', message: 'octet', value: '300.1.1.1', location: 'line 2' },
            { reason: 'invalid_domain', message: 'label', value: 'a..b', location: 'line 3' },
          ],
          rejectCounts: [
            { reason: 'invalid_ipv4', count: 5 },
            { reason: 'invalid_domain', count: 1 },
          ],
        }),
      },
      {
        position: '0:2',
        letter: letter({
          rejects: [
            { reason: 'invalid_ipv4', message: 'later', value: '999.1.1.1', location: 'line 1' },
            { reason: 'invalid_ipv4', message: 'later', value: '998.1.1.1', location: 'line 2' },
          ],
        }),
      },
      { position: '1:0', letter: letter({ code: 'invalid_json', reason: 'not JSON', rejects: [] }) },
    ]);
    expect(summary).toEqual({
      letters: 3,
      byReason: [
        {
          reason: 'invalid_ipv4',
          count: 7,
          example: { value: '300.1.1.1', message: 'octet', position: '0:1' },
        },
        { reason: 'invalid_domain', count: 1, example: { value: 'a..b', message: 'label', position: '0:1' } },
        { reason: 'invalid_json', count: 1, example: { value: null, message: 'not JSON', position: '1:0' } },
      ],
    });
  });

  it('keeps a reason named like an Object.prototype member as a reason', () => {
    const summary = summarizeRejects([
      { position: '0:0', letter: letter({ code: '__proto__', rejects: [] }) },
      { position: '0:1', letter: letter({ code: 'constructor', rejects: [] }) },
    ]);
    expect(summary.byReason.map((entry) => [entry.reason, entry.count])).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
    ]);
  });
});

describe('exampleFromDocument', () => {
  it('reads value, kind, score, TLP and each partner with its TLP', () => {
    expect(
      exampleFromDocument({
        dragnet: {
          value: 'x.example',
          kind: 'domain',
          score: 12.5,
          tlp: 'amber',
          sources: [{ provider: 'a', tlp: 'green' }, { provider: 'b' }, { tlp: 'red' }],
        },
      }),
    ).toEqual({
      value: 'x.example',
      kind: 'domain',
      score: 12.5,
      tlp: 'amber',
      partners: [
        { partner: 'a', tlp: 'green' },
        { partner: 'b', tlp: null },
      ],
    });
  });

  it('is null for an empty index or a document without value, and reads no inherited field', () => {
    expect(exampleFromDocument(null)).toBeNull();
    expect(exampleFromDocument({ dragnet: { kind: 'domain' } })).toBeNull();
    const inherited = Object.create({ value: 'from-prototype', kind: 'domain' }) as Record<string, unknown>;
    expect(exampleFromDocument({ dragnet: inherited })).toBeNull();
  });
});
