import { describe, expect, it } from 'vitest';
import {
  advance,
  afterLostCursor,
  type HttpAnswer,
  initialPosition,
  interpretObjectsAnswer,
  jsonDepthExceeds,
  justBefore,
  normalizeTimestamp,
  type Page,
  type Position,
  pageQuery,
  parseEnvelope,
  parsePosition,
  retryDelayMs,
} from './paging.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const LIMITS = { maxBytes: 1_000_000, maxDepth: 20 };
const SOURCE = 'https://taxii.example/api1/ c1';
const answer = (overrides: Partial<HttpAnswer> = {}): HttpAnswer => ({
  status: 200,
  contentType: 'application/taxii+json;version=2.1',
  retryAfter: null,
  dateAddedLast: '2026-01-01T00:00:00.000Z',
  body: '{"more":false,"objects":[{"type":"indicator","id":"indicator--1"}]}',
  ...overrides,
});
const page = (more: boolean, next: string | null, count = 1): Page => ({
  objects: Array.from({ length: count }, (_, index) => ({ type: 'indicator', id: `indicator--${index}` })),
  more,
  next,
});

describe('timestamps', () => {
  it('normalizes to six fraction digits so strings sort like instants', () => {
    expect(normalizeTimestamp('2016-11-03T12:30:59Z', NOW)).toBe('2016-11-03T12:30:59.000000Z');
    expect(normalizeTimestamp('2016-11-03T12:30:59.001Z', NOW)).toBe('2016-11-03T12:30:59.001000Z');
    expect(
      normalizeTimestamp('2016-11-03T12:30:59.000001Z', NOW)! >
        normalizeTimestamp('2016-11-03T12:30:59Z', NOW)!,
    ).toBe(true);
  });

  it.each([
    ['impossible date', '2024-02-31T00:00:00Z'],
    ['offset instead of Z', '2016-11-03T12:30:59+02:00'],
    ['far future (would stall the source)', '2099-01-01T00:00:00Z'],
    ['before 1990', '1970-01-01T00:00:00Z'],
    ['not a string', 12345],
    ['garbage', 'yesterday'],
  ])('refuses %s', (_name, value) => {
    expect(normalizeTimestamp(value, NOW)).toBeNull();
  });

  it('justBefore is strictly earlier and includes the instant itself under added_after', () => {
    const stamp = '2017-01-27T13:49:59.997000Z';
    expect(justBefore(stamp)).toBe('2017-01-27T13:49:59.996000Z');
    expect(justBefore('2017-01-01T00:00:00.000000Z')).toBe('2016-12-31T23:59:59.999000Z');
  });
});

