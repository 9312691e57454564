import { detectKind } from '../canonicalize.js';
import { hashKindOfStixName, kindOfStixProperty } from '../kinds.js';
import type { IndicatorKind, Tlp } from '../model.js';
import {
  asBuffer,
  asObjects,
  asString,
  asStrings,
  asText,
  dateOrNoted,
  mostRestrictive,
  type ParseContext,
  parseDate,
  parseJsonMessage,
  parseTlp,
  type ReportMeta,
  ResultBuilder,
  validConfidence,
} from './common.js';
import { type Comparison, parseStixPattern, renderPath } from './stix-pattern.js';

export interface StixFormat {
  type: 'stix';
}

/**
 * The standard TLP marking definitions, referenced by id without being in
 * the bundle: STIX 2.0/2.1 (TLP 1.0 WHITE/GREEN/AMBER/RED) and the TLP 2.0
 * ones from the OASIS TLP 2.0 extension (CLEAR … AMBER+STRICT … RED).
 */
export const STANDARD_TLP_MARKINGS: ReadonlyMap<string, Tlp> = new Map([
  ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'clear'],
  ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green'],
  ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'amber'],
  ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red'],
  ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 'clear'],
  ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 'green'],
  ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 'amber'],
  ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 'amber+strict'],
  ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'red'],
]);

/**
 * Cyber-observable object types Dragnet has no kind for. A bare one in a
 * bundle is an observable Dragnet cannot index: a reject, not silence.
 * Everything else that is not an indicator or a supported SCO (reports,
 * attack patterns, identities, relationships, malware, marking definitions…)
 * is context and deliberately ignored.
 */
const UNSUPPORTED_SCO_TYPES = new Set([
  'artifact',
  'autonomous-system',
  'directory',
  'email-message',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
]);

/** Objects an `indicates` relationship may point at whose names are threat names. */
const THREAT_TYPES = new Set(['malware', 'intrusion-set', 'threat-actor', 'campaign', 'tool']);

type StixObject = Record<string, unknown>;

/** What the bundle as a whole says about its objects: markings, authors, indicated threats. */
interface BundleContext {
  tlpOfMarking(id: string): Tlp | null;
  authorOf(id: string): string | null;
  threatNamesOf(indicatorId: string): string[];
}

/**
 * Partner JSON is only read through Maps, own properties and typeof checks:
 * `byId` is a Map (an id `constructor` finds nothing), fields are read with
 * `asString`/`asText`/`asObjects` (never `String(x)`, which throws on an
 * object with a `toString` key).
 */
function bundleContext(objects: StixObject[]): BundleContext {
  const byId = new Map<string, StixObject>();
  for (const object of objects) {
    const id = asString(object.id);
    if (id) byId.set(id, object);
  }
  const threatNames = new Map<string, Set<string>>();
  for (const object of objects) {
    if (object.type !== 'relationship' || object.relationship_type !== 'indicates') continue;
    const target = byId.get(asText(object.target_ref));
    const name = asString(target?.name);
    if (!name || !THREAT_TYPES.has(asText(target?.type))) continue;
    const source = asText(object.source_ref);
    threatNames.set(source, (threatNames.get(source) ?? new Set()).add(name));
  }
  return {
    tlpOfMarking(id) {
      const standard = STANDARD_TLP_MARKINGS.get(id);
      if (standard) return standard;
      // STIX 2.0 style: `{"definition_type": "tlp", "definition": {"tlp": "amber"}}` inside the bundle.
      const marking = byId.get(id);
      if (!marking) return null;
      const definition = marking.definition;
      const name =
        (definition && typeof definition === 'object' ? asString((definition as StixObject).tlp) : null) ??
        (marking.definition_type === 'tlp' || /^tlp:/i.test(asText(marking.name))
          ? asString(marking.name)
          : null);
      return name ? parseTlp(name) : null;
    },
    authorOf(id) {
      const identity = byId.get(id);
      return asString(identity?.name) ?? id;
    },
    threatNamesOf(indicatorId) {
      return [...(threatNames.get(indicatorId) ?? [])].sort();
    },
  };
}

