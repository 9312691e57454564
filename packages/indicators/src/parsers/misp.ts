import type { IndicatorKind, Tlp } from '../model.js';
import { vulnerabilityTag } from '../vulnerability.js';
import {
  asBuffer,
  asString,
  asText,
  classifyMarking,
  dateOrNoted,
  mostRestrictive,
  ownValue,
  type ParseContext,
  parseDate,
  parseJsonMessage,
  type ReportMeta,
  ResultBuilder,
} from './common.js';

export interface MispFormat {
  type: 'misp';
}

type Json = Record<string, unknown>;
/**
 * What one `|`-separated part of a MISP value is: a kind; `ip` (IPv4, IPv6 or
 * a network, by the value); `file` (a file name, or a path when it has a
 * directory); context kept as a tag on the part's observables (`port`,
 * `registry-data`); or null for nothing.
 */
type Part = IndicatorKind | 'ip' | 'file' | 'port' | 'registry-data' | null;

const FILE_HASHES = [
  'md5',
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'sha3-256',
  'sha3-512',
  'ssdeep',
  'tlsh',
  'imphash',
  'authentihash',
  'pehash',
] as const satisfies readonly IndicatorKind[];

/**
 * MISP attribute types → the observable in each `|`-separated part. Types
 * not listed carry no observable Dragnet indexes and are `unsupported_type`
 * rejects; those in CONTEXT_TYPES are context, not indicators.
 */
export const MISP_ATTRIBUTE_TYPES: Readonly<Record<string, readonly Part[]>> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', 'port'],
  'ip-dst|port': ['ip', 'port'],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain', 'port'],
  'domain|ip': ['domain', 'ip'],
  url: ['url'],
  uri: ['url'],
  email: ['email'],
  'email-src': ['email'],
  'email-dst': ['email'],
  'email-reply-to': ['email'],
  'email-subject': ['email-subject'],
  ...Object.fromEntries(
    FILE_HASHES.flatMap((hash) => [
      [hash, [hash]],
      [`filename|${hash}`, ['file', hash]],
    ]),
  ),
  filename: ['file'],
  regkey: ['registry-key'],
  'regkey|value': ['registry-key', 'registry-data'],
  mutex: ['mutex'],
  'x509-fingerprint-md5': ['x509-md5'],
  'x509-fingerprint-sha1': ['x509-sha1'],
  'x509-fingerprint-sha256': ['x509-sha256'],
  AS: ['asn'],
  'mac-address': ['mac'],
  'user-agent': ['user-agent'],
  btc: ['crypto-wallet'],
  xmr: ['crypto-wallet'],
  dash: ['crypto-wallet'],
  'phone-number': ['phone'],
  'whois-registrant-phone': ['phone'],
  'ja3-fingerprint-md5': ['ja3'],
  'jarm-fingerprint': ['jarm'],
  'hassh-md5': ['hassh'],
  'hasshserver-md5': ['hassh-server'],
  'stix2-pattern': ['stix-pattern'],
  yara: ['yara'],
  sigma: ['sigma'],
  snort: ['snort'],
};

/**
 * Attribute types that describe the event rather than name an observable:
 * free text and comments, a bare port. `not_an_indicator`, like links to
 * the write-up; vulnerabilities become a tag of every indicator of the event.
 */
const CONTEXT_TYPES: ReadonlyMap<string, string> = new Map([
  ['text', 'free text'],
  ['comment', 'a comment'],
  ['port', 'a port without its host'],
  ['vulnerability', "a vulnerability: tagged on the event's indicators"],
]);

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
  /** `tlp:…` tags that are no TLP level: a warning on each attribute, kept as tags. */
  unknownMarkings: string[];
}

