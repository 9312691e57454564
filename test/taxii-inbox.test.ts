import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_INDEX, CONSUMER_GROUPS, INDEX, REDIS_KEYS } from '@dragnet/contracts';
import { deleteIndicatorIndex, ensureIndicatorIndex } from '@dragnet/elasticsearch';
import { deleteTopics, ensureTopics } from '@dragnet/kafka';
import { loadRegistry, planTopics } from '@dragnet/partners';
import {
  eventually,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
  testRedis,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexedDocuments, serviceEnv } from './pipeline-kit.js';
import { freePort } from './support/private-redis.js';

/**
 * The TAXII inbox end to end: a partner's key posts an envelope to its inbox
 * collection on the API; the bundle goes through Kafka, the normalizer, the
 * merge and the indexer like any partner message, and the status resource
 * reports what the normalizer made of each object. The oracle is the posted
 * envelope itself: which object is valid, which value it carries.
 */
const PARTNER = 'inbox-partner';
const INBOX = '6b0b3e0c-6f7a-4d0e-9d55-3c1f1f0a0001';
const TAXII = 'application/taxii+json;version=2.1';
const work = mkdtempSync(join(tmpdir(), 'dragnet-taxii-inbox-'));
const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const processes: ServiceProcess[] = [];
let base = '';
/** Status resources the test made, removed from Redis afterwards. */
const statusIds: string[] = [];

/** A key and its keys-file entry (a SHA-256 digest, as `dragnet api-key create` writes it). */
function apiKey(id: string) {
  const key = `dgn_${randomBytes(32).toString('base64url')}`;
  return { key, entry: { id, sha256: createHash('sha256').update(key).digest('hex'), max_tlp: 'amber' } };
}
const poster = apiKey('inbox-poster');
const unbound = apiKey('inbox-unbound');
const reader = apiKey('inbox-reader');

const VALID_ID = 'indicator--0d6a2f40-51f4-4c4e-9a55-0e1b7a000001';
const INVALID_ID = 'indicator--0d6a2f40-51f4-4c4e-9a55-0e1b7a000002';
const VALID_VALUE = 'posted-through-the-inbox.example.com';
const indicator = (id: string, pattern: string) => ({
  type: 'indicator',
  spec_version: '2.1',
  id,
  created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z',
  valid_from: '2026-01-01T00:00:00.000Z',
  pattern_type: 'stix',
  pattern,
});
const envelope = {
  objects: [
    indicator(VALID_ID, `[domain-name:value = '${VALID_VALUE}']`),
    indicator(INVALID_ID, "[ipv4-addr:value = '999.1.2.3']"),
  ],
};

const basic = (key: { key: string; entry: { id: string } }) =>
  `Basic ${Buffer.from(`${key.entry.id}:${key.key}`).toString('base64')}`;

function post(key: typeof poster, body: unknown, contentType = TAXII) {
  return fetch(`${base}/taxii2/dragnet/collections/${INBOX}/objects/`, {
    method: 'POST',
    headers: { authorization: basic(key), accept: TAXII, 'content-type': contentType },
    body: JSON.stringify(body),
  });
}

const getStatus = (key: typeof poster, id: string) =>
  fetch(`${base}/taxii2/dragnet/status/${id}/`, { headers: { authorization: basic(key), accept: TAXII } });

function writeFiles(): Record<string, string> {
  const partners = join(work, 'partners.json');
  writeFileSync(
    partners,
    JSON.stringify({
      partners: [
        {
          id: PARTNER,
          name: 'A partner posting over TAXII',
          feedName: 'inbox-feed',
          format: { type: 'stix' },
          defaultTlp: 'green',
          trust: 0.5,
          partitions: 1,
        },
      ],
    }),
  );
  const keys = join(work, 'keys.json');
  writeFileSync(keys, JSON.stringify([{ ...poster.entry, partner: PARTNER }, unbound.entry, reader.entry]));
  const collections = join(work, 'collections.json');
  writeFileSync(
    collections,
    JSON.stringify({
      collections: [
        {
          id: INBOX,
          title: 'Inbox of the partner',
          max_tlp: 'amber',
          partners: [PARTNER],
          read: { keys: [poster.entry.id, unbound.entry.id, reader.entry.id] },
          // `inbox-unbound` is listed but not bound to the partner in the keys file: it may not write either.
          inbox: { partner: PARTNER, keys: [poster.entry.id, unbound.entry.id] },
        },
      ],
    }),
  );
  return { PARTNERS_FILE: partners, API_KEYS_FILE: keys, TAXII_COLLECTIONS_FILE: collections };
}

