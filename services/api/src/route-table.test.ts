import { describe, expect, it } from 'vitest';
import { findRoute, pathPattern } from './route-table.js';

describe('route table', () => {
  const table = [
    { method: 'GET', path: pathPattern('/v1/indicators/*value'), name: 'indicator' },
    { method: 'GET', path: pathPattern('/taxii2/:root/collections/:collection/objects/'), name: 'objects' },
    { method: 'POST', path: pathPattern('/taxii2/:root/collections/:collection/objects/'), name: 'add' },
    { method: 'GET', path: pathPattern('/openapi.json'), name: 'openapi' },
  ];

  it('matches segments and a rest parameter kept as sent, trailing slash included', () => {
    const found = findRoute(table, 'GET', '/v1/indicators/http://x.example/a/');
    expect(found).toMatchObject({ outcome: 'found', parameters: { value: 'http://x.example/a/' } });
    expect(findRoute(table, 'GET', '/v1/indicators/')).toMatchObject({
      outcome: 'found',
      parameters: { value: '' },
    });
    const objects = findRoute(table, 'GET', '/taxii2/dragnet/collections/c1/objects');
    expect(objects).toMatchObject({ outcome: 'found', parameters: { root: 'dragnet', collection: 'c1' } });
    expect(findRoute(table, 'POST', '/taxii2/dragnet/collections/c1/objects/')).toMatchObject({
      outcome: 'found',
      entry: { name: 'add' },
    });
  });

  it('tells a wrong method (with the allowed ones) from an unknown path', () => {
    expect(findRoute(table, 'DELETE', '/taxii2/r/collections/c/objects/')).toMatchObject({
      outcome: 'wrong_method',
      allowed: ['GET', 'POST'],
    });
    expect(findRoute(table, 'POST', '/openapi.json')).toMatchObject({
      outcome: 'wrong_method',
      allowed: ['GET'],
    });
    for (const path of ['/v1/indicatorsx', '/taxii2/r/collections//objects/', '/openapi.json/x', '/'])
      expect(findRoute(table, 'GET', path).outcome, path).toBe('none');
  });

  it('keeps parameter names out of the prototype chain', () => {
    const found = findRoute(table, 'GET', '/taxii2/__proto__/collections/constructor/objects/');
    expect(found.outcome).toBe('found');
    if (found.outcome !== 'found') return;
    expect(Object.getPrototypeOf(found.parameters)).toBeNull();
    expect(found.parameters.root).toBe('__proto__');
    expect(found.parameters.toString).toBeUndefined();
  });
});
