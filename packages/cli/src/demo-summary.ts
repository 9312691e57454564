import type { DeadLetter } from '@dragnet/contracts';
import { escapeText } from './dead-letters.js';

/**
 * `dragnet demo summary`, the pure half: the facts gathered from Elasticsearch
 * and the dead-letter topic in, the text a newcomer reads out. Everything
 * shown that came from a partner (values, reasons) is escaped for the
 * terminal, and values put into a printed command are quoted for the shell.
 */

export interface TermCount {
  term: string;
  count: number;
}

/** One indicator several partners reported, as the summary shows it. */
export interface DemoExample {
  value: string;
  kind: string;
  score: number | null;
  /** The document's overall TLP (the most restrictive of what it holds). */
  tlp: string | null;
  partners: { partner: string; tlp: string | null }[];
}

export interface RejectReasonSummary {
  reason: string;
  /** Records rejected for this reason. */
  count: number;
  /** The first one seen: its value (when the record had one), what was wrong and its letter's position. */
  example: { value: string | null; message: string; position: string };
}

export interface RejectSummary {
  letters: number;
  byReason: RejectReasonSummary[];
}

export interface DemoFacts {
  documents: number;
  byKind: TermCount[];
  byPartner: TermCount[];
  byPartnerCount: { partners: number; count: number }[];
  enriched: number;
  example: DemoExample | null;
  rejects: RejectSummary;
  /** Where the printed commands point: the CLI as the reader runs it, the API and the demo key's file. */
  tryThis: { cli: string; apiUrl: string; apiKeyFile: string };
}

const MAX_SHOWN_CHARS = 60;

/** Partner text, one line, safe for a terminal, cut to `max` characters. */
const shown = (text: string, max = MAX_SHOWN_CHARS): string => {
  const safe = escapeText(text);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
};

const number = (n: number): string => n.toLocaleString('en-US');

/** A word the shell reads as itself: bare when it is plain, otherwise single-quoted. */
export function shellWord(text: string): string {
  return /^[\w.,:/@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A URL path segment with every character outside [A-Za-z0-9._~-] percent-encoded (also `!'()*`). */
const pathSegment = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Rows as aligned columns: the first column left-aligned, numbers right-aligned, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? number(cell) : cell))),
  ];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row, index) =>
    `  ${row
      .map((cell, column) => {
        const right = index > 0 && typeof rows[index - 1]?.[column] === 'number';
        const width = widths[column] ?? 0;
        return right ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')}`.trimEnd(),
  );
}

function indexedSection(facts: DemoFacts): string[] {
  return [
    `== indexed: ${number(facts.documents)} indicators from ${number(facts.byPartner.length)} partners`,
    ...table(
      ['kind', 'indicators'],
      facts.byKind.map(({ term, count }) => [shown(term), count]),
    ),
    '',
    ...table(
      ['partner', 'indicators'],
      facts.byPartner.map(({ term, count }) => [shown(term), count]),
    ),
    '  (an indicator several partners reported counts once for each of them)',
  ];
}

function overlapSection(facts: DemoFacts): string[] {
  const several = facts.byPartnerCount.filter((entry) => entry.partners >= 2);
  const total = several.reduce((sum, entry) => sum + entry.count, 0);
  const split = several.map((entry) => `${entry.partners} partners: ${number(entry.count)}`).join(', ');
  const lines = [`== reported by several partners: ${number(total)} indicators${split ? ` (${split})` : ''}`];
  const example = facts.example;
  if (!example || example.partners.length < 2) return lines;
  const score = example.score === null ? 'not scored' : `score ${example.score}`;
  const tlp = example.tlp ? `, TLP ${shown(example.tlp)} overall` : '';
  lines.push(
    `  for example ${shown(example.value)} (${shown(example.kind)}), ${score}${tlp}; one document, each partner's TLP kept:`,
    ...table(
      ['partner', 'TLP'],
      example.partners.map(({ partner, tlp: marking }) => [shown(partner), shown(marking ?? 'default')]),
    ).map((line) => `  ${line}`),
  );
  return lines;
}

