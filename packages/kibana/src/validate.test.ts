import { INDICATOR_MAPPINGS } from '@dragnet/document';
import { AUDIT_MAPPINGS } from '@dragnet/elasticsearch';
import { describe, expect, it } from 'vitest';
import { loadSavedObjects, type SavedObject } from './saved-objects.js';
import { flattenMapping, kqlFields, validateBundle } from './validate.js';

const shipped = await loadSavedObjects();
/** The audit data view's objects are checked against the audit index mapping. */
const byDataView = { 'dragnet-audit': AUDIT_MAPPINGS };
const clone = (): SavedObject[] => structuredClone(shipped);
const byId = (objects: SavedObject[], id: string) => {
  const object = objects.find((candidate) => candidate.id === id);
  if (!object) throw new Error(`no ${id} in the bundle`);
  return object;
};
const lensColumns = (object: SavedObject) =>
  (
    object.attributes as {
      state: {
        datasourceStates: {
          formBased: { layers: Record<string, { columns: Record<string, { sourceField: string }> }> };
        };
      };
    }
  ).state.datasourceStates.formBased.layers.layer1!.columns;

describe('validateBundle', () => {
  it('finds nothing wrong with the shipped bundle against the index mappings', () => {
    expect(validateBundle(shipped, INDICATOR_MAPPINGS, byDataView)).toEqual([]);
  });

  it('checks objects over the audit data view against the audit mapping, and only those', () => {
    // Without the audit mapping, the audit trail's fields are not in the (indicator) mapping.
    expect(validateBundle(shipped, INDICATOR_MAPPINGS)).toEqual(
      expect.arrayContaining([
        'search dragnet-search-audit: column "organisation" is not in the index mapping',
      ]),
    );
    const objects = clone();
    const audit = byId(objects, 'dragnet-search-audit').attributes as { columns: string[] };
    audit.columns.push('threat.indicator.name');
    (byId(objects, 'dragnet-search-newest').attributes as { columns: string[] }).columns.push('key_id');
    expect(validateBundle(objects, INDICATOR_MAPPINGS, byDataView)).toEqual([
      'search dragnet-search-newest: column "key_id" is not in the index mapping',
      'search dragnet-search-audit: column "threat.indicator.name" is not in the index mapping',
    ]);
  });

  it('reports a reference to an object that is not in the bundle', () => {
    const objects = clone();
    byId(objects, 'dragnet-overview').references.push({ name: '99:panel_99', type: 'lens', id: 'nope' });
    expect(validateBundle(objects, INDICATOR_MAPPINGS, byDataView)).toEqual([
      'dashboard dragnet-overview: reference "99:panel_99" points to lens nope, which is not in the bundle',
    ]);
  });

  it('reports a dashboard panel whose reference is gone', () => {
    const objects = clone();
    const dashboard = byId(objects, 'dragnet-overview');
    dashboard.references = dashboard.references.filter((reference) => reference.name !== '3:panel_3');
    expect(validateBundle(objects, INDICATOR_MAPPINGS, byDataView)).toEqual([
      'dashboard dragnet-overview: panel 3 (panel_3) has no reference',
    ]);
  });

  it('reports fields the mapping does not have, wherever they are used', () => {
    const objects = clone();
    lensColumns(byId(objects, 'dragnet-lens-by-partner')).partner!.sourceField = 'threat.indicator.partner';
    byId(objects, 'dragnet-search-expired').attributes.columns = ['threat.indicator.name', 'dragnet.colour'];
    const search = byId(objects, 'dragnet-search-active-high');
    const meta = search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
    meta.searchSourceJSON = meta.searchSourceJSON.replace('dragnet.score >=', 'dragnet.risk >=');
    expect(validateBundle(objects, INDICATOR_MAPPINGS, byDataView)).toEqual([
      'search dragnet-search-active-high: query field "dragnet.risk" is not in the index mapping',
      'search dragnet-search-expired: column "dragnet.colour" is not in the index mapping',
      'lens dragnet-lens-by-partner: column partner (terms) "threat.indicator.partner" is not in the index mapping',
    ]);
  });

  it('reports a terms aggregation or sort on a text field', () => {
    const objects = clone();
    lensColumns(byId(objects, 'dragnet-lens-top-asns')).org!.sourceField =
      'threat.indicator.as.organization.name.text';
    byId(objects, 'dragnet-search-newest').attributes.sort = [['message', 'desc']];
    expect(validateBundle(objects, INDICATOR_MAPPINGS, byDataView)).toEqual([
      'search dragnet-search-newest: sort "message" has type text, which cannot be aggregated or sorted on',
      'lens dragnet-lens-top-asns: column org (terms) "threat.indicator.as.organization.name.text" has type text, which cannot be aggregated or sorted on',
    ]);
  });

  it('checks classic visualisations, data views and object paths too', () => {
    const objects = clone();
    byId(objects, 'dragnet-indicators').attributes.timeFieldName = 'dragnet.sources.description';
    objects.push({
      type: 'visualization',
      id: 'classic',
      attributes: {
        title: 'classic',
        visState: JSON.stringify({
          aggs: [{ id: '2', type: 'terms', params: { field: 'dragnet.sources' } }],
        }),
        kibanaSavedObjectMeta: { searchSourceJSON: '{"query":{"query":"","language":"kuery"},"filter":[]}' },
      },
      references: [],
    });
    expect(validateBundle(objects, INDICATOR_MAPPINGS, byDataView)).toEqual([
      'index-pattern dragnet-indicators: timeFieldName "dragnet.sources.description" has type text, which cannot be aggregated or sorted on',
      'visualization classic: aggregation 2 (terms) "dragnet.sources" is an object, not a field',
    ]);
  });
});

describe('kqlFields', () => {
  it('finds `field:` and range forms, ignoring quoted values and boolean operators', () => {
    expect(kqlFields('dragnet.active:true and dragnet.score >= 70')).toEqual([
      'dragnet.active',
      'dragnet.score',
    ]);
    expect(kqlFields('dragnet.warninglists.name:*')).toEqual(['dragnet.warninglists.name']);
    expect(kqlFields('not threat.indicator.url.full : "http://a.example/x:y" or @timestamp<now-1d')).toEqual([
      'threat.indicator.url.full',
      '@timestamp',
    ]);
    expect(kqlFields('')).toEqual([]);
  });
});

describe('flattenMapping', () => {
  it('lists leaf fields, multi-fields and object paths', () => {
    const fields = flattenMapping(INDICATOR_MAPPINGS);
    expect(fields.get('threat.indicator.as.organization.name')).toBe('keyword');
    expect(fields.get('threat.indicator.as.organization.name.text')).toBe('text');
    expect(fields.get('dragnet.sources.description.keyword')).toBe('keyword');
    expect(fields.get('threat.indicator')).toBe('object');
    expect(fields.get('dragnet.enrichment.providers')).toBe('object');
  });
});
