import type { CollectorSettings } from './collector.js';
import type { TaxiiCollectorConfig } from './config.js';

export * from './collections.js';
export * from './collector.js';
export * from './paging.js';
export * from './position-store.js';

/** Defaults of `taxiiCollectorEnv`, for callers without its environment (the CLI). */
export const DEFAULT_COLLECTOR_SETTINGS: CollectorSettings = {
  limits: { maxBytes: 8_388_608, maxDepth: 64 },
  timeoutMs: 60_000,
  backoff: { baseMs: 1_000, maxMs: 300_000 },
};

export function settingsFromConfig(
  config: Pick<
    TaxiiCollectorConfig,
    | 'TAXII_MAX_RESPONSE_BYTES'
    | 'TAXII_MAX_JSON_DEPTH'
    | 'TAXII_REQUEST_TIMEOUT_MS'
    | 'TAXII_RETRY_BASE_MS'
    | 'TAXII_RETRY_MAX_MS'
  >,
): CollectorSettings {
  return {
    limits: { maxBytes: config.TAXII_MAX_RESPONSE_BYTES, maxDepth: config.TAXII_MAX_JSON_DEPTH },
    timeoutMs: config.TAXII_REQUEST_TIMEOUT_MS,
    backoff: { baseMs: config.TAXII_RETRY_BASE_MS, maxMs: config.TAXII_RETRY_MAX_MS },
  };
}
