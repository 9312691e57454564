export * from './avro.js';
export {
  canonicalCidr,
  canonicalDomain,
  canonicalEmail,
  canonicalHash,
  canonicalIpv4,
  canonicalIpv6,
  canonicalUrl,
  HASH_LENGTH,
  type HashKind,
  splitFilePath,
} from './canonical-forms.js';
export {
  type Canonical,
  type CanonicalWithKind,
  canonicalize,
  canonicalizeAny,
  detectKind,
} from './canonicalize.js';
export {
  type CanonicalOptions,
  INTERNAL_SUFFIXES,
  type InternalSuffix,
} from './domain.js';
export { formatIpv6, parseIpv4, parseIpv6 } from './ip.js';
export {
  hashKindOfStixName,
  KIND_BY_TYPE_NAME,
  KINDS,
  type KindSpec,
  kindOfStixProperty,
  kindOfTypeName,
  STIX_HASH_KEY,
  STIX_HASH_NAME,
  type StixScoType,
} from './kinds.js';
export { MAX_EPOCH_MS } from './limits.js';
export * from './model.js';
export type { AvroFormat } from './parsers/avro-partner.js';
export type { CsvFormat } from './parsers/csv.js';
export { parseDate } from './parsers/dates.js';
export {
  FEED_FORMAT_TYPES,
  type FeedFormat,
  type ParseContext,
  parseFeedMessage,
  validateFeedFormat,
} from './parsers/index.js';
export { MISP_ATTRIBUTE_TYPES, type MispFormat } from './parsers/misp.js';
export { STANDARD_TLP_MARKINGS, type StixFormat } from './parsers/stix.js';
export {
  type Comparison,
  type ComparisonExpression,
  type Literal,
  type ObservationExpression,
  type PatternResult,
  parseStixPattern,
} from './parsers/stix-pattern.js';
export { defang, refang } from './refang.js';
export { scoProperties, stixPatternOf } from './stix-export.js';
export {
  idContributingJson,
  indicatorId,
  observableId,
  STIX_NAMESPACE,
  stixTypeOf,
  uuidv5,
} from './stix-id.js';
export { jcsString } from './stix-id-json.js';
export { canonicalHost, URL_SCHEME_ASSUMED_TAG, URL_SCHEMES, withoutFragment } from './url.js';
export {
  canonicalCve,
  VULNERABILITY_TAG_PREFIX,
  vulnerabilitiesOfTags,
  vulnerabilityTag,
} from './vulnerability.js';
