import { describe, expect, it } from 'vitest';
import {
  buildImportRequest,
  buildStatusRequest,
  statusLevel,
  summarizeImportResponse,
} from './import-api.js';

describe('buildImportRequest', () => {
  it('posts the NDJSON as the multipart `file` part of the documented import API', async () => {
    const ndjson = '{"type":"search","id":"a","attributes":{},"references":[]}\n';
    const request = buildImportRequest('http://127.0.0.1:5601', ndjson);
    expect(request.url).toBe('http://127.0.0.1:5601/api/saved_objects/_import?overwrite=true');
    expect(request.method).toBe('POST');
    expect(request.headers['kbn-xsrf']).toBe('true');
    // fetch sets multipart/form-data with the boundary itself.
    expect(Object.keys(request.headers).map((name) => name.toLowerCase())).not.toContain('content-type');
    expect(request.body).toBeInstanceOf(FormData);
    const file = request.body?.get('file');
    expect(file).toBeInstanceOf(Blob);
    expect((file as File).name).toBe('dragnet.ndjson');
    expect(await (file as File).text()).toBe(ndjson);
  });

  it('keeps a base path and turns URL credentials into Basic auth', () => {
    const request = buildImportRequest('https://elastic:s%40cret@kibana.example:5601/kibana/', '');
    expect(request.url).toBe('https://kibana.example:5601/kibana/api/saved_objects/_import?overwrite=true');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('elastic:s@cret').toString('base64')}`);
    expect(buildStatusRequest('http://127.0.0.1:5601')).toEqual({
      url: 'http://127.0.0.1:5601/api/status',
      method: 'GET',
      headers: {},
    });
  });
});

describe('statusLevel', () => {
  it('reads 8.x levels and 7.x states', () => {
    expect(statusLevel({ status: { overall: { level: 'available' } } })).toBe('available');
    expect(statusLevel({ status: { overall: { level: 'degraded' } } })).toBe('degraded');
    expect(statusLevel({ status: { overall: { state: 'green' } } })).toBe('available');
    expect(statusLevel({ statusCode: 503 })).toBeNull();
  });
});

describe('summarizeImportResponse', () => {
  it('prints one line per imported object', () => {
    const summary = summarizeImportResponse({
      success: true,
      successCount: 2,
      successResults: [
        {
          type: 'index-pattern',
          id: 'dragnet-indicators',
          meta: { title: 'Dragnet indicators' },
          overwrite: true,
        },
        { type: 'dashboard', id: 'dragnet-overview', meta: { title: 'Dragnet threat intelligence' } },
      ],
      errors: [],
    });
    expect(summary).toEqual({
      success: true,
      successCount: 2,
      lines: [
        'ok     index-pattern dragnet-indicators "Dragnet indicators"',
        'ok     dashboard dragnet-overview "Dragnet threat intelligence"',
      ],
    });
  });

  it('reports per-object errors, including missing references', () => {
    const summary = summarizeImportResponse({
      success: false,
      successCount: 0,
      errors: [
        {
          type: 'dashboard',
          id: 'dragnet-overview',
          meta: { title: 'Dragnet threat intelligence' },
          error: { type: 'missing_references', references: [{ type: 'lens', id: 'gone' }] },
        },
        { type: 'thing', id: 'x', title: 'X', error: { type: 'unsupported_type' } },
      ],
    });
    expect(summary.success).toBe(false);
    expect(summary.lines).toEqual([
      'error  dashboard dragnet-overview "Dragnet threat intelligence": missing_references: lens gone',
      'error  thing x "X": unsupported_type',
    ]);
  });

  it('reports a whole-request failure', () => {
    expect(
      summarizeImportResponse({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Invalid file extension .txt',
      }),
    ).toEqual({ success: false, successCount: 0, lines: ['error: 400 Invalid file extension .txt'] });
  });
});
