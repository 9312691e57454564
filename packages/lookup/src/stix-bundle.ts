import { type IndicatorKind, KINDS, STIX_HASH_NAME, type Tlp, uuidv5 } from '@dragnet/indicators';

/**
 * Indexed documents as a STIX 2.1 bundle, for sharing intelligence back out:
 * per indicator an `indicator` (pattern), the observable itself under its
 * deterministic id, a `based-on` relationship between them, and one
 * `sighting` per partner that reported it (`where_sighted_refs` → the
 * partner's `identity`). Markings are the TLP 2.0 marking definitions.
 * Ids are deterministic, so exporting twice yields the same objects.
 */

type StixObject = Record<string, unknown> & { type: string; id: string };

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

export function stixIndicatorId(observableId: string): string {
  return `indicator--${uuidv5(`dragnet:indicator:${observableId}`)}`;
}

interface SourceFields {
  provider: string;
  first_seen: string;
  last_seen: string;
  tlp: Tlp;
  confidence: number | null;
}

export function toStixBundle(documents: readonly Record<string, unknown>[], now: Date): StixObject {
  const objects = new Map<string, StixObject>();
  const add = (object: StixObject) => objects.set(object.id, object);
  const usedMarkings = new Set<Tlp>();
  add({
    type: 'identity',
    spec_version: '2.1',
    id: DRAGNET_IDENTITY_ID,
    created: IDENTITY_CREATED,
    modified: IDENTITY_CREATED,
    name: 'Dragnet',
    identity_class: 'system',
  });
  for (const document of documents) {
    const dragnet = document.dragnet as Record<string, unknown>;
    const kind = dragnet.kind as IndicatorKind;
    const value = String(dragnet.value);
    const observableId = String(dragnet.id);
    const tlp = dragnet.tlp as Tlp;
    const sources = (dragnet.sources as SourceFields[] | undefined) ?? [];
    const indicatorFields = ((document.threat as Record<string, unknown>).indicator ?? {}) as Record<
      string,
      unknown
    >;
    const firstSeen = stixTime(String(indicatorFields.first_seen));
    const lastSeen = stixTime(String(indicatorFields.last_seen));
    const indicatorId = stixIndicatorId(observableId);
    usedMarkings.add(tlp);
    const indicator: StixObject = {
      type: 'indicator',
      spec_version: '2.1',
      id: indicatorId,
      created_by_ref: DRAGNET_IDENTITY_ID,
      created: firstSeen,
      modified: lastSeen,
      name: value,
      indicator_types: ['malicious-activity'],
      pattern: stixPattern(kind, value),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: firstSeen,
      confidence: Math.round(Number(dragnet.score ?? 0)),
      object_marking_refs: [TLP_MARKINGS[tlp].id],
    };
    const validUntil = typeof dragnet.valid_until === 'string' ? stixTime(dragnet.valid_until) : null;
    if (validUntil && validUntil > firstSeen) indicator.valid_until = validUntil;
    const labels = (dragnet.threat_names as string[] | undefined) ?? [];
    if (labels.length > 0) indicator.labels = labels;
    add(indicator);
    add(observableObject(kind, value, observableId, tlp));
    add({
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${uuidv5(`dragnet:based-on:${indicatorId}`)}`,
      created_by_ref: DRAGNET_IDENTITY_ID,
      created: firstSeen,
      modified: lastSeen,
      relationship_type: 'based-on',
      source_ref: indicatorId,
      target_ref: observableId,
      object_marking_refs: [TLP_MARKINGS[tlp].id],
    });
    for (const source of sources) {
      const partner = partnerIdentityId(source.provider);
      usedMarkings.add(source.tlp);
      add({
        type: 'identity',
        spec_version: '2.1',
        id: partner,
        created: IDENTITY_CREATED,
        modified: IDENTITY_CREATED,
        name: source.provider,
        identity_class: 'organization',
      });
      const sightingFirst = stixTime(source.first_seen);
      const sightingLast = stixTime(source.last_seen);
      add({
        type: 'sighting',
        spec_version: '2.1',
        id: `sighting--${uuidv5(`dragnet:sighting:${observableId}:${source.provider}`)}`,
        created_by_ref: partner,
        created: sightingFirst,
        modified: sightingLast,
        first_seen: sightingFirst,
        last_seen: sightingLast,
        sighting_of_ref: indicatorId,
        where_sighted_refs: [partner],
        ...(source.confidence === null ? {} : { confidence: source.confidence }),
        object_marking_refs: [TLP_MARKINGS[source.tlp].id],
      });
    }
  }
  for (const tlp of usedMarkings) {
    const marking = TLP_MARKINGS[tlp];
    add({
      type: 'marking-definition',
      spec_version: '2.1',
      id: marking.id,
      created: TLP_2_CREATED,
      name: marking.name,
      extensions: { [TLP_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp } },
    });
  }
  return {
    type: 'bundle',
    id: `bundle--${uuidv5(`dragnet:bundle:${now.toISOString()}:${[...objects.keys()].join(',')}`)}`,
    objects: [...objects.values()],
  };
}

/** STIX pattern comparing the observable's defining property; quotes and backslashes escaped per the grammar. */
export function stixPattern(kind: IndicatorKind, value: string): string {
  const literal = `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const type = KINDS[kind].stixType(value);
  if (type === 'file')
    return `[file:hashes.'${STIX_HASH_NAME[kind as keyof typeof STIX_HASH_NAME]}' = ${literal}]`;
  return `[${type}:value = ${literal}]`;
}

function observableObject(kind: IndicatorKind, value: string, id: string, tlp: Tlp): StixObject {
  const type = KINDS[kind].stixType(value);
  const base = { type, spec_version: '2.1', id, object_marking_refs: [TLP_MARKINGS[tlp].id] };
  if (type === 'file')
    return { ...base, hashes: { [STIX_HASH_NAME[kind as keyof typeof STIX_HASH_NAME]]: value } };
  return { ...base, value };
}

/** STIX timestamps are RFC 3339 in UTC with a `Z`; Elasticsearch hands back what was indexed, normalised here. */
function stixTime(text: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  return new Date(time).toISOString();
}
