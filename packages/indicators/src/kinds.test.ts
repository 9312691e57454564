import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonicalize.js';
import { KINDS, kindOfStixProperty, kindOfTypeName } from './kinds.js';
import { INDICATOR_KINDS, type IndicatorKind, type RejectReason } from './model.js';
import { observableId } from './stix-id.js';

/**
 * Canonical values of the kinds beyond IPs, domains, URLs, e-mail and the
 * four hashes, with the ids the OASIS stix2 library gives them
 * (test/checker/make-vectors.py writes them; this code does not).
 */
const REGISTRY_VECTORS = (
  JSON.parse(readFileSync(new URL('../../../test/checker/vectors.json', import.meta.url), 'utf8')) as {
    registry_vectors: [IndicatorKind, string, string][];
  }
).registry_vectors;

describe('registry kinds: ids computed with stix2', () => {
  it('has vectors for every kind the checker vectors do not cover', () => {
    const covered = new Set(REGISTRY_VECTORS.map(([kind]) => kind));
    const checkerKinds = [
      'ipv4',
      'ipv6',
      'cidr',
      'domain',
      'url',
      'email',
      'md5',
      'sha1',
      'sha256',
      'sha512',
    ];
    expect(INDICATOR_KINDS.filter((kind) => !covered.has(kind) && !checkerKinds.includes(kind))).toEqual([]);
  });

  it.each(REGISTRY_VECTORS)('%s %s', (kind, value, id) => {
    // A vector's value is canonical: canonicalising it changes nothing (idempotence on canonical values).
    expect(canonicalize(kind, value)).toEqual({ ok: true, value });
    expect(observableId(kind, value)).toBe(id);
  });
});

/** [kind, as partners write it, canonical form]. */
const SPELLINGS: [IndicatorKind, string, string][] = [
  ['sha224', ` ${'AB'.repeat(28)} `, 'ab'.repeat(28)],
  ['sha384', 'F'.repeat(96), 'f'.repeat(96)],
  ['sha3-256', 'C'.repeat(64), 'c'.repeat(64)],
  ['imphash', 'F34D5F2D4577ED6D9CEEC516C1F5A744', 'f34d5f2d4577ed6d9ceec516c1f5a744'],
  [
    'ssdeep',
    '96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/wqWXLcMSx:sF1LjEtHHlZDrJzrhOXZCx',
    '96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/wqWXLcMSx:sF1LjEtHHlZDrJzrhOXZCx',
  ],
  // STIX 2.1 wants 70 characters: the `T1` version prefix is dropped (stix2-validator refuses it).
  ['tlsh', `t1${'a'.repeat(70)}`, 'A'.repeat(70)],
  ['tlsh', 'b'.repeat(70), 'B'.repeat(70)],
  ['file-name', "Trump's_Attack_on_Syria_English.docx", "Trump's_Attack_on_Syria_English.docx"],
  ['file-name', 'invoice[.]exe', 'invoice.exe'],
  ['file-path', 'C:\\Users\\.ssh\\id_rsa', 'C:\\Users\\.ssh\\id_rsa'],
  ['file-path', '/usr/share/polkit-1/policy.in', '/usr/share/polkit-1/policy.in'],
  ['directory', '%ALLUSERSPROFILE%\\NetCache\\', '%ALLUSERSPROFILE%\\NetCache'],
  ['directory', '/', '/'],
  ['directory', 'C:\\', 'C:\\'],
  [
    'registry-key',
    'HKLM\\SYSTEM\\CurrentControlSet\\Services\\BitStreamSvc\\',
    'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\BitStreamSvc',
  ],
  ['registry-key', 'hkcu\\\\Software\\.NET', 'HKEY_CURRENT_USER\\Software\\.NET'],
  ['registry-key', 'HKEY_USERS', 'HKEY_USERS'],
  ['mutex', 'Global\\.BitStreamSvc', 'Global\\.BitStreamSvc'],
  ['x509-sha1', '66AAB897E33B3E4D940C51EBA8D07F5605D5B275', '66aab897e33b3e4d940c51eba8d07f5605d5b275'],
  ['x509-serial', '29:78:63:06', '29:78:63:06'],
  ['x509-serial', '2978 6306', '29:78:63:06'],
  ['x509-serial', 'ABC', '0a:bc'],
  ['x509-subject', 'C=IN,ST=Missouri,O=LOL,OU=LOL,CN=LOL', 'C=IN,ST=Missouri,O=LOL,OU=LOL,CN=LOL'],
  ['asn', 'AS13335', '13335'],
  ['asn', 'as 0013335', '13335'],
  ['asn', '4294967295', '4294967295'],
  ['mac', '00-1A-2B-3C-4D-5E', '00:1a:2b:3c:4d:5e'],
  ['mac', '001a.2b3c.4d5e', '00:1a:2b:3c:4d:5e'],
  ['mac', '001A2B3C4D5E', '00:1a:2b:3c:4d:5e'],
  [
    'user-agent',
    'Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:47.0)',
    'Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:47.0)',
  ],
  ['email-subject', ' Get started in your Outlook ', 'Get started in your Outlook'],
  ['crypto-wallet', '1B8QtVGktfjBfNptp1Ay1DVt5C47rq3yWY', '1B8QtVGktfjBfNptp1Ay1DVt5C47rq3yWY'],
  [
    'crypto-wallet',
    '0x19539A179DDF8A02B772557D5036BDD0AC0B0FA7',
    '0x19539a179ddf8a02b772557d5036bdd0ac0b0fa7',
  ],
  [
    'stix-pattern',
    "[file:name = 'a[.]exe'] AND [mutex:name = 'x']",
    "[file:name = 'a[.]exe'] AND [mutex:name = 'x']",
  ],
  ['yara', 'rule x { condition: true }', 'rule x { condition: true }'],
  ['ja3', ' E7D705A3286E19EA42F587B344EE6865 ', 'e7d705a3286e19ea42f587b344ee6865'],
  ['ja3s', 'AE4EDC6FAF64D08308082AD26BE60767', 'ae4edc6faf64d08308082ad26be60767'],
  [
    'jarm',
    '27D40D40D29D40D1DC42D43D00041D4689EE210389F4F6B4B5B1B93F92252D',
    '27d40d40d29d40d1dc42d43d00041d4689ee210389f4f6b4b5b1b93f92252d',
  ],
  ['hassh', 'EC7378C1A92F5A8DDE7E8B7A1DDF33D1', 'ec7378c1a92f5a8dde7e8b7a1ddf33d1'],
  ['hassh-server', 'b12d2871a1189eff20364cf5333619ee', 'b12d2871a1189eff20364cf5333619ee'],
  ['phone', '+1 (555) 010-0199', '+15550100199'],
  ['phone', '0044 20 7946 0958', '+442079460958'],
  ['phone', '+49.30.901820', '+4930901820'],
  ['phone', '555-0100199', '5550100199'],
  ['phone', '+1234567', '+1234567'],
  ['phone', `+${'1'.repeat(15)}`, `+${'1'.repeat(15)}`],
];

