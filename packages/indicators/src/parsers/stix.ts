import type { IndicatorKind, Tlp } from '../model.js';
import {
  type ParseContext,
  parseDate,
  parseTlp,
  type ReportMeta,
  ResultBuilder,
  validConfidence,
} from './common.js';
import { type Comparison, parseStixPattern } from './stix-pattern.js';

export interface StixFormat {
  type: 'stix';
}

/** The standard TLP marking definitions: STIX 2.1 (TLP 1.0) and the TLP 2.0 extension. */
const STANDARD_TLP_MARKINGS: Record<string, Tlp> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'clear',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'green',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'amber',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'amber+strict',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'red',
};

const HASH_KIND: Record<string, IndicatorKind> = {
  md5: 'md5',
  'sha-1': 'sha1',
  sha1: 'sha1',
  'sha-256': 'sha256',
  sha256: 'sha256',
  'sha-512': 'sha512',
  sha512: 'sha512',
};

type StixObject = Record<string, unknown> & { type?: unknown; id?: unknown };

/** The kind a comparison's object path denotes, or why it has none. */
function kindOf(comparison: Comparison): IndicatorKind | null | string {
  const { objectType, path, value } = comparison;
  switch (objectType) {
    case 'ipv4-addr':
      return path === 'value' ? (value.includes('/') ? 'cidr' : 'ipv4') : `${objectType}:${path}`;
    case 'ipv6-addr':
      return path === 'value' ? (value.includes('/') ? 'cidr' : 'ipv6') : `${objectType}:${path}`;
    case 'domain-name':
      return path === 'value' ? 'domain' : `${objectType}:${path}`;
    case 'url':
      return path === 'value' ? 'url' : `${objectType}:${path}`;
    case 'email-addr':
      return path === 'value' ? 'email' : `${objectType}:${path}`;
    case 'email-message':
      return path === 'from_ref.value' || path === 'sender_ref.value' ? 'email' : `${objectType}:${path}`;
    case 'file': {
      const match = /^hashes\.'?([^']+)'?$/.exec(path);
      return (match && HASH_KIND[match[1]!.toLowerCase()]) || `${objectType}:${path}`;
    }
    default:
      return `${objectType}:${path}`;
  }
}

const asString = (value: unknown) => (typeof value === 'string' ? value : null);
const asStrings = (value: unknown) =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * STIX 2.0 and 2.1 bundles: `indicator` objects (pattern reduced to its
 * observables) and bare SCOs (ipv4-addr, ipv6-addr, domain-name, url,
 * email-addr, file with hashes). Other objects — reports, attack patterns,
 * identities, relationships, malware — carry no observable and are read only
 * for context (TLP markings, malware names); they are not rejects.
 */
