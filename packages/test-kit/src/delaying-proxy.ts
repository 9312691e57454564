import { connect, createServer, type Socket } from 'node:net';

export interface DelayingProxy {
  /** The proxy's URL for `target`'s scheme: same host name, the proxy's port. */
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server that holds every byte coming back
 * by `delayMs`: a slow server on demand, so a test of a client deadline does
 * not depend on how fast the real one happens to answer. TLS passes through
 * untouched (the certificate still names 127.0.0.1).
 */
export async function startDelayingProxy(target: string, delayMs: number): Promise<DelayingProxy> {
  const upstreamUrl = new URL(target);
  const upstreamPort = Number(upstreamUrl.port || (upstreamUrl.protocol === 'https:' ? 443 : 80));
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, upstreamUrl.hostname);
    sockets.add(client).add(upstream);
    const later = (action: () => void) => setTimeout(action, delayMs);
    client.pipe(upstream);
    // Equal delays fire in the order they were set, so the bytes keep their order.
    upstream.on('data', (chunk) => later(() => client.writable && client.write(chunk)));
    upstream.on('end', () => later(() => client.end()));
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', () => later(teardown));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  const url = new URL(target);
  url.port = String(address.port);
  return {
    url: url.toString().replace(/\/$/, ''),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