describe('registry kinds: canonical forms', () => {
  it.each(SPELLINGS)('%s %j → %j', (kind, raw, expected) => {
    expect(canonicalize(kind, raw)).toEqual({ ok: true, value: expected });
    // Idempotent: the canonical form is its own canonical form.
    expect(canonicalize(kind, expected)).toEqual({ ok: true, value: expected });
  });
});

const REJECTS: [IndicatorKind, string, RejectReason][] = [
  ['sha224', 'a'.repeat(64), 'invalid_hash'],
  ['imphash', 'g'.repeat(32), 'invalid_hash'],
  ['ssdeep', '7:abc:def', 'invalid_hash'],
  ['ssdeep', '03:abc:def', 'invalid_hash'],
  ['ssdeep', '3:ab c:def', 'invalid_hash'],
  ['tlsh', `T2${'A'.repeat(70)}`, 'invalid_hash'],
  ['file-name', 'dir/x.exe', 'invalid_file_name'],
  ['file-name', '..', 'invalid_file_name'],
  ['file-name', 'a'.repeat(256), 'invalid_file_name'],
  ['file-path', 'x.exe', 'invalid_path'],
  ['file-path', 'C:\\Windows\\', 'invalid_path'],
  ['registry-key', 'Software\\ESET SYSTEM\\ControlSet001', 'invalid_registry_key'],
  ['registry-key', '(HKLM|HKCU)\\Software', 'invalid_registry_key'],
  ['registry-key', 'HKLM/Software/x', 'invalid_registry_key'],
  ['x509-serial', '29:78:zz', 'invalid_serial_number'],
  ['asn', '4294967296', 'invalid_asn'],
  ['asn', 'AS-13335', 'invalid_asn'],
  ['asn', '13335.5', 'invalid_asn'],
  ['mac', '00:1a:2b:3c:4d', 'invalid_mac'],
  ['mac', '00:1a-2b:3c:4d:5e', 'invalid_mac'],
  ['mac', '00:1a:2b:3c:4d:5g', 'invalid_mac'],
  ['crypto-wallet', '1B8Qt VGktfjBfNptp1Ay1DVt5C47rq3yWY', 'invalid_wallet'],
  ['crypto-wallet', 'short', 'invalid_wallet'],
  ['mutex', '   ', 'empty_value'],
  ['stix-pattern', 'rule\u0000', 'control_character'],
  // A JA3 is an MD5: 31 or 33 digits, or a SHA-1 length, is not one; JARM is exactly 62.
  ['ja3', 'e'.repeat(31), 'invalid_hash'],
  ['ja3', 'e'.repeat(33), 'invalid_hash'],
  ['ja3s', 'a'.repeat(40), 'invalid_hash'],
  ['ja3', 'g'.repeat(32), 'invalid_hash'],
  ['jarm', 'a'.repeat(61), 'invalid_hash'],
  ['jarm', 'a'.repeat(64), 'invalid_hash'],
  ['hassh', 'a'.repeat(64), 'invalid_hash'],
  ['hassh-server', 'z'.repeat(32), 'invalid_hash'],
  ['phone', '+123456', 'invalid_phone'],
  ['phone', `+${'1'.repeat(16)}`, 'invalid_phone'],
  ['phone', '+1 555 CALL NOW', 'invalid_phone'],
  ['phone', '++15550100199', 'invalid_phone'],
  ['phone', '+1-555-010-0199 ext. 12', 'invalid_phone'],
];

