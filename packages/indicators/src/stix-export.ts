/**
 * What a STIX export writes for a canonical observable, from the kind
 * registry: the SCO's defining properties and a pattern matching it. Pattern
 * kinds are indicator SDOs, not SCOs: they have no observable object, and
 * only a STIX pattern is its own pattern.
 */
import { splitFilePath } from './canonical-forms.js';
import { KINDS } from './kinds.js';
import type { IndicatorKind } from './model.js';
import { idContributingJson } from './stix-id.js';

type Properties = Record<string, unknown>;

/**
 * The ID-contributing properties of the observable's SCO, which are what
 * defines it: `{"value":…}`, `{"hashes":{"SHA-256":…}}`, `{"name":…}`,
 * `{"number":13335}`, `{"name":…,"parent_directory_ref":"directory--…"}` (the
 * export then needs that directory too: its `path` is `splitFilePath(value).directory`).
 * Null for pattern kinds.
 */
export function scoProperties(kind: IndicatorKind, value: string): Properties | null {
  if (KINDS[kind].stixType(value) === 'indicator') return null;
  return JSON.parse(idContributingJson({ kind, value })) as Properties;
}

const quoteLiteral = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const pathComponent = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteLiteral(name));

/** `{"hashes":{"SHA-256":"…"}}` → [[`hashes.'SHA-256'`, "…"]]. */
function leaves(properties: Properties, prefix = ''): [path: string, value: unknown][] {
  return Object.entries(properties).flatMap(([name, value]) => {
    const path = prefix ? `${prefix}.${pathComponent(name)}` : pathComponent(name);
    return value && typeof value === 'object' ? leaves(value as Properties, path) : [[path, value]];
  });
}

/**
 * A STIX pattern matching the observable: one comparison per defining
 * property, AND-ed in one observation (`[file:hashes.'SHA-256' = '…']`,
 * `[autonomous-system:number = 13335]`, a file path as its name and its
 * directory's path). A `stix-pattern` is its own pattern; other pattern
 * languages have none (null).
 */
export function stixPatternOf(kind: IndicatorKind, value: string): string | null {
  if (kind === 'stix-pattern') return value;
  const properties = scoProperties(kind, value);
  if (!properties) return null;
  const type = KINDS[kind].stixType(value);
  if (kind === 'file-path') {
    const { directory, name } = splitFilePath(value)!;
    return `[file:name = ${quoteLiteral(name)} AND file:parent_directory_ref.path = ${quoteLiteral(directory)}]`;
  }
  const comparisons = leaves(properties).map(
    ([path, leaf]) => `${type}:${path} = ${typeof leaf === 'number' ? leaf : quoteLiteral(String(leaf))}`,
  );
  return `[${comparisons.join(' AND ')}]`;
}
