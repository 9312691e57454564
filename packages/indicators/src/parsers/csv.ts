import type { IndicatorKind } from '../model.js';
import { INDICATOR_KINDS } from '../model.js';
import { KIND_BY_TYPE_NAME, type ParseContext, parseDate, ResultBuilder, validConfidence } from './common.js';

/**
 * A per-feed mapping for CSV and plain-text lists (abuse.ch style): which
 * column holds the value, its type (a column or a fixed kind; neither means
 * "detect"), dates and extras. Columns are 0-based.
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
  /** Separator inside the tags column (default `|`). */
  tagSeparator?: string;
  /** Field delimiter (default `,`); `\t` for TSV. */
  delimiter?: string;
  /** Lines starting with this are comments (e.g. `#`). */
  commentPrefix?: string;
  /** Skip the first non-comment line. */
  hasHeader?: boolean;
}

export function validateCsvFormat(format: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const column = (name: string, required: boolean) => {
    const value = format[name];
    if (value === undefined) {
      if (required) errors.push(`${name} is required`);
      return;
    }
    if (!Number.isInteger(value) || (value as number) < 0)
      errors.push(`${name} must be a column index (integer ≥ 0)`);
  };
  column('valueColumn', true);
  for (const name of ['typeColumn', 'firstSeenColumn', 'lastSeenColumn', 'confidenceColumn', 'tagsColumn'])
    column(name, false);
  if (format.fixedKind !== undefined && !(INDICATOR_KINDS as readonly unknown[]).includes(format.fixedKind)) {
    errors.push(`fixedKind must be one of ${INDICATOR_KINDS.join(', ')}`);
  }
  if (format.fixedKind !== undefined && format.typeColumn !== undefined)
    errors.push('give typeColumn or fixedKind, not both');
  for (const name of ['delimiter', 'commentPrefix', 'tagSeparator']) {
    if (
      format[name] !== undefined &&
      (typeof format[name] !== 'string' || (format[name] as string).length === 0)
    )
      errors.push(`${name} must be a non-empty string`);
  }
  if (format.hasHeader !== undefined && typeof format.hasHeader !== 'boolean')
    errors.push('hasHeader must be true or false');
  return errors;
}

/** RFC 4180 fields of one line; the fast path (no quote) is a plain split. */
function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.length === 0) quoted = true;
    else if (line.startsWith(delimiter, index)) {
      fields.push(field);
      field = '';
      index += delimiter.length - 1;
    } else field += char;
  }
  fields.push(field);
  return fields;
}

export function parseCsv(bytes: Buffer, format: CsvFormat, context: ParseContext): ResultBuilder {
  const result = new ResultBuilder(context);
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes)) {
    result.reject('invalid_encoding', 'message is not valid UTF-8', null, 'message');
    return result;
  }
  const delimiter = format.delimiter ?? ',';
  const tagSeparator = format.tagSeparator ?? '|';
  let headerPending = format.hasHeader ?? false;
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim().length === 0) continue;
    if (format.commentPrefix && line.trimStart().startsWith(format.commentPrefix)) continue;
    if (headerPending) {
      headerPending = false;
      continue;
    }
    const location = `line ${lineNumber}`;
    const fields = splitLine(line, delimiter);
    const raw = fields[format.valueColumn]?.trim();
    if (!raw) {
      result.reject('empty_value', `no value in column ${format.valueColumn}`, line, location);
      continue;
    }
    let kind: IndicatorKind | null = format.fixedKind ?? null;
    if (format.typeColumn !== undefined) {
      const typeName = fields[format.typeColumn]?.trim().toLowerCase() ?? '';
      kind = KIND_BY_TYPE_NAME[typeName] ?? null;
      if (!kind) {
        result.reject(
          'unsupported_type',
          `unsupported indicator type ${JSON.stringify(typeName)}`,
          raw,
          location,
        );
        continue;
      }
    }
    const firstSeen = format.firstSeenColumn === undefined ? null : parseDate(fields[format.firstSeenColumn]);
    const lastSeen = format.lastSeenColumn === undefined ? null : parseDate(fields[format.lastSeenColumn]);
    if (firstSeen === 'invalid' || lastSeen === 'invalid') {
      result.reject(
        'invalid_date',
        `unreadable date in ${JSON.stringify(line.slice(0, 120))}`,
        raw,
        location,
      );
      continue;
    }
    const confidence =
      format.confidenceColumn === undefined ? null : validConfidence(fields[format.confidenceColumn]?.trim());
    if (confidence === 'invalid') {
      result.reject('invalid_confidence', 'confidence must be an integer from 0 to 100', raw, location);
      continue;
    }
    const tagsField = format.tagsColumn === undefined ? '' : (fields[format.tagsColumn] ?? '');
    const tags = tagsField
      ? tagsField
          .split(tagSeparator)
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [];
    result.add(kind, raw, { firstSeen, lastSeen, confidence, tags }, location);
  }
  return result;
}
