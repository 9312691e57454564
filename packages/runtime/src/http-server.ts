import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from './stage-health.js';

export interface OpsServerOptions {
  port: number;
  registry: Registry;
  /** Readiness: connected and consuming, with the reason when not. Liveness is the process answering at all. */
  readiness: () => Readiness;
  host?: string;
}

/** `/healthz`, `/readyz` and Prometheus `/metrics` on one small HTTP server. */
export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void handle(request, response, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: OpsServerOptions,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/healthz') return send(response, 200, 'ok\n');
  if (path === '/readyz') {
    const readiness = options.readiness();
    return readiness.ready
      ? send(response, 200, 'ready\n')
      : send(response, 503, `not ready: ${readiness.reason}\n`);
  }
  if (path === '/metrics') {
    const body = await options.registry.metrics();
    response.writeHead(200, { 'content-type': options.registry.contentType });
    response.end(body);
    return;
  }
  send(response, 404, 'not found\n');
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(body);
}
