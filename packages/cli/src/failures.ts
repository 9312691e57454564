import type { Server } from './command.js';

/**
 * Turns what a driver throws (kafkajs, the Elasticsearch client, ioredis) into
 * one line a person can act on: the server, its address, what went wrong and
 * the command or variable that fixes it. Errors are read by shape (name, code,
 * status, message, causes), so this module imports no driver.
 */

/** Where a server is and which variables configure it, as the CLI's configuration says. */
export interface ServerTarget {
  server: Server;
  /** host:port list or URL origin; never carries credentials. */
  address: string;
  /** The identity presented, if any (`dragnet-admin`). */
  user?: string | undefined;
  /** Variables that set the address, the credentials and the CA. */
  addressVariable: string;
  credentialVariables: string;
  caVariable: string;
}

export type FailureKind = 'unreachable' | 'credentials' | 'tls' | 'closed' | 'other';

const LABELS: Record<Server, string> = { kafka: 'Kafka', elasticsearch: 'Elasticsearch', redis: 'Redis' };

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);
const UNREACHABLE_NAMES =
  /^(KafkaJSConnectionError|ConnectionError|TimeoutError|KafkaJSRequestTimeoutError|ProbeTimeout)$/;
const CREDENTIAL_NAMES = /^KafkaJSSASLAuthenticationError$/;
const CREDENTIAL_TEXT =
  /WRONGPASS|NOAUTH|invalid username-password|authentication failed|SASL authentication|unable to authenticate/i;
const TLS_CODE =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_.*|EPROTO)$/;

interface Clue {
  name: string;
  code: string;
  message: string;
  status: number | undefined;
}

/** The error and its causes (`cause`, kafkajs' `originalError`, AggregateError's `errors`), at most 10 deep. */
export function errorChain(error: unknown): Clue[] {
  const clues: Clue[] = [];
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0 && clues.length < 10) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    const meta = record.meta as { statusCode?: unknown } | undefined;
    clues.push({
      name: typeof record.name === 'string' ? record.name : '',
      code: typeof record.code === 'string' ? record.code : '',
      message: typeof record.message === 'string' ? record.message : '',
      status: typeof meta?.statusCode === 'number' ? meta.statusCode : undefined,
    });
    queue.push(record.cause, record.originalError);
    if (Array.isArray(record.errors)) queue.push(...record.errors.slice(0, 5));
  }
  return clues;
}

/** The most telling kind of failure in the chain: credentials, then TLS, then reachability. */
export function classifyFailure(error: unknown): { kind: FailureKind; detail: string } {
  const chain = errorChain(error);
  const credentials = chain.find(
    (clue) => CREDENTIAL_NAMES.test(clue.name) || clue.status === 401 || CREDENTIAL_TEXT.test(clue.message),
  );
  if (credentials) return { kind: 'credentials', detail: credentials.message };
  const tls = chain.find((clue) => TLS_CODE.test(clue.code));
  if (tls) return { kind: 'tls', detail: tls.code };
  // Reached, then dropped before any answer: what a SASL or TLS listener does to a client that speaks neither.
  const closed = chain.find((clue) => clue.name === 'KafkaJSConnectionClosedError');
  if (closed) return { kind: 'closed', detail: closed.message };
  const codeFromText = chain.map((clue) => /\b(E[A-Z]{3,})\b/.exec(clue.message)?.[1]).find(Boolean);
  const unreachable = chain.find(
    (clue) => UNREACHABLE_CODES.has(clue.code) || UNREACHABLE_NAMES.test(clue.name),
  );
  if (unreachable || (codeFromText && UNREACHABLE_CODES.has(codeFromText)))
    return { kind: 'unreachable', detail: unreachable?.code || codeFromText || 'no answer' };
  return { kind: 'other', detail: chain[0]?.message || String(error) };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/i;

/** Whether every host of the address is this machine (then the local stack is the likely server). */
export function isLocalAddress(address: string): boolean {
  return address.split(',').every((entry) => {
    const host =
      entry.includes('://') && URL.canParse(entry) ? new URL(entry).hostname : entry.replace(/:\d+$/, '');
    return LOOPBACK.test(host.trim());
  });
}

/** One line, no newline in it: what failed at which server and what to do about it. */
export function describeServerFailure(target: ServerTarget, error: unknown): string {
  const { kind, detail } = classifyFailure(error);
  const at = `${LABELS[target.server]} at ${target.address}`;
  let line: string;
  switch (kind) {
    case 'unreachable':
      line = isLocalAddress(target.address)
        ? `${at} is not reachable (${detail}) — start the local stack with \`pnpm stack:up\` (or set ${target.addressVariable})`
        : `${at} is not reachable (${detail}) — check ${target.addressVariable} and that the server is up`;
      break;
    case 'credentials':
      line = `${at} refused ${target.user ? `the credentials of ${target.user}` : 'a request without credentials'} — check ${target.credentialVariables}`;
      break;
    case 'closed':
      line = `${at} closed the connection before answering (does it want SASL or TLS?) — check ${target.credentialVariables} and ${target.caVariable}`;
      break;
    case 'tls':
      line = `${at}: the TLS certificate was not accepted (${detail}) — check ${target.caVariable}`;
      break;
    default:
      line = `${at}: ${detail}`;
  }
  return oneLine(line);
}

/** Newlines and other control characters of a message become spaces: an error is one line. */
export const oneLine = (text: string): string =>
  text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
