import { mergeStateKey } from '@dragnet/contracts';
import { type MergeState, upgradeCachedState } from '@dragnet/document';
import { type HeldLock, type KeyStore, redisScript } from '@dragnet/redis';

export interface LoadedStates {
  states: Map<string, MergeState | null>;
  /**
   * The revision each state had in the cache when it was read ('' when the
   * cache had none): what `save` compares against, so a writer whose view is
   * out of date (a paused zombie, a second owner after partitions were added)
   * can never overwrite a newer state.
   */
  revisions: Map<string, string>;
  /**
   * False when the cache cannot be trusted: Redis lost its data (FLUSHALL, a
   * restart without persistence) so the epoch marker is gone, or the marker
   * names another index (the index was deleted and recreated, so cached
   * states describe documents that no longer exist).
   */
  intact: boolean;
  /** The marker names another index: cached states must be dropped, not just supplemented. */
  stale: boolean;
}

export interface StateWrite {
  state: MergeState;
  /** The cache revision this state was derived from (`LoadedStates.revisions`). */
  expected: string;
}

/**
 * Cache values are `<revision>|<state JSON>`: the revision is readable by the
 * compare-and-set script without parsing partner-controlled JSON (a value
 * field could contain the text `"revision":`). Values written before the
 * prefix existed are plain JSON; the script decodes those.
 */
const SEPARATOR = '|';

/**
 * Compare-and-set of one state: writes ARGV[2] with TTL ARGV[3] only if the
 * key's current revision is ARGV[1] ('' = the key does not exist). Returns 1
 * when written, 0 on conflict. One key per call, so it also works on a Redis
 * Cluster.
 */
const COMPARE_AND_SET = redisScript(`
local current = redis.call('GET', KEYS[1])
local revision = ''
if current then
  revision = string.match(current, '^(%d+)|')
  if not revision then
    local ok, decoded = pcall(cjson.decode, current)
    if ok and type(decoded) == 'table' and type(decoded.revision) == 'number' then
      revision = string.format('%d', decoded.revision)
    else
      revision = '?'
    end
  end
end
if revision ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`);

export function encodeState(state: MergeState): string {
  return `${state.revision}${SEPARATOR}${JSON.stringify(state)}`;
}

/** A cached value, in the current state shape (states cached by older versions are upgraded). */
export function decodeState(raw: string): { state: MergeState; revision: string } {
  if (raw.startsWith('{')) {
    const state = upgradeCachedState(JSON.parse(raw) as MergeState);
    return { state, revision: String(state.revision) };
  }
  const at = raw.indexOf(SEPARATOR);
  return {
    state: upgradeCachedState(JSON.parse(raw.slice(at + 1)) as MergeState),
    revision: raw.slice(0, at),
  };
}

export interface RecoverySettings {
  /** Lock lifetime; the holder renews it every third of it, so a dead holder's lock frees itself (default 30 s). */
  lockTtlMs?: number;
  /** Pause between a waiter's checks of the marker and attempts at the lock (default 250 ms). */
  pollMs?: number;
  /** Called between polls: heartbeats, and throws when the service is stopping. */
  onWait?: () => Promise<void>;
}

export class MergeStateStore {
  /**
   * @param epoch identifies the index the cache mirrors (its UUID); stored in
   * the epoch marker, which disappears with everything else when Redis loses
   * its data.
   */
  constructor(
    private readonly redis: KeyStore,
    private readonly ttlSeconds: number,
    private readonly epoch: string,
    /** `names().redisKeys.mergeState`. */
    private readonly prefix: string,
  ) {}

  /** One round trip: the epoch marker and every state of the batch. */
  async load(ids: string[]): Promise<LoadedStates> {
    const states = new Map<string, MergeState | null>();
    const revisions = new Map<string, string>();
    const batch = this.redis.batch().get(this.epochKey);
    if (ids.length > 0) batch.getMany(ids.map((id) => this.stateKey(id)));
    const [epoch, raw = []] = (await batch.exec()) as [string | null, (string | null)[]?];
    ids.forEach((id, index) => {
      const value = raw[index];
      if (!value) {
        states.set(id, null);
        revisions.set(id, '');
        return;
      }
      const decoded = decodeState(value);
      states.set(id, decoded.state);
      revisions.set(id, decoded.revision);
    });
    return {
      states,
      revisions,
      intact: epoch === this.epoch,
      stale: epoch !== null && epoch !== this.epoch,
    };
  }

  /**
   * Drops the states of other indices (gone: their keys would only expire).
   * Never needed for correctness — this store reads only its own index's
   * keys — but it gives the memory back at once.
   */
  async clear(): Promise<number> {
    let removed = 0;
    const own = this.stateKey('');
    for await (const keys of this.redis.scanPrefix(this.prefix)) {
      // Indicator ids contain `--`; the epoch marker and the recovery lock do not and must survive.
      removed += await this.redis.delete(keys.filter((key) => key.includes('--') && !key.startsWith(own)));
    }
    return removed;
  }

  /**
   * Writes each state only if the cache still holds the revision it was
   * derived from (one pipelined compare-and-set per state). Returns the ids
   * whose write was refused: another writer got there first, so the caller
   * must merge again on top of the newer state.
   */
  async save(writes: StateWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    const batch = this.redis.batch();
    for (const { state, expected } of writes)
      batch.runScript(COMPARE_AND_SET, this.stateKey(state.id), [
        expected,
        encodeState(state),
        String(this.ttlSeconds),
      ]);
    const written = await batch.exec();
    return writes.filter((_, index) => written[index] !== 1).map(({ state }) => state.id);
  }

  async markComplete(): Promise<void> {
    await this.redis.set(this.epochKey, this.epoch);
  }

  async isComplete(): Promise<boolean> {
    return (await this.redis.get(this.epochKey)) === this.epoch;
  }

  /**
   * Rebuilds trust in the cache once, whatever the number of deduplicators:
   * the instance that takes the lock clears states of other indices, waits
   * for `drain`, then sets the marker. The
   * others poll for the marker and try the lock again on every poll, so when
   * the holder dies (its lock expires: it is renewed only while the holder
   * lives) one of them takes over.
   */
  async recover(drain: () => Promise<void>, settings: RecoverySettings = {}): Promise<void> {
    const lockTtlMs = settings.lockTtlMs ?? 30_000;
    const pollMs = settings.pollMs ?? 250;
    let lock: HeldLock | null;
    for (;;) {
      if (await this.isComplete()) return;
      lock = await this.redis.tryLock(this.lockKey, lockTtlMs);
      if (lock) break;
      await settings.onWait?.();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    try {
      // The marker may have been set by a holder that finished just before we took the lock.
      if (await this.isComplete()) return;
      // States of other indices are never read; clearing them only reclaims memory (what is left
      // after a data loss is small, so the scan is cheap).
      await this.clear();
      await drain();
      await this.markComplete();
    } finally {
      await lock.release();
    }
  }

  private stateKey(id: string): string {
    return mergeStateKey(this.prefix, this.epoch, id);
  }

  private get lockKey() {
    return `${this.prefix}recovery-lock`;
  }

  private get epochKey() {
    // Outside the state key space (`<prefix><index UUID>:<indicator id>`): ids always contain `--`.
    return `${this.prefix}epoch`;
  }
}
