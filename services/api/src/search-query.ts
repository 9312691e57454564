import { InvalidRequestError } from '@dragnet/lookup';
import { MAX_QUERY_CHARACTERS, MAX_QUERY_NESTING } from './limits.js';

/**
 * Refuses the query-string syntax whose cost a client controls: regular
 * expressions (`/…/`: automaton size and term scans), fuzzy and proximity
 * terms (`~`: term expansions), and deep parenthesis nesting (the parser
 * recurses per level). Leading wildcards are already off in the query
 * Elasticsearch runs. One linear pass that follows Lucene's rules for quoted
 * phrases and `\` escapes, so `"http://x/y"` and `http\:\/\/x\/y` still work.
 */
export function checkSearchQuery(query: string): void {
  if (query.length > MAX_QUERY_CHARACTERS)
    throw new InvalidRequestError('query_too_long', `q: at most ${MAX_QUERY_CHARACTERS} characters`);
  let inPhrase = false;
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const char = query[i];
    if (char === '\\') {
      i++; // The next character is literal, inside a phrase or not.
      continue;
    }
    if (char === '"') inPhrase = !inPhrase;
    if (inPhrase) continue;
    if (char === '/')
      throw new InvalidRequestError(
        'regex_not_allowed',
        'q: regular expressions (/…/) are not allowed; quote the value ("http://…") or escape / as \\/',
      );
    if (char === '~')
      throw new InvalidRequestError(
        'fuzzy_not_allowed',
        'q: fuzzy and proximity searches (~) are not allowed; use a trailing wildcard (evil.exam*) or OR the variants',
      );
    if (char === '(' && ++depth > MAX_QUERY_NESTING)
      throw new InvalidRequestError(
        'query_too_deep',
        `q: parentheses nested deeper than ${MAX_QUERY_NESTING} levels`,
      );
    if (char === ')') depth = Math.max(0, depth - 1);
  }
}
