import { randomUUID } from 'node:crypto';
import { HEADERS } from '@dragnet/contracts';
import type { BatchProducer } from '@dragnet/kafka';
import type { Partner, TaxiiSource } from '@dragnet/partners';
import type { CollectorMetrics } from './metrics.js';
import {
  advance,
  afterLostCursor,
  type BackoffBounds,
  initialPosition,
  interpretObjectsAnswer,
  normalizeTimestamp,
  type Position,
  pageBundle,
  pageQuery,
  type ResponseLimits,
  retryDelayMs,
  sourceKey,
} from './paging.js';
import type { PositionStore } from './position-store.js';
import { authorization, endpoint, getTaxii, objectsPath, TransportError } from './taxii-http.js';

/** Pages one walk remembers for loop detection (about 50 bytes each). */
const MAX_PAGES_PER_WALK = 100_000;

export interface CollectorSettings {
  limits: ResponseLimits;
  timeoutMs: number;
  backoff: BackoffBounds;
}

export interface CollectorDeps {
  producer: BatchProducer;
  store: PositionStore;
  settings: CollectorSettings;
  metrics?: CollectorMetrics;
}

/** How a walk ended. `retry` and `bad` carry what the loop logs and backs off on. */
export type WalkOutcome =
  | { kind: 'done'; objects: number; pages: number }
  | { kind: 'stopped'; objects: number; pages: number }
  | { kind: 'auth'; message: string }
  | { kind: 'retry'; message: string; retryAfter: string | null; reason: string }
  | { kind: 'bad'; message: string; reason: string };

export type TaxiiPartner = Partner & { taxii: TaxiiSource };

export const isTaxiiPartner = (partner: Partner): partner is TaxiiPartner => partner.taxii !== undefined;

/** The one line an operator reads when a source refuses our credentials. */
export const authFailureLine = (partner: TaxiiPartner, status: number): string =>
  `taxii source ${partner.id}: authentication refused (HTTP ${status}) by ${partner.taxii.apiRoot}: check username/passwordFile or tokenFile in the partners registry`;

async function loadPosition(deps: CollectorDeps, partner: TaxiiPartner): Promise<Position> {
  const source = sourceKey(partner.taxii.apiRoot, partner.taxii.collectionId);
  const start = partner.taxii.addedAfter ? normalizeTimestamp(partner.taxii.addedAfter, Date.now()) : null;
  return (await deps.store.load(partner.id, source)) ?? initialPosition(source, start);
}

/**
 * Walks the collection from the stored position to the end (`more` false),
 * writing each page as one bundle and storing the position only after Kafka
 * acknowledged it: a crash re-reads at most the page in flight.
 */
export async function walk(
  deps: CollectorDeps,
  partner: TaxiiPartner,
  limit: number,
  stop?: AbortSignal,
): Promise<WalkOutcome> {
  const stored = await loadPosition(deps, partner);
  // An interrupted walk starts over just before its last written page (see afterLostCursor).
  let position = stored.next === null ? stored : afterLostCursor(stored);
  const seenPages = new Set<string>();
  let objects = 0;
  let pages = 0;
  while (!stop?.aborted) {
    const fetched = await fetchPage(deps, partner, position, limit, stop);
    if (fetched.kind === 'end') return fetched.outcome;
    if (fetched.kind === 'cursor') {
      deps.metrics?.errors.inc({ partner: partner.id, kind: 'cursor' });
      position = afterLostCursor(position);
      await deps.store.save(partner.id, position);
      continue;
    }
    const step = advance(position, fetched.page, fetched.dateAddedLast, seenPages);
    if ('error' in step)
      return {
        kind: 'bad',
        reason: step.error,
        message: 'the server serves the same page again (a next loop)',
      };
    if (fetched.page.objects.length > 0) await writePage(deps, partner, fetched.page.objects);
    await deps.store.save(partner.id, step.position);
    position = step.position;
    objects += fetched.page.objects.length;
    pages++;
    recordPage(deps.metrics, partner.id, fetched.page.objects.length, position.lastDateAdded);
    if (step.done) return { kind: 'done', objects, pages };
    // Bounds the fingerprints kept; the next walk resumes from the stored position.
    if (seenPages.size >= MAX_PAGES_PER_WALK) return { kind: 'stopped', objects, pages };
  }
  return { kind: 'stopped', objects, pages };
}

type Interpreted = ReturnType<typeof interpretObjectsAnswer>;

/** One page asked for: a page to write, a lost cursor to recover from, or how the walk ends. */
type Fetched =
  | Extract<Interpreted, { kind: 'page' }>
  | { kind: 'cursor' }
  | { kind: 'end'; outcome: Exclude<WalkOutcome, { kind: 'done' | 'stopped' }> };

