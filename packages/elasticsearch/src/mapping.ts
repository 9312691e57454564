import { INDEX } from '@dragnet/contracts';
import { INDICATOR_MAPPINGS } from '@dragnet/document';
import type { estypes } from '@elastic/elasticsearch';

/** The mapping itself is the document's (packages/document/src/mapping.ts); this adds what only the index needs. */
export const INDICATOR_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  // A single local node cannot place replicas; a real cluster raises this after setup.
  number_of_replicas: 0,
  // refresh_interval deliberately unset: the default (1 s) then lets an index nobody searched for
  // 30 s skip refreshes ("search idle"), so bulk ingest builds fewer, larger segments and merges far
  // less; the first search refreshes and waits. Setting '1s' explicitly would turn that off.
};

export function indicatorIndexTemplate(): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: INDEX.template,
    index_patterns: [INDEX.pattern],
    priority: INDEX.templatePriority,
    // Explicitly not a data stream: indicators are updated in place by id.
    template: { settings: INDICATOR_SETTINGS, mappings: INDICATOR_MAPPINGS as estypes.MappingTypeMapping },
    _meta: { description: 'Dragnet threat indicators (ECS threat.indicator.*)', managed_by: 'dragnet' },
  };
}
