/**
 * Route matching: a path pattern is segments separated by `/`, where
 * `:name` takes one non-empty segment and a trailing `*name` takes the rest
 * of the path as sent (slashes included, possibly empty). Parameters are returned raw (still
 * percent-encoded): each handler decodes and checks its own. Matching is a
 * walk over the table, linear in its size; parameters live in a
 * null-prototype object, so a segment named `__proto__` is plain data.
 */

export type PathParameters = Readonly<Record<string, string>>;

export interface PathPattern {
  readonly pattern: string;
  match(path: string): PathParameters | null;
}

export function pathPattern(pattern: string): PathPattern {
  const segments = trimSlash(pattern).split('/');
  const last = segments.at(-1) ?? '';
  const rest = last.startsWith('*') ? last.slice(1) : null;
  const fixed = rest === null ? segments : segments.slice(0, -1);
  return {
    pattern,
    match(path) {
      // A rest parameter keeps its trailing slash: `http://x.example/a/` is not `…/a`.
      const parts = (rest === null ? trimSlash(path) : path).split('/');
      if (rest === null ? parts.length !== fixed.length : parts.length <= fixed.length) return null;
      const parameters: Record<string, string> = Object.create(null);
      for (let index = 0; index < fixed.length; index++) {
        const expected = fixed[index] as string;
        const actual = parts[index] as string;
        if (expected.startsWith(':')) {
          if (actual === '') return null;
          parameters[expected.slice(1)] = actual;
        } else if (expected !== actual) return null;
      }
      if (rest !== null) parameters[rest] = parts.slice(fixed.length).join('/');
      return parameters;
    },
  };
}

/** `/a/b/` and `/a/b` are one path (TAXII writes the slash, other clients may not). */
function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

export interface TableEntry {
  method: string;
  path: PathPattern;
}

export type RouteMatch<Entry extends TableEntry> =
  | { outcome: 'found'; entry: Entry; parameters: PathParameters }
  | { outcome: 'wrong_method'; entry: Entry; allowed: string[] }
  | { outcome: 'none' };

/** The entry for a method and path; `wrong_method` names the methods the path takes. */
export function findRoute<Entry extends TableEntry>(
  table: readonly Entry[],
  method: string,
  path: string,
): RouteMatch<Entry> {
  let first: Entry | null = null;
  const allowed: string[] = [];
  for (const entry of table) {
    const parameters = entry.path.match(path);
    if (!parameters) continue;
    if (entry.method === method) return { outcome: 'found', entry, parameters };
    first ??= entry;
    if (!allowed.includes(entry.method)) allowed.push(entry.method);
  }
  return first ? { outcome: 'wrong_method', entry: first, allowed } : { outcome: 'none' };
}
