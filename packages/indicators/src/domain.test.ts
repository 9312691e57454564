import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, canonicalizeAny } from './canonicalize.js';
import { canonicalDomain } from './domain.js';
import { canonicalCidr } from './network.js';
import { parseFeedMessage } from './parsers/index.js';
import { refang } from './refang.js';

const domain = (raw: string) => {
  const result = canonicalize('domain', raw);
  return result.ok ? result.value : `!${result.reason}`;
};

describe('domains need a registered public suffix (PSL: ICANN and private sections)', () => {
  it('file names and noise are not_a_domain', () => {
    for (const raw of ['setup.exe', 'report.pdf', 'payload.dat', 'x.x.x.x', 'invoice.docx', 'a.b.c.d'])
      expect(domain(raw), raw).toBe('!not_a_domain');
  });

  it('ICANN, private and new gTLD suffixes are domains', () => {
    for (const raw of ['evil.com', 'a.co.uk', 'x.github.io', 'foo.blogspot.com', 'evil.zip', 'a.xn--p1ai'])
      expect(domain(raw), raw).toBe(raw);
  });

  it('internal and alternative-root suffixes only for a feed that opts in', () => {
    for (const raw of ['dc01.corp', 'printer.local', 'hidden.onion', 'name.bit', 'site.i2p'])
      expect(domain(raw), raw).toBe('!not_a_domain');
    expect(canonicalDomain('hidden.onion', { internalSuffixes: ['onion'] })).toEqual({
      ok: true,
      value: 'hidden.onion',
    });
    expect(canonicalDomain('dc01.corp', { internalSuffixes: ['onion'] }).ok).toBe(false);
  });

  it('the opt-in is a format setting of the feed', () => {
    const context = {
      provider: 'p',
      feedName: 'f',
      defaultTlp: 'clear' as const,
      topic: 't',
      partition: 0,
      offset: '0',
      receivedAt: 0,
    };
    const bytes = Buffer.from('hidden.onion\n');
    const plain = parseFeedMessage(bytes, { type: 'csv', valueColumn: 0, fixedKind: 'domain' }, context);
    const optedIn = parseFeedMessage(
      bytes,
      { type: 'csv', valueColumn: 0, fixedKind: 'domain', internalSuffixes: ['onion'] },
      context,
    );
    expect(plain.rejects.map((reject) => reject.reason)).toEqual(['not_a_domain']);
    expect(optedIn.indicators.map((item) => item.value)).toEqual(['hidden.onion']);
  });

  it('untyped, a dotted name without a public suffix is a file name, not a domain', () => {
    expect(canonicalizeAny('setup.exe')).toEqual({ ok: true, kind: 'file-name', value: 'setup.exe' });
    expect(canonicalizeAny('evil.com')).toEqual({ ok: true, kind: 'domain', value: 'evil.com' });
  });

  it('e-mail domains need one too', () => {
    expect(canonicalize('email', 'a@setup.exe').ok).toBe(false);
    expect(canonicalize('email', 'a@hidden.onion').ok).toBe(false);
    expect(canonicalize('email', 'a@hidden.onion', { internalSuffixes: ['onion'] })).toEqual({
      ok: true,
      value: 'a@hidden.onion',
    });
  });
});

describe('IDNA per UTS #46 with CheckHyphens, CheckBidi, CheckJoiners', () => {
  it.each([
    ['em dash', 'a\u2014b.com'],
    ['zero-width space (WHATWG drops it)', 'ev\u200bil.com'],
    ['soft hyphen (WHATWG drops it)', 'ex\u00adample.com'],
    ['word joiner', 'ev\u2060il.com'],
    ['variation selector', 'a\ufe0fb.com'],
    ['zero-width joiner outside a virama', 'ev\u200dil.com'],
    ['emoji', '\u{1f4a9}.la'],
    ['emoji as punycode', 'xn--ls8h.la'],
    ['malformed punycode', 'xn--a.com'],
    ['punycode of ASCII only', 'xn--abc-.com'],
    ['percent-encoding', 'a%41.com'],
    ['hyphens in the 3rd and 4th positions', 'ab--c.com'],
    ['bidi: RTL and LTR in one label', 'a\u05d0.com'],
    ['bidi: RTL label starting with a digit', '1\u05d0.com'],
  ])('%s is a reject', (_, raw) => expect(domain(raw)).toBe('!invalid_domain'));

  it('valid internationalised names are punycode', () => {
    expect(domain('münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(domain('XN--MNCHEN-3YA.DE')).toBe('xn--mnchen-3ya.de');
    expect(domain('公司.cn')).toBe('xn--55qx5d.cn');
    expect(domain('\u05d0\u05d1.com')).toBe('xn--4dbc.com');
    expect(domain('ｅｘａｍｐｌｅ.com')).toBe('example.com');
    expect(domain('\u0915\u094d\u200d\u0937.com')).not.toMatch(/^!/);
  });
});

describe('networks broader than the minimum prefix are rejects', () => {
  it('rejects /0 and prefixes below IPv4 /8, IPv6 /16 by default', () => {
    for (const raw of ['0.0.0.0/0', '10.0.0.0/7', '1.0.0.0/1', '::/0', '2001::/15'])
      expect(canonicalize('cidr', raw).ok === false && canonicalize('cidr', raw), raw).toMatchObject({
        reason: 'network_too_broad',
      });
    expect(canonicalize('cidr', '10.1.2.3/8')).toEqual({ ok: true, value: '10.0.0.0/8' });
    expect(canonicalize('cidr', '2001:db8::/16')).toEqual({ ok: true, value: '2001::/16' });
  });

  it('the minimum is configurable per feed', () => {
    expect(canonicalCidr('10.0.0.0/12', { minIpv4Prefix: 16 })).toMatchObject({
      reason: 'network_too_broad',
    });
    expect(canonicalCidr('10.0.0.0/4', { minIpv4Prefix: 4 })).toEqual({ ok: true, value: '0.0.0.0/4' });
    expect(canonicalCidr('::/0', { minIpv6Prefix: 1 })).toMatchObject({ reason: 'network_too_broad' });
  });
});

describe('properties', () => {
  const label = fc
    .stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,10}[a-zA-Z0-9])?$/)
    .filter((text) => text.slice(2, 4) !== '--');
  const unicodeLabel = fc.constantFrom('münchen', 'café', '公司', 'παράδειγμα', 'пример');
  const name = fc
    .tuple(
      fc.array(fc.oneof(label, unicodeLabel), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('com', 'de', 'co.uk', 'exe', 'pdf', 'onion', 'x'),
    )
    .map(([labels, tld]) => `${labels.join('.')}.${tld}`);

  it('canonicalisation is idempotent and canonical names are fixed points of refang', () => {
    fc.assert(
      fc.property(name, (raw) => {
        const first = canonicalize('domain', raw);
        if (!first.ok) return;
        expect(canonicalize('domain', first.value)).toEqual(first);
        expect(refang(first.value)).toBe(first.value);
      }),
      { numRuns: 300 },
    );
  });

  it('a name has a public suffix or is a reject: never a domain ending in .exe / .pdf / .x', () => {
    fc.assert(
      fc.property(name, (raw) => {
        const result = canonicalize('domain', raw);
        if (/\.(exe|pdf|x|onion)$/.test(raw)) expect(result.ok).toBe(false);
      }),
    );
  });
});
