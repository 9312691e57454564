import { InvalidRequestError, type StixObject } from '@dragnet/lookup';

/**
 * Where a walk over a collection stands: after the document (date added,
 * id) served last in full, and, when a page ended inside the next document's
 * objects, how many of that document's objects were served already. Bound to
 * its collection, so a cursor of one is refused by another.
 */
export interface Cursor {
  collection: string;
  after: readonly [number, string] | null;
  partial: { id: string; skip: number } | null;
}

const CURSOR_ID = /^[a-z0-9-]{1,64}--[0-9a-f-]{36}$/;
const MAX_CURSOR_CHARACTERS = 512;

export function encodeCursor(cursor: Cursor): string {
  const payload = [
    1,
    cursor.collection,
    cursor.after,
    cursor.partial && [cursor.partial.id, cursor.partial.skip],
  ];
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** Decodes a `next` this server returned for `collection`; anything else is a 400. */
export function decodeCursor(text: string, collection: string): Cursor {
  const refuse = () =>
    new InvalidRequestError('invalid_next', 'next: not a value this server returned for this collection');
  if (text.length > MAX_CURSOR_CHARACTERS || !/^[A-Za-z0-9_-]+$/.test(text)) throw refuse();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(payload) || payload.length !== 4 || payload[0] !== 1 || payload[1] !== collection)
    throw refuse();
  const [, , after, partial] = payload as unknown[];
  if (after !== null && !isPosition(after)) throw refuse();
  if (partial !== null && !isPosition(partial, true)) throw refuse();
  return {
    collection,
    after: after as [number, string] | null,
    partial: partial
      ? { id: (partial as [string, number])[0], skip: (partial as [string, number])[1] }
      : null,
  };
}

/** `[epoch ms, id]`, or with `reversed` `[id, count]`. */
function isPosition(value: unknown, reversed = false): boolean {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [first, second] = reversed ? [value[1], value[0]] : value;
  return (
    Number.isSafeInteger(first) &&
    (first as number) >= 0 &&
    typeof second === 'string' &&
    CURSOR_ID.test(second)
  );
}

/** One document's objects in the order a walk serves them, and when that version was added. */
export interface DocumentGroup {
  id: string;
  added: number;
  objects: readonly StixObject[];
  /** How many of `objects` (from the start) are shared ones, served once per page. */
  sharedCount: number;
}

export interface ServedObject {
  object: StixObject;
  added: number;
}

export interface FillState {
  /** Objects served so far in this page. */
  served: ServedObject[];
  /** Ids of shared objects already in this page. */
  sharedInPage: Set<string>;
  after: readonly [number, string] | null;
  partial: { id: string; skip: number } | null;
}

/**
 * Adds the groups' objects that `wanted` accepts to the page until it holds
 * `limit`. Returns true when the page filled up before the groups ran out: the
 * state's `after`/`partial` then point at the first object not served.
 * Otherwise every group was consumed and `after` is the last group's position.
 */
export function fillPage(
  state: FillState,
  groups: readonly DocumentGroup[],
  limit: number,
  wanted: (object: StixObject, added: number) => boolean,
): boolean {
  for (const group of groups) {
    const start = state.partial?.id === group.id ? state.partial.skip : 0;
    state.partial = null;
    for (let index = start; index < group.objects.length; index++) {
      const object = group.objects[index] as StixObject;
      const shared = index < group.sharedCount;
      if ((shared && state.sharedInPage.has(object.id)) || !wanted(object, group.added)) continue;
      if (state.served.length >= limit) {
        state.partial = { id: group.id, skip: index };
        return true;
      }
      if (shared) state.sharedInPage.add(object.id);
      state.served.push({ object, added: group.added });
    }
    state.after = [group.added, group.id];
  }
  return false;
}
