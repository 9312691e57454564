/**
 * URLs: WHATWG parsing for structure, Dragnet's own host rules (./domain.ts,
 * ./ip.ts) on the host as the partner wrote it, RFC 3986 §6.2.2
 * normalisation, fragments kept.
 *
 * Schemes: the web ones (http, https, ftp, ws, wss) and those malware
 * reports name for C2 and lateral movement (ftps, sftp, smb, ssh, tcp, udp,
 * irc, ldap, rdp). A value without `scheme://` (`evil.example/gate.php`,
 * `evil.example:8080/x`, a bare host in a `url` field) is read as `http://…`
 * and says so (`schemeAssumed`); the caller also keeps its host
 * (`schemelessUrlHost`), which is what such a record certainly names.
 */
import { type Canonical, fail, quote } from './canonical-result.js';
import { type CanonicalOptions, canonicalDomain } from './domain.js';
import { formatIpv6, isIpv4, parseIpv6 } from './ip.js';
import { refang } from './refang.js';

/** URL schemes Dragnet indexes → their default port (dropped from the canonical form), or null when none. */
export const URL_SCHEMES: ReadonlyMap<string, number | null> = new Map([
  ['http', 80],
  ['https', 443],
  ['ftp', 21],
  ['ws', 80],
  ['wss', 443],
  ['ftps', 990],
  ['sftp', 22],
  ['ssh', 22],
  ['smb', 445],
  ['irc', 6667],
  ['ldap', 389],
  ['rdp', 3389],
  ['tcp', null],
  ['udp', null],
]);

/**
 * Tag of a report whose URL was written without `scheme://` and read as
 * `http://…`: the partner's statement did not say which protocol. The indexed
 * document shows it in `tags` (and per source); mapping it to a document
 * field (`dragnet.url_scheme_assumed`) is the document builder's.
 */
export const URL_SCHEME_ASSUMED_TAG = 'dragnet:url_scheme_assumed';

/** WHATWG "special" schemes: their hosts are parsed (and IDNA-mapped) by the URL parser itself. */
const SPECIAL = new Set(['http', 'https', 'ftp', 'ws', 'wss']);
const SCHEME_PREFIX = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The authority of `value` (after `//`, before the path, query or fragment). */
function authorityOf(value: string, start: number): string {
  let end = start;
  while (end < value.length) {
    const code = value.charCodeAt(end);
    if (code === 47 || code === 63 || code === 35 || code === 92) break; // / ? # \
    end++;
  }
  return value.slice(start, end);
}

