import { randomUUID } from 'node:crypto';
import {
  type AppendOutcome,
  appendAuditRecords,
  type ElasticsearchClient,
  type SerializedAuditRecord,
} from '@dragnet/elasticsearch';
import type { Logger } from '@dragnet/logger';
import { Counter, Gauge, type Registry } from 'prom-client';
import { failureFields } from './failure-log.js';

export interface AuditTrailOptions {
  client: ElasticsearchClient;
  /** The audit alias (`AUDIT_INDEX.alias`). */
  alias: string;
  logger: Logger;
  registry: Registry;
  /** Longest a record waits before it is written (default 1 s). */
  flushIntervalMs?: number;
  /** A write starts as soon as this many records wait (default 500); also the most one bulk request carries. */
  flushRecords?: number;
  /** Past this many waiting records the API refuses new requests (default 10,000). */
  maxBufferedRecords?: number;
  /** … or past this many waiting bytes (default 64 MiB). */
  maxBufferedBytes?: number;
}

/** Most bytes one bulk request carries. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * The API's audit writer. `append` only queues (an answer never waits for
 * Elasticsearch); queued records are written in batches every second or
 * every 500 records, with `op_type: create` so nothing is overwritten. A
 * record leaves the queue only once Elasticsearch holds it (or refused it
 * for good, which is logged and counted): while the audit index is
 * unreachable records wait, and once the bounded queue is full `accepting()`
 * is false and the API refuses requests (503) rather than answer unrecorded.
 */
export class AuditTrail {
  private queue: SerializedAuditRecord[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly flushRecords: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private lastFailureLog = 0;
  private readonly written: Counter;
  private readonly failures: Counter;
  private readonly refused: Counter;
  private readonly shed: Counter;

  constructor(private readonly options: AuditTrailOptions) {
    this.flushRecords = options.flushRecords ?? 500;
    this.maxRecords = options.maxBufferedRecords ?? 10_000;
    this.maxBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.written = new Counter({
      name: 'dragnet_api_audit_records_written_total',
      help: 'Audit records the audit index holds',
      registers: [options.registry],
    });
    this.failures = new Counter({
      name: 'dragnet_api_audit_write_failures_total',
      help: 'Audit writes that failed and will be retried',
      registers: [options.registry],
    });
    this.refused = new Counter({
      name: 'dragnet_api_audit_records_refused_total',
      help: 'Audit records the audit index refused for good (mapping): logged, never retried',
      registers: [options.registry],
    });
    this.shed = new Counter({
      name: 'dragnet_api_audit_keyless_records_shed_total',
      help: 'Records of requests without a valid key not queued because the audit queue was over half full',
      registers: [options.registry],
    });
    const queue = () => this.queue.length;
    new Gauge({
      name: 'dragnet_api_audit_queued_records',
      help: 'Audit records waiting to be written',
      registers: [options.registry],
      collect() {
        this.set(queue());
      },
    });
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Whether there is room for another request's record; false means refuse the request. */
  accepting(): boolean {
    return this.queue.length < this.maxRecords && this.queuedBytes < this.maxBytes;
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues one record (a fresh id is its `_id` unless it has a `request_id`);
   * returns the id. A `low` record (a request without a valid key) is queued
   * only while the queue is under half its bound, and otherwise counted and
   * returns null: a flood of keyless requests must not fill the queue and so
   * lock out the clients whose requests are accountable.
   */
  append(document: Record<string, unknown>, priority: 'normal' | 'low' = 'normal'): string | null {
    if (
      priority === 'low' &&
      (this.queue.length >= this.maxRecords / 2 || this.queuedBytes >= this.maxBytes / 2)
    ) {
      this.shed.inc();
      return null;
    }
    const id = typeof document.request_id === 'string' ? document.request_id : randomUUID();
    const json = JSON.stringify({ ...document, request_id: id });
    this.queue.push({ id, json });
    this.queuedBytes += json.length;
    if (this.queue.length >= this.flushRecords) void this.flush();
    return id;
  }

  /** Writes what is queued, one batch after another, until the queue is empty or a write fails. */
  flush(): Promise<void> {
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  /** Stops the timer and writes what is queued, for at most `timeoutMs`; what is left is logged as lost. */
  async close(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (this.queue.length > 0)
      this.options.logger.error(
        { audit_records: this.queue.length },
        'audit records not written at shutdown: the audit index was unreachable',
      );
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.nextBatch();
      let outcomes: AppendOutcome[];
      try {
        outcomes = await appendAuditRecords(this.options.client, this.options.alias, batch);
      } catch (caught) {
        this.failed(caught, batch.length);
        return;
      }
      const retry: SerializedAuditRecord[] = [];
      let doneBytes = 0;
      batch.forEach((record, index) => {
        // A record without an outcome (a short answer) is retried: it is not known to be stored.
        const outcome = outcomes[index] ?? 'retry';
        if (outcome === 'retry') {
          retry.push(record);
          return;
        }
        doneBytes += record.json.length;
        if (outcome === 'refused') {
          this.refused.inc();
          this.options.logger.error(
            { audit_request_id: record.id },
            'audit record refused by the audit index (mapping); not retried',
          );
        } else this.written.inc();
      });
      // Records appended while this batch was written are behind it in the queue.
      this.queue = [...retry, ...this.queue.slice(batch.length)];
      this.queuedBytes -= doneBytes;
      if (retry.length > 0) {
        this.failed(new Error('audit index overloaded'), retry.length);
        return;
      }
    }
  }

  private nextBatch(): SerializedAuditRecord[] {
    const batch: SerializedAuditRecord[] = [];
    let bytes = 0;
    for (const record of this.queue) {
      if (batch.length >= this.flushRecords) break;
      if (batch.length > 0 && bytes + record.json.length > MAX_BATCH_BYTES) break;
      batch.push(record);
      bytes += record.json.length;
    }
    return batch;
  }

  /** Counted every time, logged at most every 10 s: an outage must not flood the log. */
  private failed(caught: unknown, records: number): void {
    this.failures.inc();
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = now;
    this.options.logger.warn(
      { error: failureFields(caught), audit_records: records, queued: this.queue.length },
      'audit write failed; records stay queued and are retried',
    );
  }
}
