/**
 * Tallies the shared partner corpus (../shared/feeds): indicators per kind and
 * rejects per reason, and for `unsupported_*` rejects per partner type (MISP
 * attribute type, STIX object path or pattern_type). Run before and after a
 * change to the kind registry to see what it moved:
 *
 *     corepack pnpm exec tsx packages/indicators/bench/corpus-tally.ts
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FeedFormat, parseFeedMessage } from '../src/parsers/index.js';

const SHARED = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared', 'feeds');
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
  const kind = file.split('.').pop() as 'md5' | 'sha1' | 'sha256';
  return { type: 'csv', valueColumn: 0, fixedKind: kind, commentPrefix: '#' };
}

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));

/** What an unsupported reject was about: the MISP type or the STIX path/type named in its message. */
function subjectOf(message: string): string {
  const quoted = /MISP attribute type "([^"]*)"|pattern_type "([^"]*)"|STIX (\S+) objects/.exec(message);
  if (quoted) return quoted[1] ?? quoted[2] ?? quoted[3] ?? '?';
  const path = /(?:on|for) ([a-z0-9-]+:[^ ]+)/.exec(message);
  if (path) return path[1]!.replace(/\[\d+\]/g, '[*]');
  const temporal = /pattern uses ([A-Z/, ]+):/.exec(message);
  return temporal ? temporal[1]! : message.slice(0, 60);
}

const add = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const table = (title: string, counts: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
    console.log(`  ${String(count).padStart(6)}  ${key}`);
};

const kinds = new Map<string, number>();
const reasons = new Map<string, number>();
const unsupported = new Map<string, number>();
let values = 0;
let unsupportedValues = 0;
for (const file of walk(SHARED).filter((path) => !/\/LICENSE/.test(path))) {
  const format = formatOf(file);
  const result = parseFeedMessage(readFileSync(file), format, context);
  for (const indicator of result.indicators) add(kinds, `${format.type} ${indicator.kind}`);
  for (const reject of result.rejects) {
    add(reasons, `${format.type} ${reject.reason}`);
    if (reject.reason === 'unsupported_type' || reject.reason === 'unsupported_pattern') {
      add(unsupported, `${format.type} ${reject.reason} ${subjectOf(reject.message)}`);
      unsupportedValues++;
    }
  }
  values += result.indicators.length + result.rejects.length;
}
table('indicators per format and kind', kinds);
table('rejects per format and reason', reasons);
table('unsupported rejects per format and partner type', unsupported);
console.log(
  `\nvalues (indicators + rejects): ${values}; unsupported: ${unsupportedValues} (${((100 * unsupportedValues) / values).toFixed(2)} %)`,
);
