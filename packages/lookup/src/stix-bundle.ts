import {
  type IndicatorKind,
  KINDS,
  observableId,
  scoProperties,
  splitFilePath,
  stixPatternOf,
  type Tlp,
  uuidv5,
  VULNERABILITY_TAG_PREFIX,
  vulnerabilitiesOfTags,
} from '@dragnet/indicators';

/**
 * Indexed documents as STIX 2.1, for sharing intelligence back out (the
 * export bundle and the TAXII server build the same objects): per indicator
 * an `indicator` (pattern), the observable itself under its deterministic id,
 * a `based-on` relationship between them, and one `sighting` per partner
 * that reported it (`where_sighted_refs` → the partner's `identity`), and
 * per CVE it is stated to relate to a `vulnerability` and a `related-to`
 * relationship.
 * Markings are the TLP 2.0 marking definitions. Ids are deterministic, so
 * exporting twice yields the same objects; the indicator and the relationship
 * share the observable's UUID (`indicator--U` for the observable `ipv4-addr--U`), so
 * a TAXII client asking for an indicator by id finds its document by one
 * multi-get.
 */

export type StixObject = Record<string, unknown> & { type: string; id: string };

/** TLP 2.0 marking definitions as published with the STIX 2.1 TLP 2.0 extension. */
const TLP_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
const TLP_MARKINGS: Record<Tlp, { id: string; name: string }> = {
  clear: { id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', name: 'TLP:CLEAR' },
  green: { id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', name: 'TLP:GREEN' },
  amber: { id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', name: 'TLP:AMBER' },
  'amber+strict': {
    id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
    name: 'TLP:AMBER+STRICT',
  },
  red: { id: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', name: 'TLP:RED' },
};
const TLP_2_CREATED = '2022-10-01T00:00:00.000Z';
/** Identities describe organisations, not events; a fixed creation time keeps their ids' objects stable. */
const IDENTITY_CREATED = '2026-01-01T00:00:00.000Z';

export const DRAGNET_IDENTITY_ID = `identity--${uuidv5('dragnet:identity')}`;

export function partnerIdentityId(provider: string): string {
  return `identity--${uuidv5(`dragnet:partner:${provider}`)}`;
}

/** The UUID part of a STIX id (`ipv4-addr--<uuid>` → `<uuid>`). */
export function stixUuid(id: string): string {
  const separator = id.indexOf('--');
  return separator === -1 ? id : id.slice(separator + 2);
}

export function stixIndicatorId(observableId: string): string {
  return `indicator--${stixUuid(observableId)}`;
}

export function basedOnRelationshipId(observableId: string): string {
  return `relationship--${stixUuid(observableId)}`;
}

/** The TLP 2.0 marking definition of a level, as published with the TLP 2.0 extension. */
export function tlpMarkingDefinition(tlp: Tlp): StixObject {
  const marking = TLP_MARKINGS[tlp];
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: marking.id,
    created: TLP_2_CREATED,
    name: marking.name,
    extensions: { [TLP_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp } },
  };
}

/** The TLP level a marking-definition id stands for, or null. */
export function tlpOfMarkingId(id: string): Tlp | null {
  for (const [tlp, marking] of Object.entries(TLP_MARKINGS)) if (marking.id === id) return tlp as Tlp;
  return null;
}

/** Dragnet itself, the `created_by_ref` of every indicator and relationship. */
export const DRAGNET_IDENTITY: StixObject = {
  type: 'identity',
  spec_version: '2.1',
  id: DRAGNET_IDENTITY_ID,
  created: IDENTITY_CREATED,
  modified: IDENTITY_CREATED,
  name: 'Dragnet',
  identity_class: 'system',
};

export function partnerIdentity(provider: string): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: partnerIdentityId(provider),
    created: IDENTITY_CREATED,
    modified: IDENTITY_CREATED,
    name: provider,
    identity_class: 'organization',
  };
}

interface SourceFields {
  provider: string;
  first_seen: string;
  last_seen: string;
  tlp: Tlp;
  confidence: number | null;
}

export interface DocumentStixOptions {
  /**
   * `modified` of the indicator, relationship and sightings (default: the
   * indicator's last sighting, and each partner's own). TAXII passes the
   * time the document version was written, so every version of a document
   * is a new version of each of its objects.
   */
  modified?: string;
  /** Marks the indicator and relationship `revoked` (expired or suppressed: consumers remove them). */
  revoked?: boolean;
}

/** One document's STIX objects: its own (indicator, observable, relationship, sightings) and the shared ones it refers to. */
export interface DocumentStix {
  own: StixObject[];
  /** Partner identities and marking definitions, each once; shared with other documents. */
  shared: StixObject[];
}

/** What the relationships of one document share: their source, times, marking and revocation. */
interface RelationshipFrame {
  indicatorId: string;
  created: string;
  modified: string;
  revoked: { revoked?: true };
  tlp: Tlp;
}

function relationship(frame: RelationshipFrame, id: string, type: string, targetRef: string): StixObject {
  return {
    type: 'relationship',
    spec_version: '2.1',
    id,
    created_by_ref: DRAGNET_IDENTITY_ID,
    created: frame.created,
    modified: frame.modified,
    relationship_type: type,
    source_ref: frame.indicatorId,
    target_ref: targetRef,
    ...frame.revoked,
    object_marking_refs: [TLP_MARKINGS[frame.tlp].id],
  };
}

/** The STIX objects of one (already projected) indexed document. */
export function documentStixObjects(
  document: Record<string, unknown>,
  options: DocumentStixOptions = {},
): DocumentStix {
  const dragnet = document.dragnet as Record<string, unknown>;
  const observableId = String(dragnet.id);
  const tlp = dragnet.tlp as Tlp;
  const sources = (dragnet.sources as SourceFields[] | undefined) ?? [];
  const indicatorFields = ((document.threat as Record<string, unknown>).indicator ?? {}) as Record<
    string,
    unknown
  >;
  const firstSeen = stixTime(String(indicatorFields.first_seen));
  const lastSeen = stixTime(String(indicatorFields.last_seen));
  const modified = options.modified ? latest(firstSeen, stixTime(options.modified)) : lastSeen;
  const revoked: { revoked?: true } = options.revoked ? { revoked: true } : {};
  const frame: RelationshipFrame = {
    indicatorId: stixIndicatorId(observableId),
    created: firstSeen,
    modified,
    revoked,
    tlp,
  };
  const own: StixObject[] = [indicatorObject(document, { firstSeen, modified, revoked })];
  const observable = observableObjects(
    dragnet.kind as IndicatorKind,
    String(dragnet.value),
    observableId,
    tlp,
  );
  // A pattern kind (a STIX pattern, YARA, Sigma…) is its own indicator: no observable to point at.
  if (observable.length > 0)
    own.push(
      ...observable,
      relationship(frame, basedOnRelationshipId(observableId), 'based-on', observableId),
    );
  const shared = new Map<string, StixObject>();
  const markings = new Set<Tlp>([tlp]);
  for (const cve of vulnerabilitiesOf(dragnet)) {
    const vulnerability = vulnerabilityObject(cve);
    shared.set(vulnerability.id, vulnerability);
    markings.add('clear');
    const id = `relationship--${uuidv5(`dragnet:related-to:${observableId}:${cve}`)}`;
    own.push(relationship(frame, id, 'related-to', vulnerability.id));
  }
  for (const source of sources) {
    markings.add(source.tlp);
    const partner = partnerIdentity(source.provider);
    shared.set(partner.id, partner);
    own.push(sighting(observableId, frame.indicatorId, source, options.modified));
  }
  for (const level of markings) shared.set(TLP_MARKINGS[level].id, tlpMarkingDefinition(level));
  return { own, shared: [...shared.values()] };
}

/** The document's CVE ids (`dragnet.vulnerabilities`, already those the reader may see), revalidated. */
function vulnerabilitiesOf(dragnet: Record<string, unknown>): string[] {
  const listed = Array.isArray(dragnet.vulnerabilities) ? dragnet.vulnerabilities : [];
  return vulnerabilitiesOfTags(listed.map((cve) => `${VULNERABILITY_TAG_PREFIX}${String(cve)}`));
}

/**
 * A CVE as a STIX 2.1 `vulnerability` SDO, the way STIX names one (§4.8:
 * `name` and a `cve` external reference), one per CVE in a bundle, with a
 * deterministic id and a fixed creation time so every export yields the same
 * object. Marked TLP:CLEAR: a CVE id is public (the CVE list); what is marked
 * is that this indicator relates to it — the `related-to` relationship, which
 * carries the document's marking. A SDO and a relationship rather than only
 * an `external_references` entry on the indicator: that is what consumers
 * (OpenCTI, MISP's STIX import) turn into a vulnerability they can pivot on;
 * `related-to` because STIX 2.1 defines `indicates` only towards threats,
 * not vulnerabilities. stix2-validator accepts both.
 */
function vulnerabilityObject(cve: string): StixObject {
  return {
    type: 'vulnerability',
    spec_version: '2.1',
    id: `vulnerability--${uuidv5(`dragnet:vulnerability:${cve}`)}`,
    created_by_ref: DRAGNET_IDENTITY_ID,
    created: IDENTITY_CREATED,
    modified: IDENTITY_CREATED,
    name: cve,
    external_references: [{ source_name: 'cve', external_id: cve }],
    object_marking_refs: [TLP_MARKINGS.clear.id],
  };
}

/** The `indicator` of a document: its pattern, validity, score as confidence, threat names as labels. */
function indicatorObject(
  document: Record<string, unknown>,
  times: { firstSeen: string; modified: string; revoked: { revoked?: true } },
): StixObject {
  const dragnet = document.dragnet as Record<string, unknown>;
  const kind = dragnet.kind as IndicatorKind;
  const value = String(dragnet.value);
  const tlp = dragnet.tlp as Tlp;
  const indicator: StixObject = {
    type: 'indicator',
    spec_version: '2.1',
    id: stixIndicatorId(String(dragnet.id)),
    created_by_ref: DRAGNET_IDENTITY_ID,
    created: times.firstSeen,
    modified: times.modified,
    name: value,
    indicator_types: ['malicious-activity'],
    ...patternProperties(kind, value),
    valid_from: times.firstSeen,
    confidence: Math.round(Number(dragnet.score ?? 0)),
    ...times.revoked,
    object_marking_refs: [TLP_MARKINGS[tlp].id],
  };
  const validUntil = typeof dragnet.valid_until === 'string' ? stixTime(dragnet.valid_until) : null;
  if (validUntil && validUntil > times.firstSeen) indicator.valid_until = validUntil;
  const labels = (dragnet.threat_names as string[] | undefined) ?? [];
  if (labels.length > 0) indicator.labels = labels;
  return indicator;
}

function sighting(
  observableId: string,
  indicatorId: string,
  source: SourceFields,
  versionTime: string | undefined,
): StixObject {
  const partner = partnerIdentityId(source.provider);
  const sightingFirst = stixTime(source.first_seen);
  const sightingLast = stixTime(source.last_seen);
  return {
    type: 'sighting',
    spec_version: '2.1',
    id: `sighting--${uuidv5(`dragnet:sighting:${observableId}:${source.provider}`)}`,
    created_by_ref: partner,
    created: sightingFirst,
    modified: versionTime ? latest(sightingFirst, stixTime(versionTime)) : sightingLast,
    first_seen: sightingFirst,
    last_seen: sightingLast,
    sighting_of_ref: indicatorId,
    where_sighted_refs: [partner],
    ...(source.confidence === null ? {} : { confidence: source.confidence }),
    object_marking_refs: [TLP_MARKINGS[source.tlp].id],
  };
}

export function toStixBundle(documents: readonly Record<string, unknown>[], now: Date): StixObject {
  const objects = new Map<string, StixObject>();
  const markings = new Map<string, StixObject>();
  objects.set(DRAGNET_IDENTITY_ID, DRAGNET_IDENTITY);
  for (const document of documents) {
    const { own, shared } = documentStixObjects(document);
    for (const object of own) objects.set(object.id, object);
    for (const object of shared)
      (object.type === 'marking-definition' ? markings : objects).set(object.id, object);
  }
  for (const [id, marking] of markings) objects.set(id, marking);
  return {
    type: 'bundle',
    id: `bundle--${uuidv5(`dragnet:bundle:${now.toISOString()}:${[...objects.keys()].join(',')}`)}`,
    objects: [...objects.values()],
  };
}

/**
 * STIX pattern of an observable kind (from the kind registry: one comparison
 * per defining property, quotes and backslashes escaped per the grammar), or
 * the pattern a pattern kind carries, in its own language.
 */
export function stixPattern(kind: IndicatorKind, value: string): string {
  return stixPatternOf(kind, value) ?? value;
}

/** `pattern`, `pattern_type` (STIX 2.1 pattern-type-ov) and, for STIX patterns, `pattern_version`. */
function patternProperties(kind: IndicatorKind, value: string): Record<string, string> {
  const language = KINDS[kind].stixType(value) === 'indicator' && kind !== 'stix-pattern' ? kind : 'stix';
  return language === 'stix'
    ? { pattern: stixPattern(kind, value), pattern_type: 'stix', pattern_version: '2.1' }
    : { pattern: value, pattern_type: language };
}

/**
 * Whether one property makes a valid SCO on its own (STIX 2.1 §6): a
 * `network-traffic` (a user agent) needs its endpoints and protocols, which a
 * partner's user agent does not tell; an `x509-certificate` named only by
 * subject or issuer has no ID-contributing property, so its deterministic id
 * is not a STIX one; a DNS name with an underscore (DNS allows any octet, and
 * C2 hosts under dynamic-DNS zones use it) is not a STIX `domain-name`, whose
 * value follows RFC 1034's host syntax. Those are exported as the indicator
 * and its pattern only.
 */
function standsAlone(type: string, properties: Record<string, unknown>): boolean {
  if (type === 'network-traffic') return false;
  if (type === 'domain-name') return !String(properties.value).includes('_');
  if (type === 'x509-certificate') return 'hashes' in properties || 'serial_number' in properties;
  return true;
}

/**
 * The observable's SCO with its defining properties (a file path also needs
 * the directory its `parent_directory_ref` names); none for a pattern kind.
 */
function observableObjects(kind: IndicatorKind, value: string, id: string, tlp: Tlp): StixObject[] {
  const properties = scoProperties(kind, value);
  if (!properties || !standsAlone(KINDS[kind].stixType(value), properties)) return [];
  const type = KINDS[kind].stixType(value);
  const marking = { object_marking_refs: [TLP_MARKINGS[tlp].id] };
  const required = type === 'email-message' ? { is_multipart: false } : {};
  const observable: StixObject = { type, spec_version: '2.1', id, ...properties, ...required, ...marking };
  if (kind !== 'file-path') return [observable];
  const directory = splitFilePath(value)?.directory;
  if (directory === undefined) return [observable];
  const directoryId = observableId('directory', directory);
  return [
    observable,
    { type: 'directory', spec_version: '2.1', id: directoryId, path: directory, ...marking },
  ];
}

/** STIX timestamps are RFC 3339 in UTC with a `Z`; Elasticsearch hands back what was indexed, normalised here. */
function stixTime(text: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  return new Date(time).toISOString();
}

/** The later of two ISO timestamps (both from `stixTime`, so they compare as strings). */
const latest = (a: string, b: string): string => (a > b ? a : b);