describe('parseEnvelope (hostile servers)', () => {
  it('reads a page', () => {
    expect(parseEnvelope('{"more":true,"next":"abc","objects":[{"type":"x","id":"x--1"}]}', LIMITS)).toEqual({
      more: true,
      next: 'abc',
      objects: [{ type: 'x', id: 'x--1' }],
    });
    expect(parseEnvelope('{}', LIMITS)).toEqual({ more: false, next: null, objects: [] });
  });

  it.each([
    ['a huge body', `{"objects":[${'{"type":"x"},'.repeat(100_000)}{}]}`, 'response_too_large'],
    ['deep nesting', `{"objects":[${'['.repeat(50)}${']'.repeat(50)}]}`, 'json_too_deep'],
    ['not JSON', '{"objects": [', 'invalid_json'],
    ['an array root', '[]', 'envelope_not_object'],
    ['objects as a string', '{"objects":"many"}', 'objects_not_array'],
    ['an object that is a number', '{"objects":[{"type":"x"},7]}', 'object_not_object'],
    ['more as a string', '{"more":"true","next":"a"}', 'more_not_boolean'],
    ['next as a number', '{"more":true,"next":5}', 'next_invalid'],
    ['next with control bytes', '{"more":true,"next":"a\\u0000b"}', 'next_invalid'],
    ['more without next', '{"more":true}', 'more_without_next'],
  ])('refuses %s', (_name, body, error) => {
    expect(parseEnvelope(body, LIMITS)).toEqual({ error });
  });

  it('counts depth outside strings only', () => {
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(100)}\\"{{"}`, 2)).toBe(false);
    expect(jsonDepthExceeds('[[[]]]', 2)).toBe(true);
    expect(jsonDepthExceeds('[[[]]]', 3)).toBe(false);
  });

  it('a prototype key in the envelope is data, not a lookup', () => {
    expect(parseEnvelope('{"__proto__":{"objects":"x"},"constructor":1}', LIMITS)).toEqual({
      more: false,
      next: null,
      objects: [],
    });
  });
});

describe('interpretObjectsAnswer', () => {
  it.each([
    [401, false, 'auth'],
    [403, true, 'auth'],
    [429, false, 'retry'],
    [503, true, 'retry'],
    [400, true, 'cursor'],
    [404, true, 'cursor'],
    [400, false, 'bad'],
    [204, false, 'bad'],
  ])('status %i (cursor sent: %s) is %s', (status, withCursor, kind) => {
    expect(interpretObjectsAnswer(answer({ status }), withCursor, LIMITS, NOW).kind).toBe(kind);
  });

  it('passes Retry-After on', () => {
    expect(interpretObjectsAnswer(answer({ status: 429, retryAfter: '7' }), false, LIMITS, NOW)).toEqual({
      kind: 'retry',
      status: 429,
      retryAfter: '7',
    });
  });

  it('refuses an HTML error page served with 200', () => {
    expect(interpretObjectsAnswer(answer({ contentType: 'text/html' }), false, LIMITS, NOW)).toEqual({
      kind: 'bad',
      reason: 'content_type',
    });
  });

  it('ignores a date-added header in the future instead of jumping the position there', () => {
    const result = interpretObjectsAnswer(
      answer({ dateAddedLast: '2999-01-01T00:00:00Z' }),
      false,
      LIMITS,
      NOW,
    );
    expect(result).toMatchObject({ kind: 'page', dateAddedLast: null });
  });
});

describe('position', () => {
  const start = initialPosition(SOURCE, null);

  it('asks with limit always, added_after and next when it has them', () => {
    expect(pageQuery(start, 100)).toEqual([['limit', '100']]);
    expect(pageQuery({ ...start, addedAfter: 'A', next: 'N' }, 5)).toEqual([
      ['limit', '5'],
      ['added_after', 'A'],
      ['next', 'N'],
    ]);
  });

  it('keeps the filter within a walk and moves it to the latest date added at the end', () => {
    const seen = new Set<string>();
    const first = advance(start, page(true, 'n1'), '2016-01-01T00:00:00.000000Z', seen);
    expect(first).toEqual({
      done: false,
      position: { ...start, next: 'n1', lastDateAdded: '2016-01-01T00:00:00.000000Z' },
    });
    if ('error' in first) throw new Error('unexpected');
    const last = advance(first.position, page(false, null), '2017-01-01T00:00:00.000000Z', seen);
    expect(last).toEqual({
      done: true,
      position: {
        source: SOURCE,
        addedAfter: '2017-01-01T00:00:00.000000Z',
        next: null,
        lastDateAdded: '2017-01-01T00:00:00.000000Z',
      },
    });
  });

  it('never moves backwards on an older header', () => {
    const at: Position = {
      ...start,
      addedAfter: '2020-01-01T00:00:00.000000Z',
      lastDateAdded: '2020-01-01T00:00:00.000000Z',
    };
    const step = advance(at, page(false, null), '2010-01-01T00:00:00.000000Z', new Set());
    expect(step).toMatchObject({ position: { addedAfter: '2020-01-01T00:00:00.000000Z' } });
  });

  it('an empty final page without a header keeps the filter', () => {
    const at: Position = { ...start, addedAfter: '2020-01-01T00:00:00.000000Z' };
    expect(advance(at, page(false, null, 0), null, new Set())).toMatchObject({ position: at, done: true });
  });

  it('follows a cursor that stays the same (medallion: one session id per walk) while pages differ', () => {
    const seen = new Set<string>();
    const a = advance(start, page(true, 'session', 1), null, seen);
    if ('error' in a) throw new Error('unexpected');
    expect(advance(a.position, page(true, 'session', 2), null, seen)).toMatchObject({ done: false });
  });

  it('detects a next loop: a page served again in the walk, whatever the cursor', () => {
    const seen = new Set<string>();
    const a = advance(start, page(true, 'a', 1), null, seen);
    if ('error' in a) throw new Error('unexpected');
    const b = advance(a.position, page(true, 'b', 2), null, seen);
    if ('error' in b) throw new Error('unexpected');
    expect(advance(b.position, page(true, 'c', 1), null, seen)).toEqual({ error: 'next_loop' });
    expect(advance(b.position, page(true, 'b', 0), null, seen)).toMatchObject({ done: false });
    expect(advance(b.position, page(true, 'b', 0), null, seen)).toEqual({ error: 'next_loop' });
  });

  it('after a lost cursor restarts just before the latest written date added (ties are not skipped)', () => {
    const at: Position = {
      ...start,
      addedAfter: null,
      next: 'gone',
      lastDateAdded: '2017-01-27T13:49:59.997000Z',
    };
    expect(afterLostCursor(at)).toEqual({ ...at, next: null, addedAfter: '2017-01-27T13:49:59.996000Z' });
    expect(afterLostCursor({ ...start, next: 'gone' })).toEqual(start);
  });

  it('reads back what it stored, and starts over on anything else', () => {
    const stored: Position = { ...start, next: 'n', lastDateAdded: '2017-01-27T13:49:59.997000Z' };
    expect(parsePosition(JSON.stringify(stored), SOURCE, NOW)).toEqual(stored);
    expect(parsePosition(JSON.stringify(stored), 'https://other/ c2', NOW)).toBeNull();
    expect(parsePosition('{"source":"x"', SOURCE, NOW)).toBeNull();
    expect(parsePosition(JSON.stringify({ ...stored, addedAfter: 'soon' }), SOURCE, NOW)).toBeNull();
    expect(parsePosition(JSON.stringify({ ...stored, next: 7 }), SOURCE, NOW)).toBeNull();
    expect(parsePosition(null, SOURCE, NOW)).toBeNull();
  });
});

describe('retryDelayMs', () => {
  const bounds = { baseMs: 1_000, maxMs: 60_000 };

  it('honours Retry-After in seconds and as a date, within the cap, with up to 10% jitter', () => {
    expect(retryDelayMs(0, '5', NOW, 0, bounds)).toBe(5_000);
    expect(retryDelayMs(0, '5', NOW, 0.999, bounds)).toBeLessThanOrEqual(5_500);
    expect(retryDelayMs(0, new Date(NOW + 10_000).toUTCString(), NOW, 0, bounds)).toBe(10_000);
    expect(retryDelayMs(0, '86400', NOW, 0, bounds)).toBe(60_000);
  });

  it('backs off exponentially with jitter, bounded, for any attempt count', () => {
    expect(retryDelayMs(0, null, NOW, 0, bounds)).toBe(500);
    expect(retryDelayMs(0, null, NOW, 0.999, bounds)).toBeLessThanOrEqual(1_000);
    expect(retryDelayMs(3, null, NOW, 0, bounds)).toBe(4_000);
    expect(retryDelayMs(1_000, null, NOW, 0.999, bounds)).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs(1_000, 'garbage', NOW, 0, bounds)).toBe(30_000);
  });
});