/** Host and port text of an authority (userinfo dropped, IPv6 brackets kept). */
function splitAuthority(authority: string): { host: string; port: string | null } {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) return { host: hostPort, port: null };
    const after = hostPort.slice(close + 1);
    return { host: hostPort.slice(0, close + 1), port: after.startsWith(':') ? after.slice(1) : null };
  }
  const colon = hostPort.lastIndexOf(':');
  return colon === -1
    ? { host: hostPort, port: null }
    : { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/** Why a port written in a URL is not one (0, above 65535, not decimal), or null; empty means none. */
function portProblem(port: string | null): string | null {
  if (port === null || port === '') return null;
  if (!/^\d{1,5}$/.test(port)) return `port ${quote(port)} is not a number from 1 to 65535`;
  const number = Number(port);
  return number >= 1 && number <= 65535 ? null : `port ${number} is outside 1–65535`;
}

export type HostObservable = { kind: 'domain' | 'ipv4' | 'ipv6'; value: string };
export type HostResult = { ok: true; host: HostObservable } | { ok: false; message: string };

/**
 * The host as written, checked by Dragnet's rules and canonicalised: a
 * domain (with a public suffix), a strict dotted-quad IPv4 or a bracketed
 * IPv6. WHATWG would read `0x7f.1` or `010.1.1.1` as IPv4 and silently drop
 * a zero-width space from a name: both would be guesses, so they are refused.
 */
export function canonicalHost(raw: string, options?: CanonicalOptions): HostResult {
  if (raw.length === 0) return { ok: false, message: 'URL without a host' };
  if (raw.startsWith('[')) {
    const groups = raw.endsWith(']') ? parseIpv6(raw.slice(1, -1)) : null;
    return groups
      ? { ok: true, host: { kind: 'ipv6', value: formatIpv6(groups) } }
      : { ok: false, message: `URL host is not an IPv6 address: ${quote(raw)}` };
  }
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  const lastLabel = name.slice(name.lastIndexOf('.') + 1);
  if (/^(\d+|0x[0-9a-f]*)$/i.test(lastLabel)) {
    return isIpv4(name)
      ? { ok: true, host: { kind: 'ipv4', value: name } }
      : { ok: false, message: `URL host is not a dotted-decimal IPv4 address: ${quote(raw)}` };
  }
  const domain = canonicalDomain(raw, options);
  return domain.ok
    ? { ok: true, host: { kind: 'domain', value: domain.value } }
    : { ok: false, message: `invalid host in URL: ${domain.message}` };
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const hexDigit = (code: number): boolean =>
  (code >= 48 && code <= 57) || ((code | 0x20) >= 97 && (code | 0x20) <= 102);

/**
 * RFC 3986 §6.2.2.1–2: percent-encoded unreserved characters decoded
 * (`%7e` → `~`), the hex of the others upper-cased (`%2f` → `%2F`). A `%`
 * without two hex digits is left as written. One linear pass.
 */
export function normalizePercentEncoding(text: string): string {
  let percent = text.indexOf('%');
  if (percent === -1) return text;
  let out = '';
  let copied = 0;
  for (; percent !== -1; percent = text.indexOf('%', percent + 1)) {
    const high = text.charCodeAt(percent + 1);
    const low = text.charCodeAt(percent + 2);
    if (!hexDigit(high) || !hexDigit(low)) continue;
    const decoded = String.fromCharCode(Number.parseInt(text.slice(percent + 1, percent + 3), 16));
    const replacement = UNRESERVED.test(decoded) ? decoded : text.slice(percent, percent + 3).toUpperCase();
    out += text.slice(copied, percent) + replacement;
    copied = percent + 3;
    percent += 2;
  }
  return out + text.slice(copied);
}

/**
 * Canonical URL of a refanged, trimmed value: scheme lower-case and one of
 * URL_SCHEMES, host by `canonicalHost`, port 1–65535 and dropped when the
 * scheme's default, empty path `/`, path/query/fragment as WHATWG serialises
 * them then RFC 3986 §6.2.2-normalised, **fragment kept** (it is part of what
 * the partner reported; the lookup finds the URL without it too). No
 * `scheme://`: `http://` assumed, and the result says so.
 */
export function canonicalUrl(value: string, options?: CanonicalOptions): Canonical {
  const match = SCHEME_PREFIX.exec(value);
  const schemeAssumed = match === null;
  const text = schemeAssumed ? `http://${value.startsWith('//') ? value.slice(2) : value}` : value;
  const scheme = schemeAssumed ? 'http' : match[1]!.toLowerCase();
  if (!URL_SCHEMES.has(scheme))
    return fail(
      'invalid_url',
      `unsupported URL scheme ${quote(scheme)} (${[...URL_SCHEMES.keys()].join(', ')})`,
    );
  const authority = authorityOf(text, scheme.length + 3);
  if (schemeAssumed && authority.includes('@'))
    return fail('invalid_url', `no scheme and an @ in ${quote(value)}: an e-mail address or a URL?`);
  const { host: rawHost, port } = splitAuthority(authority);
  const badPort = portProblem(port);
  if (badPort) return fail('invalid_url', `${badPort} in ${quote(value)}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('invalid_url', `not a URL: ${quote(value)}`);
  }
  const host = canonicalHost(rawHost, options);
  if (!host.ok) return fail('invalid_url', host.message);
  const hostText =
    host.host.kind === 'ipv6'
      ? SPECIAL.has(scheme)
        ? url.hostname
        : `[${host.host.value}]`
      : host.host.value;
  const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const portText = url.port && Number(url.port) !== URL_SCHEMES.get(scheme) ? `:${url.port}` : '';
  const rest = normalizePercentEncoding(`${url.pathname || '/'}${url.search}${url.hash}`);
  const canonical = `${scheme}://${normalizePercentEncoding(userinfo)}${hostText}${portText}${rest}`;
  // A canonical value is a fixed point of refang (lookups refang what they are given): `[.]` left in a
  // path would make the stored URL impossible to look up as written.
  if (refang(canonical) !== canonical)
    return fail('invalid_url', `defanging notation left in the URL after refanging: ${quote(value)}`);
  return schemeAssumed ? { ok: true, value: canonical, schemeAssumed: true } : { ok: true, value: canonical };
}

/**
 * The host of a value in a `url` field written without `scheme://`
 * (`evil.example/gate.php`, `evil.example:8080`, `1.2.3.4/x`), canonical, or
 * null when the value has a scheme or its host is not valid. The record
 * certainly names this host, whatever becomes of the URL.
 */
export function schemelessUrlHost(raw: string, options?: CanonicalOptions): HostObservable | null {
  const value = refang(raw);
  if (value.length === 0 || SCHEME_PREFIX.test(value)) return null;
  const authority = authorityOf(value, value.startsWith('//') ? 2 : 0);
  if (authority.includes('@')) return null;
  const host = canonicalHost(splitAuthority(authority).host, options);
  return host.ok ? host.host : null;
}

/** The URL without its fragment (`http://a.example/?q=1#x` → `http://a.example/?q=1`), for lookups. */
export function withoutFragment(canonical: string): string {
  const hash = canonical.indexOf('#');
  return hash === -1 ? canonical : canonical.slice(0, hash);
}
