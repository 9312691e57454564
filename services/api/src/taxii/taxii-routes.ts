import { randomUUID } from 'node:crypto';
import type { ApiKey } from '@dragnet/api-keys';
import { KINDS } from '@dragnet/indicators';
import { stixUuid } from '@dragnet/lookup';
import { error, type Reply, type RouteCall, type RouteDefinition } from '../http-reply.js';
import { readBody } from '../request-body.js';
import { pathPattern } from '../route-table.js';
import { type WalkPage, walkCollection } from './collection-walk.js';
import { type Collection, canRead, canWrite, readerCeiling, type TaxiiConfiguration } from './collections.js';
import { parseEnvelope, type StatusRecord, statusResource } from './inbox.js';
import type { InboxPort } from './inbox-port.js';
import { type ObjectQuery, objectVersion, parseObjectQuery } from './object-filters.js';
import { negotiate, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './taxii-http.js';

/** The one API root Dragnet serves. */
export const TAXII_API_ROOT = 'dragnet';

export interface TaxiiOptions {
  configuration: TaxiiConfiguration;
  /**
   * Documents written less than this long ago (ms) are not served yet: a
   * document's date added is set when the deduplicator builds it, and it
   * becomes searchable a little later; holding back the most recent moment
   * means a client that polls with `added_after` never skips one that
   * became visible late.
   */
  settleMs: number;
  /** Largest body the API accepts (the API root's `max_content_length`). */
  maxContentLength: number;
  /** Posts to inbox collections and their status; absent when no collection is an inbox. */
  inbox?: InboxPort | undefined;
}

const OBJECT_TYPES = [TAXII_MEDIA_TYPE, STIX_MEDIA_TYPE];
const TAXII_ONLY = [TAXII_MEDIA_TYPE];

/** The TAXII 2.1 endpoints (section 4 and 5 of the specification) under `/taxii2/`. */
export function taxiiRoutes(options: TaxiiOptions): RouteDefinition[] {
  const route = (
    name: RouteDefinition['name'],
    pattern: string,
    produces: readonly string[],
    handle: (call: RouteCall, mediaType: string) => Promise<Reply>,
    method: RouteDefinition['method'] = 'GET',
  ): RouteDefinition => ({
    name,
    method,
    path: pathPattern(pattern),
    family: 'taxii',
    handle: async (call) => {
      const mediaType = negotiate(headerText(call.request.headers.accept), produces);
      if (!mediaType) return error(406, 'not_acceptable', `Accept one of: ${produces.join(', ')}`);
      if (call.parameters.root !== undefined && call.parameters.root !== TAXII_API_ROOT)
        return error(404, 'unknown_api_root', 'no such API root');
      return handle(call, mediaType);
    },
  });
  const collections = '/taxii2/:root/collections/:collection';
  return [
    route('taxii_discovery', '/taxii2/', TAXII_ONLY, async () => ok(discovery(options))),
    route('taxii_api_root', '/taxii2/:root/', TAXII_ONLY, async () => ok(apiRoot(options))),
    route('taxii_status', '/taxii2/:root/status/:status/', TAXII_ONLY, (call) => status(options, call)),
    route('taxii_collections', '/taxii2/:root/collections/', TAXII_ONLY, async (call) =>
      ok(listCollections(options, call)),
    ),
    route('taxii_collection', `${collections}/`, TAXII_ONLY, (call) => collectionResource(options, call)),
    route('taxii_manifest', `${collections}/manifest/`, TAXII_ONLY, (call) => manifest(options, call)),
    route('taxii_objects', `${collections}/objects/`, OBJECT_TYPES, (call, type) =>
      objects(options, call, type),
    ),
    route(
      'taxii_add_objects',
      `${collections}/objects/`,
      TAXII_ONLY,
      (call) => addObjects(options, call),
      'POST',
    ),
    route('taxii_object', `${collections}/objects/:object/`, OBJECT_TYPES, (call, type) =>
      objects(options, call, type, call.parameters.object),
    ),
    route('taxii_versions', `${collections}/objects/:object/versions/`, TAXII_ONLY, (call) =>
      versions(options, call),
    ),
  ];
}

const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

const ok = (body: unknown, mediaType = TAXII_MEDIA_TYPE, headers: Record<string, string> = {}): Reply => ({
  status: 200,
  body,
  headers: { 'content-type': mediaType, ...headers },
});

function discovery(options: TaxiiOptions) {
  const root = `/taxii2/${TAXII_API_ROOT}/`;
  const { title, description } = options.configuration;
  return { title, ...(description ? { description } : {}), default: root, api_roots: [root] };
}

function apiRoot(options: TaxiiOptions) {
  const { title, description } = options.configuration;
  return {
    title,
    ...(description ? { description } : {}),
    versions: [TAXII_MEDIA_TYPE],
    max_content_length: options.maxContentLength,
  };
}

function collectionBody(collection: Collection, key: ApiKey) {
  return {
    id: collection.id,
    title: collection.title,
    ...(collection.description ? { description: collection.description } : {}),
    can_read: canRead(collection, key),
    can_write: canWrite(collection, key),
    media_types: [STIX_MEDIA_TYPE],
  };
}

/** A key sees the collections it may read or write; the others are unknown to it. */
const isVisible = (collection: Collection, key: ApiKey) =>
  canRead(collection, key) || canWrite(collection, key);

function listCollections(options: TaxiiOptions, call: RouteCall) {
  const visible = options.configuration.collections.filter((collection) => isVisible(collection, call.key));
  call.audit.results = { returned: visible.length };
  return visible.length > 0 ? { collections: visible.map((item) => collectionBody(item, call.key)) } : {};
}

function namedCollection(options: TaxiiOptions, call: RouteCall): Collection | undefined {
  const id = call.parameters.collection;
  return options.configuration.collections.find((candidate) => candidate.id === id);
}

/** The collection a request names, if the key may read it; unreadable ones are answered as unknown. */
function readableCollection(options: TaxiiOptions, call: RouteCall): Collection | null {
  const collection = namedCollection(options, call);
  return collection && canRead(collection, call.key) ? collection : null;
}

const unknownCollection = () =>
  error(404, 'unknown_collection', 'no such collection (or not readable with this key)');

async function collectionResource(options: TaxiiOptions, call: RouteCall): Promise<Reply> {
  const collection = namedCollection(options, call);
  return collection && isVisible(collection, call.key)
    ? ok(collectionBody(collection, call.key))
    : unknownCollection();
}

/** Answers one page of objects (or their manifest, or versions) of the requested collection. */
async function walk(
  options: TaxiiOptions,
  call: RouteCall,
  objectId?: string,
): Promise<{ page: WalkPage; query: ObjectQuery } | Reply> {
  const collection = readableCollection(options, call);
  if (!collection) return unknownCollection();
  const query = parseObjectQuery(call.url, { pageable: true });
  if (objectId !== undefined) {
    if (!/^[a-z0-9-]{1,250}--[0-9a-f-]{36}$/.test(objectId))
      return error(404, 'unknown_object', 'no such object');
    query.ids = new Set(query.ids ? [...query.ids].filter((id) => id === objectId) : [objectId]);
  }
  call.audit.query = `collection=${collection.id}${call.url.search}`;
  const page = await walkCollection(
    {
      client: call.searchScope.client,
      index: call.searchScope.index,
      collection,
      ceiling: readerCeiling(collection, call.key),
      addedUpTo: Date.now() - options.settleMs,
    },
    query,
    query.ids ? documentIdsOf(query.ids) : undefined,
  );
  call.audit.results = { returned: page.objects.length };
  return { page, query };
}

const isReply = (value: object): value is Reply => 'status' in value;

function pageHeaders(page: WalkPage): Record<string, string> {
  const first = page.objects[0];
  const last = page.objects.at(-1);
  if (!first || !last) return {};
  return {
    'x-taxii-date-added-first': new Date(first.added).toISOString(),
    'x-taxii-date-added-last': new Date(last.added).toISOString(),
  };
}

const paging = (page: WalkPage) => ({ more: page.more, ...(page.next ? { next: page.next } : {}) });

async function objects(
  options: TaxiiOptions,
  call: RouteCall,
  mediaType: string,
  objectId?: string,
): Promise<Reply> {
  const result = await walk(options, call, objectId);
  if (isReply(result)) return result;
  const { page } = result;
  if (objectId !== undefined && page.objects.length === 0 && !page.more)
    return error(404, 'unknown_object', 'no such object in this collection');
  const body = {
    ...paging(page),
    ...(page.objects.length > 0 ? { objects: page.objects.map((item) => item.object) } : {}),
  };
  return ok(body, mediaType, pageHeaders(page));
}

async function manifest(options: TaxiiOptions, call: RouteCall): Promise<Reply> {
  const result = await walk(options, call);
  if (isReply(result)) return result;
  const { page } = result;
  const entries = page.objects.map(({ object, added }) => ({
    id: object.id,
    date_added: new Date(added).toISOString(),
    version: objectVersion(object, added),
    media_type: STIX_MEDIA_TYPE,
  }));
  return ok(
    { ...paging(page), ...(entries.length > 0 ? { objects: entries } : {}) },
    TAXII_MEDIA_TYPE,
    pageHeaders(page),
  );
}

async function versions(options: TaxiiOptions, call: RouteCall): Promise<Reply> {
  const objectId = call.parameters.object;
  const result = await walk(options, call, objectId);
  if (isReply(result)) return result;
  const { page } = result;
  if (page.objects.length === 0 && !page.more)
    return error(404, 'unknown_object', 'no such object in this collection');
  const listed = [...new Set(page.objects.map(({ object, added }) => objectVersion(object, added)))];
  return ok(
    { ...paging(page), ...(listed.length > 0 ? { versions: listed } : {}) },
    TAXII_MEDIA_TYPE,
    pageHeaders(page),
  );
}

/** `Content-Type` of a post: TAXII's media type, version 2.1 or none (the latest). */
const TAXII_CONTENT_TYPE = /^application\/taxii\+json\s*(?:;\s*version\s*=\s*"?2\.1"?\s*)?(?:;|$)/i;

/**
 * Adds objects to an inbox (TAXII 2.1 section 5.5): the envelope becomes one
 * STIX bundle message on the inbox partner's topic, so it takes the path of
 * every partner message (parser, dead letters, merge); answered 202 with a
 * pending status resource.
 */
async function addObjects(options: TaxiiOptions, call: RouteCall): Promise<Reply> {
  const collection = namedCollection(options, call);
  if (!collection || !isVisible(collection, call.key)) return unknownCollection();
  const { inbox } = collection;
  if (!inbox || !canWrite(collection, call.key))
    return error(403, 'not_writable', 'this key may not add objects to this collection');
  if (!options.inbox) return error(503, 'inbox_unavailable', 'the inbox is not running; retry later');
  const body = await readBody(call.request, options.maxContentLength, TAXII_CONTENT_TYPE, TAXII_MEDIA_TYPE);
  const envelope = parseEnvelope(body);
  if (!envelope.ok) return error(envelope.status, envelope.code, envelope.message);
  call.audit.query = `collection=${collection.id}`;
  const record = await options.inbox.submit({
    statusId: randomUUID(),
    keyId: call.key.id,
    partner: inbox.partner,
    objects: envelope.objects,
  });
  call.audit.results = { returned: record.totalCount };
  return { ...ok(statusResource(record)), status: 202 };
}

const STATUS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A status resource (section 4.3): only the key that posted, or another key of its partner, may read it. */
async function status(options: TaxiiOptions, call: RouteCall): Promise<Reply> {
  const id = call.parameters.status ?? '';
  const unknown = () => error(404, 'unknown_status', 'no such status resource');
  if (!options.inbox || !STATUS_ID.test(id)) return unknown();
  const record: StatusRecord | null = await options.inbox.status(id);
  const owner = record && (record.keyId === call.key.id || record.partner === call.key.partner);
  if (!record || !owner) return unknown();
  return ok(statusResource(record));
}

/** Every STIX object type a document's observable can be (an indicator kind's SCO type). */
const OBSERVABLE_TYPES = [...new Set(Object.values(KINDS).flatMap((spec) => spec.stixProperty.objectType))];

/**
 * The documents that can hold the asked objects: an observable is its own
 * document, an indicator or `based-on` relationship shares its UUID with
 * the observable's. Undefined (every document) when an id of another type
 * (sighting, identity, marking) is asked for, whose document is not known
 * from its id.
 */
export function documentIdsOf(ids: ReadonlySet<string>): string[] | undefined {
  const documents = new Set<string>();
  for (const id of ids) {
    const type = id.slice(0, id.indexOf('--'));
    // Before the observable types: a pattern indicator is its own document, `indicator--U`.
    if (type === 'indicator' || type === 'relationship')
      for (const observable of OBSERVABLE_TYPES) documents.add(`${observable}--${stixUuid(id)}`);
    else if (OBSERVABLE_TYPES.includes(type as never)) documents.add(id);
    else return undefined;
  }
  return [...documents];
}
