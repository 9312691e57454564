import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs';
import { ApiKeyRing, parseApiKeyText } from '@dragnet/api-keys';

export type ReloadResult = { ok: true; keys: number } | { ok: false; error: string };

/**
 * The API's current keys, re-read without a restart when `API_KEYS_FILE`
 * changes (polled, so an editor's write-and-rename is seen too) or on
 * SIGHUP: revoking or expiring a key is an edit of that file. A file that no
 * longer parses leaves the keys in force as they were and is reported (log
 * line and metric) — a typo must not lock every client out, nor bring back a
 * key revoked by an earlier, valid edit. Keys given inline (`API_KEYS`) are
 * fixed for the life of the process.
 */
export class ApiKeySource {
  private current: ApiKeyRing;
  private listener: ((now: Stats, before: Stats) => void) | null = null;

  constructor(
    private readonly source: { json?: string | undefined; file?: string | undefined },
    private readonly onReload: (result: ReloadResult) => void = () => undefined,
  ) {
    // The first read throws: a service must not start with no valid keys.
    this.current = new ApiKeyRing(parseApiKeyText(this.read(), this.origin));
  }

  /** The keys in force now; a request authenticates against the ring it read once. */
  ring(): ApiKeyRing {
    return this.current;
  }

  /** Re-reads the file (a no-op for inline keys); keeps the keys in force when it fails. */
  reload(): ReloadResult {
    let result: ReloadResult;
    try {
      const ring = new ApiKeyRing(parseApiKeyText(this.read(), this.origin));
      this.current = ring;
      result = { ok: true, keys: ring.size };
    } catch (caught) {
      result = { ok: false, error: (caught as Error).message };
    }
    this.onReload(result);
    return result;
  }

  /** Polls the keys file every `intervalMs` and reloads when its size or mtime changes. */
  watch(intervalMs = 1_000): void {
    const file = this.source.file;
    if (!file || this.listener) return;
    this.listener = (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) this.reload();
    };
    watchFile(file, { interval: intervalMs, persistent: false }, this.listener);
  }

  close(): void {
    if (this.source.file && this.listener) unwatchFile(this.source.file, this.listener);
    this.listener = null;
  }

  private get origin(): string {
    return this.source.file ? 'API_KEYS_FILE' : 'API_KEYS';
  }

  private read(): string {
    const text = this.source.file ? readFileSync(this.source.file, 'utf8') : this.source.json;
    if (!text) throw new Error('API_KEYS or API_KEYS_FILE: no API keys configured');
    return text;
  }
}
