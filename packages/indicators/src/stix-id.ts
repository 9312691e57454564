import { createHash } from 'node:crypto';
import type { IndicatorKind, Observable } from './model.js';

/** The STIX 2.1 namespace for deterministic SCO identifiers (STIX 2.1 §2.9). */
const STIX_NAMESPACE = Buffer.from('00abedb4aa42466c9c01fed23315a9b7', 'hex');

export const STIX_TYPE: Record<IndicatorKind, string> = {
  ipv4: 'ipv4-addr',
  ipv6: 'ipv6-addr',
  cidr: 'ipv4-addr',
  domain: 'domain-name',
  url: 'url',
  email: 'email-addr',
  md5: 'file',
  sha1: 'file',
  sha256: 'file',
  sha512: 'file',
};

/** The spec's hash algorithm names (STIX 2.1 hash-algorithm-ov). */
export const STIX_HASH_NAME = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' } as const;

export function stixTypeOf(observable: Observable): string {
  if (observable.kind === 'cidr') return observable.value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
  return STIX_TYPE[observable.kind];
}

/** UUIDv5 (RFC 4122 §4.3): SHA-1 over namespace + name, version and variant bits set. */
export function uuidv5(name: string, namespace: Buffer = STIX_NAMESPACE): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The ID-contributing properties of an observable, serialised as RFC 8785
 * (JCS) JSON. For these single-string objects JCS equals JSON.stringify:
 * one key, and JSON.stringify's string escaping is JCS's.
 */
export function idContributingJson(observable: Observable): string {
  switch (observable.kind) {
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return `{"hashes":{${JSON.stringify(STIX_HASH_NAME[observable.kind])}:${JSON.stringify(observable.value)}}}`;
    default:
      return `{"value":${JSON.stringify(observable.value)}}`;
  }
}

/** The STIX 2.1 deterministic id of a canonical observable: Kafka key, job id part and Elasticsearch `_id`. */
export function indicatorId(observable: Observable): string {
  return `${stixTypeOf(observable)}--${uuidv5(idContributingJson(observable))}`;
}
