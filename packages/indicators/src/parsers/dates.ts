import { MAX_EPOCH_MS } from '../limits.js';

/**
 * The date shapes partners send, all read as UTC: ISO 8601 with or without
 * an offset, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, epoch seconds (MISP
 * timestamps) and epoch milliseconds. `Date.parse` alone is not used: it
 * reads zone-less times as local time, `2026-02-30` as 2 March and `1` as 2001.
 */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** An epoch-milliseconds integer within 1970–9999: what every date of a report must be. */
export const isEpochMsInRange = (value: number): boolean =>
  Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS;

/** Epoch milliseconds; null when absent (empty); 'invalid' when present but unreadable. */
export function parseDate(value: unknown): number | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return epochNumber(value);
  if (typeof value !== 'string') return 'invalid';
  const text = value.trim();
  if (text.length === 0) return null;
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57 && text.length <= 13 && text.charCodeAt(4) !== 45 /* - */) {
    const number = Number(text);
    return Number.isInteger(number) && text.length >= 9 ? epochNumber(number) : 'invalid';
  }
  return isoDate(text);
}

/** Seconds below 10^11 (until year 5138), milliseconds above: no partner sends 1973 in milliseconds. */
function epochNumber(value: number): number | 'invalid' {
  if (!Number.isFinite(value) || value < 0) return 'invalid';
  const epoch = value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  return isEpochMsInRange(epoch) ? epoch : 'invalid';
}

/** Two or four decimal digits at `at`, or -1. */
function digits(text: string, at: number, count: 2 | 4): number {
  let value = 0;
  for (let index = at; index < at + count; index++) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * The shapes feeds send on every line — `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`,
 * `YYYY-MM-DDTHH:MM:SSZ` — read without a regular expression; anything else
 * (fractions, offsets) takes the general path. Undefined when not one of them.
 */
function commonIsoDate(text: string): number | 'invalid' | undefined {
  const length = text.length;
  if (length !== 10 && length !== 19 && !(length === 20 && text.charCodeAt(19) === 90) /* Z */)
    return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  if (y < 0 || m < 0 || d < 0) return undefined;
  let h = 0;
  let min = 0;
  let s = 0;
  if (length > 10) {
    const separator = text.charCodeAt(10);
    if ((separator !== 84 && separator !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
      return undefined;
    h = digits(text, 11, 2);
    min = digits(text, 14, 2);
    s = digits(text, 17, 2);
    if (h < 0 || min < 0 || s < 0) return undefined;
  }
  return validEpoch(y, m, d, h, min, s, 0);
}

function validEpoch(
  y: number,
  m: number,
  d: number,
  h: number,
  min: number,
  s: number,
  ms: number,
): number | 'invalid' {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (m < 1 || m > 12 || d < 1 || d > (m === 2 && !leap ? 28 : DAYS_IN_MONTH[m - 1]!)) return 'invalid';
  if (h > 23 || min > 59 || s > 60) return 'invalid';
  // Year 0000 and the like are typos, not dates.
  if (y < 1970) return 'invalid';
  return Date.UTC(y, m - 1, d, h, min, Math.min(s, 59), ms);
}

function isoDate(text: string): number | 'invalid' {
  const common = commonIsoDate(text);
  if (common !== undefined) return common;
  const match = ISO_DATE.exec(text);
  if (!match) return 'invalid';
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = match;
  let epoch = validEpoch(
    Number(year),
    Number(month),
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.slice(0, 3).padEnd(3, '0')),
  );
  if (epoch === 'invalid') return epoch;
  if (offset && offset.toUpperCase() !== 'Z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2) || '0');
    if (offsetHours > 23 || offsetMinutes > 59) return 'invalid';
    epoch -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  // An offset can move 9999-12-31T23:59 past the end of 9999 (or 1970-01-01T00:00 before 1970).
  return isEpochMsInRange(epoch) ? epoch : 'invalid';
}
