import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonicalize.js';
import { indicatorId, STIX_NAMESPACE, stixTypeOf, uuidv5 } from './stix-id.js';
import { jcsString } from './stix-id-json.js';

// Expected ids: the STIX 2.1 specification's own example (§2.9: ipv4-addr 198.51.100.3 →
// ipv4-addr--28bb3599-…, also what cti-python-stix2 derives), the rest computed independently
// with Python (`uuid.uuid5(namespace, json.dumps(props, sort_keys=True, separators=(',', ':'),
// ensure_ascii=False))`, which is JCS for these objects).
describe('STIX 2.1 deterministic ids', () => {
  it.each([
    ['ipv4', '198.51.100.3', 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4'],
    ['cidr', '198.51.100.0/24', 'ipv4-addr--1ea47840-aa39-5aa8-b4a2-cd203eb6662a'],
    ['ipv6', '2001:db8::1', 'ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26'],
    ['domain', 'example.com', 'domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7'],
    ['domain', 'xn--mnchen-3ya.de', 'domain-name--20182c97-c51a-584a-9c3c-ba06a0c88bf3'],
    ['url', 'http://evil.com/a', 'url--45de7120-3a2e-563b-86bd-55d4df8d9fdf'],
    ['email', 'john@example.com', 'email-addr--7165e2a9-671f-585d-b1e1-ca59c671d934'],
    [
      'sha256',
      'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c',
      'file--00967b13-6ef8-53e0-ac11-fcfb64b3c756',
    ],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'file--02fff920-f614-527c-81d1-6353633a6d21'],
    ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'file--fa6e66a5-f019-51f9-8ab5-812023e58c6e'],
  ] as const)('%s %s', (kind, observable, expected) => {
    expect(indicatorId({ kind, value: observable })).toBe(expected);
  });

  it.each([
    ['url', 'https://example.com/?a=1&b=<2>', 'url--12490c2a-4539-542a-8145-76107c1d1877'],
    ['email', 'jörg@example.com', 'email-addr--002a79f5-13a1-58e5-a4ad-b4c263075339'],
    ['ipv6', '::ffff:192.0.2.1', 'ipv6-addr--3cbdde9e-d72f-52ab-9a38-fc8b2fd4714d'],
    ['sha512', 'a'.repeat(128), 'file--6ae1797b-3d1b-5ee0-9724-fc967370d660'],
    ['cidr', '10.0.0.0/8', 'ipv4-addr--86428b07-0841-50f5-884f-260544a6ebee'],
  ] as const)('no HTML escaping, raw UTF-8, SHA-512 key: %s %s', (kind, observable, expected) => {
    expect(indicatorId({ kind, value: observable })).toBe(expected);
  });

  it('JCS strings equal JSON.stringify for any string (fast path included)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => jcsString(text) === JSON.stringify(text)));
  });

  it('UUIDv5 matches node:crypto SHA-1 for any name, across block boundaries and non-ASCII', () => {
    const reference = (name: string) => {
      const hash = createHash('sha1')
        .update(Buffer.from(STIX_NAMESPACE.replaceAll('-', ''), 'hex'))
        .update(name, 'utf8')
        .digest();
      hash[6] = (hash[6]! & 0x0f) | 0x50;
      hash[8] = (hash[8]! & 0x3f) | 0x80;
      const hex = hash.toString('hex', 0, 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        (name) => uuidv5(name) === reference(name),
      ),
    );
    for (let length = 0; length < 200; length++)
      expect(uuidv5('x'.repeat(length))).toBe(reference('x'.repeat(length)));
  });

  it('types CIDRs by address family', () => {
    expect(stixTypeOf({ kind: 'cidr', value: '2001:db8::/32' })).toBe('ipv6-addr');
    expect(stixTypeOf({ kind: 'cidr', value: '10.0.0.0/8' })).toBe('ipv4-addr');
  });

  it('escapes JSON like RFC 8785 (quotes and backslashes)', () => {
    expect(indicatorId({ kind: 'url', value: 'http://example.com/"quote"\\' })).toBe(
      'url--850f6dd4-c8b9-522b-9b22-7251c9ee8f9c',
    );
  });

  it('gives differently written forms of one URL one id', () => {
    const a = canonicalize('url', 'hxxp://Evil[.]COM:80/a');
    const b = canonicalize('url', 'http://evil.com/a');
    expect(a.ok && b.ok && indicatorId({ kind: 'url', value: a.value })).toBe(
      indicatorId({ kind: 'url', value: b.ok ? b.value : '' }),
    );
  });
});
