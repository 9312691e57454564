/**
 * Progress where people wait: on a terminal one line rewritten in place (with
 * a bar when the end is known); otherwise (CI logs, pipes) a plain line every
 * few seconds and a last one at the end. Formatting is pure; `progressLine`
 * is the only part that writes.
 */

/** Where progress goes: stderr, so a command's stdout stays its answer. */
export interface ProgressSink {
  isTTY?: boolean | undefined;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;

/** `[██████░░░░░░]` for a share from 0 to 1 (clamped). */
export function formatBar(share: number, width = BAR_WIDTH): string {
  const clamped = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  const full = Math.round(clamped * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

/** 1234567 → `1.2 MB` (powers of 1000, as transfer rates are quoted). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Seconds as `45s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3_600)}h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`;
}

const count = (value: number) => Math.round(value).toLocaleString('en');

export interface BacklogSample {
  /** Records and jobs not yet processed, now. */
  pending: number;
  /** The most pending seen since waiting began (the bar's whole). */
  peak: number;
  /** Pending records cleared per second, recently; 0 while unknown. */
  ratePerSecond: number;
  elapsedSeconds: number;
}

/** `status --wait`: pending, rate and ETA; a bar of how much of the peak is done when `bar`. */
export function formatBacklogLine(sample: BacklogSample, options: { bar: boolean }): string {
  const { pending, peak, ratePerSecond, elapsedSeconds } = sample;
  const eta = ratePerSecond > 0 ? `ETA ${formatDuration(pending / ratePerSecond)}` : 'ETA —';
  const bar = options.bar && peak > 0 ? `${formatBar((peak - pending) / peak)} ` : '';
  return `${bar}waiting for the pipeline: ${count(pending)} pending · ${count(ratePerSecond)}/s · ${eta} · ${formatDuration(elapsedSeconds)}`;
}

export interface TransferSample {
  records: number;
  bytes: number;
  seconds: number;
  /** Size of the input (bytes), for a bar. */
  totalBytes?: number | undefined;
}

/** `feed push`: records and bytes sent, with their rates; a bar when the total is known. */
export function formatTransferLine(label: string, sample: TransferSample, options: { bar: boolean }): string {
  const { records, bytes, seconds, totalBytes } = sample;
  const perSecond = (value: number) => (seconds > 0 ? value / seconds : 0);
  // Sent bytes include a header repeated per message: the bar is a share of the files, clamped.
  const bar = options.bar && totalBytes ? `${formatBar(bytes / totalBytes)} ` : '';
  return `${bar}${label}: ${count(records)} records · ${formatBytes(bytes)} · ${count(perSecond(records))} records/s · ${formatBytes(perSecond(bytes))}/s · ${formatDuration(seconds)}`;
}

/**
 * A line that updates: on a terminal rewritten in place at most every
 * `ttyIntervalMs`; otherwise printed every `plainIntervalMs` (and by `done`).
 */
export function progressLine(
  sink: ProgressSink = process.stderr,
  options: { ttyIntervalMs?: number; plainIntervalMs?: number; now?: () => number } = {},
) {
  const tty = Boolean(sink.isTTY);
  const now = options.now ?? Date.now;
  const interval = tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5_000);
  // A terminal shows the first update at once; a log gets its first line after an interval (or `done`).
  let lastWrite = tty ? Number.NEGATIVE_INFINITY : now();
  let shown = false;
  return {
    /** Whether this line may draw a bar (a terminal). */
    tty,
    update(line: string, force = false) {
      if (!force && now() - lastWrite < interval) return;
      lastWrite = now();
      shown = true;
      // \r + erase-line: a shorter line leaves no tail of the longer one before it.
      sink.write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
    },
    done(line: string) {
      sink.write(tty ? `\r\u001b[2K${line}\n` : `${line}\n`);
      shown = false;
    },
    /** Ends an in-place line so an error printed after it starts on its own line. */
    interrupt() {
      if (tty && shown) sink.write('\n');
      shown = false;
    },
  };
}

/** A count of items with rate (`feed generate`), as a `progressLine`. */
export function progress(label: string, total?: number, sink: ProgressSink = process.stderr) {
  const started = Date.now();
  const line = progressLine(sink);
  let done = 0;
  const render = () => {
    const seconds = (Date.now() - started) / 1_000;
    const rate = seconds > 0 ? done / seconds : 0;
    const bar = line.tty && total ? `${formatBar(done / total)} ` : '';
    const share = total ? ` / ${count(total)} (${Math.floor((done / total) * 100)}%)` : '';
    return `${bar}${label}: ${count(done)}${share} · ${count(rate)}/s · ${formatDuration(seconds)}`;
  };
  return {
    add(items: number) {
      done += items;
      line.update(render());
    },
    finish() {
      line.done(render());
      return { done, seconds: (Date.now() - started) / 1_000 };
    },
  };
}
