import { describe, expect, it } from 'vitest';
import { clearingRate } from './pipeline-status.js';
import {
  formatBacklogLine,
  formatBar,
  formatBytes,
  formatDuration,
  formatTransferLine,
  progressLine,
} from './progress.js';

describe('formatting', () => {
  it('draws a bar of the share done, clamped', () => {
    expect(formatBar(0.5, 10)).toBe('[█████░░░░░]');
    expect(formatBar(2, 4)).toBe('[████]');
    expect(formatBar(Number.NaN, 4)).toBe('[░░░░]');
  });

  it('writes bytes and durations for people', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3_720)).toBe('1h 02m');
  });

  it('shows pending, rate and ETA; the bar only on a terminal', () => {
    const sample = { pending: 250, peak: 1_000, ratePerSecond: 50, elapsedSeconds: 15 };
    expect(formatBacklogLine(sample, { bar: false })).toBe(
      'waiting for the pipeline: 250 pending · 50/s · ETA 5s · 15s',
    );
    expect(formatBacklogLine(sample, { bar: true })).toMatch(
      /^\[█{18}░{6}\] waiting for the pipeline: 250 pending/,
    );
    expect(formatBacklogLine({ ...sample, ratePerSecond: 0 }, { bar: false })).toContain('ETA —');
  });

  it('shows records and bytes with their rates', () => {
    expect(
      formatTransferLine(
        'push acme',
        { records: 40, bytes: 2_000_000, seconds: 2, totalBytes: 4_000_000 },
        { bar: false },
      ),
    ).toBe('push acme: 40 records · 2.0 MB · 20 records/s · 1.0 MB/s · 2s');
  });
});

describe('clearingRate', () => {
  it('is the backlog cleared per second, never negative', () => {
    expect(
      clearingRate([
        { at: 0, pending: 100 },
        { at: 2_000, pending: 60 },
      ]),
    ).toBe(20);
    expect(
      clearingRate([
        { at: 0, pending: 10 },
        { at: 1_000, pending: 50 },
      ]),
    ).toBe(0);
    expect(clearingRate([{ at: 0, pending: 10 }])).toBe(0);
  });
});

describe('progressLine', () => {
  const sink = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, sink: { isTTY, write: (text: string) => writes.push(text) } };
  };

  it('rewrites one line in place on a terminal, at most every interval', () => {
    let now = 0;
    const { writes, sink: tty } = sink(true);
    const line = progressLine(tty, { ttyIntervalMs: 100, now: () => now });
    line.update('a');
    now = 50;
    line.update('b');
    now = 150;
    line.update('c');
    line.done('d');
    expect(writes).toEqual(['\r\u001b[2Ka', '\r\u001b[2Kc', '\r\u001b[2Kd\n']);
  });

  it('prints plain lines, seldom, without a terminal', () => {
    let now = 0;
    const { writes, sink: plain } = sink(false);
    const line = progressLine(plain, { plainIntervalMs: 5_000, now: () => now });
    line.update('a');
    now = 1_000;
    line.update('b', true);
    now = 5_500;
    line.update('c');
    now = 6_500;
    line.update('d');
    line.interrupt();
    line.done('e');
    expect(writes).toEqual(['b\n', 'd\n', 'e\n']);
  });

  it('ends an in-place line before an error is printed', () => {
    const { writes, sink: tty } = sink(true);
    const line = progressLine(tty);
    line.update('a');
    line.interrupt();
    expect(writes).toEqual(['\r\u001b[2Ka', '\n']);
  });
});
