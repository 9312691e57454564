import type { SavedObject } from './saved-objects.js';

/**
 * The slice of an Elasticsearch mapping the checks read; structural so
 * `estypes.MappingTypeMapping` (INDICATOR_MAPPINGS) fits without this package
 * depending on the client.
 */
export interface FieldMapping {
  type?: string;
  enabled?: boolean;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
}

export interface MappingLike {
  properties?: Record<string, FieldMapping>;
}

/** Types Elasticsearch can sort and aggregate on through doc values; `text` is not among them. */
const AGGREGATABLE_TYPES = new Set([
  'keyword',
  'constant_keyword',
  'wildcard',
  'version',
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
  'date',
  'date_nanos',
  'ip',
  'boolean',
  'geo_point',
]);

/** Lens's pseudo-field for "count of documents". */
const LENS_RECORDS_FIELD = '___records___';
/** Discover columns that are not fields. */
const PSEUDO_COLUMNS = new Set(['_source', '_id', '_index', '_score']);

/** Dotted path → mapped type; object nodes map to `object` (usable in no column or aggregation). */
export function flattenMapping(mapping: MappingLike): Map<string, string> {
  const fields = new Map<string, string>();
  const walk = (prefix: string, properties: Record<string, FieldMapping>) => {
    for (const [name, field] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      const disabled = field.enabled === false;
      fields.set(path, disabled ? 'object' : (field.type ?? 'object'));
      if (field.properties && !disabled) walk(path, field.properties);
      for (const [sub, multiField] of Object.entries(field.fields ?? {}))
        fields.set(`${path}.${sub}`, multiField.type ?? 'object');
    }
  };
  walk('', mapping.properties ?? {});
  return fields;
}

/**
 * Field names a KQL query filters on. Deliberately simple: after removing
 * quoted strings, any name directly followed by `:` or a range operator
 * (`field:value`, `field >= 70`) is a field. Nested-field syntax
 * (`a:{ b:c }`) and unquoted values containing `:` are not understood; the
 * shipped queries use neither.
 */
