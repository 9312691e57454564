import { describe, expect, it } from 'vitest';
import { parseCidr, parseIp, parseIpv4, parseIpv6 } from './ip-address.js';
import { classifyIp, overlappingClasses } from './ip-class.js';

const classOf = (ip: string) => classifyIp(parseIp(ip)!);

describe('IP parsing', () => {
  it('parses IPv4 and rejects near-misses', () => {
    expect(parseIpv4('8.8.8.8')).toEqual({ family: 4, value: 0x08080808 });
    expect(parseIpv4('255.255.255.255')?.value).toBe(0xffffffff);
    for (const bad of ['8.8.8', '8.8.8.256', '8..8.8', '1.2.3.4.5', 'a.b.c.d', '1234.1.1.1']) {
      expect(parseIpv4(bad)).toBeNull();
    }
  });

  it('parses IPv6 with compression and an IPv4 tail', () => {
    expect(parseIpv6('2001:db8::1')?.groups).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('::')?.groups).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('::ffff:192.0.2.1')?.groups).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]);
    expect(parseIpv6('FE80::1')?.groups[0]).toBe(0xfe80);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('12345::1')).toBeNull();
  });

  it('parses CIDR and bare addresses as host routes', () => {
    expect(parseCidr('10.20.0.0/16')?.prefixLength).toBe(16);
    expect(parseCidr('1.2.3.4')?.prefixLength).toBe(32);
    expect(parseCidr('2001:db8::/32')?.prefixLength).toBe(32);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
  });
});

describe('classifyIp', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['11.0.0.1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['169.254.1.1', 'link_local'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['198.19.255.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['0.1.2.3', 'unspecified'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:4860:4860::8888', 'public'],
    ['2001::1', 'reserved'],
    ['fe80::1', 'link_local'],
    ['fd00::1', 'private'],
    ['ff02::1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['4000::1', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (ip, expected) => expect(classOf(ip)).toBe(expected));

  it('flags special blocks a CIDR range overlaps', () => {
    expect(overlappingClasses(parseCidr('10.20.0.0/16')!)).toEqual(['private']);
    expect(overlappingClasses(parseCidr('8.0.0.0/6')!)).toEqual(['private']);
    expect(overlappingClasses(parseCidr('8.8.8.0/24')!)).toEqual([]);
    expect(overlappingClasses(parseCidr('2001:db8:1::/48')!)).toEqual(['documentation']);
  });
});