function eventMeta(event: Json): EventMeta {
  const threatNames = new Set<string>();
  const tags: string[] = [];
  const levels: Tlp[] = [];
  const unknownMarkings: string[] = [];
  for (const tag of tagNames(event.Tag)) {
    const marking = classifyMarking(tag);
    const galaxy = galaxyTag(tag);
    if (marking.type === 'tlp') levels.push(marking.level);
    else if (marking.type === 'unknown') unknownMarkings.push(tag);
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
    unknownMarkings,
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
    const vulnerabilities = attributes
      .filter(({ attribute }) => attribute.type === 'vulnerability')
      .map(({ attribute }) => asString(attribute.value)?.trim())
      .filter((cve): cve is string => !!cve);
    meta.tags = [...meta.tags, ...new Set(vulnerabilities.map(vulnerabilityTag))];
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
  const notIndexed = whyNotIndexed(attribute, type);
  if (notIndexed) return result.reject(notIndexed.reason, notIndexed.message, value, location);
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
  const values = parts.length > 1 ? value.split('|') : [value];
  if (values.length !== parts.length) {
    return result.reject(
      'invalid_value',
      `MISP ${type} value must have ${parts.length} parts separated by |`,
      value,
      location,
    );
  }
  addParts(result, parts, values, attributeMeta(attribute, event), location);
}

/** A link to the write-up or context (text, comment, a bare port, a vulnerability): not an observable, and why. */
function whyNotIndexed(
  attribute: Json,
  type: string,
): { reason: 'not_an_indicator'; message: string } | null {
  if (isReferenceAttribute(attribute)) {
    return {
      reason: 'not_an_indicator',
      message: `MISP ${type} to the analysis (${asString(attribute.category) ?? 'no category'}): used as the reference of the event's indicators`,
    };
  }
  const context = CONTEXT_TYPES.get(type);
  return context
    ? { reason: 'not_an_indicator', message: `MISP ${type} attribute is ${context}, not an observable` }
    : null;
}

/** The report fields of one attribute: its own dates and markings over the event's. */
function attributeMeta(attribute: Json, event: EventMeta): ReportMeta {
  const invalidDates: string[] = event.dateInvalid ? ['Event.date'] : [];
  const firstSeen = dateOrNoted(parseDate(attribute.first_seen), 'first_seen', invalidDates);
  const lastSeen = dateOrNoted(
    parseDate(attribute.last_seen ?? attribute.timestamp),
    attribute.last_seen === undefined || attribute.last_seen === null ? 'timestamp' : 'last_seen',
    invalidDates,
  );
  const attributeTags = tagNames(attribute.Tag);
  const attributeMarkings = attributeTags.map((tag) => classifyMarking(tag));
  const attributeLevels = attributeMarkings.flatMap((marking) =>
    marking.type === 'tlp' ? [marking.level] : [],
  );
  return {
    // MISP's own first_seen, else the event date (when the analyst recorded it), else the attribute timestamp.
    firstSeen: firstSeen ?? event.date ?? null,
    lastSeen,
    tags: [
      ...event.tags,
      // TLP tags become the marking, unknown ones are kept as tags by the unknown-marking warning; PAP stays a tag.
      ...attributeTags.filter((_, index) => {
        const type = attributeMarkings[index]!.type;
        return type === 'none' || type === 'pap';
      }),
      ...(attribute.to_ids === false ? ['misp:to_ids=false'] : []),
    ],
    tlp: mostRestrictive(attributeLevels) ?? event.tlp,
    threatNames: event.threatNames,
    description: event.description,
    reference: event.reference,
    recordId: asString(attribute.uuid),
    invalidDates,
    unknownMarkings: [
      ...event.unknownMarkings,
      ...attributeTags.filter((_, index) => attributeMarkings[index]!.type === 'unknown'),
    ],
  };
}

/** One indicator per observable part of a (`|`-composite) value; context parts (a port) tag their siblings. */
function addParts(
  result: ResultBuilder,
  parts: readonly Part[],
  values: string[],
  meta: ReportMeta,
  location: string,
): void {
  const contextTags = parts.flatMap((part, index) => partContextTag(part, values[index]!));
  const partMeta = contextTags.length > 0 ? { ...meta, tags: [...meta.tags!, ...contextTags] } : meta;
  parts.forEach((part, index) => {
    const kind = partKind(part, values[index]!.trim());
    if (kind === null) return;
    result.add(kind, values[index]!, partMeta, parts.length > 1 ? `${location} part ${index + 1}` : location);
  });
}

/** The kind of an observable part; null for context parts. */
function partKind(part: Part, raw: string): IndicatorKind | null {
  if (part === 'ip') return raw.includes('/') ? 'cidr' : raw.includes(':') ? 'ipv6' : 'ipv4';
  // MISP `filename` holds a bare name, a full path (`/usr/lib/…`, `C:\\…`) or a directory (`%APPDATA%\\x\\`).
  if (part === 'file')
    return /[/\\]$/.test(raw) ? 'directory' : /[/\\]/.test(raw) ? 'file-path' : 'file-name';
  if (part === 'port' || part === 'registry-data') return null;
  return part;
}

/** Context a part adds to its sibling observables: the port they were seen on, the registry value's data. */
function partContextTag(part: Part, raw: string): string[] {
  const value = raw.trim();
  if (part === 'port')
    return /^[1-9]\d{0,4}$/.test(value) && Number(value) <= 65_535 ? [`port:${value}`] : [];
  if (part === 'registry-data') return value ? [`registry-data:${value}`] : [];
  return [];
}
