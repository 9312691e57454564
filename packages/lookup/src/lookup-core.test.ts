import { describe, expect, it } from 'vitest';
import { cidrContains } from './lookup.js';
import { resolveObservable } from './observables.js';
import { stixIndicatorId, stixPattern, toStixBundle } from './stix-bundle.js';
import { parseTlpLevel, tlpsUpTo, tlpVisible } from './tlp.js';

describe('resolveObservable', () => {
  it('gives every spelling of one observable the same id', () => {
    const spellings = [
      'hxxp://Evil[.]Example.COM/x',
      'http://evil.example.com:80/x',
      ' http://EVIL.example.com/x ',
    ];
    const ids = new Set(spellings.map((spelling) => (resolveObservable(spelling) as { id: string }).id));
    expect(ids.size).toBe(1);
  });

  it('names what is wrong with input it cannot use', () => {
    expect(resolveObservable('hello world')).toMatchObject({ ok: false, reason: 'unsupported_type' });
    expect(resolveObservable(7)).toMatchObject({ ok: false, reason: 'not_a_string' });
    expect(resolveObservable('a'.repeat(9_000))).toMatchObject({ ok: false, reason: 'invalid_value' });
  });
});

describe('TLP', () => {
  it('lets a reader see up to and including the maximum, never an unknown marking', () => {
    expect(tlpsUpTo('green')).toEqual(['clear', 'green']);
    expect(tlpVisible('amber', 'green')).toBe(false);
    expect(tlpVisible('amber+strict', 'amber')).toBe(false);
    expect(tlpVisible('red', 'red')).toBe(true);
    expect(tlpVisible('purple', 'red')).toBe(false);
    expect(parseTlpLevel('TLP:WHITE')).toBe('clear');
    expect(parseTlpLevel('Amber+Strict')).toBe('amber+strict');
    expect(parseTlpLevel('pink')).toBeNull();
  });
});

describe('cidrContains', () => {
  it.each([
    ['198.51.100.0/24', '198.51.100.77', true],
    ['198.51.100.0/24', '198.51.101.1', false],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.0.0.0/8', '2001:db8::1', false],
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(cidrContains(cidr, ip)).toBe(expected);
  });
});

describe('STIX', () => {
  it('escapes quotes and backslashes in pattern literals and names hashes as STIX does', () => {
    expect(stixPattern('url', "http://x.example/a'b\\c")).toBe("[url:value = 'http://x.example/a\\'b\\\\c']");
    expect(stixPattern('sha256', 'ab'.repeat(32))).toBe(`[file:hashes.'SHA-256' = '${'ab'.repeat(32)}']`);
    expect(stixPattern('cidr', '10.0.0.0/8')).toBe("[ipv4-addr:value = '10.0.0.0/8']");
    expect(stixPattern('ipv6', '2001:db8::1')).toBe("[ipv6-addr:value = '2001:db8::1']");
  });

  it('derives indicator ids from the observable id, so exports are stable', () => {
    expect(stixIndicatorId('ipv4-addr--a')).toBe(stixIndicatorId('ipv4-addr--a'));
    expect(stixIndicatorId('ipv4-addr--a')).not.toBe(stixIndicatorId('ipv4-addr--b'));
    const empty = toStixBundle([], new Date(0));
    expect(empty.objects).toEqual([expect.objectContaining({ type: 'identity', name: 'Dragnet' })]);
  });
});
