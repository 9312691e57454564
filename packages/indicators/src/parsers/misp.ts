import type { IndicatorKind, Tlp } from '../model.js';
import {
  asBuffer,
  asString,
  asText,
  dateOrNoted,
  mostRestrictive,
  ownValue,
  type ParseContext,
  parseDate,
  parseJsonMessage,
  parseTlp,
  type ReportMeta,
  ResultBuilder,
} from './common.js';

export interface MispFormat {
  type: 'misp';
}

type Json = Record<string, unknown>;
/** `ip` is decided by the value: IPv4, IPv6 or a network. */
type Part = IndicatorKind | 'ip' | null;

/**
 * MISP attribute types → the observable in each `|`-separated part (null
 * for parts that are context: file names, ports). Types not listed carry no
 * observable Dragnet indexes and are `unsupported_type` rejects.
 */
export const MISP_ATTRIBUTE_TYPES: Readonly<Record<string, readonly Part[]>> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', null],
  'ip-dst|port': ['ip', null],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain', null],
  'domain|ip': ['domain', 'ip'],
  url: ['url'],
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

/**
 * Galaxies whose clusters name a threat (malware family, actor, tool). Others
 * — ATT&CK techniques, sectors, countries — describe it and stay tags.
 */
const THREAT_GALAXY =
  /(^|-)(malpedia|threat-actor|intrusion-set|malware|tool|ransomware|rat|botnet|backdoor|banker|stealer|exploit-kit|android|microsoft-activity-group)$/;

/** Objects of a JSON array; arrays stay in (an array attribute is a reject, as before), null and scalars do not. */
const asArray = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((item): item is Json => !!item && typeof item === 'object') : [];

/**
 * Events in any shape MISP exports: `{Event}`, `{response: [{Event}]}`, or
 * arrays of those. Recursive, so the depth is bounded by the JSON depth
 * check in `parseJsonMessage` (MAX_JSON_DEPTH).
 */
function eventsOf(document: unknown): Json[] | null {
  if (Array.isArray(document)) {
    const all = document.map(eventsOf);
    return all.every((events) => events !== null) ? (all as Json[][]).flat() : null;
  }
  if (!document || typeof document !== 'object') return null;
  const record = document as Json;
  if (record.Event && typeof record.Event === 'object' && !Array.isArray(record.Event))
    return [record.Event as Json];
  if (Array.isArray(record.response)) return eventsOf(record.response);
  return null;
}

const tagNames = (value: unknown): string[] =>
  asArray(value)
    .map((tag) => asString(tag.name))
    .filter((name): name is string => name !== null);

/** `misp-galaxy:malpedia="Emotet"` → `['malpedia', 'Emotet']`. */
function galaxyTag(tag: string): [galaxy: string, name: string] | null {
  const match = /^misp-galaxy:([^=]+)="(.+)"$/.exec(tag);
  return match ? [match[1]!, match[2]!] : null;
}

/** Event-level context shared by its attributes. */
interface EventMeta {
  tlp: Tlp | null;
  tags: string[];
  threatNames: string[];
  description: string | null;
  reference: string | null;
  date: number | null;
  /** The event date was unreadable or out of range: each attribute's report notes it (and is kept). */
  dateInvalid: boolean;
}

function eventMeta(event: Json): EventMeta {
  const threatNames = new Set<string>();
  const tags: string[] = [];
  const levels: Tlp[] = [];
  for (const tag of tagNames(event.Tag)) {
    const level = /^tlp:/i.test(tag) ? parseTlp(tag) : null;
    const galaxy = galaxyTag(tag);
    if (level) levels.push(level);
    else if (galaxy && THREAT_GALAXY.test(galaxy[0])) threatNames.add(galaxy[1]);
    else tags.push(tag);
  }
  for (const galaxy of asArray(event.Galaxy)) {
    if (!THREAT_GALAXY.test(asText(galaxy.type))) continue;
    for (const cluster of asArray(galaxy.GalaxyCluster)) {
      const name = asString(cluster.value);
      if (name) threatNames.add(name);
    }
  }
  const date = parseDate(event.date);
  return {
    tlp: mostRestrictive(levels),
    tags,
    threatNames: [...threatNames].sort(),
    description: asString(event.info),
    reference: null,
    date: date === 'invalid' ? null : date,
    dateInvalid: date === 'invalid',
  };
}

/**
 * `link` attributes, and `url`s filed under "External analysis", point at
 * the write-up (welivesecurity.com, VirusTotal), not at the threat: they
 * become every indicator's reference and are not indexed as URLs.
 */
const isReferenceAttribute = (attribute: Json): boolean =>
  attribute.type === 'link' || (attribute.type === 'url' && attribute.category === 'External analysis');

