import type { IndicatorContext } from './indicator-context.js';
import type { OfflineProvider, ProviderOutput } from './provider.js';
import type { WarninglistIndex } from './warninglist-index.js';
import type { WarninglistStore } from './warninglist-loader.js';

export const WARNINGLIST_PROVIDER_NAME = 'warninglists';
export const WARNINGLIST_PROVIDER_VERSION = 1;

/** Reads the store's *current* index on every call, so a reload takes effect without rebuilding providers. */
export function createWarninglistProvider(source: WarninglistStore | WarninglistIndex): OfflineProvider {
  const indexOf = (): WarninglistIndex => ('index' in source ? source.index : source);
  return {
    name: WARNINGLIST_PROVIDER_NAME,
    version: WARNINGLIST_PROVIDER_VERSION,
    enrich: (context: IndicatorContext): ProviderOutput => ({
      dragnet: {
        warninglists: indexOf()
          .matchContext(context)
          .map((hit) => ({ name: hit.name, action: hit.action })),
      },
    }),
  };
}
