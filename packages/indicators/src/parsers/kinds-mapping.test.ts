import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../model.js';
import { parseFeedMessage } from './index.js';
import { PATTERN_PART_TAG } from './stix.js';

const context = {
  provider: 'cert',
  feedName: 'feed',
  defaultTlp: 'amber' as const,
  topic: 'feeds.cert',
  partition: 0,
  offset: '7',
  receivedAt: Date.UTC(2026, 0, 1),
};
const misp = (attributes: Record<string, unknown>[]) =>
  parseFeedMessage(
    Buffer.from(JSON.stringify({ Event: { info: 'x', Attribute: attributes } })),
    { type: 'misp' },
    context,
  );
const stix = (...objects: unknown[]) =>
  parseFeedMessage(
    Buffer.from(JSON.stringify({ type: 'bundle', id: 'bundle--1', objects })),
    { type: 'stix' },
    context,
  );
const kindsAndValues = (result: ParseResult) => result.indicators.map((item) => [item.kind, item.value]);
const SHA1 = '66aab897e33b3e4d940c51eba8d07f5605d5b275';

describe('MISP attribute types of the registry kinds', () => {
  it('files, paths, directories, registry keys with their data, mutexes', () => {
    const result = misp([
      { type: 'filename', value: 'a.exe' },
      { type: 'filename', value: '/usr/share/polkit-1/policy.in' },
      { type: 'filename', value: '%ALLUSERSPROFILE%\\NetCache\\' },
      { type: 'filename|sha3-256', value: `b.dll|${'C'.repeat(64)}` },
      { type: 'regkey', value: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\x\\' },
      { type: 'regkey|value', value: 'HKCU\\Software\\Perf|%TEMP%\\a.dll' },
      { type: 'mutex', value: 'Global\\BitStreamSvc' },
    ]);
    expect(kindsAndValues(result)).toEqual([
      ['file-name', 'a.exe'],
      ['file-path', '/usr/share/polkit-1/policy.in'],
      ['directory', '%ALLUSERSPROFILE%\\NetCache'],
      ['file-name', 'b.dll'],
      ['sha3-256', 'c'.repeat(64)],
      ['registry-key', 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\x'],
      ['registry-key', 'HKEY_CURRENT_USER\\Software\\Perf'],
      ['mutex', 'Global\\BitStreamSvc'],
    ]);
    expect(result.indicators[6]!.tags).toContain('registry-data:%TEMP%\\a.dll');
    expect(result.rejects).toEqual([]);
  });

  it('network, certificate, identity and money kinds; ports as context of their address', () => {
    const result = misp([
      { type: 'AS', value: 'AS13335' },
      { type: 'x509-fingerprint-sha1', value: SHA1.toUpperCase() },
      { type: 'user-agent', value: 'Mozilla/5.0 (X11)' },
      { type: 'email-subject', value: 'Invoice' },
      { type: 'btc', value: '1B8QtVGktfjBfNptp1Ay1DVt5C47rq3yWY' },
      { type: 'xmr', value: `4${'6'.repeat(94)}` },
      { type: 'hostname|port', value: 'c2.example.com|8443' },
      { type: 'yara', value: 'rule x {\n  condition: true\n}' },
    ]);
    expect(kindsAndValues(result)).toEqual([
      ['asn', '13335'],
      ['x509-sha1', SHA1],
      ['user-agent', 'Mozilla/5.0 (X11)'],
      ['email-subject', 'Invoice'],
      ['crypto-wallet', '1B8QtVGktfjBfNptp1Ay1DVt5C47rq3yWY'],
      ['crypto-wallet', `4${'6'.repeat(94)}`],
      ['domain', 'c2.example.com'],
      ['yara', 'rule x {\n  condition: true\n}'],
    ]);
    expect(result.indicators[6]!.tags).toContain('port:8443');
    expect(result.rejects).toEqual([]);
  });

  it('TLS/SSH fingerprints and phone numbers, each its own kind; a wrong length is a reject', () => {
    const result = misp([
      { type: 'ja3-fingerprint-md5', value: 'E7D705A3286E19EA42F587B344EE6865' },
      { type: 'jarm-fingerprint', value: `27d40d40d29d40d1dc42d43d00041d${'a'.repeat(32)}` },
      { type: 'hassh-md5', value: 'ec7378c1a92f5a8dde7e8b7a1ddf33d1' },
      { type: 'hasshserver-md5', value: 'b12d2871a1189eff20364cf5333619ee' },
      { type: 'phone-number', value: '+1 (555) 010-0199' },
      { type: 'whois-registrant-phone', value: '+44.2079460958' },
      { type: 'ja3-fingerprint-md5', value: 'e7d705a3286e19ea42f587b344ee686' },
      { type: 'phone-number', value: '12345' },
    ]);
    expect(kindsAndValues(result)).toEqual([
      ['ja3', 'e7d705a3286e19ea42f587b344ee6865'],
      ['jarm', `27d40d40d29d40d1dc42d43d00041d${'a'.repeat(32)}`],
      ['hassh', 'ec7378c1a92f5a8dde7e8b7a1ddf33d1'],
      ['hassh-server', 'b12d2871a1189eff20364cf5333619ee'],
      ['phone', '+15550100199'],
      ['phone', '+442079460958'],
    ]);
    expect(result.rejects.map((reject) => reject.reason)).toEqual(['invalid_hash', 'invalid_phone']);
  });

  it('text, comments, bare ports and vulnerabilities are context; a CVE tags every indicator of the event', () => {
    const result = misp([
      { type: 'vulnerability', value: 'cve-2017-0199' },
      { type: 'text', value: 'Win32/Agent' },
      { type: 'comment', value: 'seen in May' },
      { type: 'port', value: '443' },
      { type: 'other', value: 'magnet:?xt=urn:btih:4nn2' },
      { type: 'ip-dst', value: '192.0.2.1' },
    ]);
    expect(kindsAndValues(result)).toEqual([['ipv4', '192.0.2.1']]);
    expect(result.indicators[0]!.tags).toContain('vulnerability:CVE-2017-0199');
    expect(result.rejects.map((reject) => reject.reason)).toEqual([
      'not_an_indicator',
      'not_an_indicator',
      'not_an_indicator',
      'not_an_indicator',
      'unsupported_type',
    ]);
  });
});

describe('STIX objects and patterns of the registry kinds', () => {
  it('bare SCOs: each property the registry knows for the type', () => {
    const result = stix(
      {
        type: 'x509-certificate',
        id: 'x509-certificate--1',
        hashes: { 'SHA-1': SHA1 },
        serial_number: '29:78:63',
        subject: 'CN=LOL',
        is_self_signed: true,
      },
      { type: 'autonomous-system', id: 'autonomous-system--1', number: 13335, name: 'Cloudflare' },
      { type: 'directory', id: 'directory--1', path: '/var/tmp/' },
      { type: 'windows-registry-key', id: 'windows-registry-key--1', key: 'hkey_local_machine\\Run' },
      { type: 'mac-addr', id: 'mac-addr--1', value: '00-1A-2B-3C-4D-5E' },
      { type: 'email-message', id: 'email-message--1', is_multipart: false, subject: 'Hi' },
      {
        type: 'file',
        id: 'file--1',
        name: 'x.exe',
        hashes: { 'SHA3-256': 'a'.repeat(64), constructor: 'x' },
      },
      { type: 'process', id: 'process--1', pid: 4 },
    );
    expect(kindsAndValues(result)).toEqual([
      ['x509-sha1', SHA1],
      ['x509-serial', '29:78:63'],
      ['x509-subject', 'CN=LOL'],
      ['asn', '13335'],
      ['directory', '/var/tmp'],
      ['registry-key', 'HKEY_LOCAL_MACHINE\\Run'],
      ['mac', '00:1a:2b:3c:4d:5e'],
      ['email-subject', 'Hi'],
      ['file-name', 'x.exe'],
      ['sha3-256', 'a'.repeat(64)],
    ]);
    expect(result.rejects).toMatchObject([{ reason: 'unsupported_type', location: 'objects[7] process--1' }]);
  });

  const indicator = (id: string, pattern: string, extra: Record<string, unknown> = {}) => ({
    type: 'indicator',
    id: `indicator--${id}`,
    pattern,
    valid_from: '2026-01-01T00:00:00Z',
    ...extra,
  });

  it('patterns that reduce become observables; the others are kept whole, with their plain equalities as parts', () => {
    const joined = "[file:name = 'a.exe'] AND [file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']";
    const certificate = `[x509-certificate:hashes.'SHA-1' = '${SHA1}' AND x509-certificate:is_self_signed = true]`;
    const like = "[file:name LIKE '%.exe']";
    const result = stix(
      indicator('a', '[autonomous-system:number = 13335]'),
      indicator('b', "[email-message:from_ref.value = 'a@b.example.com' AND email-message:subject = 'Hi']"),
      indicator('c', joined),
      indicator('d', certificate),
      indicator('e', like),
      indicator('f', 'title: x\ndetection:\n  sel: {}', { pattern_type: 'sigma' }),
    );
    expect(kindsAndValues(result)).toEqual([
      ['asn', '13335'],
      ['email', 'a@b.example.com'],
      ['email-subject', 'Hi'],
      ['stix-pattern', joined],
      ['file-name', 'a.exe'],
      ['md5', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['stix-pattern', certificate],
      ['x509-sha1', SHA1],
      ['stix-pattern', like],
      ['sigma', 'title: x\ndetection:\n  sel: {}'],
    ]);
    const parts = result.indicators.filter((item) => item.tags.includes(PATTERN_PART_TAG));
    expect(parts.map((item) => item.kind)).toEqual(['file-name', 'md5', 'x509-sha1']);
    expect(result.rejects).toEqual([]);
  });

  it('pattern indicators keep the text as sent (no refanging) and get an indicator-- id', () => {
    const pattern = "[url:value = 'hxxp://evil[.]example/a'] FOLLOWEDBY [process:name = 'x']";
    const result = stix(indicator('a', pattern));
    expect(result.indicators[0]).toMatchObject({ kind: 'stix-pattern', value: pattern });
    expect(result.indicators[0]!.id).toMatch(/^indicator--[0-9a-f-]{36}$/);
    expect(result.indicators[1]).toMatchObject({ kind: 'url', value: 'http://evil.example/a' });
  });

  it("a START/STOP window is the validity of the pattern's parts; the pattern keeps the indicator's dates", () => {
    const windowed =
      "[ipv4-addr:value = '192.0.2.1'] START t'2026-02-01T00:00:00Z' STOP t'2026-03-01T00:00:00Z'";
    const reversed =
      "[ipv4-addr:value = '192.0.2.2'] START t'2026-03-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'";
    const result = stix(indicator('a', windowed), indicator('b', reversed));
    expect(result.indicators.map((item) => [item.kind, item.firstSeen, item.validUntil])).toEqual([
      ['stix-pattern', Date.UTC(2026, 0, 1), null],
      ['ipv4', Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)],
      ['stix-pattern', Date.UTC(2026, 0, 1), null],
      ['ipv4', Date.UTC(2026, 0, 1), null],
    ]);
  });

  it('still rejects pattern languages Dragnet does not keep, and invalid STIX patterns', () => {
    const result = stix(indicator('a', '/x/', { pattern_type: 'pcre' }), indicator('b', '[file:name = ]'));
    expect(result.indicators).toEqual([]);
    expect(result.rejects.map((reject) => reject.location)).toEqual([
      'objects[0] indicator--a',
      'objects[1] indicator--b',
    ]);
  });
});
