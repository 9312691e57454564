import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, detectKind } from './canonicalize.js';
import type { IndicatorKind } from './model.js';
import { defang, refang } from './refang.js';
import { indicatorId } from './stix-id.js';

const value = (kind: IndicatorKind, raw: string) => {
  const result = canonicalize(kind, raw);
  if (!result.ok) throw new Error(`${kind} ${raw}: ${result.message}`);
  return result.value;
};
const reason = (kind: IndicatorKind, raw: string) => {
  const result = canonicalize(kind, raw);
  return result.ok ? `accepted as ${result.value}` : result.reason;
};

describe('refang', () => {
  it.each([
    ['hxxp://evil[.]com/a', 'http://evil.com/a'],
    ['hxxps[:]//evil(.)com', 'https://evil.com'],
    ['evil[dot]com', 'evil.com'],
    ['user[at]example[.]org', 'user@example.org'],
    ['user[@]example.org', 'user@example.org'],
    ['192.168.1[.]1', '192.168.1.1'],
    ['evil . com', 'evil.com'],
    ['  example.com  ', 'example.com'],
    ['fxp://files[.]example[.]net', 'ftp://files.example.net'],
  ])('%s → %s', (raw, expected) => expect(refang(raw)).toBe(expected));

  it('leaves clean values alone', () =>
    expect(refang('http://example.com/[x]')).toBe('http://example.com/[x]'));
});

