import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { asElasticsearchClient, type ElasticsearchClient, elasticsearchDriver } from './driver.js';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;

export interface ElasticsearchSettings {
  /** A node URL, or several comma-separated (nodes of one cluster: requests go round them, a dead one is skipped). */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  apiKey?: string | undefined;
  /** PEM text of the CA that signed the cluster's HTTP certificate (default: Node's trust store). */
  ca?: string | undefined;
  requestTimeoutMs?: number;
}

export function createElasticsearchClient(settings: ElasticsearchSettings): ElasticsearchClient {
  const nodes = settings.url
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const options: ClientOptions = {
    // A node that fails a request is marked dead and retried later; the request moves to the next node.
    nodes,
    requestTimeout: settings.requestTimeoutMs ?? 60_000,
    maxRetries: 3,
    // Compression costs CPU we need for indexing on a local node; a remote cluster may want it on.
    compression: false,
  };
  // Certificates are always verified: a private CA is added, never verification turned off.
  if (settings.ca) options.tls = { ca: settings.ca, rejectUnauthorized: true };
  if (settings.apiKey) options.auth = { apiKey: settings.apiKey };
  else if (settings.username && settings.password)
    options.auth = { username: settings.username, password: settings.password };
  return asElasticsearchClient(new Client(options));
}

/**
 * Waits until the cluster is at least yellow. Uses cluster health rather than
 * `ping()`/`info()`: the minimal distribution used in tests has no `GET /`.
 */
export async function waitForElasticsearch(client: ElasticsearchClient, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const health = await elasticsearchDriver(client).cluster.health({
        wait_for_status: 'yellow',
        timeout: '5s',
      });
      if (!health.timed_out) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `Elasticsearch not healthy after ${timeoutMs} ms: ${String((lastError as Error | undefined)?.message ?? 'health timed out')}`,
  );
}

/** The client for a service's validated `ELASTICSEARCH_*` settings (see @dragnet/config). */
export function elasticsearchFromConfig(config: {
  ELASTICSEARCH_URL: string;
  ELASTICSEARCH_USERNAME?: string | undefined;
  ELASTICSEARCH_PASSWORD?: string | undefined;
  ELASTICSEARCH_API_KEY?: string | undefined;
  ELASTICSEARCH_CA_FILE?: string | undefined;
}): ElasticsearchClient {
  return createElasticsearchClient({
    url: config.ELASTICSEARCH_URL,
    username: config.ELASTICSEARCH_USERNAME,
    password: config.ELASTICSEARCH_PASSWORD,
    apiKey: config.ELASTICSEARCH_API_KEY,
    ca: config.ELASTICSEARCH_CA_FILE ? readFileSync(config.ELASTICSEARCH_CA_FILE, 'utf8') : undefined,
  });
}

/** Makes everything indexed so far searchable. */
export async function refreshIndex(client: ElasticsearchClient, index: string): Promise<void> {
  await elasticsearchDriver(client).indices.refresh({ index });
}

/**
 * Asks for cluster health once, without retries, within `timeoutMs`: a probe
 * (`dragnet` preflight). Rejects with the driver's error, whose `meta.statusCode`
 * says whether the credentials were refused.
 */
export async function probeElasticsearch(client: ElasticsearchClient, timeoutMs: number): Promise<void> {
  await elasticsearchDriver(client).cluster.health({}, { requestTimeout: timeoutMs, maxRetries: 0 });
}

/**
 * The same connections with a request timeout of their own and no retries:
 * for requests a caller waits on (an API search), where a slow cluster must
 * answer "unavailable" in time rather than be asked again.
 */
export function withRequestTimeout(client: ElasticsearchClient, timeoutMs: number): ElasticsearchClient {
  return asElasticsearchClient(
    elasticsearchDriver(client).child({ requestTimeout: timeoutMs, maxRetries: 0 }),
  );
}
