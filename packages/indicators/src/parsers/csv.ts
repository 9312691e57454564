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
    const record = readRecordAt(text, position, delimiter, format.commentPrefix);
    if (record.unterminated) {
      result.reject(
        'invalid_csv',
        'unterminated quoted field: the rest of the message is unreadable',
        record.line,
        `line ${recordLine}`,
      );
      return result;
    }
    position = record.next;
    lineNumber += record.lines - 1;
    if (record.skipped) continue;
    if (headerPending) {
      headerPending = false;
      continue;
    }
    const fields = record.fields ?? splitLine(record.line, delimiter, onlyValue);
    addRecord(result, format, fields, record.line, `line ${recordLine}`, tagSeparator);
  }
  return result;
}

interface RecordAt {
  /** The line, without its line break and leading blanks. */
  line: string;
  /** The fields of a quoted record (which may span lines); null when the line is split as it is. */
  fields: string[] | null;
  /** Where the next record starts. */
  next: number;
  /** Lines the record spans. */
  lines: number;
  /** A blank or comment line. */
  skipped: boolean;
  /** A quote that never closes: nothing after it is readable. */
  unterminated: boolean;
}

/** The record starting at `position`: one line, or more when a quoted field holds line breaks. */
function readRecordAt(
  text: string,
  position: number,
  delimiter: string,
  comment: string | undefined,
): RecordAt {
  let end = text.indexOf('\n', position);
  if (end === -1) end = text.length;
  let line = text.slice(position, end > position && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
  const first = line.charCodeAt(0);
  if (first === 32 || first === 9) line = line.trimStart();
  const plain = { line, fields: null, next: end + 1, lines: 1, skipped: false, unterminated: false };
  if (line.length === 0 || (comment !== undefined && line.startsWith(comment)))
    return { ...plain, skipped: true };
  if (!line.includes('"')) return plain;
  const record = readQuotedRecord(text, position, delimiter);
  if (!record) return { ...plain, unterminated: true };
  return { ...plain, fields: record.fields, next: record.next, lines: record.lines };
}

/** An unquoted line's fields; only the first when that is all the format reads. */
function splitLine(line: string, delimiter: string, onlyValue: boolean): string[] {
  if (!onlyValue) return line.split(delimiter);
  const cut = line.indexOf(delimiter);
  return [cut === -1 ? line : line.slice(0, cut)];
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
  const firstSeen = dateColumn(fields, format.firstSeenColumn, invalidDates);
  const lastSeen = dateColumn(fields, format.lastSeenColumn, invalidDates);
  const confidence = validConfidence(column(fields, format.confidenceColumn));
  if (confidence === 'invalid') {
    return result.reject('invalid_confidence', 'confidence must be an integer from 0 to 100', raw, location);
  }
  const { tlp, unknownMarkings } = markingColumn(fields, format.tlpColumn);
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

/** A date column's epoch ms; null when the format has none, or (noted in `invalidDates`) when unreadable. */
function dateColumn(fields: string[], index: number | undefined, invalidDates: string[]): number | null {
  return index === undefined ? null : dateOrNoted(parseDate(fields[index]), `column ${index}`, invalidDates);
}

/** The TLP column: a level, or (an unreadable marking keeps the record, as a tag, with a warning) none. */
function markingColumn(
  fields: string[],
  index: number | undefined,
): { tlp: Tlp | null; unknownMarkings: string[] } {
  const tlpText = column(fields, index);
  if (!tlpText) return { tlp: null, unknownMarkings: [] };
  const tlp = parseTlp(tlpText);
  return { tlp, unknownMarkings: tlp ? [] : [tlpText] };
}