describe('canonical forms', () => {
  it('IPv4: strict dotted decimal', () => {
    expect(value('ipv4', '8.8.8.8')).toBe('8.8.8.8');
    expect(value('ipv4', '10[.]0.0[.]1')).toBe('10.0.0.1');
    for (const bad of ['010.1.1.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.x', '0x7f.0.0.1'])
      expect(reason('ipv4', bad)).toBe('invalid_ipv4');
  });

  it('IPv6: RFC 5952', () => {
    expect(value('ipv6', '2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(value('ipv6', '2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(value('ipv6', '2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(value('ipv6', '::')).toBe('::');
    expect(value('ipv6', '::FFFF:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(value('ipv6', '::ffff:c000:0201')).toBe('::ffff:192.0.2.1');
    expect(value('ipv6', '[2001:db8::1]')).toBe('2001:db8::1');
    for (const bad of ['2001:db8::1::1', '2001:db8:::1', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9'])
      expect(reason('ipv6', bad)).toBe('invalid_ipv6');
  });

  it('CIDR: reduced to the network address', () => {
    expect(value('cidr', '10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(value('cidr', '192.0.2.77/32')).toBe('192.0.2.77/32');
    expect(value('cidr', '2001:db8:abcd::1/32')).toBe('2001:db8::/32');
    for (const bad of ['10.0.0.0/33', '10.0.0.0', '2001:db8::/129', 'evil.com/24'])
      expect(reason('cidr', bad)).toBe('invalid_cidr');
  });

  it('domains: lower case, punycode, no trailing dot, valid labels', () => {
    expect(value('domain', 'Evil.COM.')).toBe('evil.com');
    expect(value('domain', 'münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(value('domain', 'evil[.]example[.]co[.]uk')).toBe('evil.example.co.uk');
    expect(value('domain', '_dmarc.example.com')).toBe('_dmarc.example.com');
    for (const bad of [
      'localhost',
      '-bad.com',
      'bad-.com',
      'a..com',
      '1.2.3.4',
      `${'a'.repeat(64)}.com`,
      'exa mple.com',
    ]) {
      expect(reason('domain', bad), bad).toBe('invalid_domain');
    }
  });

  it('URLs: WHATWG, lower-case scheme and host, default port dropped, empty path /, fragment kept', () => {
    expect(value('url', 'hxxp://Evil[.]COM:80/a')).toBe('http://evil.com/a');
    expect(value('url', 'HTTPS://Example.com:443')).toBe('https://example.com/');
    expect(value('url', 'http://example.com:8080/x?y=1#frag')).toBe('http://example.com:8080/x?y=1#frag');
    expect(value('url', 'http://[2001:DB8::1]/p')).toBe('http://[2001:db8::1]/p');
    expect(value('url', 'http://münchen.de/')).toBe('http://xn--mnchen-3ya.de/');
    expect(value('url', 'pastebin.com/raw/x')).toBe('http://pastebin.com/raw/x');
    expect(value('url', 'tcp://1.2.3.4:443')).toBe('tcp://1.2.3.4:443/');
    expect(reason('url', 'javascript:alert(1)')).toBe('invalid_url');
    expect(reason('url', 'http://bad_host!/')).toBe('invalid_url');
  });

  it('e-mail: local part kept, domain canonicalised', () => {
    expect(value('email', 'John.Doe[at]Example[.]COM')).toBe('John.Doe@example.com');
    for (const bad of ['no-at.example.com', '@example.com', 'a@', 'a b@example.com', 'x@localhost'])
      expect(reason('email', bad)).toBe('invalid_email');
  });

  it('hashes: lower-case hex of the right length', () => {
    expect(value('md5', 'D41D8CD98F00B204E9800998ECF8427E')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(reason('sha1', 'd41d8cd98f00b204e9800998ecf8427e')).toBe('invalid_hash');
    expect(reason('sha256', `${'a'.repeat(63)}g`)).toBe('invalid_hash');
    expect(value('sha512', 'A'.repeat(128))).toBe('a'.repeat(128));
  });

  it('empty values are rejects', () => expect(reason('domain', '   ')).toBe('empty_value'));
});

describe('detectKind', () => {
  it.each([
    ['8.8.8.8', 'ipv4'],
    ['2001:db8::1', 'ipv6'],
    ['10.0.0.0/8', 'cidr'],
    ['evil[.]com', 'domain'],
    ['hxxp://evil.com/x', 'url'],
    ['a@b.com', 'email'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256'],
    ['not an indicator', null],
  ])('%s → %s', (raw, kind) => expect(detectKind(raw)).toBe(kind));
});

describe('properties', () => {
  // UTS #46 CheckHyphens: no `--` in the 3rd and 4th positions (reserved for `xn--`).
  const label = fc
    .stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/)
    .filter((text) => text.slice(2, 4) !== '--');
  const domain = fc
    .tuple(
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('com', 'net', 'org', 'co.uk', 'xn--p1ai'),
    )
    .map(([labels, tld]) => `${labels.join('.')}.${tld}`);
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.'));
  const ipv6 = fc
    .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
    .map((groups) => groups.map((group) => group.toString(16)).join(':'));
  const url = fc
    .tuple(fc.constantFrom('http', 'https'), domain, fc.stringMatching(/^[a-z0-9/]{0,12}$/))
    .map(([scheme, host, path]) => `${scheme}://${host}/${path}`);
  const samples: [IndicatorKind, fc.Arbitrary<string>][] = [
    ['domain', domain],
    ['ipv4', ipv4],
    ['ipv6', ipv6],
    ['url', url],
    ['email', domain.map((host) => `Someone.Else@${host}`)],
  ];

  it('canonicalisation is idempotent', () => {
    for (const [kind, arbitrary] of samples) {
      fc.assert(
        fc.property(arbitrary, (raw) => {
          const once = value(kind, raw);
          expect(value(kind, once)).toBe(once);
        }),
      );
    }
  });

  it('refang then canonicalise equals canonicalising the fanged form, and both get one id', () => {
    const defang = (raw: string) => raw.replace(/^http/, 'hxxp').replaceAll('.', '[.]').replace('@', '[at]');
    for (const [kind, arbitrary] of samples) {
      fc.assert(
        fc.property(arbitrary, (raw) => {
          const defanged = defang(raw);
          expect(value(kind, refang(defanged))).toBe(value(kind, raw));
          expect(indicatorId({ kind, value: value(kind, defanged) })).toBe(
            indicatorId({ kind, value: value(kind, raw) }),
          );
        }),
      );
    }
  });
});

describe('canonical forms: the edges', () => {
  it('URLs: hosts WHATWG would reinterpret are rejects, not guesses', () => {
    for (const bad of ['http://010.1.1.1/', 'http://0x7f.0.0.1/', 'http://1.2.3/', 'http://3232235777/']) {
      expect(reason('url', bad), bad).toBe('invalid_url');
    }
    expect(value('url', 'http://evil.com./a')).toBe('http://evil.com/a');
    expect(value('url', 'http://User:Pw@Evil.com/P?Q#f')).toBe('http://User:Pw@evil.com/P?Q#f');
    expect(value('url', 'ftp://files.example.net')).toBe('ftp://files.example.net/');
    expect(value('url', 'http://192.0.2.1:8080')).toBe('http://192.0.2.1:8080/');
    expect(canonicalize('url', 'systemten.org:80/x')).toEqual({
      ok: true,
      value: 'http://systemten.org/x',
      schemeAssumed: true,
    });
  });

  it('CIDR: prefix without leading zeros, IPv4-mapped networks keep the dotted tail', () => {
    expect(reason('cidr', '10.0.0.0/08')).toBe('invalid_cidr');
    expect(reason('cidr', '10.0.0.0/')).toBe('invalid_cidr');
    expect(reason('cidr', '0.0.0.0/0')).toBe('network_too_broad');
    expect(value('cidr', '::ffff:192.0.2.77/120')).toBe('::ffff:192.0.2.0/120');
  });

  it('IPv6: no :: for a single zero group, first longest run on a tie, embedded IPv4 only at the end', () => {
    expect(value('ipv6', '1:0:1:1:1:1:1:1')).toBe('1:0:1:1:1:1:1:1');
    expect(value('ipv6', '1:0:0:1:0:0:1:1')).toBe('1::1:0:0:1:1');
    expect(value('ipv6', '1:2:3:4:5:6:7::')).toBe('1:2:3:4:5:6:7:0');
    expect(value('ipv6', '::1.2.3.4')).toBe('::102:304');
    for (const bad of ['1.2.3.4::', '::1.2.3.04', ':1::', '1::2:', 'g::1', '::ffff:1.2.3']) {
      expect(reason('ipv6', bad), bad).toBe('invalid_ipv6');
    }
  });

  it('domains: TLD rules and punycode validation', () => {
    for (const bad of ['a.123', 'a.c_m', 'xn--a.com', 'a..b', '.', 'ex%41mple.com']) {
      expect(reason('domain', bad), bad).toBe('invalid_domain');
    }
    expect(value('domain', 'XN--MNCHEN-3YA.DE')).toBe('xn--mnchen-3ya.de');
    expect(value('domain', `${'a'.repeat(63)}.com`)).toBe(`${'a'.repeat(63)}.com`);
  });

  it('hashes: only hex digits (no control characters that look like digits once case-folded)', () => {
    // Control characters are refused before any kind's check (control_character, see hostile-input.test.ts).
    expect(reason('md5', '\u0010'.repeat(32))).toBe('control_character');
    expect(reason('md5', 'G'.repeat(32))).toBe('invalid_hash');
  });

  it.each([
    ['evil{.}com', 'evil.com'],
    ['evil\\.com', 'evil.com'],
    ['hxxp[://]evil.com/', 'http://evil.com/'],
    ['hXXps://evil.com', 'https://evil.com'],
    ['user(at)evil.com', 'user@evil.com'],
    ['user [ at ] evil.com', 'user [ at ] evil.com'.replace(' [ at ] ', '@')],
    ['evil(dot)com', 'evil.com'],
  ])('refang %s → %s', (raw, expected) => expect(refang(raw)).toBe(expected));

  it('refang leaves free text with dots alone', () =>
    expect(refang('not . a value here')).toBe('not . a value here'));

  it.each([
    ['[2001:db8::1]', 'ipv6'],
    ['2001:db8::/32', 'cidr'],
    ['user[at]evil[.]com', 'email'],
    ['ftp://x.example/', 'url'],
    ['a/b', null],
    ['1.2.3.4:80', null],
  ])('detectKind %s → %s', (raw, kind) => expect(detectKind(raw)).toBe(kind));
});

describe('properties over more kinds and defanging styles', () => {
  const hex = (length: number) =>
    fc
      .array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: length, maxLength: length })
      .map((chars) => chars.join(''));
  const host = fc
    .tuple(
      fc.array(
        fc
          .stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/)
          .filter((text) => text.slice(2, 4) !== '--'),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      fc.constantFrom('com', 'NET', 'org'),
    )
    .map(([labels, tld]) => `${labels.join('.')}.${tld}`);
  const samples: [IndicatorKind, fc.Arbitrary<string>][] = [
    ['md5', hex(32)],
    ['sha256', hex(64)],
    [
      'cidr',
      fc
        .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 8, max: 32 }))
        .map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`),
    ],
    [
      'url',
      fc
        .tuple(
          fc.constantFrom('http', 'HTTPS', 'ftp'),
          host,
          fc.constantFrom('', ':80', ':443', ':8080'),
          fc.stringMatching(/^[a-zA-Z0-9/._~-]{0,16}$/),
        )
        .map(([s, h, port, path]) => `${s}://${h}${port}/${path}`),
    ],
    ['domain', host.map((name) => `${name}.`)],
  ];
  const defangStyles = [
    (raw: string) => defang(raw),
    (raw: string) => raw.replace(/^http/i, 'hXXp').replaceAll('.', '(.)').replace('://', '[://]'),
    (raw: string) => raw.replaceAll('.', '[dot]').replace('://', '[:]//'),
    (raw: string) => raw.replaceAll('.', '{.}'),
  ];

  it('idempotent, and every defanged spelling gets the canonical value and id', () => {
    for (const [kind, arbitrary] of samples) {
      fc.assert(
        fc.property(arbitrary, fc.constantFrom(...defangStyles), (raw, style) => {
          const canonical = value(kind, raw);
          expect(value(kind, canonical)).toBe(canonical);
          expect(value(kind, style(raw))).toBe(canonical);
          expect(indicatorId({ kind, value: value(kind, style(raw)) })).toBe(
            indicatorId({ kind, value: canonical }),
          );
        }),
      );
    }
  });
});
