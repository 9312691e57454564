/**
 * Bounds on what one partner message or record may make Dragnet do or store.
 * Every byte of a feed may be crafted: these keep parsing linear, recursion
 * shallow and documents small. Each limit exceeded is a reject with a reason
 * code (README, "Limits"), never a throw. The real corpus (`../shared/feeds`)
 * stays far below all of them: at most 22 tags of 106 characters, 3 threat
 * names, a 190-character description, a 939-character STIX pattern, JSON
 * nested 9 deep, 1.8 MB per file.
 */

/**
 * The last millisecond of year 9999 (9999-12-31T23:59:59.999Z): a later date
 * is `invalid_date`. `new Date(9e15).toISOString()` throws downstream and
 * Elasticsearch's date format has four-digit years. Dates before 1970 are
 * `invalid_date` too (typos such as year 0000), so every date is 1970–9999.
 */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** A whole message above this is one `too_large` reject (Kafka's own default limit is 1 MiB). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** JSON (STIX, MISP) nested deeper than this is one `too_deep` reject: the parsers walk it recursively. */
export const MAX_JSON_DEPTH = 64;

/** A STIX pattern longer than this is a `too_large` reject of its indicator. */
export const MAX_PATTERN_LENGTH = 64 * 1024;

/** Parentheses and brackets nested deeper than this in a STIX pattern: `too_deep` (the parser is recursive). */
export const MAX_PATTERN_DEPTH = 64;

/**
 * An observable value longer than this (before refanging) is `value_too_long`.
 * The longest valid domain is 253 characters; this bounds URLs, which servers
 * and browsers commonly cap at 8 KiB too.
 */
export const MAX_VALUE_LENGTH = 8 * 1024;

/** Per record: more tags than this are dropped (`too_many_items`), longer ones dropped (`field_too_long`). */
export const MAX_TAGS = 64;
export const MAX_TAG_LENGTH = 256;

/** Per record: threat names, as tags. */
export const MAX_THREAT_NAMES = 64;
export const MAX_THREAT_NAME_LENGTH = 256;

/** A longer description is truncated to this many characters (`field_too_long`). */
export const MAX_DESCRIPTION_LENGTH = 4096;

/** A longer reference URL is dropped (`field_too_long`): a truncated URL would point elsewhere. */
export const MAX_REFERENCE_LENGTH = 2048;

/** A longer per-record feed name is replaced by the registry's (`field_too_long`). */
export const MAX_FEED_NAME_LENGTH = 128;

/** A longer partner record id is dropped from the provenance (`field_too_long`). */
export const MAX_RECORD_ID_LENGTH = 256;

/** Reject messages and locations are clipped to these lengths: they quote partner text. */
export const MAX_REJECT_MESSAGE_LENGTH = 500;
export const MAX_REJECT_LOCATION_LENGTH = 300;

/**
 * Networks broader than these prefixes are `network_too_broad`: one `/0`
 * indicator would match every IP lookup. A feed may set its own minimum
 * (`minIpv4Prefix` / `minIpv6Prefix` format settings).
 */
export const MIN_IPV4_PREFIX = 8;
export const MIN_IPV6_PREFIX = 16;
