import { type LookupResult, resolveObservable } from '@dragnet/lookup';
import { describe, expect, it } from 'vitest';
import { AUDIT_LIMITS, auditDocument, bulkOutcomes } from './audit-record.js';

const key = { id: 'soc-1', sha256: 'a'.repeat(64), maxTlp: 'green' as const, ratePerMinute: 600 };
const at = new Date('2026-03-01T10:00:00.000Z');

describe('auditDocument', () => {
  it('names the key, its organisation (the id when none) and the client', () => {
    expect(
      auditDocument({
        requestId: 'r1',
        at,
        route: 'search',
        status: 200,
        clientAddress: '::ffff:192.0.2.1',
        authentication: { outcome: 'valid', key },
        query: 'dragnet.kind:url',
        results: { total: 12, returned: 10 },
      }),
    ).toEqual({
      '@timestamp': '2026-03-01T10:00:00.000Z',
      request_id: 'r1',
      route: 'search',
      status: 200,
      client_address: '192.0.2.1',
      key_outcome: 'valid',
      key_id: 'soc-1',
      organisation: 'soc-1',
      max_tlp: 'green',
      asked: { query: 'dragnet.kind:url' },
      answered: { total: 12, returned: 10 },
    });
  });

  it('has no key fields for an unknown key, and counts every outcome', () => {
    const document = auditDocument({
      requestId: 'r2',
      at,
      route: 'lookup',
      status: 200,
      authentication: { outcome: 'unknown' },
      observableCount: 4,
      observables: [
        { input: 'a', id: 'x--1', outcome: 'matched', matched: ['x--1', 'net--1'] },
        { input: 'A', id: 'x--1', outcome: 'matched', matched: ['x--1'] },
        { input: 'b', id: 'x--2', outcome: 'withheld', matched: [] },
        { input: '??', id: null, outcome: 'invalid', matched: [] },
      ],
    });
    expect(document.key_id).toBeUndefined();
    expect(document.asked).toEqual({
      count: 4,
      inputs: ['a', 'A', 'b', '??'],
      ids: ['x--1', 'x--2'],
      truncated: false,
    });
    expect(document.answered).toEqual({
      matched: ['x--1', 'net--1'],
      unknown: [],
      withheld: ['x--2'],
      invalid: ['??'],
      matched_count: 2,
      unknown_count: 0,
      withheld_count: 1,
      invalid_count: 1,
    });
  });

  it('bounds each input and the number recorded, and says when it cut', () => {
    const long = 'x'.repeat(10_000);
    const observables = Array.from({ length: AUDIT_LIMITS.maxObservables + 5 }, () => ({
      input: long,
      id: null,
      outcome: 'invalid' as const,
      matched: [],
    }));
    const document = auditDocument({
      requestId: 'r3',
      at,
      route: 'lookup',
      status: 200,
      observableCount: observables.length,
      observables,
    });
    const asked = document.asked as { inputs: string[]; truncated: boolean };
    expect(asked.inputs).toHaveLength(AUDIT_LIMITS.maxObservables);
    expect(asked.inputs[0]).toHaveLength(AUDIT_LIMITS.maxInputCharacters + 1);
    expect(asked.truncated).toBe(true);
  });
});

describe('bulkOutcomes', () => {
  it('gives each input its outcome by what the answer showed', () => {
    const inputs = ['203.0.113.7', '198.51.100.1', 'nope'];
    const resolved = inputs.map(resolveObservable);
    const result = {
      matches: [{ inputs: ['203.0.113.7'], matched_by: 'observable', indicator: { id: 'ipv4-addr--m' } }],
      invalid: [{ index: 2, input: 'nope', reason: 'invalid_value', message: '' }],
      unknown: ['198.51.100.1'],
    } as unknown as LookupResult;
    const outcomes = bulkOutcomes(resolved, result);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['matched', 'unknown', 'invalid']);
    expect(outcomes[0]?.matched).toEqual(['ipv4-addr--m']);
    expect(outcomes[1]).toMatchObject({ ip: '198.51.100.1', id: expect.stringMatching(/^ipv4-addr--/) });
    expect(outcomes[2]?.id).toBeNull();
  });
});
