import type { StixObject } from '@dragnet/lookup';
import { describe, expect, it } from 'vitest';
import { documentsToRead } from './collection-walk.js';
import { type DocumentGroup, decodeCursor, encodeCursor, type FillState, fillPage } from './paging.js';

const U = (n: number) => `0000000${n}-0000-4000-8000-000000000000`.slice(-36);
const object = (type: string, n: number): StixObject => ({ type, id: `${type}--${U(n)}` });
const marking = object('marking-definition', 9);
/** Document n: one shared marking, then three own objects. */
const group = (n: number, added: number): DocumentGroup => ({
  id: `ipv4-addr--${U(n)}`,
  added,
  objects: [marking, object('indicator', n), object('ipv4-addr', n), object('relationship', n)],
  sharedCount: 1,
});
const groups = [group(1, 10), group(2, 10), group(3, 20)];
const fresh = (cursor?: Pick<FillState, 'after' | 'partial'>): FillState => ({
  served: [],
  sharedInPage: new Set(),
  after: cursor?.after ?? null,
  partial: cursor?.partial ?? null,
});

describe('fillPage', () => {
  it('pages through every object once for any page size, the shared one once per page', () => {
    const own = groups.flatMap((g) => g.objects.slice(1).map((o) => o.id));
    for (let limit = 1; limit <= 12; limit++) {
      const seen: string[] = [];
      let cursor: Pick<FillState, 'after' | 'partial'> = { after: null, partial: null };
      for (let page = 0; page < 50; page++) {
        const state = fresh(cursor);
        // The index returns the documents after `after` (the partial one included).
        const remaining = groups.filter(
          (g) =>
            !state.after || g.added > state.after[0] || (g.added === state.after[0] && g.id > state.after[1]),
        );
        const full = fillPage(state, remaining, limit, () => true);
        expect(state.served.length).toBeLessThanOrEqual(limit);
        const ids = state.served.map((served) => served.object.id);
        expect(ids.filter((id) => id === marking.id).length).toBeLessThanOrEqual(1);
        seen.push(...ids.filter((id) => id !== marking.id));
        if (!full) break;
        cursor = { after: state.after, partial: state.partial };
      }
      expect(seen, `limit ${limit}`).toEqual(own);
    }
  });

  it('restarts a document from the top when the one it stopped in is gone', () => {
    const state = fresh({ after: null, partial: { id: 'ipv4-addr--gone', skip: 3 } });
    fillPage(state, groups.slice(1), 100, () => true);
    expect(state.served[0]?.object.id).toBe(marking.id);
    expect(state.served).toHaveLength(7);
  });

  it('skips what the filter refuses without counting it', () => {
    const state = fresh();
    const full = fillPage(state, groups, 2, (candidate) => candidate.type === 'indicator');
    expect(full).toBe(true);
    expect(state.served.map((served) => served.object.id)).toEqual([
      object('indicator', 1).id,
      object('indicator', 2).id,
    ]);
    expect(state.after).toEqual([10, groups[1]!.id]);
    expect(state.partial).toEqual({ id: groups[2]!.id, skip: 1 });
  });
});

describe('cursor', () => {
  const cursor = {
    collection: 'c-1',
    after: [1_700_000_000_000, `ipv4-addr--${U(1)}`] as const,
    partial: { id: `ipv4-addr--${U(2)}`, skip: 2 },
  };

  it('round-trips and is bound to its collection', () => {
    expect(decodeCursor(encodeCursor(cursor), 'c-1')).toEqual(cursor);
    expect(() => decodeCursor(encodeCursor(cursor), 'c-2')).toThrow(/next/);
  });

  it.each([
    ['not base64 json', 'bm9wZQ'],
    ['wrong shape', Buffer.from('[1,"c-1",[1,2],null]').toString('base64url')],
    ['negative time', Buffer.from(`[1,"c-1",[-1,"ipv4-addr--${U(1)}"],null]`).toString('base64url')],
    ['foreign id', Buffer.from('[1,"c-1",[1,"__proto__"],null]').toString('base64url')],
    ['too long', 'A'.repeat(600)],
    ['bad characters', 'a+b/c='],
  ])('refuses a %s', (_, text) => {
    expect(() => decodeCursor(text, 'c-1')).toThrow(
      expect.objectContaining({ code: 'invalid_next', status: 400 }),
    );
  });
});

describe('documentsToRead', () => {
  it('reads about one document per three objects, at least one, at most 1,000', () => {
    expect(documentsToRead(1_000, 3)).toBe(335);
    expect(documentsToRead(1, 3)).toBe(2);
    expect(documentsToRead(10_000, 1)).toBe(1_000);
    expect(documentsToRead(5, 0)).toBe(501);
    expect(documentsToRead(50, 0)).toBe(1_000);
  });
});
