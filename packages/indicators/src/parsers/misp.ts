import type { IndicatorKind, Tlp } from '../model.js';
import { type ParseContext, parseDate, parseTlp, type ReportMeta, ResultBuilder } from './common.js';

export interface MispFormat {
  type: 'misp';
}

type Json = Record<string, unknown>;

/**
 * MISP attribute types → what to extract. `ip` detects v4/v6/CIDR; composite
 * types (`a|b`) name which parts are observables.
 */
const ATTRIBUTE_TYPES: Record<string, (IndicatorKind | 'ip' | null)[]> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', null],
  'ip-dst|port': ['ip', null],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain', null],
  'domain|ip': ['domain', 'ip'],
  url: ['url'],
  link: ['url'],
  uri: ['url'],
  email: ['email'],
  'email-src': ['email'],
  'email-dst': ['email'],
  'email-reply-to': ['email'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  sha512: ['sha512'],
  'filename|md5': [null, 'md5'],
  'filename|sha1': [null, 'sha1'],
  'filename|sha256': [null, 'sha256'],
  'filename|sha512': [null, 'sha512'],
};

const asString = (value: unknown) => (typeof value === 'string' ? value : null);

/** Events in any of the shapes MISP exports: `{Event}`, `{response: [{Event}]}`, or arrays of those. */
function eventsOf(document: unknown): Json[] | null {
  if (Array.isArray(document)) {
    const all = document.map(eventsOf);
    return all.every((events) => events !== null) ? (all as Json[][]).flat() : null;
  }
  if (!document || typeof document !== 'object') return null;
  const record = document as Json;
  if (record.Event && typeof record.Event === 'object') return [record.Event as Json];
  if (Array.isArray(record.response)) return eventsOf(record.response);
  return null;
}

function tagNames(value: unknown): string[] {
  return Array.isArray(value)
    ? value.map((tag) => asString((tag as Json)?.name)).filter((name): name is string => name !== null)
    : [];
}

/** `misp-galaxy:malpedia="Emotet"` → `Emotet`. */
function galaxyName(tag: string): string | null {
  const match = /^misp-galaxy:[^=]+="(.+)"$/.exec(tag);
  return match ? match[1]! : null;
}

/**
 * MISP event JSON: `Event.Attribute` and `Event.Object[].Attribute`. Event
 * tags give the TLP (`tlp:amber`), galaxy tags and clusters the threat names,
 * other tags the tags; `Event.info` is the description. Attributes with
 * `to_ids: false` are kept (they are still intelligence) and tagged
 * `misp:to_ids=false` so detection rules can leave them out.
 */
export function parseMisp(bytes: Buffer, _format: MispFormat, context: ParseContext): ResultBuilder {
  const result = new ResultBuilder(context);
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    result.reject('invalid_json', `not JSON: ${(error as Error).message}`, null, 'message');
    return result;
  }
  const events = eventsOf(document);
  if (!events || events.length === 0) {
    result.reject(
      'invalid_structure',
      'not a MISP event export: expected {"Event": …} or {"response": [{"Event": …}]}',
      null,
      'message',
    );
    return result;
  }
  for (const event of events) {
    const eventTags = tagNames(event.Tag);
    let tlp: Tlp | null = null;
    const threatNames = new Set<string>();
    const tags: string[] = [];
    for (const tag of eventTags) {
      if (tag.toLowerCase().startsWith('tlp:')) tlp = parseTlp(tag) ?? tlp;
      else if (galaxyName(tag)) threatNames.add(galaxyName(tag)!);
      else tags.push(tag);
    }
    for (const galaxy of Array.isArray(event.Galaxy) ? (event.Galaxy as Json[]) : []) {
      for (const cluster of Array.isArray(galaxy.GalaxyCluster) ? (galaxy.GalaxyCluster as Json[]) : []) {
        const name = asString(cluster.value);
        if (name) threatNames.add(name);
      }
    }
    const eventDate = parseDate(event.date);
    const eventMeta: ReportMeta = {
      tlp,
      threatNames: [...threatNames].sort(),
      description: asString(event.info),
      firstSeen: eventDate === 'invalid' ? null : eventDate,
    };
    const attributes: { attribute: Json; location: string }[] = [];
    (Array.isArray(event.Attribute) ? (event.Attribute as Json[]) : []).forEach((attribute, index) =>
      attributes.push({ attribute, location: `Attribute[${index}]` }),
    );
    (Array.isArray(event.Object) ? (event.Object as Json[]) : []).forEach((object, objectIndex) =>
      (Array.isArray(object.Attribute) ? (object.Attribute as Json[]) : []).forEach((attribute, index) =>
        attributes.push({ attribute, location: `Object[${objectIndex}].Attribute[${index}]` }),
      ),
    );
    for (const { attribute, location: position } of attributes) {
      const uuid = asString(attribute.uuid);
      const location = uuid ? `${position} ${uuid}` : position;
      const type = asString(attribute.type) ?? '';
      const value = asString(attribute.value) ?? '';
      const parts = ATTRIBUTE_TYPES[type];
      if (!parts) {
        result.reject(
          'unsupported_type',
          `MISP attribute type ${JSON.stringify(type)} carries no supported observable`,
          value,
          location,
        );
        continue;
      }
      const firstSeen = parseDate(attribute.first_seen);
      const lastSeen = parseDate(attribute.last_seen ?? attribute.timestamp);
      if (firstSeen === 'invalid' || lastSeen === 'invalid') {
        result.reject('invalid_date', 'unreadable first_seen, last_seen or timestamp', value, location);
        continue;
      }
      const attributeTags = tagNames(attribute.Tag);
      const meta: ReportMeta = {
        ...eventMeta,
        firstSeen: firstSeen ?? eventMeta.firstSeen ?? null,
        lastSeen,
        tags: [
          ...tags,
          ...attributeTags.filter((tag) => !tag.startsWith('tlp:')),
          ...(attribute.to_ids === false ? ['misp:to_ids=false'] : []),
        ],
        tlp: attributeTags.map(parseTlp).find((level) => level !== null) ?? tlp,
        recordId: uuid,
      };
      const values = parts.length > 1 ? value.split('|') : [value];
      if (values.length !== parts.length) {
        result.reject(
          'invalid_value',
          `MISP ${type} value must have ${parts.length} parts separated by |`,
          value,
          location,
        );
        continue;
      }
      parts.forEach((part, index) => {
        if (part === null) return;
        const raw = values[index]!;
        const kind: IndicatorKind =
          part === 'ip' ? (raw.includes('/') ? 'cidr' : raw.includes(':') ? 'ipv6' : 'ipv4') : part;
        result.add(kind, raw, meta, location);
      });
    }
  }
  return result;
}
