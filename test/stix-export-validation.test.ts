/**
 * The STIX 2.1 export of the shared partner corpus validates with the OASIS
 * `stix2-validator` (the reference, not Dragnet's code): every kind the corpus
 * yields, through the same merge and projection the pipeline uses, up to
 * PER_KIND indicators of each so the validator's run stays short.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_GRANULARITY_MS, type MergeState, mergeReport, stateToDocument } from '@dragnet/document';
import { type FeedFormat, type IndicatorReport, parseFeedMessage } from '@dragnet/indicators';
import { toStixBundle } from '@dragnet/lookup';
import { ensureStixPython } from '@dragnet/test-kit';
import { describe, expect, it } from 'vitest';

const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'feeds');
const PER_KIND = 60;
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

/** Reports of the corpus, grouped by indicator id, at most PER_KIND ids per kind. */
function corpusReports(): Map<string, IndicatorReport[]> {
  const byId = new Map<string, IndicatorReport[]>();
  const idsPerKind = new Map<string, number>();
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
      if (known) {
        known.push(report);
        continue;
      }
      const count = idsPerKind.get(report.kind) ?? 0;
      if (count >= PER_KIND) continue;
      idsPerKind.set(report.kind, count + 1);
      byId.set(report.id, [report]);
    }
  }
  return byId;
}

describe('the STIX export of the shared corpus', () => {
  it('validates with the OASIS stix2-validator, every kind included', () => {
    const python = ensureStixPython();
    const reports = corpusReports();
    const documents = [...reports.values()].map((group) => {
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
    const kinds = new Set([...reports.values()].map((group) => group[0]!.kind));
    // The corpus carries the new kinds too: the check covers them, not only IPs and hashes.
    for (const kind of ['domain', 'url', 'sha256', 'file-name', 'registry-key', 'stix-pattern'])
      expect(kinds, kind).toContain(kind);
    const bundle = toStixBundle(documents, new Date(NOW));
    const file = join(mkdtempSync(join(tmpdir(), 'dragnet-stix-')), 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const output = execFileSync(python, [join(import.meta.dirname, 'support', 'validate-stix.py'), file], {
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    const result = JSON.parse(output) as { objects: number; invalid: [string, string][] };
    expect(result.objects).toBeGreaterThan(documents.length * 2);
    expect(result.invalid.slice(0, 10)).toEqual([]);
  }, 300_000);
});
