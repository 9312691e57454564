import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonicalize.js';
import { type FeedFormat, parseFeedMessage } from './parsers/index.js';
import { refang } from './refang.js';
import {
  normalizePercentEncoding,
  schemelessUrlHost,
  URL_SCHEME_ASSUMED_TAG,
  withoutFragment,
} from './url.js';

const value = (raw: string) => {
  const result = canonicalize('url', raw);
  return result.ok ? result.value : `!${result.reason}`;
};
const context = {
  provider: 'p',
  feedName: 'f',
  defaultTlp: 'clear' as const,
  topic: 't',
  partition: 0,
  offset: '0',
  receivedAt: Date.UTC(2026, 0, 1),
};
const csv: FeedFormat = { type: 'csv', valueColumn: 0, typeColumn: 1 };
const parse = (text: string, format: FeedFormat = csv) =>
  parseFeedMessage(Buffer.from(text), format, context);

describe('URLs without a scheme', () => {
  it('are read as http:// and marked as assumed', () => {
    for (const [raw, canonical] of [
      ['pastebin.com/raw/x', 'http://pastebin.com/raw/x'],
      ['Evil.COM:8080/gate.php?id=1', 'http://evil.com:8080/gate.php?id=1'],
      ['evil.com', 'http://evil.com/'],
      ['//evil.com/x', 'http://evil.com/x'],
      ['192.0.2.1/a', 'http://192.0.2.1/a'],
      ['evil[.]com/x', 'http://evil.com/x'],
    ]) {
      expect(canonicalize('url', raw!), raw).toEqual({ ok: true, value: canonical, schemeAssumed: true });
    }
    expect(canonicalize('url', 'http://evil.com/x')).toEqual({ ok: true, value: 'http://evil.com/x' });
  });

  it('refuse an @ before the path: an e-mail address or a URL with userinfo cannot be told apart', () => {
    expect(value('bob@evil.com/x')).toBe('!invalid_url');
  });

  it('keep their host as a domain or IP indicator, and the URL tagged as assumed', () => {
    const result = parse('evil.com:8080/gate.php,url\n192.0.2.7/x,url\nhttp://stated.example/,url\n');
    expect(result.indicators.map((item) => [item.kind, item.value, item.tags])).toEqual([
      ['domain', 'evil.com', []],
      ['url', 'http://evil.com:8080/gate.php', [URL_SCHEME_ASSUMED_TAG]],
      ['ipv4', '192.0.2.7', []],
      ['url', 'http://192.0.2.7/x', [URL_SCHEME_ASSUMED_TAG]],
      ['url', 'http://stated.example/', []],
    ]);
    expect(result.rejects).toEqual([]);
  });

  it('keep the host even when the URL itself is invalid (port 0)', () => {
    const result = parse('evil.com:0/x,url\n');
    expect(result.indicators.map((item) => [item.kind, item.value])).toEqual([['domain', 'evil.com']]);
    expect(result.rejects.map((reject) => reject.reason)).toEqual(['invalid_url']);
  });

  it('untyped `host/path` is a URL too (and its host a domain)', () => {
    const result = parse('evil.com/gate.php\n', { type: 'csv', valueColumn: 0 });
    expect(result.indicators.map((item) => [item.kind, item.value])).toEqual([
      ['domain', 'evil.com'],
      ['url', 'http://evil.com/gate.php'],
    ]);
    expect(schemelessUrlHost('evil.com/gate.php')).toEqual({ kind: 'domain', value: 'evil.com' });
    expect(schemelessUrlHost('http://evil.com/')).toBeNull();
    expect(schemelessUrlHost('[2001:DB8::1]:80/x')).toEqual({ kind: 'ipv6', value: '2001:db8::1' });
  });
});

describe('URL schemes of malware reports', () => {
  it.each([
    ['smb://Files.Evil.com/Share/x.exe', 'smb://files.evil.com/Share/x.exe'],
    ['smb://files.evil.com:445/s', 'smb://files.evil.com/s'],
    ['tcp://192.0.2.1:4444', 'tcp://192.0.2.1:4444/'],
    ['udp://192.0.2.1:53/', 'udp://192.0.2.1:53/'],
    ['ssh://root@evil.com:22', 'ssh://root@evil.com/'],
    ['sftp://evil.com:2222/in', 'sftp://evil.com:2222/in'],
    ['ftps://evil.com:990/', 'ftps://evil.com/'],
    ['ws://Evil.com:80/c2', 'ws://evil.com/c2'],
    ['wss://evil.com/c2', 'wss://evil.com/c2'],
    ['irc://irc.evil.com:6667/#chan', 'irc://irc.evil.com/#chan'],
    ['ldap://[2001:DB8::1]/cn=x', 'ldap://[2001:db8::1]/cn=x'],
    ['rdp://192.0.2.9', 'rdp://192.0.2.9/'],
  ])('%s → %s', (raw, canonical) => expect(value(raw)).toBe(canonical));

  it('other schemes stay rejects', () => {
    for (const raw of ['javascript://x.com/', 'gopher://evil.com/', 'file://evil.com/x']) {
      expect(value(raw), raw).toBe('!invalid_url');
    }
  });

  it('non-special schemes get the same host rules as http (no silent guesses)', () => {
    expect(value('smb://ev%69l.com/')).toBe('!invalid_url');
    expect(value('tcp://010.1.1.1:80')).toBe('!invalid_url');
    expect(value('smb://setup.exe/')).toBe('!invalid_url');
  });
});

