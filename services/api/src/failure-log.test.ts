import { describe, expect, it } from 'vitest';
import { failureFields } from './failure-log.js';

describe('failureFields', () => {
  it('keeps identifiers of an Elasticsearch error and drops its message and request', () => {
    const error = Object.assign(
      new Error('search_phase_execution_exception: Failed to parse query [secret.example]'),
      {
        name: 'ResponseError',
        meta: {
          statusCode: 500,
          body: {
            error: {
              type: 'search_phase_execution_exception',
              reason: 'Failed to parse query [secret.example]',
            },
          },
          meta: { request: { params: { body: '{"query":"secret.example"}' } } },
        },
      },
    );
    const fields = failureFields(error);
    expect(fields).toEqual({ name: 'ResponseError', status: 500, type: 'search_phase_execution_exception' });
    expect(JSON.stringify(fields)).not.toContain('secret');
  });

  it('keeps a system error code, and stack frames without the message for our own faults', () => {
    const fault = Object.assign(new TypeError('Cannot read secret.example'), { code: 'ERR_SOMETHING' });
    const fields = failureFields(fault);
    expect(fields).toMatchObject({ name: 'TypeError', code: 'ERR_SOMETHING' });
    expect(fields.frames).toMatch(/^\s+at /);
    expect(JSON.stringify(fields)).not.toContain('secret');
  });

  it('drops a code that is not an identifier', () => {
    expect(failureFields(Object.assign(new Error('x'), { code: 'has spaces: secret' })).code).toBeUndefined();
    expect(failureFields('a thrown string')).toEqual({ name: 'string' });
  });
});