export function parseStix(bytes: Buffer, _format: StixFormat, context: ParseContext): ResultBuilder {
  const result = new ResultBuilder(context);
  let bundle: unknown;
  try {
    bundle = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    result.reject('invalid_json', `not JSON: ${(error as Error).message}`, null, 'message');
    return result;
  }
  const objects = (bundle as { objects?: unknown })?.objects;
  if (!Array.isArray(objects)) {
    result.reject('invalid_structure', 'not a STIX bundle: no "objects" array', null, 'message');
    return result;
  }
  const byId = new Map<string, StixObject>();
  for (const object of objects)
    if (object && typeof object === 'object' && typeof (object as StixObject).id === 'string')
      byId.set((object as StixObject).id as string, object as StixObject);
  const tlpOfMarking = (id: string): Tlp | null => {
    if (STANDARD_TLP_MARKINGS[id]) return STANDARD_TLP_MARKINGS[id]!;
    const marking = byId.get(id);
    if (!marking) return null;
    const definition = marking.definition as { tlp?: unknown } | undefined;
    const name = asString(definition?.tlp) ?? asString(marking.name);
    return name ? parseTlp(name) : null;
  };
  const threatNamesOf = new Map<string, Set<string>>();
  for (const object of objects as StixObject[]) {
    if (object?.type !== 'relationship' || object.relationship_type !== 'indicates') continue;
    const target = byId.get(String(object.target_ref));
    const name = asString(target?.name);
    if (
      !name ||
      !['malware', 'intrusion-set', 'threat-actor', 'campaign', 'tool'].includes(String(target?.type))
    )
      continue;
    const names = threatNamesOf.get(String(object.source_ref)) ?? new Set<string>();
    names.add(name);
    threatNamesOf.set(String(object.source_ref), names);
  }
  objects.forEach((raw, index) => {
    const object = raw as StixObject;
    const location = `objects[${index}]${typeof object?.id === 'string' ? ` ${object.id}` : ''}`;
    if (!object || typeof object !== 'object')
      return result.reject('invalid_structure', 'bundle entry is not an object', null, location);
    const recordId = asString(object.id);
    const markings = asStrings(object.object_marking_refs)
      .map(tlpOfMarking)
      .filter((tlp): tlp is Tlp => tlp !== null);
    const tlp = markings.length > 0 ? markings.sort((a, b) => TLP_RANK[b] - TLP_RANK[a])[0]! : null;
    if (object.type === 'indicator') {
      if (object.pattern_type !== undefined && object.pattern_type !== 'stix') {
        return result.reject(
          'unsupported_pattern',
          `pattern_type ${JSON.stringify(object.pattern_type)} is not STIX patterning`,
          asString(object.pattern),
          location,
        );
      }
      const pattern = asString(object.pattern);
      if (!pattern) return result.reject('invalid_structure', 'indicator without a pattern', null, location);
      const parsed = parseStixPattern(pattern);
      if (!parsed.ok)
        return result.reject(
          'unsupported_pattern',
          `${parsed.message}: ${pattern.slice(0, 160)}`,
          pattern,
          location,
        );
      const firstSeen = parseDate(object.valid_from);
      const lastSeen = parseDate(object.modified ?? object.valid_from);
      const validUntil = parseDate(object.valid_until);
      if (firstSeen === 'invalid' || lastSeen === 'invalid' || validUntil === 'invalid') {
        return result.reject(
          'invalid_date',
          'unreadable valid_from, modified or valid_until',
          pattern,
          location,
        );
      }
      const confidence = validConfidence(object.confidence);
      if (confidence === 'invalid')
        return result.reject(
          'invalid_confidence',
          'confidence must be an integer from 0 to 100',
          pattern,
          location,
        );
      const references = Array.isArray(object.external_references)
        ? (object.external_references as { url?: unknown }[])
        : [];
      const meta: ReportMeta = {
        firstSeen,
        lastSeen,
        validUntil,
        confidence,
        tlp,
        tags: [...asStrings(object.labels), ...asStrings(object.indicator_types)],
        threatNames: [...(threatNamesOf.get(recordId ?? '') ?? [])].sort(),
        description: asString(object.description) ?? asString(object.name),
        reference: references.map((reference) => asString(reference.url)).find((url) => url !== null) ?? null,
        recordId,
      };
      parsed.comparisons.forEach((comparison, position) => {
        const kind = kindOf(comparison);
        const where = parsed.comparisons.length > 1 ? `${location} comparison ${position + 1}` : location;
        if (typeof kind === 'string' && !isKind(kind)) {
          result.reject(
            'unsupported_pattern',
            `no supported observable for ${kind}`,
            comparison.value,
            where,
          );
        } else {
          result.add(kind as IndicatorKind, comparison.value, meta, where);
        }
      });
      return;
    }
    addBareObservable(result, object, { tlp, recordId }, location);
  });
  return result;
}

const TLP_RANK: Record<Tlp, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };
const KINDS = new Set<string>([
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
]);
const isKind = (value: string): value is IndicatorKind => KINDS.has(value);

function addBareObservable(
  result: ResultBuilder,
  object: StixObject,
  meta: ReportMeta,
  location: string,
): void {
  const value = asString(object.value);
  switch (object.type) {
    case 'ipv4-addr':
    case 'ipv6-addr':
      if (value === null)
        return result.reject('invalid_structure', `${object.type} without a value`, null, location);
      return result.add(
        value.includes('/') ? 'cidr' : object.type === 'ipv4-addr' ? 'ipv4' : 'ipv6',
        value,
        meta,
        location,
      );
    case 'domain-name':
    case 'url':
    case 'email-addr':
      if (value === null)
        return result.reject('invalid_structure', `${object.type} without a value`, null, location);
      return result.add(
        object.type === 'domain-name' ? 'domain' : object.type === 'url' ? 'url' : 'email',
        value,
        meta,
        location,
      );
    case 'file': {
      const hashes = (object.hashes ?? {}) as Record<string, unknown>;
      const entries = Object.entries(hashes).filter(([name]) => HASH_KIND[name.toLowerCase()]);
      if (entries.length === 0)
        return result.reject('unsupported_type', 'file object without a supported hash', null, location);
      for (const [name, hash] of entries)
        result.add(HASH_KIND[name.toLowerCase()]!, String(hash), meta, `${location} hashes.${name}`);
      return;
    }
    default:
      return;
  }
}
