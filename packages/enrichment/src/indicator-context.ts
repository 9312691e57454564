import type { IndicatorKind } from '@dragnet/indicators';
import { type IpAddress, type IpNetwork, parseCidr, parseIp } from './ip-address.js';

/** Parts of a URL indicator that providers need. */
export interface UrlParts {
  scheme: string;
  /** Host without IPv6 brackets. */
  host: string;
  /** Explicit port, else the scheme's default, else null. */
  port: number | null;
  path: string;
}

/**
 * One indicator parsed once, shared by every provider: URL parsing and IP
 * parsing are the costly steps, so they must not repeat per provider.
 */
export interface IndicatorContext {
  kind: IndicatorKind;
  value: string;
  /** IP / CIDR indicators, and URLs whose host is an IP literal. */
  network: IpNetwork | null;
  /** Domain-like name: the domain itself, the URL host (when not an IP), the e-mail domain. */
  hostname: string | null;
  url: UrlParts | null;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ftp: 21,
  ws: 80,
  wss: 443,
};

export function parseUrlParts(value: string): UrlParts | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  const scheme = url.protocol.slice(0, -1);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS[scheme] ?? null);
  return { scheme, host, port, path: url.pathname };
}

function hostAddress(host: string): IpAddress | null {
  const first = host.charCodeAt(0);
  // Cheap pre-check: IP literals start with a digit or contain ':'; most hosts are names.
  if (!(first >= 48 && first <= 57) && !host.includes(':')) return null;
  return parseIp(host);
}

export function buildContext(kind: IndicatorKind, value: string): IndicatorContext {
  const context: IndicatorContext = { kind, value, network: null, hostname: null, url: null };
  switch (kind) {
    case 'ipv4':
    case 'ipv6':
    case 'cidr':
      context.network = parseCidr(value);
      break;
    case 'domain':
      context.hostname = value;
      break;
    case 'email': {
      const at = value.lastIndexOf('@');
      context.hostname = at >= 0 ? value.slice(at + 1) : null;
      break;
    }
    case 'url': {
      context.url = parseUrlParts(value);
      if (!context.url) break;
      const address = hostAddress(context.url.host);
      if (address) context.network = { address, prefixLength: address.family === 4 ? 32 : 128 };
      else context.hostname = context.url.host;
      break;
    }
    default:
      break;
  }
  return context;
}