describe('TAXII inbox', () => {
  beforeAll(async () => {
    const files = writeFiles();
    await ensureTopics(kafka, planTopics(loadRegistry(files.PARTNERS_FILE), 3));
    await ensureIndicatorIndex(elasticsearch);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = serviceEnv({ ...files, API_PORT: String(port), API_HOST: '127.0.0.1', TAXII_SETTLE_MS: '0' });
    for (const name of ['normalizer', 'deduplicator', 'indexer', 'api'])
      processes.push(startService(name, env));
    await eventually(
      () =>
        fetch(`${base}/taxii2/`, { headers: { authorization: basic(reader), accept: TAXII } })
          .then((response) => response.status)
          .catch(() => 0),
      (status) => status === 200,
      { timeoutMs: 120_000, what: 'the API listening' },
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill('SIGTERM')));
    await deleteTopics(
      kafka,
      planTopics(loadRegistry(join(work, 'partners.json')), 3).map((topic) => topic.topic),
    ).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups(Object.values(CONSUMER_GROUPS)).catch(() => undefined);
    await admin.disconnect();
    await deleteIndicatorIndex(elasticsearch, INDEX).catch(() => undefined);
    await elasticsearch.indices.delete({ index: AUDIT_INDEX.pattern }).catch(() => undefined);
    if (statusIds.length > 0) await redis.del(...statusIds.map((id) => `${REDIS_KEYS.taxiiStatus}${id}`));
    redis.disconnect();
    await elasticsearch.close();
  }, 120_000);

  it('refuses a key without write access with 403 and a TAXII error; the collection says so', async () => {
    for (const key of [reader, unbound]) {
      const response = await post(key, envelope);
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe(TAXII);
      expect(await response.json()).toMatchObject({ http_status: '403', error_code: 'not_writable' });
    }
    const collection = await fetch(`${base}/taxii2/dragnet/collections/${INBOX}/`, {
      headers: { authorization: basic(reader), accept: TAXII },
    }).then((response) => response.json());
    expect(collection).toMatchObject({ can_read: true, can_write: false });
    const own = await fetch(`${base}/taxii2/dragnet/collections/${INBOX}/`, {
      headers: { authorization: basic(poster), accept: TAXII },
    }).then((response) => response.json());
    expect(own).toMatchObject({ can_read: true, can_write: true });
  });

  it('refuses what is not an envelope, and a body that is not TAXII', async () => {
    expect((await post(poster, { more: false })).status).toBe(422);
    expect((await post(poster, envelope, 'application/json')).status).toBe(415);
  });

  it('indexes a posted bundle under the partner; the status completes with one success, one failure', async () => {
    const response = await post(poster, envelope);
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as Record<string, unknown>;
    expect(accepted).toMatchObject({ status: 'pending', total_count: 2, pending_count: 2 });
    const statusId = String(accepted.id);
    statusIds.push(statusId);
    // Another key (even one reading the collection) does not see the status.
    expect((await getStatus(reader, statusId)).status).toBe(404);

    const done = await eventually(
      () => getStatus(poster, statusId).then((answer) => answer.json() as Promise<Record<string, unknown>>),
      (status) => status.status === 'complete',
      { timeoutMs: 120_000, intervalMs: 1_000, what: 'the status to complete' },
    );
    expect(done).toMatchObject({
      id: statusId,
      total_count: 2,
      success_count: 1,
      failure_count: 1,
      pending_count: 0,
      failures: [{ id: INVALID_ID }],
    });

    const documents = await eventually(
      () => indexedDocuments(elasticsearch),
      (indexed) => indexed.size >= 1,
      { timeoutMs: 120_000, intervalMs: 1_000, what: 'the posted indicator indexed' },
    );
    const values = [...documents.values()].map((document) => document.source.dragnet.value);
    expect(values).toEqual([VALID_VALUE]);
    const [document] = [...documents.values()];
    expect(document?.source.dragnet.sources.map((source) => source.provider)).toEqual([PARTNER]);

    // And it is served back by the collection (the inbox reads what its partner reported).
    const objects = (await fetch(
      `${base}/taxii2/dragnet/collections/${INBOX}/objects/?match[type]=domain-name`,
      {
        headers: { authorization: basic(poster), accept: TAXII },
      },
    ).then((answer) => answer.json())) as { objects?: { value?: string }[] };
    expect(objects.objects?.map((object) => object.value)).toEqual([VALID_VALUE]);
  }, 300_000);
});
