import { KINDS, type StixScoType } from './kinds.js';
import type { IndicatorKind, Observable } from './model.js';
import { sha1 } from './sha1.js';
import { jcsString, needsNoEscaping } from './stix-id-json.js';

/** The STIX 2.1 namespace for deterministic SCO identifiers (STIX 2.1 §2.9). */
export const STIX_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
const NAMESPACE_BYTES = Buffer.from(STIX_NAMESPACE.replaceAll('-', ''), 'hex');

/** UUIDv5 (RFC 4122 §4.3 / RFC 9562 §5.5) of `name` (UTF-8) in the STIX namespace unless told otherwise. */
export function uuidv5(name: string, namespace: Uint8Array = NAMESPACE_BYTES): string {
  writeUuid(sha1(namespace, name), 0);
  return ID.toString('latin1', 0, 36);
}

const HEX = new Uint8Array(Buffer.from('0123456789abcdef', 'latin1'));
/** Where ids are assembled: one string allocation per id instead of one per hex pair. */
const ID = Buffer.alloc(128);
const TYPE_BYTES = new Map<string, Buffer>();
/** `{"value":"` and `"}` per kind, so the common unescaped value is hashed without building its JSON. */
const QUOTED_HEAD = Object.fromEntries(
  Object.values(KINDS).map((spec) => [
    spec.kind,
    typeof spec.idJson === 'function' ? '' : `${spec.idJson.head}"`,
  ]),
) as Record<IndicatorKind, string>;
const QUOTED_TAIL = Object.fromEntries(
  Object.values(KINDS).map((spec) => [
    spec.kind,
    typeof spec.idJson === 'function' ? '' : `"${spec.idJson.tail}`,
  ]),
) as Record<IndicatorKind, string>;

/** Writes the UUIDv5 text of a SHA-1 digest into ID at `offset`. */
function writeUuid(hash: Uint8Array, offset: number): void {
  let at = offset;
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) ID[at++] = 45; /* - */
    let byte = hash[index]!;
    if (index === 6) byte = (byte & 0x0f) | 0x50; // version 5
    if (index === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    ID[at++] = HEX[byte >>> 4]!;
    ID[at++] = HEX[byte & 15]!;
  }
}

/** The STIX SCO type of a canonical observable (`ipv4-addr`, `file`, …). */
export function stixTypeOf(observable: Observable): StixScoType {
  return KINDS[observable.kind].stixType(observable.value);
}

/**
 * The ID-contributing properties of a canonical observable as RFC 8785 (JCS)
 * JSON: `{"value":"…"}`, or `{"hashes":{"SHA-256":"…"}}` for file hashes.
 */
export function idContributingJson(observable: Observable): string {
  const idJson = KINDS[observable.kind].idJson;
  if (typeof idJson === 'function') return idJson(observable.value, observableId);
  return `${idJson.head}${jcsString(observable.value)}${idJson.tail}`;
}

/**
 * The STIX 2.1 deterministic id of a canonical observable
 * (`<type>--UUIDv5(namespace, JCS(id-contributing properties))`): the Kafka
 * key, job id and Elasticsearch `_id`. The value must already be canonical —
 * two spellings of one observable only share an id after canonicalisation.
 */
export function indicatorId(observable: Observable): string {
  return observableId(observable.kind, observable.value);
}

/**
 * `indicatorId` for the per-record path: no intermediate JSON string, no
 * per-hex-pair strings — the JCS text goes straight into SHA-1 and the id is
 * assembled in a reused buffer.
 */
export function observableId(kind: IndicatorKind, value: string): string {
  const spec = KINDS[kind];
  const type = spec.stixType(value);
  const { idJson } = spec;
  // A composed id (a number, another object's id) is built first: its own observableId call reuses ID.
  const hash =
    typeof idJson === 'function'
      ? sha1(NAMESPACE_BYTES, idJson(value, observableId))
      : needsNoEscaping(value)
        ? sha1(NAMESPACE_BYTES, QUOTED_HEAD[kind], value, QUOTED_TAIL[kind])
        : sha1(NAMESPACE_BYTES, idJson.head, JSON.stringify(value), idJson.tail);
  let typeBytes = TYPE_BYTES.get(type);
  if (!typeBytes) {
    typeBytes = Buffer.from(`${type}--`, 'latin1');
    TYPE_BYTES.set(type, typeBytes);
  }
  ID.set(typeBytes, 0);
  writeUuid(hash, typeBytes.length);
  return ID.toString('latin1', 0, typeBytes.length + 36);
}
