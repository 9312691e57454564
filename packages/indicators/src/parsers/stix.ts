import { detectKind } from '../canonicalize.js';
import { hashKindOfStixName, kindOfStixProperty } from '../kinds.js';
import type { IndicatorKind, Tlp } from '../model.js';
import { canonicalCve, vulnerabilityTag } from '../vulnerability.js';
import {
  asBuffer,
  asObjects,
  asString,
  asStrings,
  asText,
  classifyMarking,
  dateOrNoted,
  isMarkingTag,
  mostRestrictive,
  type ParseContext,
  parseDate,
  parseJsonMessage,
  parseTlp,
  type ReportMeta,
  ResultBuilder,
  validConfidence,
} from './common.js';
import {
  type Comparison,
  type ObservationExpression,
  type PatternResult,
  parseStixPattern,
  renderPath,
} from './stix-pattern.js';

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
 * Cyber-observable object types that are observables. A bare one none of
 * whose properties carries a kind of the registry (a mutex without a name, a
 * process) is an observable Dragnet cannot index: a reject, not silence.
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
  /** The name of a TLP marking definition in the bundle that is no TLP level Dragnet knows, else null. */
  unknownMarkingOf(id: string): string | null;
  authorOf(id: string): string | null;
  threatNamesOf(indicatorId: string): string[];
  /** CVE ids of the `vulnerability` objects a relationship (of any type, either way) ties to the object. */
  vulnerabilitiesOf(objectId: string): string[];
}

const NO_CVES: string[] = [];

/** The CVE id a STIX object names: a `cve` external reference (`vulnerability` SDOs, indicators) or a vulnerability's name. */
function cveIdsOf(object: StixObject): string[] {
  // Most indicators have neither: no allocation for them.
  if (!Array.isArray(object.external_references) && object.type !== 'vulnerability') return NO_CVES;
  const referenced = asObjects(object.external_references)
    .filter((reference) => asText(reference.source_name).toLowerCase() === 'cve')
    .map((reference) => canonicalCve(asText(reference.external_id)));
  const named = object.type === 'vulnerability' ? [canonicalCve(asText(object.name))] : [];
  return [...new Set([...referenced, ...named].filter((cve): cve is string => cve !== null))];
}