describe('registry kinds: rejects', () => {
  it.each(REJECTS)('%s %j is %s', (kind, raw, reason) => {
    expect(canonicalize(kind, raw)).toMatchObject({ ok: false, reason });
  });
});

describe('registry kinds: partner names', () => {
  it.each([
    ['filename', 'file-name'],
    ['regkey', 'registry-key'],
    ['windows-registry-key', 'registry-key'],
    ['MUTEX', 'mutex'],
    ['AS', 'asn'],
    ['btc', 'crypto-wallet'],
    ['xmr', 'crypto-wallet'],
    ['x509-fingerprint-sha256', 'x509-sha256'],
    ['user-agent', 'user-agent'],
    ['email-subject', 'email-subject'],
    ['sha3-512', 'sha3-512'],
    ['yara', 'yara'],
    ['ja3-fingerprint-md5', 'ja3'],
    ['jarm-fingerprint', 'jarm'],
    ['hassh-md5', 'hassh'],
    ['hasshserver-md5', 'hassh-server'],
    ['phone-number', 'phone'],
    ['whois-registrant-phone', 'phone'],
  ] as const)('type name %s → %s', (name, kind) => {
    expect(kindOfTypeName(name)).toBe(kind);
  });

  it.each([
    ['file', ['name'], 'file-name'],
    ['file', ['hashes', 'SHA3-256'], 'sha3-256'],
    ['file', ['hashes', 'SHA224'], 'sha224'],
    ['file', ['hashes', 'imphash'], 'imphash'],
    ['x509-certificate', ['hashes', 'SHA-1'], 'x509-sha1'],
    ['x509-certificate', ['serial_number'], 'x509-serial'],
    ['directory', ['path'], 'directory'],
    ['windows-registry-key', ['key'], 'registry-key'],
    ['mutex', ['name'], 'mutex'],
    ['autonomous-system', ['number'], 'asn'],
    ['mac-addr', ['value'], 'mac'],
    ['email-message', ['subject'], 'email-subject'],
    ['email-message', ['from_ref', 'value'], 'email'],
    ['network-traffic', ['extensions', 'http-request-ext', 'request_header', 'User-Agent'], 'user-agent'],
    ['x-ja3-fingerprint', ['value'], 'ja3'],
    ['x-jarm-fingerprint', ['value'], 'jarm'],
    ['x-phone-number', ['value'], 'phone'],
    ['process', ['command_line'], null],
    ['indicator', ['pattern'], null],
  ] as const)('STIX %s:%j → %s', (objectType, path, kind) => {
    expect(kindOfStixProperty(objectType, path, 'x')).toBe(kind);
  });

  it('knows every kind by its own name (CSV type columns, the Avro partner format)', () => {
    for (const kind of INDICATOR_KINDS) expect(kindOfTypeName(kind), kind).toBe(kind);
  });

  it('gives no type name to two kinds', () => {
    const aliases = Object.values(KINDS).flatMap((spec) => spec.aliases);
    expect(aliases.filter((alias, index) => aliases.indexOf(alias) !== index)).toEqual([]);
  });

  it('gives every kind an ECS field and a STIX type', () => {
    for (const spec of Object.values(KINDS)) {
      // ECS `tls.*` where ECS keeps a fingerprint on events (JA3, JA3S); Dragnet's own namespace where it has none.
      expect(spec.ecsField, spec.kind).toMatch(/^(threat\.indicator|dragnet|tls\.(client|server))\./);
      expect(spec.stixType('x'), spec.kind).toMatch(/^[a-z0-9-]+$/);
    }
  });
});
