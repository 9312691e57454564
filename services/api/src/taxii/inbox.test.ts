import type { DeadLetter } from '@dragnet/contracts';
import { describe, expect, it } from 'vitest';
import {
  bundleMessage,
  MAX_INBOX_OBJECTS,
  outcomeOf,
  parseEnvelope,
  passedAll,
  type StatusRecord,
  statusResource,
} from './inbox.js';

const ID = 'indicator--11111111-1111-4111-8111-111111111111';
const letter = (
  rejects: { location: string; message?: string }[],
  extra: Partial<DeadLetter> = {},
): DeadLetter =>
  ({
    reason: 'refused',
    rejects: rejects.map(({ location, message = 'bad' }) => ({
      reason: 'invalid_value',
      message,
      value: null,
      location,
    })),
    ...extra,
  }) as DeadLetter;

describe('parseEnvelope', () => {
  it('takes the objects of an envelope', () => {
    expect(parseEnvelope('{"objects":[{"type":"indicator"}],"more":false}')).toEqual({
      ok: true,
      objects: [{ type: 'indicator' }],
    });
  });

  it.each([
    ['not JSON', '{"objects":', 400, 'invalid_json'],
    [
      'nested past the bound',
      `{"objects":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`,
      400,
      'body_too_deep',
    ],
    ['an array', '[{"type":"indicator"}]', 422, 'invalid_envelope'],
    ['no objects', '{"more":false}', 422, 'invalid_envelope'],
    ['objects only inherited', '{"__proto__":{"objects":[1]}}', 422, 'invalid_envelope'],
    ['empty objects', '{"objects":[]}', 422, 'invalid_envelope'],
    ['objects not a list', '{"objects":{"0":1}}', 422, 'invalid_envelope'],
    [
      'too many objects',
      JSON.stringify({ objects: Array(MAX_INBOX_OBJECTS + 1).fill({}) }),
      413,
      'too_many_objects',
    ],
  ])('refuses %s', (_, body, status, code) => {
    expect(parseEnvelope(body)).toMatchObject({ ok: false, status, code });
  });
});

describe('bundleMessage', () => {
  it('is a STIX bundle named after the status', () => {
    const id = '22222222-2222-4222-8222-222222222222';
    expect(JSON.parse(bundleMessage(id, [{ type: 'x' }]))).toEqual({
      type: 'bundle',
      id: `bundle--${id}`,
      objects: [{ type: 'x' }],
    });
  });
});

describe('passedAll', () => {
  const ends = [
    { partition: 0, high: '5' },
    { partition: 1, high: '0' },
  ];
  it('needs every partition committed up to its end; none committed counts as 0', () => {
    expect(passedAll(ends, new Map([[0, '5']]))).toBe(true);
    expect(passedAll(ends, new Map([[0, '4']]))).toBe(false);
    expect(passedAll(ends, new Map())).toBe(false);
    expect(passedAll([], new Map())).toBe(true);
  });
});

describe('outcomeOf', () => {
  it('counts each object a reject names once, and lists it', () => {
    const outcome = outcomeOf(
      [letter([{ location: `objects[1] ${ID}`, message: 'no pattern' }, { location: `objects[1] ${ID}` }])],
      3,
    );
    expect(outcome).toEqual({ failureCount: 1, failures: [{ id: ID, message: 'no pattern' }] });
  });

  it('fails every object on a reject of the whole message, or a letter without rejects', () => {
    expect(outcomeOf([letter([{ location: 'message' }])], 4).failureCount).toBe(4);
    expect(outcomeOf([letter([])], 4).failureCount).toBe(4);
  });

  it('counts omitted rejects as failures, never above the total', () => {
    expect(outcomeOf([letter([{ location: 'objects[0]' }], { rejectsOmitted: 2 })], 10).failureCount).toBe(3);
    expect(outcomeOf([letter([{ location: 'objects[0]' }], { rejectsOmitted: 50 })], 10).failureCount).toBe(
      10,
    );
  });

  it('has no failure without a letter', () => {
    expect(outcomeOf([], 2)).toEqual({ failureCount: 0, failures: [] });
  });
});

describe('statusResource', () => {
  const record: StatusRecord = {
    id: 's',
    keyId: 'k',
    partner: 'p',
    requestTimestamp: '2026-01-01T00:00:00.000Z',
    totalCount: 2,
    messageBefore: [],
    rejectsFrom: [],
  };
  it('is pending until the outcome is known, then complete with the counts', () => {
    expect(statusResource(record)).toEqual({
      id: 's',
      request_timestamp: '2026-01-01T00:00:00.000Z',
      total_count: 2,
      status: 'pending',
      success_count: 0,
      failure_count: 0,
      pending_count: 2,
    });
    const done = statusResource({
      ...record,
      outcome: { failureCount: 1, failures: [{ id: ID, message: 'm' }] },
    });
    expect(done).toMatchObject({
      status: 'complete',
      success_count: 1,
      failure_count: 1,
      pending_count: 0,
      failures: [{ id: ID, message: 'm' }],
    });
  });
});