/** Object id → the CVE ids of the vulnerabilities related to it. */
function relatedVulnerabilities(
  objects: StixObject[],
  byId: Map<string, StixObject>,
): Map<string, Set<string>> {
  const related = new Map<string, Set<string>>();
  for (const object of objects) {
    if (object.type !== 'relationship') continue;
    const ends = [asText(object.source_ref), asText(object.target_ref)];
    for (const [self, other] of [ends, [...ends].reverse()] as const) {
      const vulnerability = byId.get(other!);
      if (vulnerability?.type !== 'vulnerability') continue;
      const known = related.get(self!) ?? new Set<string>();
      for (const cve of cveIdsOf(vulnerability)) known.add(cve);
      related.set(self!, known);
    }
  }
  return related;
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
  const vulnerabilities = relatedVulnerabilities(objects, byId);
  /** The TLP name a marking definition of the bundle states (STIX 2.0 `definition.tlp`, or its name). */
  const tlpNameOf = (id: string): string | null => {
    // STIX 2.0 style: `{"definition_type": "tlp", "definition": {"tlp": "amber"}}` inside the bundle.
    const marking = byId.get(id);
    if (marking?.type !== 'marking-definition') return null;
    const definition = marking.definition;
    return (
      (definition && typeof definition === 'object' ? asString((definition as StixObject).tlp) : null) ??
      (marking.definition_type === 'tlp' || isMarkingTag(asText(marking.name))
        ? asString(marking.name)
        : null)
    );
  };
  return {
    tlpOfMarking(id) {
      const standard = STANDARD_TLP_MARKINGS.get(id);
      if (standard) return standard;
      const name = tlpNameOf(id);
      return name ? parseTlp(name) : null;
    },
    unknownMarkingOf(id) {
      if (STANDARD_TLP_MARKINGS.has(id)) return null;
      const name = tlpNameOf(id);
      if (name === null) return null;
      const marking = classifyMarking(name, true);
      return marking.type === 'unknown' ? name : null;
    },
    authorOf(id) {
      const identity = byId.get(id);
      return asString(identity?.name) ?? id;
    },
    threatNamesOf(indicatorId) {
      return [...(threatNames.get(indicatorId) ?? [])].sort();
    },
    vulnerabilitiesOf(objectId) {
      const related = vulnerabilities.get(objectId);
      return related ? [...related].sort() : NO_CVES;
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
  const unknownMarkings = asStrings(object.object_marking_refs)
    .map((id) => bundle.unknownMarkingOf(id))
    .filter((name): name is string => name !== null);
  return {
    recordId,
    ...(unknownMarkings.length > 0 ? { unknownMarkings } : {}),
    tlp,
    // The model has no author field; a tag keeps who said it searchable.
    tags: author ? [`stix:created_by=${bundle.authorOf(author)}`] : [],
  };
}

/**
 * STIX 2.0 and 2.1 bundles (a lone object or an array of objects too):
 * `indicator` objects reduced to their observables (one indicator per `=`
 * comparison) when the pattern reduces, kept whole as pattern indicators
 * otherwise (see addStixPattern), yara/sigma/snort/suricata patterns kept as
 * such; bare SCOs through the kind registry (observablesOf). See
 * UNSUPPORTED_SCO_TYPES for what else happens.
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

/** Pattern languages other than STIX that Dragnet keeps as pattern indicators (`pattern_type` → kind). */
const PATTERN_KIND_OF_TYPE: ReadonlyMap<string, IndicatorKind> = new Map([
  ['yara', 'yara'],
  ['sigma', 'sigma'],
  ['snort', 'snort'],
  ['suricata', 'suricata'],
]);

/** Tag of an observable taken out of a pattern indicator: alone, it is less than what the partner said. */
export const PATTERN_PART_TAG = 'stix:part-of-pattern';

function addIndicator(
  result: ResultBuilder,
  object: StixObject,
  bundle: BundleContext,
  location: string,
): void {
  const pattern = asString(object.pattern);
  const patternType = object.pattern_type === undefined ? 'stix' : asText(object.pattern_type);
  const otherKind = PATTERN_KIND_OF_TYPE.get(patternType.toLowerCase());
  if (patternType !== 'stix' && !otherKind) {
    return result.reject(
      'unsupported_pattern',
      `pattern_type ${JSON.stringify(patternType.slice(0, 100))} is not a pattern language Dragnet keeps (stix, yara, sigma, snort, suricata)`,
      pattern,
      location,
    );
  }
  if (!pattern) return result.reject('invalid_structure', 'indicator without a pattern', null, location);
  const parsed = otherKind ? null : parseStixPattern(pattern);
  if (parsed && !parsed.ok) return result.reject(parsed.reason, parsed.message, pattern, location);
  const meta = indicatorMeta(object, bundle);
  if (meta === 'invalid_confidence') {
    return result.reject(
      'invalid_confidence',
      'confidence must be an integer from 0 to 100',
      pattern,
      location,
    );
  }
  if (otherKind) return result.add(otherKind, pattern, meta, location);
  addStixPattern(result, pattern, parsed!, meta, location);
}

/**
 * A STIX pattern that reduces to observables (plain `=` comparisons on kinds
 * Dragnet has, within single observations, no time qualifiers) becomes one
 * indicator per comparison. Any other pattern is kept whole as a
 * `stix-pattern` indicator, plus the observables of its plain equalities,
 * tagged PATTERN_PART_TAG.
 */
function addStixPattern(
  result: ResultBuilder,
  pattern: string,
  parsed: PatternResult & { ok: true },
  meta: ReportMeta,
  location: string,
): void {
  const kinds = parsed.comparisons.map(indexableKind);
  const reducible =
    parsed.temporal.length === 0 &&
    !joinsObservations(parsed.expression) &&
    kinds.every((kind) => !kind.startsWith('!'));
  if (!reducible) result.add('stix-pattern', pattern, meta, location);
  const partMeta = reducible
    ? meta
    : { ...meta, ...windowOf(parsed.windows), tags: [...(meta.tags ?? []), PATTERN_PART_TAG] };
  const many = parsed.comparisons.length > 1;
  parsed.comparisons.forEach((comparison, position) => {
    const kind = kinds[position]!;
    if (kind.startsWith('!')) return;
    const where = many ? `${location} comparison ${position + 1}` : location;
    result.add(kind as IndicatorKind, comparisonValue(comparison) ?? '', partMeta, where);
  });
}

/**
 * The one `START … STOP` window of a pattern as its parts' validity (first
 * seen at the start, valid until the stop). Several windows, or one with an
 * unreadable or reversed timestamp, leave the indicator's own dates.
 */
function windowOf(windows: readonly { start: string; stop: string }[]): Partial<ReportMeta> {
  if (windows.length !== 1) return {};
  const start = parseDate(windows[0]!.start);
  const stop = parseDate(windows[0]!.stop);
  if (typeof start !== 'number' || typeof stop !== 'number' || stop < start) return {};
  return { firstSeen: start, validUntil: stop };
}

/** True when observations are joined by AND or FOLLOWEDBY: the indicator is the conjunction, not each part. */
function joinsObservations(expression: ObservationExpression): boolean {
  if (expression.type === 'observation') return false;
  if (expression.type !== 'or') return true;
  return expression.operands.some(joinsObservations);
}

/** The report fields of an indicator SDO, or `invalid_confidence`. */
function indicatorMeta(object: StixObject, bundle: BundleContext): ReportMeta | 'invalid_confidence' {
  const invalidDates: string[] = [];
  const firstSeen = dateOrNoted(parseDate(object.valid_from), 'valid_from', invalidDates);
  const lastSeen = dateOrNoted(
    parseDate(object.modified ?? object.valid_from),
    object.modified === undefined ? 'valid_from' : 'modified',
    invalidDates,
  );
  const validUntil = dateOrNoted(parseDate(object.valid_until), 'valid_until', invalidDates);
  const confidence = validConfidence(object.confidence);
  if (confidence === 'invalid') return 'invalid_confidence';
  const common = objectMeta(object, bundle);
  const references = asObjects(object.external_references);
  const name = asString(object.name);
  const description = asString(object.description);
  return {
    ...common,
    firstSeen,
    lastSeen,
    validUntil,
    confidence,
    // 2.0 `labels` are the indicator types; 2.1 has `indicator_types` and free `labels`.
    tags: [
      ...new Set([
        ...asStrings(object.labels),
        ...asStrings(object.indicator_types),
        ...(common.tags ?? []),
        // The vulnerabilities it is related to, or names in a `cve` external reference: as MISP's are.
        ...cveIdsOf(object).map(vulnerabilityTag),
        ...bundle.vulnerabilitiesOf(common.recordId ?? '').map(vulnerabilityTag),
      ]),
    ],
    threatNames: bundle.threatNamesOf(common.recordId ?? ''),
    description:
      name && description && name !== description ? `${name}: ${description}` : (description ?? name),
    reference: references.map((reference) => asString(reference.url)).find((url) => url !== null) ?? null,
    // valid_from stands for both dates when modified is absent: one reject for one bad value.
    invalidDates: [...new Set(invalidDates)],
  };
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
  const literal = comparison.literal;
  const value = literal?.type === 'string' ? literal.value : null;
  // `autonomous-system:number = 13335`: the one kind whose property is a number.
  if (literal?.type === 'number' && kindOfStixProperty(comparison.objectType, comparison.path, '') === 'asn')
    return 'asn';
  if (value === null) {
    return `!${where} is compared with a ${literal?.type ?? 'missing'} value, not a string`;
  }
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
  const valueKind = kindOfStixProperty(type, ['value'], asText(object.value));
  if (valueKind && typeof object.value !== 'string')
    return result.reject('invalid_structure', `${type} without a value`, null, location);
  const found = observablesOf(type, object);
  for (const { kind, value, path } of found)
    result.add(kind, value, meta, path ? `${location} ${path}` : location);
  if (found.length > 0) return;
  if (type === 'file' || UNSUPPORTED_SCO_TYPES.has(type)) {
    result.reject(
      'unsupported_type',
      `STIX ${type} object without a property Dragnet indexes`,
      asString(object.value) ?? asString(object.name),
      location,
    );
  }
}

/**
 * The observables of a bare SCO: each own top-level property the kind
 * registry knows for its type (`file` `name`, `mutex` `name`,
 * `autonomous-system` `number`…) and each known `hashes` entry. Own keys
 * only, through the registry's Maps: a key `__proto__` matches nothing.
 */
function observablesOf(
  type: string,
  object: StixObject,
): { kind: IndicatorKind; value: string; path: string }[] {
  const found: { kind: IndicatorKind; value: string; path: string }[] = [];
  for (const [key, property] of Object.entries(object)) {
    if (key === 'hashes' && property && typeof property === 'object' && !Array.isArray(property)) {
      for (const [name, hash] of Object.entries(property)) {
        const kind = hashKindOfStixName(name, type);
        if (kind) found.push({ kind, value: asText(hash), path: `hashes.${name}` });
      }
      continue;
    }
    const text = typeof property === 'number' ? String(property) : asString(property);
    if (text === null || key === 'type' || key === 'id') continue;
    const kind = kindOfStixProperty(type, [key], text);
    if (kind) found.push({ kind, value: text, path: key === 'value' ? '' : key });
  }
  return found;
}
