/**
 * Mechanical doc-drift checks: docs/configuration.md must list every variable
 * a configuration schema reads, with the schema's default, and nothing that no
 * schema reads; and no code reads the environment around the schemas.
 * The oracle is the documentation text, parsed independently of the schemas.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../../packages/cli/src/context.js';
import { apiEnv } from '../../services/api/src/config.js';
import { deduplicatorEnv } from '../../services/deduplicator/src/config.js';
import { enricherEnv } from '../../services/enricher/src/config.js';
import { indexerEnv } from '../../services/indexer/src/config.js';
import { normalizerEnv } from '../../services/normalizer/src/config.js';
import { taxiiCollectorEnv } from '../../services/taxii-collector/src/config.js';

/** The part of a zod object schema this check uses (scripts/ has no zod dependency of its own). */
interface EnvSchema {
  shape: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }>;
}

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMAS: Record<string, EnvSchema> = {
  normalizer: normalizerEnv,
  deduplicator: deduplicatorEnv,
  indexer: indexerEnv,
  enricher: enricherEnv,
  api: apiEnv,
  'taxii-collector': taxiiCollectorEnv,
  cli: cliEnv,
};

interface DocumentedVariable {
  name: string;
  /** The backticked tokens of the default cell, in order; empty when the default is prose (`unset`, `the service name`). */
  defaults: string[];
  /** Position of the name among the names of its row (rows like `DNS_SERVER` / `DNS_PORT`). */
  position: number;
  line: number;
}

const VARIABLE = /^[A-Z][A-Z0-9_]*[A-Z0-9]$/;
const backticked = (cell: string): string[] =>
  [...cell.matchAll(/`([^`]*)`/g)].map((match) => match[1] ?? '');

function documentedVariables(markdown: string): DocumentedVariable[] {
  const found: DocumentedVariable[] = [];
  markdown.split('\n').forEach((text, index) => {
    if (!text.startsWith('|')) return;
    const cells = text.split('|').slice(1, -1);
    const names = backticked(cells[0] ?? '').filter((token) => VARIABLE.test(token));
    const defaults = backticked(cells[1] ?? '');
    names.forEach((name, position) => {
      found.push({ name, defaults, position, line: index + 1 });
    });
  });
  return found;
}

/** What a schema field yields when the variable is unset, as the docs would spell it. */
function schemaDefault(schema: EnvSchema, name: string): string | undefined {
  const field = schema.shape[name];
  if (field === undefined) return undefined;
  const parsed = field.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  const value: unknown = parsed.data;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** Variables read by the secrets loader rather than a schema: `<NAME>_FILE` for a secret `<NAME>`. */
const isFileVariant = (name: string, schemaNames: Set<string>): boolean =>
  name.endsWith('_FILE') && schemaNames.has(name.slice(0, -'_FILE'.length));

const markdown = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
const documented = documentedVariables(markdown);
const schemaNames = new Set(Object.values(SCHEMAS).flatMap((schema) => Object.keys(schema.shape)));

describe('docs/configuration.md', () => {
  it('finds the tables it checks (the parser itself works)', () => {
    expect(documented.length).toBeGreaterThan(40);
    expect(documented.map((entry) => entry.name)).toContain('KAFKA_BROKERS');
  });

  it.each(Object.entries(SCHEMAS))('documents every variable the %s schema reads', (_service, schema) => {
    const names = new Set(documented.map((entry) => entry.name));
    const missing = Object.keys(schema.shape).filter((name) => !names.has(name));
    expect(missing.join(', ')).toBe('');
  });

  it.each(Object.entries(SCHEMAS))('gives the %s schema defaults', (_service, schema) => {
    const wrong: string[] = [];
    for (const entry of documented) {
      const expected = schemaDefault(schema, entry.name);
      if (expected === undefined) continue;
      const spelled = entry.defaults.length > 1 ? entry.defaults[entry.position] : entry.defaults[0];
      if (spelled !== expected)
        wrong.push(`${entry.name} (line ${entry.line}): docs ${spelled ?? '—'}, schema ${expected}`);
    }
    expect(wrong.join('; ')).toBe('');
  });

  it('documents no variable that nothing reads', () => {
    const unknown = documented
      .map((entry) => entry.name)
      .filter((name) => !schemaNames.has(name) && !isFileVariant(name, schemaNames));
    expect(unknown.join(', ')).toBe('');
  });
});

/** Environment reads outside the schemas, with why each is allowed. */
const ALLOWED_ENV_READS = new Map<string, string>([
  [
    'packages/runtime/src/fault-points.ts',
    'DRAGNET_FAULT_POINT arms a test-only crash point before any config is read',
  ],
  ['packages/config/src/load-config.ts', 'the loader itself'],
  ['packages/config/src/secrets.ts', 'the secrets loader (`*_FILE`)'],
  ['packages/test-kit/src/stack.ts', 'test-only: points tests at the local stack'],
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('environment reads', () => {
  it('go through a configuration schema', () => {
    const files = ['packages', 'services'].flatMap((top) =>
      readdirSync(join(ROOT, top)).flatMap((pkg) => {
        const src = join(ROOT, top, pkg, 'src');
        try {
          return sourceFiles(src);
        } catch {
          return [];
        }
      }),
    );
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .map((path) => relative(ROOT, path))
      .filter((path) => !ALLOWED_ENV_READS.has(path))
      .filter((path) => /process\.env(\.|\[)/.test(readFileSync(join(ROOT, path), 'utf8')));
    expect(offenders.join(', ')).toBe('');
  });
});
