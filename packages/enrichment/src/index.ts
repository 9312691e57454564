export {
  type AsnDatabase,
  type AsnRecord,
  type DatabaseInfo,
  defaultAsnPaths,
  openAsnDatabase,
} from './asn-database.js';
export {
  createDnsProvider,
  DEFAULT_DNS_CONFIG,
  type DnsLookup,
  type DnsProvider,
  type DnsProviderConfig,
  type DnsStatus,
  enrichWithDns,
} from './dns-provider.js';
export { createDomainProvider, type DomainFacts, domainFacts } from './domain-provider.js';
export type {
  DragnetEnrichment,
  EcsAs,
  EcsGeo,
  EcsUrl,
  EnrichmentResult,
  WarninglistHitField,
} from './enrichment-result.js';
export { type CountryDatabase, defaultCountryPath, openCountryDatabase } from './geo-database.js';
export { buildContext, type IndicatorContext } from './indicator-context.js';
export { classifyIp, type IpClass, overlappingClasses, SPECIAL_BLOCKS } from './ip-class.js';
export { createIpProvider, type IpProvider, type IpProviderOptions } from './ip-provider.js';
export type { OfflineProvider, ProviderOutput } from './provider.js';
export {
  createOfflineProviders,
  defaultOfflineProviders,
  enrichIndicator,
  type OfflineProvidersConfig,
  PROVIDER_VERSIONS,
  providerVersions,
} from './registry.js';
export { TokenBucket } from './token-bucket.js';
export type {
  Warninglist,
  WarninglistAction,
  WarninglistLoadError,
  WarninglistType,
} from './warninglist-format.js';
export {
  type WarninglistActions,
  type WarninglistHit,
  WarninglistIndex,
  type WarninglistSummary,
} from './warninglist-index.js';
export {
  defaultWarninglistDir,
  type LoadedWarninglists,
  loadWarninglistIndex,
  loadWarninglists,
  loadWarninglistsSync,
  WarninglistStore,
} from './warninglist-loader.js';
export { createWarninglistProvider } from './warninglist-provider.js';
