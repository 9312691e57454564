import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toWarninglist, type Warninglist, type WarninglistLoadError } from './warninglist-format.js';
import { type WarninglistActions, type WarninglistHit, WarninglistIndex } from './warninglist-index.js';

export interface LoadedWarninglists {
  lists: Warninglist[];
  errors: WarninglistLoadError[];
}

/** The small CC0 set shipped with the package (see README). */
export function defaultWarninglistDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'warninglists');
}

function parseFile(file: string, text: () => string, into: LoadedWarninglists): Warninglist | null {
  const id = basename(file, '.json');
  try {
    const parsed = toWarninglist(id, JSON.parse(text()));
    if (typeof parsed !== 'string') return parsed;
    into.errors.push({ list: id, entry: null, message: parsed });
  } catch (error) {
    into.errors.push({
      list: id,
      entry: null,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  return null;
}

const jsonFiles = (files: string[]) => files.filter((file) => file.endsWith('.json')).sort();

/**
 * Reads every `*.json` in `dir` as a MISP warninglist. A broken file becomes a
 * load error rather than failing the whole set: one bad upstream list must not
 * disable the others.
 */
export async function loadWarninglists(dir: string): Promise<LoadedWarninglists> {
  const loaded: LoadedWarninglists = { lists: [], errors: [] };
  const files = jsonFiles(await readdir(dir));
  const texts = await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')));
  files.forEach((file, index) => {
    const list = parseFile(file, () => texts[index]!, loaded);
    if (list) loaded.lists.push(list);
  });
  return loaded;
}

/** Synchronous variant for start-up paths that cannot await (e.g. the default provider set). */
export function loadWarninglistsSync(dir: string): LoadedWarninglists {
  const loaded: LoadedWarninglists = { lists: [], errors: [] };
  for (const file of jsonFiles(readdirSync(dir))) {
    const list = parseFile(file, () => readFileSync(join(dir, file), 'utf8'), loaded);
    if (list) loaded.lists.push(list);
  }
  return loaded;
}

export async function loadWarninglistIndex(
  dir: string = defaultWarninglistDir(),
  actions: WarninglistActions = {},
): Promise<WarninglistIndex> {
  const loaded = await loadWarninglists(dir);
  return new WarninglistIndex(loaded.lists, actions, loaded.errors);
}

/**
 * Holds the current index and swaps it atomically on reload: a match in
 * flight keeps the index it started with, and a failed reload keeps the old one.
 */
export class WarninglistStore {
  private current: WarninglistIndex;

  constructor(initial: WarninglistIndex) {
    this.current = initial;
  }

  static async open(dir?: string, actions?: WarninglistActions): Promise<WarninglistStore> {
    return new WarninglistStore(await loadWarninglistIndex(dir, actions));
  }

  get index(): WarninglistIndex {
    return this.current;
  }

  async reload(dir?: string, actions?: WarninglistActions): Promise<WarninglistIndex> {
    const next = await loadWarninglistIndex(dir, actions);
    this.current = next;
    return next;
  }

  /** Swap in an index built elsewhere (e.g. from lists fetched by an operator job). */
  replace(next: WarninglistIndex): void {
    this.current = next;
  }

  match(kind: Parameters<WarninglistIndex['match']>[0], value: string): WarninglistHit[] {
    return this.current.match(kind, value);
  }
}