/**
 * MISP event JSON: `Event.Attribute` and `Event.Object[].Attribute`. Event
 * tags give the TLP (`tlp:amber`; the most restrictive one wins), threat
 * galaxy tags and clusters the threat names, other tags the tags;
 * `Event.info` is the description. Attributes with `to_ids: false` are kept
 * (still intelligence, and most of ESET's network indicators are flagged so)
 * and tagged `misp:to_ids=false` so detection rules can leave them out.
 */
export function parseMisp(
  bytes: Buffer | Uint8Array,
  _format: MispFormat,
  context: ParseContext,
): ResultBuilder {
  const result = new ResultBuilder(context);
  const document = parseJsonMessage(asBuffer(bytes), result);
  if (document === undefined) return result;
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
  events.forEach((event, eventIndex) => {
    const eventLocation = events.length > 1 ? `Event[${eventIndex}] ` : '';
    const meta = eventMeta(event);
    const attributes: { attribute: Json; location: string }[] = [];
    asArray(event.Attribute).forEach((attribute, index) =>
      attributes.push({ attribute, location: `${eventLocation}Attribute[${index}]` }),
    );
    asArray(event.Object).forEach((object, objectIndex) =>
      asArray(object.Attribute).forEach((attribute, index) =>
        attributes.push({
          attribute,
          location: `${eventLocation}Object[${objectIndex}].Attribute[${index}]`,
        }),
      ),
    );
    meta.reference =
      attributes
        .map(({ attribute }) => attribute)
        .filter(isReferenceAttribute)
        .map((attribute) => asString(attribute.value))
        .find((url) => url !== null) ?? null;
    for (const { attribute, location } of attributes)
      addAttribute(result, attribute, meta, withUuid(location, attribute));
  });
  return result;
}

const withUuid = (location: string, attribute: Json): string => {
  const uuid = asString(attribute.uuid);
  return uuid ? `${location} ${uuid}` : location;
};

function addAttribute(result: ResultBuilder, attribute: Json, event: EventMeta, location: string): void {
  const type = asString(attribute.type) ?? '';
  const value = asString(attribute.value) ?? '';
  if (isReferenceAttribute(attribute)) {
    return result.reject(
      'not_an_indicator',
      `MISP ${type} to the analysis (${asString(attribute.category) ?? 'no category'}): used as the reference of the event's indicators`,
      value,
      location,
    );
  }
  // Own properties only: a type named `constructor` or `__proto__` is just an unknown type.
  const parts = ownValue(MISP_ATTRIBUTE_TYPES, type);
  if (!parts) {
    return result.reject(
      'unsupported_type',
      `MISP attribute type ${JSON.stringify(type.slice(0, 100))} carries no supported observable`,
      value,
      location,
    );
  }
  const invalidDates: string[] = event.dateInvalid ? ['Event.date'] : [];
  const firstSeen = dateOrNoted(parseDate(attribute.first_seen), 'first_seen', invalidDates);
  const lastSeen = dateOrNoted(
    parseDate(attribute.last_seen ?? attribute.timestamp),
    attribute.last_seen === undefined || attribute.last_seen === null ? 'timestamp' : 'last_seen',
    invalidDates,
  );
  const attributeTags = tagNames(attribute.Tag);
  const attributeLevels = attributeTags.map(parseTlp).filter((level): level is Tlp => level !== null);
  const meta: ReportMeta = {
    // MISP's own first_seen, else the event date (when the analyst recorded it), else the attribute timestamp.
    firstSeen: firstSeen ?? event.date ?? null,
    lastSeen,
    tags: [
      ...event.tags,
      ...attributeTags.filter((tag) => !/^tlp:/i.test(tag)),
      ...(attribute.to_ids === false ? ['misp:to_ids=false'] : []),
    ],
    tlp: mostRestrictive(attributeLevels) ?? event.tlp,
    threatNames: event.threatNames,
    description: event.description,
    reference: event.reference,
    recordId: asString(attribute.uuid),
    invalidDates,
  };
  const values = parts.length > 1 ? value.split('|') : [value];
  if (values.length !== parts.length) {
    return result.reject(
      'invalid_value',
      `MISP ${type} value must have ${parts.length} parts separated by |`,
      value,
      location,
    );
  }
  parts.forEach((part, index) => {
    if (part === null) return;
    const raw = values[index]!;
    const kind: IndicatorKind =
      part === 'ip' ? (raw.includes('/') ? 'cidr' : raw.includes(':') ? 'ipv6' : 'ipv4') : part;
    result.add(kind, raw, meta, parts.length > 1 ? `${location} part ${index + 1}` : location);
  });
}
