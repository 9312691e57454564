/**
 * The API's own bounds on what one request may make it do. They hold whatever
 * the libraries behind the routes accept, so a client cannot reach an
 * expensive path in @dragnet/indicators or Elasticsearch by crafting input.
 */

/** Longest observable, in UTF-16 code units, checked before any refang or parsing (URLs up to 8 KiB fit). */
export const MAX_OBSERVABLE_CHARACTERS = 8_192;

/** How much of a refused observable is echoed back in `invalid[].input`. */
export const ECHOED_INPUT_CHARACTERS = 64;

/** Deepest `[`/`{` nesting a lookup body may have; `{"observables": [...]}` needs 2. */
export const MAX_BODY_NESTING = 8;

/** Longest `q` (search and STIX export). */
export const MAX_QUERY_CHARACTERS = 4_096;

/** Deepest parenthesis nesting in `q`: the query-string parser recurses once per level. */
export const MAX_QUERY_NESTING = 32;

/** Default bulk-lookup pricing: one rate-limit unit per this many observables (see docs/api.md#rate-limits). */
export const DEFAULT_OBSERVABLES_PER_RATE_UNIT = 100;

/** Default longest wait for Elasticsearch on search and export; the connection is closed after it, which cancels the search. */
export const DEFAULT_SEARCH_TIMEOUT_MS = 10_000;
