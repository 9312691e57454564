import { describe, expect, it } from 'vitest';
import { ApiKeyRing, createApiKey, parseApiKeyText } from './api-keys.js';

const entry = (overrides: Record<string, unknown> = {}) => ({
  id: 'soc-1',
  sha256: 'a'.repeat(64),
  ...overrides,
});
const parse = (entries: unknown[]) => parseApiKeyText(JSON.stringify(entries));

describe('parseApiKeyText', () => {
  it('keeps the old entry format: organisation defaults to the id, no expiry, not revoked', () => {
    expect(parse([entry()])).toEqual([
      {
        id: 'soc-1',
        sha256: 'a'.repeat(64),
        maxTlp: 'amber',
        ratePerMinute: 600,
        organisation: 'soc-1',
        expiresAt: null,
        revoked: false,
        partner: null,
      },
    ]);
  });

  it('reads the partner a key speaks for, and refuses one that is no partner id', () => {
    expect(parse([entry({ partner: 'cert-demo' })])[0]?.partner).toBe('cert-demo');
    expect(() => parse([entry({ partner: 'Feeds.Other' })])).toThrow(/0\.partner: a partner id/);
    expect(() => parse([entry({ partner: '' })])).toThrow(/0\.partner/);
  });

  it('reads organisation, expiry and revocation', () => {
    const [key] = parse([
      entry({
        organisation: 'Unit 7, Member State A',
        expires_at: '2027-01-31T12:00:00+01:00',
        revoked: true,
      }),
    ]);
    expect(key).toMatchObject({
      organisation: 'Unit 7, Member State A',
      expiresAt: Date.UTC(2027, 0, 31, 11),
      revoked: true,
    });
  });

  it.each([
    ['2027-01-31', 'no time'],
    ['2027-01-31T00:00:00', 'no offset'],
    ['2027-02-30T00:00:00Z', 'no such day'],
    ['1999-12-31T00:00:00Z', 'before 2000'],
  ])('refuses expires_at %j (%s)', (expires) => {
    expect(() => parse([entry({ expires_at: expires })])).toThrow(/API keys: 0\.expires_at/);
  });

  it('refuses an organisation with control characters, and two entries with one digest', () => {
    expect(() => parse([entry({ organisation: 'a\nb' })])).toThrow(/0\.organisation/);
    expect(() => parse([entry(), entry({ id: 'soc-2' })])).toThrow(/soc-2: same sha256/);
  });
});

describe('ApiKeyRing.authenticate', () => {
  const valid = createApiKey('valid', 'green', 600, { organisation: 'CERT-X' });
  const expiring = createApiKey('expiring', 'red', 600, { expiresAt: new Date('2030-01-01T00:00:00Z') });
  const revoked = createApiKey('revoked', 'red');
  const ring = new ApiKeyRing(
    parseApiKeyText(JSON.stringify([valid.entry, expiring.entry, { ...revoked.entry, revoked: true }])),
  );
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('tells valid, expired, revoked, unknown and missing keys apart', () => {
    const before = Date.parse('2029-12-31T23:59:59Z');
    const after = Date.parse('2030-01-01T00:00:00Z');
    expect(ring.authenticate(bearer(valid.key), before)).toMatchObject({
      outcome: 'valid',
      key: { id: 'valid', organisation: 'CERT-X' },
    });
    expect(ring.authenticate({ 'x-api-key': expiring.key }, before).outcome).toBe('valid');
    expect(ring.authenticate(bearer(expiring.key), after)).toMatchObject({
      outcome: 'expired',
      key: { id: 'expiring' },
    });
    expect(ring.authenticate(bearer(revoked.key), before)).toMatchObject({
      outcome: 'revoked',
      key: { id: 'revoked' },
    });
    expect(ring.authenticate(bearer(`${valid.key}x`), before)).toEqual({ outcome: 'unknown' });
    expect(ring.authenticate(bearer('x'.repeat(513)), before)).toEqual({ outcome: 'unknown' });
    expect(ring.authenticate({}, before)).toEqual({ outcome: 'missing' });
  });
});
