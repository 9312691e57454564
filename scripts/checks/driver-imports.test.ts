/**
 * The adapters are the only doors to the drivers (issue #13, item 4):
 * - the lint rule (biome.json, `noRestrictedImports`) refuses a driver import
 *   outside its adapter package, shown on a deliberately offending file;
 * - no adapter's public surface (its index.ts) exports a driver's type, or
 *   takes or returns one: read with the TypeScript compiler, independently of
 *   the lint configuration.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DRIVERS = ['kafkajs', '@elastic/elasticsearch', 'bullmq', 'ioredis'] as const;
const ADAPTERS = {
  kafka: 'kafkajs',
  elasticsearch: '@elastic/elasticsearch',
  queue: 'bullmq',
  redis: 'ioredis',
} as const;

const OFFENDING_LINES = [
  "import { Kafka } from 'kafkajs';",
  "import { Client } from '@elastic/elasticsearch';",
  "import { Queue } from 'bullmq';",
  "import type { Redis } from 'ioredis';",
  "import type { estypes } from '@elastic/elasticsearch/lib/api/types.js';",
  "import { kafkaDriver } from '@dragnet/kafka/driver';",
];
const ALLOWED_LINE = "import { createKafka } from '@dragnet/kafka';";

/** The 1-based lines biome reports `noRestrictedImports` on, for `source` written at `path` (then removed). */
function restrictedImportLines(path: string, source: string): number[] {
  const file = join(ROOT, path);
  writeFileSync(file, source);
  let output: string;
  try {
    output = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'biome'),
      ['lint', '--only=style/noRestrictedImports', '--reporter=github', path],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    // Biome exits non-zero when it reports an error; its report is on stdout all the same.
    output = String((error as { stdout?: unknown }).stdout ?? '');
  } finally {
    rmSync(file, { force: true });
  }
  return [...output.matchAll(/^::error title=lint\/style\/noRestrictedImports,[^\n]*?,line=(\d+),/gm)].map(
    (match) => Number(match[1]),
  );
}

const probeSource = () => `${[...OFFENDING_LINES, ALLOWED_LINE].join('\n')}\n`;
const probeName = () => `zz-driver-import-probe-${process.pid}-${randomBytes(3).toString('hex')}.ts`;

describe('driver imports outside their adapter are lint errors', () => {
  it('fires on every driver import (and the test-only escape hatch) inside a service', () => {
    const lines = restrictedImportLines(join('services', 'indexer', 'src', probeName()), probeSource());
    // Lines 1-6 offend; line 7 (the adapter itself) does not.
    expect(lines).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lets an adapter import its own driver only', () => {
    const lines = restrictedImportLines(join('packages', 'kafka', 'src', probeName()), probeSource());
    // kafkajs (line 1) and the adapter's own escape hatch (line 6) are allowed in @dragnet/kafka; the other drivers are not.
    expect(lines).toEqual([2, 3, 4, 5]);
  });

  it('lets tests use the escape hatch but no driver directly', () => {
    const lines = restrictedImportLines(join('packages', 'test-kit', 'src', probeName()), probeSource());
    expect(lines).toEqual([1, 2, 3, 4, 5]);
  });
});

/** True when a declaration comes from one of the drivers' own packages (their node_modules folders). */
function declaredByDriver(declaration: ts.Declaration): boolean {
  const path = declaration.getSourceFile().fileName.split(sep).join('/');
  return DRIVERS.some((driver) => path.includes(`/node_modules/${driver}/`)) || path.includes('/@elastic/');
}

function driverDeclared(symbol: ts.Symbol | undefined): boolean {
  return (symbol?.declarations ?? []).some(declaredByDriver);
}

/** The driver types a type is made of, one level down (unions, intersections, type arguments: `Promise<Kafka>`). */
function driverTypesIn(type: ts.Type, checker: ts.TypeChecker, depth = 0): string[] {
  const found: string[] = [];
  if (driverDeclared(type.aliasSymbol) || driverDeclared(type.getSymbol()))
    found.push(checker.typeToString(type));
  if (depth >= 2) return found;
  const parts = type.isUnionOrIntersection() ? type.types : [];
  const argumentsOf = (type as ts.TypeReference).target
    ? checker.getTypeArguments(type as ts.TypeReference)
    : [];
  for (const part of [...parts, ...argumentsOf, ...(type.aliasTypeArguments ?? [])])
    found.push(...driverTypesIn(part, checker, depth + 1));
  return found;
}

/** Where an export of an adapter's index.ts names a driver type: re-exported, or in a signature or member. */
function driverLeaks(adapter: keyof typeof ADAPTERS): string[] {
  const entry = join(ROOT, 'packages', adapter, 'src', 'index.ts');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  const program = ts.createProgram([entry], { ...config?.options, noEmit: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const leaks: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    if (driverDeclared(symbol)) {
      leaks.push(`${name}: re-exports the driver's own declaration`);
      continue;
    }
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    const declared =
      symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)
        ? checker.getDeclaredTypeOfSymbol(symbol)
        : type;
    const seen: string[] = [];
    seen.push(...driverTypesIn(declared, checker));
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      seen.push(...driverTypesIn(signature.getReturnType(), checker));
      for (const parameter of signature.getParameters())
        seen.push(...driverTypesIn(checker.getTypeOfSymbolAtLocation(parameter, declaration), checker));
    }
    for (const member of declared.getProperties()) {
      const memberType = checker.getTypeOfSymbolAtLocation(member, declaration);
      seen.push(...driverTypesIn(memberType, checker));
      for (const signature of memberType.getCallSignatures()) {
        seen.push(...driverTypesIn(signature.getReturnType(), checker));
        for (const parameter of signature.getParameters())
          seen.push(...driverTypesIn(checker.getTypeOfSymbolAtLocation(parameter, declaration), checker));
      }
    }
    for (const leak of new Set(seen)) leaks.push(`${name}: ${leak}`);
  }
  return leaks;
}

describe("adapters' public surface names no driver type", () => {
  for (const adapter of Object.keys(ADAPTERS) as (keyof typeof ADAPTERS)[])
    it(`@dragnet/${adapter}`, { timeout: 60_000 }, () => {
      expect(driverLeaks(adapter)).toEqual([]);
    });
});