async function fetchPage(
  deps: CollectorDeps,
  partner: TaxiiPartner,
  position: Position,
  limit: number,
  stop?: AbortSignal,
): Promise<Fetched> {
  const end = (outcome: Extract<Fetched, { kind: 'end' }>['outcome']): Fetched => ({ kind: 'end', outcome });
  let answer: Awaited<ReturnType<typeof getTaxii>>;
  try {
    answer = await getTaxii(
      endpoint(partner.taxii.apiRoot, objectsPath(partner.taxii.collectionId), pageQuery(position, limit)),
      authorization(partner.taxii),
      { maxBytes: deps.settings.limits.maxBytes, timeoutMs: deps.settings.timeoutMs },
      stop,
    );
  } catch (error) {
    if (!(error instanceof TransportError))
      return end({
        kind: 'bad',
        reason: 'credentials',
        message: `cannot read credentials: ${(error as Error).message}`,
      });
    if (error.reason === 'response_too_large')
      return end({ kind: 'bad', reason: error.reason, message: error.message });
    return end({ kind: 'retry', reason: error.reason, retryAfter: null, message: error.message });
  }
  const result = interpretObjectsAnswer(answer, position.next !== null, deps.settings.limits, Date.now());
  switch (result.kind) {
    case 'auth':
      return end({ kind: 'auth', message: authFailureLine(partner, result.status) });
    case 'retry':
      return end({
        kind: 'retry',
        reason: `http_${result.status}`,
        retryAfter: result.retryAfter,
        message: `HTTP ${result.status}`,
      });
    case 'bad':
      return end({ kind: 'bad', reason: result.reason, message: `malformed answer: ${result.reason}` });
    case 'cursor':
      return { kind: 'cursor' };
    default:
      return result;
  }
}

async function writePage(
  deps: CollectorDeps,
  partner: TaxiiPartner,
  objects: Record<string, unknown>[],
): Promise<void> {
  await deps.producer.send([
    {
      topic: partner.topic,
      key: null,
      value: Buffer.from(pageBundle(objects, randomUUID())),
      headers: { [HEADERS.partner]: partner.id, [HEADERS.correlationId]: randomUUID() },
    },
  ]);
}

function recordPage(
  metrics: CollectorMetrics | undefined,
  partnerId: string,
  count: number,
  last: string | null,
) {
  if (!metrics) return;
  metrics.objects.inc({ partner: partnerId }, count);
  metrics.pages.inc({ partner: partnerId });
  if (last !== null) metrics.lastDateAddedMs.set(partnerId, Date.parse(`${last.slice(0, 23)}Z`));
}

export interface PollLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Polls one source until `signal` aborts: a walk, then the poll interval;
 * on 429/5xx/network a bounded, jittered backoff that honours Retry-After;
 * on a malformed answer the same backoff (and half the page size when the
 * page was too large); on refused credentials one error line per poll.
 */
export async function pollForever(
  deps: CollectorDeps,
  partner: TaxiiPartner,
  log: PollLog,
  signal: AbortSignal,
) {
  let limit = partner.taxii.pageLimit;
  let attempt = 0;
  while (!signal.aborted) {
    const outcome = await walk(deps, partner, limit, signal).catch(
      (error: unknown): WalkOutcome => ({
        kind: 'retry',
        reason: 'infrastructure',
        retryAfter: null,
        message: (error as Error).message,
      }),
    );
    let waitMs = partner.taxii.pollIntervalSeconds * 1_000;
    if (outcome.kind === 'done') {
      attempt = 0;
      if (outcome.objects > 0) log.info({ partner: partner.id, ...outcome }, 'taxii walk done');
    } else if (outcome.kind === 'auth') {
      deps.metrics?.errors.inc({ partner: partner.id, kind: 'auth' });
      log.error({ partner: partner.id }, outcome.message);
    } else if (outcome.kind === 'retry' || outcome.kind === 'bad') {
      deps.metrics?.errors.inc({ partner: partner.id, kind: outcome.reason });
      if (outcome.reason === 'response_too_large') limit = Math.max(1, Math.floor(limit / 2));
      const retryAfter = outcome.kind === 'retry' ? outcome.retryAfter : null;
      waitMs = retryDelayMs(attempt++, retryAfter, Date.now(), Math.random(), deps.settings.backoff);
      log.error(
        { partner: partner.id, reason: outcome.reason, retryInMs: waitMs },
        `taxii source ${partner.id}: ${outcome.message}`,
      );
    }
    await sleep(waitMs, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
