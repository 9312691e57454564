import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundle shipped with the repository (dashboards, saved searches, data view). */
export const DEFAULT_KIBANA_BUNDLE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../infra/kibana/dragnet.ndjson',
);

export interface SavedObjectReference {
  name: string;
  type: string;
  id: string;
}

/** One line of a Kibana saved-objects export. */
export interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  coreMigrationVersion?: string;
  typeMigrationVersion?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function checkShape(value: unknown): string | null {
  if (!isRecord(value)) return 'expected a JSON object';
  if (typeof value.type !== 'string' || value.type === '') return 'missing "type"';
  if (typeof value.id !== 'string' || value.id === '') return 'missing "id"';
  if (!isRecord(value.attributes)) return 'missing "attributes" object';
  if (!Array.isArray(value.references)) return 'missing "references" array';
  for (const reference of value.references) {
    if (
      !isRecord(reference) ||
      typeof reference.name !== 'string' ||
      typeof reference.type !== 'string' ||
      typeof reference.id !== 'string'
    )
      return 'every reference needs string "name", "type" and "id"';
  }
  return null;
}

/**
 * Parses NDJSON as Kibana exports it. Blank lines are skipped, and so is the
 * export summary line (`exportedCount`), so an untouched export from Kibana
 * round-trips.
 */
export function parseSavedObjects(text: string): SavedObject[] {
  const objects: SavedObject[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const lineNumber = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`saved objects line ${lineNumber}: invalid JSON (${(error as Error).message})`);
    }
    if (isRecord(value) && 'exportedCount' in value) continue;
    const problem = checkShape(value);
    if (problem) throw new Error(`saved objects line ${lineNumber}: ${problem}`);
    objects.push(value as unknown as SavedObject);
  }
  return objects;
}

export async function loadSavedObjects(path: string = DEFAULT_KIBANA_BUNDLE): Promise<SavedObject[]> {
  return parseSavedObjects(await readFile(path, 'utf8'));
}

/** Kibana titles live in `attributes.title`; a data view may also carry a display `name`. */
export function titleOf(object: SavedObject): string {
  const { name, title } = object.attributes;
  if (typeof name === 'string' && name !== '') return name;
  return typeof title === 'string' ? title : '';
}