describe('RFC 3986 §6.2.2 normalisation, ports, fragments', () => {
  it('decodes percent-encoded unreserved characters and upper-cases the rest', () => {
    const forms = ['http://a.com/%7euser/%41?q=%2f%2D#x%7E', 'http://a.com/~user/A?q=%2F-#x~'];
    for (const form of forms) expect(value(form)).toBe('http://a.com/~user/A?q=%2F-#x~');
    expect(value('http://a.com/%7Ex')).toBe(value('http://a.com/~x'));
    expect(value('http://a.com/%zz%4')).toBe('http://a.com/%zz%4');
    expect(normalizePercentEncoding('%e2%82%ac%5f')).toBe('%E2%82%AC_');
  });

  it('rejects port 0 and ports out of range; drops default ports', () => {
    for (const raw of ['http://a.com:0/', 'http://a.com:65536/', 'http://a.com:99999/', 'ssh://a.com:0'])
      expect(value(raw), raw).toBe('!invalid_url');
    expect(value('http://a.com:65535/')).toBe('http://a.com:65535/');
    expect(value('https://a.com:443/')).toBe('https://a.com/');
  });

  it('keeps the fragment; withoutFragment gives the URL a lookup without it also tries', () => {
    const canonical = value('http://www.example-portal.com/?a=1#q=campaign-token');
    expect(canonical).toBe('http://www.example-portal.com/?a=1#q=campaign-token');
    expect(withoutFragment(canonical)).toBe('http://www.example-portal.com/?a=1');
    expect(value('http://www.example-portal.com/?a=1')).toBe(withoutFragment(canonical));
  });

  it('hosts need a public suffix, strict IDNA and no invisible characters', () => {
    expect(value('http://setup.exe/')).toBe('!invalid_url');
    expect(value('http://ev\u200bil.com/')).toBe('!invalid_url');
    expect(value('http://a\u2014b.com/')).toBe('!invalid_url');
    expect(value('http://münchen.de/')).toBe('http://xn--mnchen-3ya.de/');
  });

  it('refuses a URL in which refanging would still change something', () => {
    expect(refang(refang('http://a.com/x[[.]]y'))).not.toBe(refang('http://a.com/x[[.]]y'));
    expect(value('http://a.com/x[[.]]y')).toBe('!invalid_url');
  });
});

describe('properties', () => {
  const label = fc
    .stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)
    .filter((text) => text.slice(2, 4) !== '--');
  const host = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'co.uk', 'example', 'ORG'))
    .map(([labels, tld]) => `${labels.join('.')}.${tld}`);
  const part = fc.stringMatching(/^([a-zA-Z0-9/._~!$&'()*+,;=:@-]|%[0-9a-fA-F]{2}){0,20}$/);
  const raw = fc
    .tuple(
      fc.constantFrom('http://', 'HTTPS://', 'smb://', 'tcp://', 'wss://', ''),
      host,
      fc.constantFrom('', ':80', ':443', ':8443', ':22'),
      part,
      fc.option(part, { nil: undefined }),
      fc.option(part, { nil: undefined }),
    )
    .map(
      ([scheme, name, port, path, query, fragment]) =>
        `${scheme}${name}${port}/${path}${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`,
    );

  it('canonicalisation is idempotent, and refang leaves canonical URLs alone (refang∘canonicalise = canonicalise)', () => {
    fc.assert(
      fc.property(raw, (input) => {
        const first = canonicalize('url', input);
        if (!first.ok) return;
        expect(canonicalize('url', first.value)).toEqual({ ok: true, value: first.value });
        expect(refang(first.value)).toBe(first.value);
      }),
      { numRuns: 500 },
    );
  });

  it('percent-encoding an unreserved character never changes the canonical URL', () => {
    fc.assert(
      fc.property(host, fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), (name, path) => {
        const encoded = [...path].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('');
        expect(value(`http://${name}/${encoded}`)).toBe(value(`http://${name}/${path}`));
      }),
    );
  });
});