function rejectSection(facts: DemoFacts): string[] {
  const { rejects, tryThis } = facts;
  const records = rejects.byReason.reduce((sum, entry) => sum + entry.count, 0);
  if (records === 0 && rejects.letters === 0) return ['== rejected: nothing'];
  const lines = [`== rejected: ${number(records)} records in ${number(rejects.letters)} dead letters`];
  lines.push(
    ...table(
      ['reason', 'records', 'example'],
      rejects.byReason.map(({ reason, count, example }) => [
        shown(reason),
        count,
        `${example.value === null ? '' : `${JSON.stringify(shown(example.value, 40))}: `}${shown(example.message)} (dlq show ${example.position})`,
      ]),
    ),
  );
  const first = rejects.byReason[0];
  lines.push(
    `  see them: ${tryThis.cli} dlq list${first ? ` (one reason: --code ${shellWord(first.reason)})` : ''}`,
  );
  return lines;
}

/** The commands the summary invites the reader to paste, in the order printed. */
export function tryCommands(facts: DemoFacts): string[] {
  const { cli, apiUrl, apiKeyFile } = facts.tryThis;
  const value = facts.example?.value;
  if (value === undefined) return [`${cli} dlq list`];
  return [
    `${cli} lookup ${shellWord(value)}`,
    `curl -sf -H "Authorization: Bearer $(cat ${shellWord(apiKeyFile)})" ${shellWord(`${apiUrl}/v1/indicators/${pathSegment(value)}`)}`,
    `${cli} dlq list`,
  ];
}

/** The whole summary, ending with a newline. */
export function formatDemoSummary(facts: DemoFacts): string {
  const enriched = `== enriched: ${number(facts.enriched)} of ${number(facts.documents)} indicators`;
  return `${[
    ...indexedSection(facts),
    '',
    ...overlapSection(facts),
    '',
    ...rejectSection(facts),
    '',
    enriched,
    '',
    '== try:',
    ...tryCommands(facts).map((command) => `  ${command}`),
    '',
    '== Kibana: `docker compose up -d --build` runs this same system with Kibana on http://127.0.0.1:5601',
    '   (first `pnpm dragnet down` and `pnpm stack:down`: same ports; dashboard "Dragnet threat intelligence", docs/kibana.md)',
  ].join('\n')}\n`;
}

/** The reasons of one letter with their record counts: `rejectCounts` when present, else its listed rejects, else its code. */
function reasonCounts(letter: DeadLetter): { reason: string; count: number }[] {
  if (letter.rejectCounts && letter.rejectCounts.length > 0) return letter.rejectCounts;
  if (letter.rejects.length === 0) return [{ reason: letter.code, count: 1 }];
  const counts = new Map<string, number>();
  for (const reject of letter.rejects) counts.set(reject.reason, (counts.get(reject.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count }));
}

/** Rejects per reason over every letter (most records first, then by name), each with its first example. */
export function summarizeRejects(
  entries: readonly { position: string; letter: DeadLetter }[],
): RejectSummary {
  const byReason = new Map<string, RejectReasonSummary>();
  for (const { position, letter } of entries) {
    for (const { reason, count } of reasonCounts(letter)) {
      const known = byReason.get(reason);
      if (known) {
        known.count += count;
        continue;
      }
      const reject = letter.rejects.find((candidate) => candidate.reason === reason);
      byReason.set(reason, {
        reason,
        count,
        example: { value: reject?.value ?? null, message: reject?.message ?? letter.reason, position },
      });
    }
  }
  const sorted = [...byReason.values()].sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
  return { letters: entries.length, byReason: sorted };
}

const field = (object: unknown, key: string): unknown =>
  object !== null && typeof object === 'object' && Object.hasOwn(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined;
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The example from an indexed document's source (`dragnet.*`); null when it lacks a value or kind. */
export function exampleFromDocument(source: Record<string, unknown> | null): DemoExample | null {
  const dragnet = field(source, 'dragnet');
  const value = text(field(dragnet, 'value'));
  const kind = text(field(dragnet, 'kind'));
  if (value === null || kind === null) return null;
  const score = field(dragnet, 'score');
  const sources = field(dragnet, 'sources');
  return {
    value,
    kind,
    score: typeof score === 'number' ? score : null,
    tlp: text(field(dragnet, 'tlp')),
    partners: (Array.isArray(sources) ? sources : []).flatMap((entry) => {
      const partner = text(field(entry, 'provider'));
      return partner === null ? [] : [{ partner, tlp: text(field(entry, 'tlp')) }];
    }),
  };
}
