import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonicalize.js';
import { indicatorId } from './stix-id.js';

// Expected ids computed with OASIS's reference implementation (cti-python-stix2,
// e.g. `stix2.IPv4Address(value="198.51.100.3").id`), independently of this code.
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