export function kqlFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = new Set<string>();
  for (const match of unquoted.matchAll(/(?<![\w.@*-])([A-Za-z_@][\w.@*-]*)\s*(?::|<=|>=|<|>)/g))
    names.add(match[1]!);
  return [...names];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function parseJsonAttribute(
  object: SavedObject,
  attribute: string,
  raw: unknown,
  problems: string[],
): unknown {
  if (typeof raw !== 'string') {
    problems.push(`${label(object)}: ${attribute} is missing or not a string`);
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch {
    problems.push(`${label(object)}: ${attribute} is not valid JSON`);
    return undefined;
  }
}

const label = (object: SavedObject) => `${object.type} ${object.id}`;

class FieldChecker {
  constructor(
    private readonly fields: Map<string, string>,
    private readonly problems: string[],
  ) {}

  /** A field must exist as a leaf (or, with `*`, match one); `aggregatable` also demands doc values. */
  check(object: SavedObject, where: string, field: string, aggregatable: boolean): void {
    if (field.includes('*')) {
      const pattern = new RegExp(`^${field.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      const matched = [...this.fields].some(([name, type]) => type !== 'object' && pattern.test(name));
      if (!matched) this.problems.push(`${label(object)}: ${where} "${field}" matches no mapped field`);
      return;
    }
    const type = this.fields.get(field);
    if (type === undefined) {
      this.problems.push(`${label(object)}: ${where} "${field}" is not in the index mapping`);
    } else if (type === 'object') {
      this.problems.push(`${label(object)}: ${where} "${field}" is an object, not a field`);
    } else if (aggregatable && !AGGREGATABLE_TYPES.has(type)) {
      this.problems.push(
        `${label(object)}: ${where} "${field}" has type ${type}, which cannot be aggregated or sorted on`,
      );
    }
  }

  query(object: SavedObject, where: string, query: unknown): void {
    if (!isRecord(query) || typeof query.query !== 'string') return;
    if (query.language !== undefined && query.language !== 'kuery') {
      this.problems.push(`${label(object)}: ${where} uses ${String(query.language)}; only KQL is checked`);
      return;
    }
    for (const field of kqlFields(query.query)) this.check(object, `${where} field`, field, false);
  }
}

function checkSearchSource(
  object: SavedObject,
  raw: unknown,
  checker: FieldChecker,
  problems: string[],
  requireIndex: boolean,
): void {
  const source = parseJsonAttribute(object, 'kibanaSavedObjectMeta.searchSourceJSON', raw, problems);
  if (!isRecord(source)) return;
  if (typeof source.indexRefName === 'string') {
    if (!object.references.some((reference) => reference.name === source.indexRefName))
      problems.push(`${label(object)}: indexRefName "${source.indexRefName}" names no reference`);
  } else if (requireIndex) {
    problems.push(`${label(object)}: searchSourceJSON has no indexRefName (no data view)`);
  }
  checker.query(object, 'query', source.query);
}

function checkSearch(object: SavedObject, checker: FieldChecker, problems: string[]): void {
  const { columns, sort, kibanaSavedObjectMeta } = object.attributes;
  checkSearchSource(
    object,
    isRecord(kibanaSavedObjectMeta) ? kibanaSavedObjectMeta.searchSourceJSON : undefined,
    checker,
    problems,
    true,
  );
  for (const column of Array.isArray(columns) ? columns : []) {
    if (typeof column === 'string' && !PSEUDO_COLUMNS.has(column))
      checker.check(object, 'column', column, false);
  }
  for (const entry of Array.isArray(sort) ? sort : []) {
    const field = Array.isArray(entry) ? entry[0] : undefined;
    if (typeof field === 'string' && !PSEUDO_COLUMNS.has(field)) checker.check(object, 'sort', field, true);
  }
}

function checkLens(object: SavedObject, checker: FieldChecker, problems: string[]): void {
  const state = object.attributes.state;
  if (!isRecord(state)) {
    problems.push(`${label(object)}: lens attributes.state is missing`);
    return;
  }
  checker.query(object, 'query', state.query);
  const datasources = isRecord(state.datasourceStates) ? state.datasourceStates : {};
  // `formBased` is the 8.x name of the 7.x `indexpattern` datasource; both may appear.
  for (const datasource of ['formBased', 'indexpattern']) {
    const layers = isRecord(datasources[datasource]) ? datasources[datasource].layers : undefined;
    for (const [layerId, layer] of Object.entries(isRecord(layers) ? layers : {})) {
      const refName = `indexpattern-datasource-layer-${layerId}`;
      if (!object.references.some((reference) => reference.name === refName))
        problems.push(`${label(object)}: layer ${layerId} has no "${refName}" reference (no data view)`);
      const columns = isRecord(layer) && isRecord(layer.columns) ? layer.columns : {};
      for (const [columnId, column] of Object.entries(columns)) {
        if (!isRecord(column) || typeof column.sourceField !== 'string') continue;
        if (column.sourceField === LENS_RECORDS_FIELD) continue;
        // Every Lens column with a source field is computed by an aggregation.
        checker.check(
          object,
          `column ${columnId} (${String(column.operationType)})`,
          column.sourceField,
          true,
        );
      }
    }
  }
}

function checkVisualization(object: SavedObject, checker: FieldChecker, problems: string[]): void {
  const meta = object.attributes.kibanaSavedObjectMeta;
  checkSearchSource(object, isRecord(meta) ? meta.searchSourceJSON : undefined, checker, problems, false);
  const visState = parseJsonAttribute(object, 'visState', object.attributes.visState, problems);
  const aggs = isRecord(visState) && Array.isArray(visState.aggs) ? visState.aggs : [];
  for (const agg of aggs) {
    if (!isRecord(agg) || !isRecord(agg.params)) continue;
    if (typeof agg.params.field === 'string')
      checker.check(object, `aggregation ${String(agg.id)} (${String(agg.type)})`, agg.params.field, true);
  }
}

function checkDataView(object: SavedObject, checker: FieldChecker): void {
  const { timeFieldName } = object.attributes;
  if (typeof timeFieldName === 'string' && timeFieldName !== '')
    checker.check(object, 'timeFieldName', timeFieldName, true);
}

function checkDashboard(object: SavedObject, checker: FieldChecker, problems: string[]): void {
  const meta = object.attributes.kibanaSavedObjectMeta;
  checkSearchSource(object, isRecord(meta) ? meta.searchSourceJSON : undefined, checker, problems, false);
  const panels = parseJsonAttribute(object, 'panelsJSON', object.attributes.panelsJSON, problems);
  if (panels === undefined) return;
  if (!Array.isArray(panels)) {
    problems.push(`${label(object)}: panelsJSON is not an array`);
    return;
  }
  for (const panel of panels) {
    if (!isRecord(panel)) continue;
    const panelIndex = String(panel.panelIndex);
    if (typeof panel.panelRefName !== 'string') {
      const byValue = isRecord(panel.embeddableConfig) && isRecord(panel.embeddableConfig.attributes);
      if (!byValue)
        problems.push(`${label(object)}: panel ${panelIndex} has neither panelRefName nor attributes`);
      continue;
    }
    // 8.x prefixes reference names with the panel index; 7.x used the bare panelRefName.
    const names = [`${panelIndex}:${panel.panelRefName}`, panel.panelRefName];
    if (!object.references.some((reference) => names.includes(reference.name)))
      problems.push(`${label(object)}: panel ${panelIndex} (${panel.panelRefName}) has no reference`);
  }
}

/** The data view an object reads: itself for a data view, else its first data-view reference. */
function dataViewOf(object: SavedObject): string | undefined {
  if (object.type === 'index-pattern') return object.id;
  return object.references.find((reference) => reference.type === 'index-pattern')?.id;
}

/**
 * Everything that would make the bundle import but show broken or empty
 * panels: references to objects not in the bundle, and fields the index
 * does not map (it is `dynamic: false`, so such fields are never searchable)
 * or cannot aggregate. Objects over a data view named in `mappingsByDataView`
 * (by data-view id, e.g. the audit index's) are checked against that
 * mapping, all others against `mapping`. Returns one line per problem; empty
 * means fine.
 */
export function validateBundle(
  objects: SavedObject[],
  mapping: MappingLike,
  mappingsByDataView: Record<string, MappingLike> = {},
): string[] {
  const problems: string[] = [];
  const defaultChecker = new FieldChecker(flattenMapping(mapping), problems);
  const checkers = new Map(
    Object.entries(mappingsByDataView).map(([id, other]) => [
      id,
      new FieldChecker(flattenMapping(other), problems),
    ]),
  );
  const keys = new Set<string>();
  for (const object of objects) {
    const key = `${object.type}/${object.id}`;
    if (keys.has(key)) problems.push(`${label(object)}: appears more than once`);
    keys.add(key);
  }
  for (const object of objects) {
    for (const reference of object.references) {
      if (!keys.has(`${reference.type}/${reference.id}`))
        problems.push(
          `${label(object)}: reference "${reference.name}" points to ${reference.type} ${reference.id}, which is not in the bundle`,
        );
    }
    const view = dataViewOf(object);
    const checker = (view !== undefined && checkers.get(view)) || defaultChecker;
    switch (object.type) {
      case 'index-pattern':
        checkDataView(object, checker);
        break;
      case 'search':
        checkSearch(object, checker, problems);
        break;
      case 'lens':
        checkLens(object, checker, problems);
        break;
      case 'visualization':
        checkVisualization(object, checker, problems);
        break;
      case 'dashboard':
        checkDashboard(object, checker, problems);
        break;
      default:
        break;
    }
  }
  return problems;
}
