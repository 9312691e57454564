import { kindOfTypeName } from '../kinds.js';
import type { IndicatorKind, Tlp } from '../model.js';
import { INDICATOR_KINDS } from '../model.js';
import {
  asBuffer,
  dateOrNoted,
  decodeUtf8,
  type ParseContext,
  parseDate,
  parseTlp,
  ResultBuilder,
  validConfidence,
} from './common.js';

/**
 * A per-feed mapping for CSV and plain-text lists (abuse.ch style): which
 * column holds the value, its type (a type column, a fixed kind, or neither
 * for detection by shape), and optional dates and context columns.
 * Columns are 0-based. A plain one-hash-per-line list is
 * `{type: 'csv', valueColumn: 0, fixedKind: 'sha256'}`.
 */
export interface CsvFormat {
  type: 'csv';
  valueColumn: number;
  typeColumn?: number;
  fixedKind?: IndicatorKind;
  firstSeenColumn?: number;
  lastSeenColumn?: number;
  confidenceColumn?: number;
  tagsColumn?: number;
  /** Separator inside the tags and threat-name columns (default `|`). */
  tagSeparator?: string;
  threatNameColumn?: number;
  descriptionColumn?: number;
  referenceColumn?: number;
  tlpColumn?: number;
  /** Field delimiter (default `,`); `\t` for TSV. */
  delimiter?: string;
  /** Lines starting with this (after leading blanks) are comments, e.g. `#`. */
  commentPrefix?: string;
  /** Skip the first non-comment line. */
  hasHeader?: boolean;
}

const COLUMN_SETTINGS = [
  'valueColumn',
  'typeColumn',
  'firstSeenColumn',
  'lastSeenColumn',
  'confidenceColumn',
  'tagsColumn',
  'threatNameColumn',
  'descriptionColumn',
  'referenceColumn',
  'tlpColumn',
] as const;
const STRING_SETTINGS = ['delimiter', 'commentPrefix', 'tagSeparator'] as const;
const KNOWN_SETTINGS = new Set<string>([
  'type',
  'fixedKind',
  'hasHeader',
  ...COLUMN_SETTINGS,
  ...STRING_SETTINGS,
]);

export function validateCsvFormat(format: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const name of COLUMN_SETTINGS) {
    const value = format[name];
    if (value === undefined) {
      if (name === 'valueColumn') errors.push('valueColumn is required');
    } else if (!Number.isInteger(value) || (value as number) < 0) {
      errors.push(`${name} must be a column index (integer ≥ 0)`);
    }
  }
  if (format.fixedKind !== undefined && !(INDICATOR_KINDS as readonly unknown[]).includes(format.fixedKind)) {
    errors.push(`fixedKind must be one of ${INDICATOR_KINDS.join(', ')}`);
  }
  if (format.fixedKind !== undefined && format.typeColumn !== undefined) {
    errors.push('give typeColumn or fixedKind, not both');
  }
  for (const name of STRING_SETTINGS) {
    const value = format[name];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0 || /[\r\n"]/.test(value))) {
      errors.push(`${name} must be a non-empty string without quotes or line breaks`);
    }
  }
  if (format.hasHeader !== undefined && typeof format.hasHeader !== 'boolean') {
    errors.push('hasHeader must be true or false');
  }
  for (const key of Object.keys(format))
    if (!KNOWN_SETTINGS.has(key)) errors.push(`unknown CSV setting ${key}`);
  return errors;
}

/**
 * One RFC 4180 record starting at `start`: its fields and where the next
 * record starts. Quoted fields may hold delimiters, `""` and line breaks.
 * Returns null when a quote is never closed.
 */
function readQuotedRecord(
  text: string,
  start: number,
  delimiter: string,
): { fields: string[]; next: number; lines: number } | null {
  const fields: string[] = [];
  let field = '';
  let position = start;
  let lines = 1;
  let fieldStart = true;
  while (position < text.length) {
    const char = text[position]!;
    if (fieldStart && char === '"') {
      // Quoted field: runs to the closing quote not followed by another quote.
      position++;
      for (;;) {
        const close = text.indexOf('"', position);
        if (close === -1) return null;
        field += text.slice(position, close);
        for (let index = position; index < close; index++) if (text.charCodeAt(index) === 10) lines++;
        if (text[close + 1] === '"') {
          field += '"';
          position = close + 2;
        } else {
          position = close + 1;
          break;
        }
      }
      fieldStart = false;
      continue;
    }
    if (text.startsWith(delimiter, position)) {
      fields.push(field);
      field = '';
      fieldStart = true;
      position += delimiter.length;
      continue;
    }
    if (char === '\n' || char === '\r') break;
    field += char;
    fieldStart = false;
    position++;
  }
  fields.push(field);
  if (text[position] === '\r') position++;
  if (text[position] === '\n') position++;
  return { fields, next: position, lines };
}

