import { readFile } from 'node:fs/promises';
import { INDICATOR_MAPPINGS } from '@dragnet/document';
import { AUDIT_MAPPINGS } from '@dragnet/elasticsearch';
import {
  buildImportRequest,
  buildStatusRequest,
  DEFAULT_KIBANA_BUNDLE,
  type KibanaRequest,
  parseSavedObjects,
  statusLevel,
  summarizeImportResponse,
  validateBundle,
} from '@dragnet/kibana';

export interface KibanaSetupOptions {
  /** e.g. `http://127.0.0.1:5601`; `user:password@` in it becomes Basic auth. */
  kibanaUrl: string;
  /** Defaults to the repository's `infra/kibana/dragnet.ndjson`. */
  bundlePath?: string;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** How long to wait for Kibana to report `available` (it takes a minute or two after start). */
  waitTimeoutMs?: number;
  retryIntervalMs?: number;
}

function send(fetcher: typeof fetch, request: KibanaRequest): Promise<Response> {
  return fetcher(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body ? { body: request.body } : {}),
  });
}

/** `fetch failed` alone says nothing; the cause (ECONNREFUSED, ENOTFOUND) does. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

async function readJson(response: Response): Promise<unknown> {
  const body = await response.text();
  try {
    return JSON.parse(body);
  } catch {
    return { statusCode: response.status, message: body.slice(0, 500) || response.statusText };
  }
}

type Readiness = { ready: true } | { ready: false; fatal: boolean; reason: string };

async function checkStatus(fetcher: typeof fetch, kibanaUrl: string): Promise<Readiness> {
  let response: Response;
  try {
    response = await send(fetcher, buildStatusRequest(kibanaUrl));
  } catch (error) {
    return { ready: false, fatal: false, reason: describeFetchError(error) };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return {
      ready: false,
      fatal: true,
      reason: `HTTP ${response.status}: Kibana wants credentials; put user:password@ in KIBANA_URL`,
    };
  }
  // Kibana answers 503 with a status body while it starts; the level is what counts.
  const level = statusLevel(await readJson(response));
  if (response.ok && level === 'available') return { ready: true };
  return { ready: false, fatal: false, reason: `HTTP ${response.status}, status ${level ?? 'unknown'}` };
}

async function waitForKibana(
  fetcher: typeof fetch,
  kibanaUrl: string,
  timeoutMs: number,
  intervalMs: number,
  log: (line: string) => void,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const readiness = await checkStatus(fetcher, kibanaUrl);
    if (readiness.ready) return null;
    if (readiness.fatal) return readiness.reason;
    if (Date.now() + intervalMs > deadline)
      return `not available after ${Math.round(timeoutMs / 1000)} s (last: ${readiness.reason})`;
    if (attempt === 1 || attempt % 5 === 0) log(`waiting for Kibana: ${readiness.reason}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * `dragnet kibana setup`: validates the saved-objects bundle against the
 * index mapping, waits for Kibana, imports the bundle (overwriting our
 * fixed-id objects, so re-running is safe) and prints every object's result.
 * Returns the process exit code: 0 only when every object imported.
 */
export async function kibanaSetup(options: KibanaSetupOptions): Promise<number> {
  const fetcher = options.fetch ?? fetch;
  const log = options.log ?? ((line: string) => console.log(line));
  const bundlePath = options.bundlePath ?? DEFAULT_KIBANA_BUNDLE;

  const ndjson = await readFile(bundlePath, 'utf8');
  const problems = validateBundle(parseSavedObjects(ndjson), INDICATOR_MAPPINGS, {
    'dragnet-audit': AUDIT_MAPPINGS,
  });
  if (problems.length > 0) {
    log(`${bundlePath} does not match the index mapping:`);
    for (const problem of problems) log(`  ${problem}`);
    return 1;
  }

  const unavailable = await waitForKibana(
    fetcher,
    options.kibanaUrl,
    options.waitTimeoutMs ?? 180_000,
    options.retryIntervalMs ?? 2_000,
    log,
  );
  if (unavailable) {
    log(`Kibana at ${new URL(options.kibanaUrl).origin}: ${unavailable}`);
    return 1;
  }

  let response: Response;
  try {
    response = await send(fetcher, buildImportRequest(options.kibanaUrl, ndjson));
  } catch (error) {
    log(`import failed: ${describeFetchError(error)}`);
    return 1;
  }
  const summary = summarizeImportResponse(await readJson(response));
  for (const line of summary.lines) log(line);
  const ok = response.ok && summary.success;
  log(
    ok
      ? `imported ${summary.successCount} saved objects from ${bundlePath}`
      : `import failed (HTTP ${response.status}): ${summary.successCount} of the bundle's objects imported`,
  );
  return ok ? 0 : 1;
}
