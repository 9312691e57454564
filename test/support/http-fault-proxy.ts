import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of a real server (Elasticsearch), switchable
 * between faults while services talk to it:
 *
 * - `pass`: every request is forwarded as is;
 * - `down`: the port refuses connections (the listener is closed and open
 *   sockets destroyed), as when the server's host is gone;
 * - `reject-bulk`: `_bulk` requests are answered 429 with Elasticsearch's own
 *   error body (the whole request is refused: thread pool full); other
 *   requests are forwarded;
 * - `throttle-items`: in every `_bulk` request a fraction of the items is
 *   answered 429 (`es_rejected_execution_exception`) without reaching the
 *   server; the others are forwarded and their real results returned in
 *   place, as Elasticsearch does under indexing pressure.
 *
 * The proxy counts what it refused, so a test can show the fault really hit.
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'down' }
  | { kind: 'reject-bulk' }
  | { kind: 'throttle-items'; fraction: number };

export interface FaultProxy {
  url: string;
  port: number;
  setMode(mode: ProxyMode): Promise<void>;
  /** Requests refused or items throttled since start, per kind. */
  readonly stats: { bulkRequestsRejected: number; itemsThrottled: number; itemsForwarded: number };
  close(): Promise<void>;
}

const REJECTED_EXECUTION = {
  type: 'es_rejected_execution_exception',
  reason:
    'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0] (fault proxy)',
};

/** The client refuses answers without the product header (ProductNotSupportedError): say what Elasticsearch says. */
const ELASTIC_HEADERS = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

function forward(
  target: URL,
  incoming: IncomingMessage,
  body: Buffer,
  ca: string | undefined,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  const headers = { ...incoming.headers, host: target.host, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  // The secured stack's Elasticsearch speaks HTTPS (the services' credentials pass through as they are).
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      {
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers,
        ...(ca ? { ca } : {}),
      },
      (response) => {
        readBody(response).then(
          (answer) =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: answer }),
          reject,
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const isBulk = (incoming: IncomingMessage) =>
  incoming.method === 'POST' && /(^|\/)_bulk(\?|$)/.test((incoming.url ?? '').split('?')[0] ?? '');

/**
 * A bulk body is NDJSON: an action line, then a source line for index/create/update
 * (the indexer sends only `index` actions). Returns [action, source] pairs.
 */
function bulkPairs(body: Buffer): string[][] {
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0);
  const pairs: string[][] = [];
  for (let at = 0; at < lines.length; ) {
    const action = JSON.parse(lines[at]!) as Record<string, unknown>;
    const hasSource = !Object.hasOwn(action, 'delete');
    pairs.push(hasSource ? [lines[at]!, lines[at + 1]!] : [lines[at]!]);
    at += hasSource ? 2 : 1;
  }
  return pairs;
}

function throttledItem(actionLine: string): Record<string, unknown> {
  const action = JSON.parse(actionLine) as Record<string, { _index?: string; _id?: string }>;
  const [op] = Object.keys(action);
  const meta = action[op!] ?? {};
  return { [op!]: { _index: meta._index, _id: meta._id, status: 429, error: REJECTED_EXECUTION } };
}

/** @param caFile the CA that signed the target's certificate, when it speaks HTTPS. */
export async function startFaultProxy(target: string, caFile?: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  let mode: ProxyMode = { kind: 'pass' };
  const sockets = new Set<Socket>();
  const stats = { bulkRequestsRejected: 0, itemsThrottled: 0, itemsForwarded: 0 };

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const current = mode;
      if (current.kind === 'reject-bulk' && isBulk(incoming)) {
        stats.bulkRequestsRejected++;
        const answer = JSON.stringify({
          error: { root_cause: [REJECTED_EXECUTION], ...REJECTED_EXECUTION },
          status: 429,
        });
        outgoing.writeHead(429, { ...ELASTIC_HEADERS, 'content-length': Buffer.byteLength(answer) });
        outgoing.end(answer);
        return;
      }
      if (current.kind === 'throttle-items' && isBulk(incoming)) {
        const pairs = bulkPairs(body);
        const throttled = pairs.map(() => Math.random() < current.fraction);
        const kept = pairs.filter((_, index) => !throttled[index]);
        stats.itemsThrottled += pairs.length - kept.length;
        stats.itemsForwarded += kept.length;
        let realItems: unknown[] = [];
        let took = 0;
        if (kept.length > 0) {
          const answer = await forward(targetUrl, incoming, Buffer.from(`${kept.flat().join('\n')}\n`), ca);
          if (answer.status !== 200) {
            outgoing.writeHead(answer.status, answer.headers);
            outgoing.end(answer.body);
            return;
          }
          const parsed = JSON.parse(answer.body.toString('utf8')) as { took: number; items: unknown[] };
          realItems = parsed.items;
          took = parsed.took;
        }
        let next = 0;
        const items = pairs.map((pair, index) =>
          throttled[index] ? throttledItem(pair[0]!) : realItems[next++],
        );
        const errors = items.some((item) => {
          const result = Object.values(item as Record<string, { status?: number }>)[0];
          return (result?.status ?? 200) >= 300;
        });
        const answer = JSON.stringify({ errors, took, items });
        outgoing.writeHead(200, { ...ELASTIC_HEADERS, 'content-length': Buffer.byteLength(answer) });
        outgoing.end(answer);
        return;
      }
      const answer = await forward(targetUrl, incoming, body, ca);
      const headers = { ...answer.headers, 'content-length': String(answer.body.length) };
      delete headers['transfer-encoding'];
      outgoing.writeHead(answer.status, headers);
      outgoing.end(answer.body);
    })().catch(() => {
      // The target or the client went away mid-request: the client sees a reset, as from a real outage.
      incoming.socket.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    async setMode(next) {
      if (next.kind === 'down') {
        mode = next;
        await stopListening();
        return;
      }
      if (!server.listening) await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      mode = next;
    },
    close: stopListening,
  };
}
