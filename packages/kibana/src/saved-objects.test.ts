import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KIBANA_BUNDLE, loadSavedObjects, parseSavedObjects, titleOf } from './saved-objects.js';

describe('parseSavedObjects', () => {
  it('parses the shipped bundle: one object per line, every one with type, id, attributes, references', async () => {
    const objects = await loadSavedObjects();
    const text = readFileSync(DEFAULT_KIBANA_BUNDLE, 'utf8');
    expect(objects).toHaveLength(text.trim().split('\n').length);
    const ids = objects.map((object) => `${object.type}/${object.id}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'index-pattern/dragnet-indicators',
        'search/dragnet-search-active-high',
        'search/dragnet-search-by-partner',
        'search/dragnet-search-warninglists',
        'search/dragnet-search-expired',
        'search/dragnet-search-newest',
        'dashboard/dragnet-overview',
      ]),
    );
    for (const object of objects) {
      expect(object.coreMigrationVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(object.typeMigrationVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(titleOf(object)).not.toBe('');
    }
  });

  it('points the data view at the un-namespaced alias with @timestamp as its time field', async () => {
    const dataView = (await loadSavedObjects()).find((object) => object.type === 'index-pattern');
    expect(dataView?.attributes).toMatchObject({
      title: 'logs-ti_dragnet.indicator',
      name: 'Dragnet indicators',
      timeFieldName: '@timestamp',
    });
  });

  it('puts every visualisation and saved search over the indicators on the dashboard', async () => {
    const objects = await loadSavedObjects();
    const dashboard = objects.find((object) => object.id === 'dragnet-overview');
    const onDashboard = new Set(
      dashboard?.references.map((reference) => `${reference.type}/${reference.id}`),
    );
    const overIndicators = objects.filter(
      (candidate) =>
        ['lens', 'search'].includes(candidate.type) &&
        candidate.references.some((reference) => reference.id === 'dragnet-indicators'),
    );
    expect(overIndicators.length).toBeGreaterThan(5);
    for (const object of overIndicators) expect(onDashboard).toContain(`${object.type}/${object.id}`);
  });

  it('ships the audit trail as its own data view and saved searches, off the indicator dashboard', async () => {
    const objects = await loadSavedObjects();
    const dataView = objects.find((object) => object.id === 'dragnet-audit');
    expect(dataView).toMatchObject({
      type: 'index-pattern',
      attributes: { title: 'dragnet-audit', timeFieldName: '@timestamp' },
    });
    const overAudit = objects.filter((object) =>
      object.references.some((reference) => reference.id === 'dragnet-audit'),
    );
    expect(overAudit.map((object) => object.id)).toEqual([
      'dragnet-search-audit',
      'dragnet-search-audit-withheld',
      'dragnet-search-audit-refused-keys',
    ]);
    const dashboard = objects.find((object) => object.id === 'dragnet-overview');
    expect(dashboard?.references.some((reference) => reference.id.startsWith('dragnet-search-audit'))).toBe(
      false,
    );
  });

  it('names the line of a malformed entry', () => {
    const good = JSON.stringify({ type: 'search', id: 'a', attributes: {}, references: [] });
    expect(() => parseSavedObjects(`${good}\n\n{"type": "search", "id": \n`)).toThrow(
      /^saved objects line 3: invalid JSON/,
    );
    expect(() => parseSavedObjects(`${good}\n{"type":"search","attributes":{},"references":[]}`)).toThrow(
      'saved objects line 2: missing "id"',
    );
    expect(() => parseSavedObjects('[1, 2]')).toThrow('saved objects line 1: expected a JSON object');
  });

  it('skips the export summary line Kibana appends', () => {
    const good = JSON.stringify({ type: 'search', id: 'a', attributes: {}, references: [] });
    expect(
      parseSavedObjects(`${good}\n{"exportedCount":1,"missingRefCount":0,"missingReferences":[]}\n`),
    ).toHaveLength(1);
  });
});
