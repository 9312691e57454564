import type { IpClass } from './ip-class.js';
import type { WarninglistAction } from './warninglist-format.js';

/** ECS `threat.indicator.as.*`. */
export interface EcsAs {
  number: number;
  organization: { name: string };
}

/** ECS `threat.indicator.geo.*` (country only: city-level data is not shipped). */
export interface EcsGeo {
  country_iso_code: string;
}

/** ECS `threat.indicator.url.*`; scheme/port/path only for URL indicators. */
export interface EcsUrl {
  domain?: string;
  registered_domain?: string;
  top_level_domain?: string;
  subdomain?: string;
  scheme?: string;
  port?: number;
  path?: string;
}

export interface WarninglistHitField {
  name: string;
  action: WarninglistAction;
}

export interface DnsField {
  a: string[];
  aaaa: string[];
}

/** Dragnet-only data, indexed under `dragnet.*`. */
export interface DragnetEnrichment {
  ip_class?: IpClass;
  /** CIDR indicators: non-public classes the range overlaps. */
  ip_range_classes?: IpClass[];
  registrable_domain?: string;
  public_suffix?: string;
  subdomain_depth?: number;
  idn?: boolean;
  /** URL indicators: the host is an IP literal. */
  host_is_ip?: boolean;
  /** E-mail indicators: the part after `@`. */
  email_domain?: string;
  warninglists: WarninglistHitField[];
  dns?: DnsField;
  /** Provider name → version that produced this document (re-enrichment key). */
  providers: Record<string, number>;
}

export interface EnrichmentResult {
  as?: EcsAs;
  geo?: EcsGeo;
  url?: EcsUrl;
  dragnet: DragnetEnrichment;
}

export function emptyResult(): EnrichmentResult {
  return { dragnet: { warninglists: [], providers: {} } };
}