/** Common metadata of any object: markings, author, id. */
function objectMeta(object: StixObject, bundle: BundleContext): ReportMeta {
  const recordId = asString(object.id);
  const tlp = mostRestrictive(
    asStrings(object.object_marking_refs)
      .map((id) => bundle.tlpOfMarking(id))
      .filter((level): level is Tlp => level !== null),
  );
  const author = asString(object.created_by_ref);
  return {
    recordId,
    tlp,
    // The model has no author field; a tag keeps who said it searchable.
    tags: author ? [`stix:created_by=${bundle.authorOf(author)}`] : [],
  };
}

/**
 * STIX 2.0 and 2.1 bundles (a lone object or an array of objects too):
 * `indicator` objects reduced to their observables (one indicator per
 * supported `=` comparison; everything else in the pattern a reject naming
 * it) and bare SCOs (ipv4-addr, ipv6-addr, domain-name, url, email-addr,
 * file with hashes). See UNSUPPORTED_SCO_TYPES for what else happens.
 */
export function parseStix(
  bytes: Buffer | Uint8Array,
  _format: StixFormat,
  context: ParseContext,
): ResultBuilder {
  const result = new ResultBuilder(context);
  const document = parseJsonMessage(asBuffer(bytes), result);
  if (document === undefined) return result;
  const objects = objectsOf(document);
  if (!objects) {
    result.reject('invalid_structure', 'not a STIX bundle: no "objects" array', null, 'message');
    return result;
  }
  const bundle = bundleContext(asObjects(objects));
  objects.forEach((raw, index) => {
    const object = raw as StixObject | null;
    if (!object || typeof object !== 'object' || Array.isArray(object)) {
      return result.reject('invalid_structure', 'bundle entry is not an object', null, `objects[${index}]`);
    }
    const id = asString(object.id);
    const location = id ? `objects[${index}] ${id}` : `objects[${index}]`;
    if (object.type === 'indicator') return addIndicator(result, object, bundle, location);
    addBareObservable(result, object, objectMeta(object, bundle), location);
  });
  return result;
}

/** A bundle's objects; a bare array of objects or one lone STIX object are accepted too. */
function objectsOf(document: unknown): unknown[] | null {
  if (Array.isArray(document)) return document;
  if (!document || typeof document !== 'object') return null;
  const record = document as StixObject;
  if (Array.isArray(record.objects)) return record.objects;
  const isStixObject = typeof record.type === 'string' && /^[a-z0-9-]+--/.test(asText(record.id));
  return isStixObject && record.type !== 'bundle' ? [record] : null;
}

function addIndicator(
  result: ResultBuilder,
  object: StixObject,
  bundle: BundleContext,
  location: string,
): void {
  const pattern = asString(object.pattern);
  if (object.pattern_type !== undefined && object.pattern_type !== 'stix') {
    return result.reject(
      'unsupported_pattern',
      `pattern_type ${JSON.stringify(asText(object.pattern_type).slice(0, 100))} is not STIX patterning`,
      pattern,
      location,
    );
  }
  if (!pattern) return result.reject('invalid_structure', 'indicator without a pattern', null, location);
  const parsed = parseStixPattern(pattern);
  if (!parsed.ok) return result.reject(parsed.reason, parsed.message, pattern, location);
  if (parsed.temporal.length > 0) {
    // A sequence or time window is only an indicator as a whole: its parts alone would match far too much.
    return result.reject(
      'unsupported_pattern',
      `pattern uses ${[...new Set(parsed.temporal)].join(', ')}: temporal patterns are not reducible to observables`,
      pattern,
      location,
    );
  }
  const invalidDates: string[] = [];
  const firstSeen = dateOrNoted(parseDate(object.valid_from), 'valid_from', invalidDates);
  const lastSeen = dateOrNoted(
    parseDate(object.modified ?? object.valid_from),
    object.modified === undefined ? 'valid_from' : 'modified',
    invalidDates,
  );
  const validUntil = dateOrNoted(parseDate(object.valid_until), 'valid_until', invalidDates);
  const confidence = validConfidence(object.confidence);
  if (confidence === 'invalid') {
    return result.reject(
      'invalid_confidence',
      'confidence must be an integer from 0 to 100',
      pattern,
      location,
    );
  }
  const common = objectMeta(object, bundle);
  const references = asObjects(object.external_references);
  const name = asString(object.name);
  const description = asString(object.description);
  const meta: ReportMeta = {
    ...common,
    firstSeen,
    lastSeen,
    validUntil,
    confidence,
    // 2.0 `labels` are the indicator types; 2.1 has `indicator_types` and free `labels`.
    tags: [
      ...new Set([...asStrings(object.labels), ...asStrings(object.indicator_types), ...(common.tags ?? [])]),
    ],
    threatNames: bundle.threatNamesOf(common.recordId ?? ''),
    description:
      name && description && name !== description ? `${name}: ${description}` : (description ?? name),
    reference: references.map((reference) => asString(reference.url)).find((url) => url !== null) ?? null,
    // valid_from stands for both dates when modified is absent: one reject for one bad value.
    invalidDates: [...new Set(invalidDates)],
  };
  const many = parsed.comparisons.length > 1;
  parsed.comparisons.forEach((comparison, position) => {
    const where = many ? `${location} comparison ${position + 1}` : location;
    const kind = indexableKind(comparison);
    if (typeof kind === 'string' && kind.startsWith('!')) {
      result.reject('unsupported_pattern', kind.slice(1), comparisonValue(comparison), where);
    } else {
      result.add(kind as IndicatorKind, comparisonValue(comparison) ?? '', meta, where);
    }
  });
}

