import { ApiKeyRing, createApiKey } from '@dragnet/api-keys';
import { describe, expect, it } from 'vitest';
import {
  negotiate,
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  taxiiAuthenticate,
  taxiiErrorReply,
} from './taxii-http.js';

const both = [TAXII_MEDIA_TYPE, STIX_MEDIA_TYPE];

describe('Accept negotiation', () => {
  it.each([
    [undefined, both, TAXII_MEDIA_TYPE],
    ['application/taxii+json;version=2.1', both, TAXII_MEDIA_TYPE],
    ['application/taxii+json', both, TAXII_MEDIA_TYPE],
    ['Application/TAXII+JSON; version="2.1"', both, TAXII_MEDIA_TYPE],
    ['application/stix+json;version=2.1', both, STIX_MEDIA_TYPE],
    ['application/stix+json;version=2.1;q=0.5, application/taxii+json', both, TAXII_MEDIA_TYPE],
    ['*/*', both, TAXII_MEDIA_TYPE],
    ['application/stix+json;version=2.1', [TAXII_MEDIA_TYPE], null],
    ['application/taxii+json;version=2.0', both, null],
    ['application/json', both, null],
    ['application/taxii+json;q=0', both, null],
    [`${'text/html,'.repeat(40)}application/taxii+json`, both, null],
  ])('%s → %s', (accept, produces, expected) => {
    expect(negotiate(accept, produces)).toBe(expected);
  });
});

describe('TAXII authentication', () => {
  const issued = createApiKey('agency-1', 'green');
  const other = createApiKey('agency-2', 'green');
  const ring = new ApiKeyRing(
    [issued, other].map(({ entry }) => ({
      id: entry.id,
      sha256: entry.sha256,
      maxTlp: 'green',
      ratePerMinute: 60,
    })),
  );
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });

  it('takes Basic with the key id as user name, or Bearer', () => {
    expect(taxiiAuthenticate(ring, basic('agency-1', issued.key))).toMatchObject({
      outcome: 'valid',
      key: { id: 'agency-1' },
    });
    expect(taxiiAuthenticate(ring, { authorization: `Bearer ${issued.key}` }).outcome).toBe('valid');
  });

  it('refuses a Basic user name that is not the key id, garbage and empty passwords', () => {
    expect(taxiiAuthenticate(ring, basic('agency-2', issued.key)).outcome).toBe('unknown');
    expect(taxiiAuthenticate(ring, basic('agency-1', '')).outcome).toBe('missing');
    expect(taxiiAuthenticate(ring, { authorization: 'Basic !!!' }).outcome).toBe('unknown');
    expect(taxiiAuthenticate(ring, { authorization: `Basic ${'A'.repeat(2_000)}` }).outcome).toBe('unknown');
    expect(
      taxiiAuthenticate(ring, { authorization: `Basic ${Buffer.from(issued.key).toString('base64')}` })
        .outcome,
    ).toBe('unknown');
  });
});

describe('TAXII error messages', () => {
  it('renders an API error as a TAXII error with the same code and a string http_status', () => {
    const reply = taxiiErrorReply({
      status: 404,
      body: { error: { code: 'unknown_collection', message: 'no such' } },
    });
    expect(reply.headers?.['content-type']).toBe(TAXII_MEDIA_TYPE);
    expect(reply.body).toEqual({
      title: 'Not found',
      description: 'no such',
      error_code: 'unknown_collection',
      http_status: '404',
    });
    const stix = taxiiErrorReply({
      status: 200,
      body: { more: false },
      headers: { 'content-type': STIX_MEDIA_TYPE },
    });
    expect(stix.headers?.['content-type']).toBe(STIX_MEDIA_TYPE);
  });
});
