import type { IndicatorKind } from '@dragnet/indicators';
import { DNS_PROVIDER_NAME, DNS_PROVIDER_VERSION } from './dns-provider.js';
import { createDomainProvider, DOMAIN_PROVIDER_NAME, DOMAIN_PROVIDER_VERSION } from './domain-provider.js';
import { type EnrichmentResult, emptyResult } from './enrichment-result.js';
import { buildContext } from './indicator-context.js';
import {
  createIpProvider,
  IP_PROVIDER_NAME,
  IP_PROVIDER_VERSION,
  type IpProviderOptions,
} from './ip-provider.js';
import type { OfflineProvider, ProviderOutput } from './provider.js';
import { WarninglistIndex } from './warninglist-index.js';
import { defaultWarninglistDir, loadWarninglistsSync, type WarninglistStore } from './warninglist-loader.js';
import {
  createWarninglistProvider,
  WARNINGLIST_PROVIDER_NAME,
  WARNINGLIST_PROVIDER_VERSION,
} from './warninglist-provider.js';

/**
 * Every provider's current version. Stored per document under
 * `dragnet.providers`, so a version bump identifies documents to re-enrich.
 */
export const PROVIDER_VERSIONS: Readonly<Record<string, number>> = Object.freeze({
  [IP_PROVIDER_NAME]: IP_PROVIDER_VERSION,
  [DOMAIN_PROVIDER_NAME]: DOMAIN_PROVIDER_VERSION,
  [WARNINGLIST_PROVIDER_NAME]: WARNINGLIST_PROVIDER_VERSION,
  [DNS_PROVIDER_NAME]: DNS_PROVIDER_VERSION,
});

/**
 * The versions a deployment enriches at: the providers' own, plus the
 * operator's `ENRICHMENT_EPOCH` when above 1. Raising the epoch re-enriches
 * every active indicator in the background — for example after pointing the
 * IP provider at a newer database file, which changes no code version.
 */
export function providerVersions(epoch = 1): Record<string, number> {
  return epoch > 1 ? { ...PROVIDER_VERSIONS, epoch } : { ...PROVIDER_VERSIONS };
}

export interface OfflineProvidersConfig {
  /** Default true. */
  ip?: boolean | IpProviderOptions;
  /** Default true. */
  domain?: boolean;
  /** A store (hot-reloadable) or a fixed index; omitted → no warninglist provider. */
  warninglists?: WarninglistStore | WarninglistIndex;
}

/** Builds the enabled offline providers; opens the IP databases once, here. */
export function createOfflineProviders(config: OfflineProvidersConfig = {}): OfflineProvider[] {
  const providers: OfflineProvider[] = [];
  if (config.ip !== false) providers.push(createIpProvider(typeof config.ip === 'object' ? config.ip : {}));
  if (config.domain !== false) providers.push(createDomainProvider());
  if (config.warninglists) providers.push(createWarninglistProvider(config.warninglists));
  return providers;
}

let defaults: readonly OfflineProvider[] | null = null;

/**
 * IP + domain + the shipped default warninglists, built on first use and then
 * shared: the IP databases are large and must be opened once per process.
 */
export function defaultOfflineProviders(): readonly OfflineProvider[] {
  if (!defaults) {
    const loaded = loadWarninglistsSync(defaultWarninglistDir());
    const warninglists = new WarninglistIndex(loaded.lists, {}, loaded.errors);
    defaults = Object.freeze(createOfflineProviders({ warninglists }));
  }
  return defaults;
}

function merge(result: EnrichmentResult, output: ProviderOutput): void {
  if (output.as) result.as = output.as;
  if (output.geo) result.geo = output.geo;
  if (output.url) result.url = { ...result.url, ...output.url };
  if (output.dragnet) {
    const { warninglists, ...rest } = output.dragnet;
    Object.assign(result.dragnet, rest);
    if (warninglists) result.dragnet.warninglists.push(...warninglists);
  }
}

/**
 * Runs every given offline provider on one canonical indicator. The indicator
 * is parsed once and shared; the result is ECS-shaped with Dragnet extras
 * under `dragnet`, including which provider versions produced it. Without
 * `providers`, the shared default set is used.
 */
export function enrichIndicator(
  kind: IndicatorKind,
  value: string,
  providers: readonly OfflineProvider[] = defaultOfflineProviders(),
): EnrichmentResult {
  const context = buildContext(kind, value);
  const result = emptyResult();
  for (const provider of providers) {
    merge(result, provider.enrich(context));
    result.dragnet.providers[provider.name] = provider.version;
  }
  return result;
}