const split = (field: string | undefined, separator: string): string[] =>
  field
    ? field
        .split(separator)
        .map((part) => part.trim())
        .filter((part) => part.length > 0)
    : [];

const column = (fields: string[], index: number | undefined): string | undefined =>
  index === undefined ? undefined : fields[index]?.trim();

export function parseCsv(
  bytes: Buffer | Uint8Array,
  format: CsvFormat,
  context: ParseContext,
): ResultBuilder {
  const result = new ResultBuilder(context);
  const text = decodeUtf8(asBuffer(bytes));
  if (text === null) {
    result.reject('invalid_encoding', 'message is not valid UTF-8', null, 'message');
    return result;
  }
  const delimiter = format.delimiter ?? ',';
  const tagSeparator = format.tagSeparator ?? '|';
  const comment = format.commentPrefix;
  // A one-column list needs no splitting at all: the common hash/IP list case.
  const onlyValue =
    format.valueColumn === 0 &&
    COLUMN_SETTINGS.every((name) => name === 'valueColumn' || format[name] === undefined);
  let headerPending = format.hasHeader ?? false;
  let lineNumber = 0;
  let position = 0;
  while (position < text.length) {
    lineNumber++;
    const recordLine = lineNumber;
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    let line = text.slice(position, end > position && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    let fields: string[] | null = null;
    let next = end + 1;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) line = line.trimStart();
    if (line.length === 0 || (comment !== undefined && line.startsWith(comment))) {
      position = next;
      continue;
    }
    if (line.includes('"')) {
      const record = readQuotedRecord(text, position, delimiter);
      if (!record) {
        result.reject(
          'invalid_csv',
          'unterminated quoted field: the rest of the message is unreadable',
          line,
          `line ${recordLine}`,
        );
        return result;
      }
      fields = record.fields;
      next = record.next;
      lineNumber += record.lines - 1;
    }
    position = next;
    if (headerPending) {
      headerPending = false;
      continue;
    }
    if (fields === null) {
      if (onlyValue) {
        const cut = line.indexOf(delimiter);
        fields = [cut === -1 ? line : line.slice(0, cut)];
      } else {
        fields = line.split(delimiter);
      }
    }
    addRecord(result, format, fields, line, `line ${recordLine}`, tagSeparator);
  }
  return result;
}

function addRecord(
  result: ResultBuilder,
  format: CsvFormat,
  fields: string[],
  line: string,
  location: string,
  tagSeparator: string,
): void {
  const raw = fields[format.valueColumn]?.trim();
  if (!raw) return result.reject('empty_value', `no value in column ${format.valueColumn}`, line, location);
  let kind: IndicatorKind | null = format.fixedKind ?? null;
  if (format.typeColumn !== undefined) {
    const typeName = fields[format.typeColumn] ?? '';
    kind = kindOfTypeName(typeName);
    if (!kind) {
      return result.reject(
        'unsupported_type',
        `unsupported indicator type ${JSON.stringify(typeName.trim())}`,
        raw,
        location,
      );
    }
  }
  const invalidDates: string[] = [];
  const firstSeen =
    format.firstSeenColumn === undefined
      ? null
      : dateOrNoted(
          parseDate(fields[format.firstSeenColumn]),
          `column ${format.firstSeenColumn}`,
          invalidDates,
        );
  const lastSeen =
    format.lastSeenColumn === undefined
      ? null
      : dateOrNoted(
          parseDate(fields[format.lastSeenColumn]),
          `column ${format.lastSeenColumn}`,
          invalidDates,
        );
  const confidence = validConfidence(column(fields, format.confidenceColumn));
  if (confidence === 'invalid') {
    return result.reject('invalid_confidence', 'confidence must be an integer from 0 to 100', raw, location);
  }
  let tlp: Tlp | null = null;
  const unknownMarkings: string[] = [];
  const tlpText = column(fields, format.tlpColumn);
  if (tlpText) {
    // An unreadable marking keeps the record (at AMBER or above, the marking as a tag, a warning).
    tlp = parseTlp(tlpText);
    if (!tlp) unknownMarkings.push(tlpText);
  }
  result.add(
    kind,
    raw,
    {
      firstSeen,
      lastSeen,
      confidence,
      tlp,
      tags: split(fields[format.tagsColumn ?? -1], tagSeparator),
      threatNames: split(fields[format.threatNameColumn ?? -1], tagSeparator),
      description: column(fields, format.descriptionColumn) || null,
      reference: column(fields, format.referenceColumn) || null,
      invalidDates,
      unknownMarkings,
    },
    location,
  );
}
