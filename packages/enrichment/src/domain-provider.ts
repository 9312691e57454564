import { parse } from 'tldts';
import type { EcsUrl } from './enrichment-result.js';
import type { IndicatorContext } from './indicator-context.js';
import type { OfflineProvider, ProviderOutput } from './provider.js';

export const DOMAIN_PROVIDER_NAME = 'domain';
export const DOMAIN_PROVIDER_VERSION = 1;

export interface DomainFacts {
  registrableDomain: string | null;
  publicSuffix: string | null;
  subdomain: string;
  subdomainDepth: number;
  idn: boolean;
}

/**
 * Private PSL entries (github.io, blogspot.com, …) count as suffixes: for
 * threat intel `evil.github.io` is one actor's site, not GitHub.
 */
const TLDTS_OPTIONS = {
  allowPrivateDomains: true,
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
  mixedInputs: false,
} as const;

export function domainFacts(hostname: string): DomainFacts {
  const parsed = parse(hostname, TLDTS_OPTIONS);
  const subdomain = parsed.subdomain ?? '';
  return {
    registrableDomain: parsed.domain,
    publicSuffix: parsed.publicSuffix,
    subdomain,
    subdomainDepth: subdomain === '' ? 0 : subdomain.split('.').length,
    idn: hostname.startsWith('xn--') || hostname.includes('.xn--'),
  };
}

function urlFields(hostname: string, facts: DomainFacts): EcsUrl {
  const fields: EcsUrl = { domain: hostname };
  if (facts.registrableDomain) fields.registered_domain = facts.registrableDomain;
  if (facts.publicSuffix) fields.top_level_domain = facts.publicSuffix;
  if (facts.subdomain) fields.subdomain = facts.subdomain;
  return fields;
}

function enrichDomain(context: IndicatorContext): ProviderOutput {
  const output: ProviderOutput = {};
  const hostname = context.hostname;
  if (hostname) {
    const facts = domainFacts(hostname);
    output.dragnet = {
      subdomain_depth: facts.subdomainDepth,
      idn: facts.idn,
      ...(facts.registrableDomain ? { registrable_domain: facts.registrableDomain } : {}),
      ...(facts.publicSuffix ? { public_suffix: facts.publicSuffix } : {}),
    };
    // E-mail domains are not URLs: keep them out of ECS url.*.
    if (context.kind === 'email') output.dragnet.email_domain = hostname;
    else output.url = urlFields(hostname, facts);
  }
  if (context.kind === 'url' && context.url) {
    const parts = context.url;
    output.url = {
      ...(output.url ?? { domain: parts.host }),
      scheme: parts.scheme,
      path: parts.path,
      ...(parts.port === null ? {} : { port: parts.port }),
    };
    output.dragnet = { ...output.dragnet, host_is_ip: context.network !== null };
  }
  return output;
}

/** Registrable domain, public suffix, depth and IDN flag for domain, URL and e-mail indicators. */
export function createDomainProvider(): OfflineProvider {
  return { name: DOMAIN_PROVIDER_NAME, version: DOMAIN_PROVIDER_VERSION, enrich: enrichDomain };
}
