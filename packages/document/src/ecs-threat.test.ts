import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INDICATOR_MAPPINGS } from './mapping.js';

interface Field {
  type?: string;
  ignore_above?: number;
  properties?: Record<string, Field>;
  fields?: Record<string, Field>;
}

/** ECS's generated component template for the `threat` field set (see fixtures/README.md). */
const ecs = JSON.parse(
  readFileSync(new URL('./fixtures/ecs-threat-component.json', import.meta.url), 'utf8'),
) as { _meta: { ecs_version: string }; template: { mappings: { properties: Record<string, Field> } } };

/** Dotted path → field mapping; object nodes (no `type`) are listed as `object`. */
function flatten(properties: Record<string, Field>, prefix = ''): Map<string, Field & { type: string }> {
  const fields = new Map<string, Field & { type: string }>();
  for (const [name, field] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    fields.set(path, { ...field, type: field.type ?? 'object' });
    if (field.properties) for (const entry of flatten(field.properties, path)) fields.set(...entry);
    for (const [sub, multiField] of Object.entries(field.fields ?? {}))
      fields.set(`${path}.${sub}`, { ...multiField, type: multiField.type ?? 'object' });
  }
  return fields;
}

/**
 * ECS types Dragnet maps differently everywhere, and why. The minimal
 * Elasticsearch distribution Dragnet runs on lacks these field types (the
 * same substitutions are documented in mapping.ts and docs/kibana.md).
 */
const TYPE_SUBSTITUTIONS: Record<string, { dragnet: string; reason: string }> = {
  wildcard: {
    dragnet: 'keyword',
    reason: 'wildcard is an x-pack field type; keyword answers exact and prefix lookups',
  },
  match_only_text: {
    dragnet: 'text',
    reason: 'match_only_text is an x-pack field type; text is its superset',
  },
  constant_keyword: { dragnet: 'keyword', reason: 'constant_keyword is an x-pack field type' },
};

/**
 * Individual `threat.*` fields that deliberately differ from ECS beyond the
 * substitutions above, with the reason. Empty today: every difference is one
 * of the substitutions. An entry here must be used, so stale ones fail too.
 */
const FIELD_EXCEPTIONS: Record<string, { dragnet: string; ecs: string | undefined; reason: string }> = {};

const dragnetThreat = flatten({ threat: INDICATOR_MAPPINGS.properties?.threat as Field }, '');
const ecsThreat = flatten({ threat: ecs.template.mappings.properties.threat! });

describe('INDICATOR_MAPPINGS against ECS threat.*', () => {
  it('compares against a released ECS version', () => {
    expect(ecs._meta.ecs_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(dragnetThreat.size).toBeGreaterThan(40);
  });

  it('maps every threat.* field to a field ECS defines, with the ECS type or a documented substitution', () => {
    const mismatches: string[] = [];
    const usedExceptions = new Set<string>();
    for (const [path, field] of dragnetThreat) {
      const ecsField = ecsThreat.get(path);
      const exception = FIELD_EXCEPTIONS[path];
      if (exception && exception.dragnet === field.type && exception.ecs === ecsField?.type) {
        usedExceptions.add(path);
        continue;
      }
      if (!ecsField) {
        mismatches.push(`${path}: ${field.type} in Dragnet, not defined by ECS ${ecs._meta.ecs_version}`);
        continue;
      }
      const expected = TYPE_SUBSTITUTIONS[ecsField.type]?.dragnet ?? ecsField.type;
      if (field.type !== expected)
        mismatches.push(`${path}: ${field.type} in Dragnet, ${ecsField.type} in ECS (expected ${expected})`);
    }
    expect(mismatches).toEqual([]);
    expect([...usedExceptions].sort()).toEqual(Object.keys(FIELD_EXCEPTIONS).sort());
  });

  it('keeps ECS ignore_above on keyword fields that are keyword in ECS too', () => {
    // Values longer than ignore_above are kept in _source but not indexed, so a lower limit than
    // ECS silently makes long values unsearchable.
    const knownDivergences: string[] = [];
    const mismatches: string[] = [];
    for (const [path, field] of dragnetThreat) {
      const ecsField = ecsThreat.get(path);
      if (field.type !== 'keyword' || ecsField?.type !== 'keyword') continue;
      if (field.ignore_above !== ecsField.ignore_above)
        mismatches.push(
          `${path}: ignore_above ${field.ignore_above} in Dragnet, ${ecsField.ignore_above} in ECS`,
        );
    }
    expect(mismatches).toEqual(knownDivergences);
  });

  it('detects a field ECS does not define and a type ECS does not use', () => {
    // Guards the comparison itself: a broken flatten would make the tests above pass vacuously.
    expect(ecsThreat.get('threat.indicator.ip')?.type).toBe('ip');
    expect(ecsThreat.get('threat.indicator.url.full')?.type).toBe('wildcard');
    expect(ecsThreat.get('threat.indicator.as.organization.name.text')?.type).toBe('match_only_text');
    expect(ecsThreat.has('threat.indicator.partner')).toBe(false);
  });
});
