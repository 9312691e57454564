import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSavedObjects } from '@dragnet/kibana';
import { afterEach, describe, expect, it } from 'vitest';
import { kibanaSetup } from './kibana-setup.js';

interface FakeKibana {
  url: string;
  /** What _import received: the parsed NDJSON file part. */
  imported: string[];
  statusCalls: number;
}

type ImportReply = (ids: { type: string; id: string; title: string }[]) => { status: number; body: unknown };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Plays Kibana: `/api/status` (starting, then available) and the multipart `_import` endpoint. */
async function fakeKibana(reply: ImportReply, startingFor = 1): Promise<FakeKibana> {
  const fake: FakeKibana = { url: '', imported: [], statusCalls: 0 };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://kibana');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && url.pathname === '/api/status') {
      fake.statusCalls++;
      const level = fake.statusCalls > startingFor ? 'available' : 'unavailable';
      return send(level === 'available' ? 200 : 503, { status: { overall: { level } } });
    }
    if (request.method === 'POST' && url.pathname === '/api/saved_objects/_import') {
      if (request.headers['kbn-xsrf'] !== 'true')
        return send(400, {
          statusCode: 400,
          error: 'Bad Request',
          message: 'Request must contain a kbn-xsrf header.',
        });
      if (url.searchParams.get('overwrite') !== 'true')
        return send(409, { statusCode: 409, error: 'Conflict', message: 'test expects overwrite=true' });
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.startsWith('multipart/form-data'))
        return send(415, { statusCode: 415, message: `unsupported ${contentType}` });
      // Parse the multipart body with the platform's own parser, as a server would.
      const form = await new Request('http://kibana/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: await readBody(request),
      }).formData();
      const file = form.get('file');
      if (!(file instanceof File) || !file.name.endsWith('.ndjson'))
        return send(400, { statusCode: 400, error: 'Bad Request', message: 'Invalid file extension' });
      const objects = parseSavedObjects(await file.text());
      fake.imported.push(...objects.map((object) => `${object.type}/${object.id}`));
      const ids = objects.map((object) => ({
        type: object.type,
        id: object.id,
        title: String(object.attributes.name ?? object.attributes.title),
      }));
      const { status, body } = reply(ids);
      return send(status, body);
    }
    send(404, { statusCode: 404, message: 'Not Found' });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

const allImported: ImportReply = (ids) => ({
  status: 200,
  body: {
    success: true,
    successCount: ids.length,
    successResults: ids.map(({ type, id, title }) => ({ type, id, meta: { title }, overwrite: true })),
    errors: [],
  },
});

describe('kibanaSetup', () => {
  it('waits for Kibana, imports the shipped bundle and prints every object', async () => {
    const kibana = await fakeKibana(allImported, 2);
    const lines: string[] = [];
    const code = await kibanaSetup({
      kibanaUrl: kibana.url,
      log: (line) => lines.push(line),
      retryIntervalMs: 10,
    });
    expect(code).toBe(0);
    expect(kibana.statusCalls).toBe(3);
    expect(kibana.imported).toContain('dashboard/dragnet-overview');
    expect(lines).toContain('ok     index-pattern dragnet-indicators "Dragnet indicators"');
    expect(lines).toContain('ok     dashboard dragnet-overview "Dragnet threat intelligence"');
    expect(lines.filter((line) => line.startsWith('ok '))).toHaveLength(kibana.imported.length);
    expect(lines.at(-1)).toMatch(new RegExp(`^imported ${kibana.imported.length} saved objects from `));
  });

  it('exits 1 and shows the error when Kibana rejects an object', async () => {
    const kibana = await fakeKibana((ids) => ({
      status: 200,
      body: {
        success: false,
        successCount: ids.length - 1,
        successResults: ids
          .filter(({ type }) => type !== 'dashboard')
          .map(({ type, id, title }) => ({ type, id, meta: { title } })),
        errors: [
          {
            type: 'dashboard',
            id: 'dragnet-overview',
            meta: { title: 'Dragnet threat intelligence' },
            error: { type: 'unknown', message: 'mapper_parsing_exception', statusCode: 400 },
          },
        ],
      },
    }));
    const lines: string[] = [];
    const code = await kibanaSetup({
      kibanaUrl: kibana.url,
      log: (line) => lines.push(line),
      retryIntervalMs: 10,
    });
    expect(code).toBe(1);
    expect(lines).toContain(
      'error  dashboard dragnet-overview "Dragnet threat intelligence": unknown: mapper_parsing_exception',
    );
  });

  it('exits 1 on a 400 for the whole request', async () => {
    const kibana = await fakeKibana(() => ({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'Unexpected token in JSON' },
    }));
    const lines: string[] = [];
    const code = await kibanaSetup({
      kibanaUrl: kibana.url,
      log: (line) => lines.push(line),
      retryIntervalMs: 10,
    });
    expect(code).toBe(1);
    expect(lines).toContain('error: 400 Unexpected token in JSON');
    expect(lines.at(-1)).toMatch(/^import failed \(HTTP 400\)/);
  });

  it('gives up with a clear message when Kibana never becomes available', async () => {
    const kibana = await fakeKibana(allImported, Number.POSITIVE_INFINITY);
    const lines: string[] = [];
    const code = await kibanaSetup({
      kibanaUrl: kibana.url,
      log: (line) => lines.push(line),
      waitTimeoutMs: 100,
      retryIntervalMs: 20,
    });
    expect(code).toBe(1);
    expect(kibana.imported).toEqual([]);
    expect(lines.at(-1)).toBe(
      `Kibana at ${kibana.url}: not available after 0 s (last: HTTP 503, status unavailable)`,
    );
  });

  it('refuses a bundle that does not match the index mapping, before contacting Kibana', async () => {
    const kibana = await fakeKibana(allImported);
    const path = join(await mkdtemp(join(tmpdir(), 'dragnet-kibana-')), 'bad.ndjson');
    await writeFile(
      path,
      `${JSON.stringify({ type: 'index-pattern', id: 'x', attributes: { title: 'x', timeFieldName: 'when' }, references: [] })}\n`,
    );
    const lines: string[] = [];
    const code = await kibanaSetup({
      kibanaUrl: kibana.url,
      bundlePath: path,
      log: (line) => lines.push(line),
    });
    expect(code).toBe(1);
    expect(kibana.statusCalls).toBe(0);
    expect(lines).toContain('  index-pattern x: timeFieldName "when" is not in the index mapping');
  });
});