function comparisonValue(comparison: Comparison): string | null {
  const { literal } = comparison;
  if (!literal) return null;
  if (literal.type === 'set')
    return literal.values.map((value) => String('value' in value ? value.value : '')).join(', ');
  return String(literal.value);
}

/** The kind of a comparison Dragnet can index, or `!reason` when it cannot. */
function indexableKind(comparison: Comparison): IndicatorKind | `!${string}` {
  const where = renderPath(comparison);
  if (comparison.operator !== '=' || comparison.negated) {
    return `!operator ${comparison.negated ? 'NOT ' : ''}${comparison.operator} on ${where} is not an observable (only = is)`;
  }
  if (comparison.literal?.type !== 'string') {
    return `!${where} is compared with a ${comparison.literal?.type ?? 'missing'} value, not a string`;
  }
  const value = comparison.literal.value;
  const kind = kindOfStixProperty(comparison.objectType, comparison.path, value);
  if (kind) return kind;
  // `network-traffic:dst_ref.value` is how many producers write "connects to this C2 address".
  if (comparison.objectType === 'network-traffic' && comparison.path.join('.') === 'dst_ref.value') {
    const detected = detectKind(value);
    if (detected === 'ipv4' || detected === 'ipv6' || detected === 'cidr' || detected === 'domain')
      return detected;
  }
  return `!no supported observable for ${where}`;
}

function addBareObservable(
  result: ResultBuilder,
  object: StixObject,
  meta: ReportMeta,
  location: string,
): void {
  const type = asText(object.type);
  if (type === 'file') {
    const hashes = object.hashes && typeof object.hashes === 'object' ? object.hashes : {};
    const entries = Object.entries(hashes).filter(([name]) => hashKindOfStixName(name) !== null);
    if (entries.length === 0)
      return result.reject(
        'unsupported_type',
        'file object without an MD5, SHA-1, SHA-256 or SHA-512 hash',
        null,
        location,
      );
    for (const [name, hash] of entries) {
      result.add(hashKindOfStixName(name)!, asText(hash), meta, `${location} hashes.${name}`);
    }
    return;
  }
  const value = asString(object.value);
  const kind = kindOfStixProperty(type, ['value'], value ?? '');
  if (kind) {
    if (value === null) return result.reject('invalid_structure', `${type} without a value`, null, location);
    return result.add(kind, value, meta, location);
  }
  if (UNSUPPORTED_SCO_TYPES.has(type)) {
    result.reject(
      'unsupported_type',
      `STIX ${type} objects are not indexed`,
      asString(object.value) ?? asString(object.name),
      location,
    );
  }
}
