export * from './avro.js';
export * from './canonicalize.js';
export { formatIpv6, parseIpv4, parseIpv6 } from './ip.js';
export * from './model.js';
export type { AvroFormat } from './parsers/avro-partner.js';
export type { CsvFormat } from './parsers/csv.js';
export {
  FEED_FORMAT_TYPES,
  type FeedFormat,
  type ParseContext,
  parseFeedMessage,
  validateFeedFormat,
} from './parsers/index.js';
export { parseStixPattern } from './parsers/stix-pattern.js';
export * from './refang.js';
export * from './stix-id.js';
