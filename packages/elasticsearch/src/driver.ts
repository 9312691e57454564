import type { Client } from '@elastic/elasticsearch';

/**
 * A connection to the Elasticsearch cluster (from `createElasticsearchClient`
 * / `elasticsearchFromConfig`). What it does is this package's operations:
 * `refreshIndex`, `getIndicators`, `searchIndicators`, `writeVersioned`, …;
 * the driver stays inside the package.
 */
export interface ElasticsearchClient {
  readonly [elasticsearchClientBrand]: 'ElasticsearchClient';
  /** Closes every connection. */
  close(): Promise<void>;
}
declare const elasticsearchClientBrand: unique symbol;

/** The driver client behind an `ElasticsearchClient`: for this package, and tests through `@dragnet/elasticsearch/driver`. */
export const elasticsearchDriver = (client: ElasticsearchClient): Client => client as unknown as Client;
export const asElasticsearchClient = (client: Client): ElasticsearchClient =>
  client as unknown as ElasticsearchClient;
export type { Client } from '@elastic/elasticsearch';
