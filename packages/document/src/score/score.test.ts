import { describe, expect, it } from 'vitest';
import { type ScoreSource, scoreIndicator } from './score.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * Expected numbers are worked by hand (README "Score and decay"), not
 * recomputed with the implementation's formula.
 */
const partnerA: ScoreSource = { provider: 'a', trust: 0.9, confidence: 80, lastSeen: T0, validUntil: null };
const partnerB: ScoreSource = {
  provider: 'b',
  trust: 0.6,
  confidence: null,
  lastSeen: T0 + 5 * DAY,
  validUntil: null,
};

describe('scoreIndicator — README worked example (IPv4, two partners)', () => {
  // Beliefs 0.9×0.80 = 0.72 and 0.6×0.50 = 0.30 → 1 − 0.28×0.70 = 0.804 → base 80.4.
  const input = (ageDays: number) => ({
    kind: 'ipv4' as const,
    sources: [partnerA, partnerB],
    warninglistHits: [],
    now: partnerB.lastSeen + ageDays * DAY,
  });

  it('is the base score at the last sighting', () => {
    expect(scoreIndicator(input(0))).toMatchObject({ score: 80.4, baseScore: 80.4, expired: false });
  });

  it('decays to 41.56 after 7 days: 80.4 × (1 − √(7/30))', () => {
    expect(scoreIndicator(input(7))).toMatchObject({ score: 41.56, baseScore: 80.4, expired: false });
  });

  it('is expired at 20 days (14.75 < 20) and 0 past the 30-day lifetime', () => {
    expect(scoreIndicator(input(20))).toMatchObject({ score: 14.75, expired: true });
    expect(scoreIndicator(input(31))).toMatchObject({ score: 0, expired: true });
  });

  it('expires when decay crosses 20: 30 d × (1 − 20/80.4)² = 16.931 d after the last sighting', () => {
    expect(scoreIndicator(input(0)).expiresAt).toBe(partnerB.lastSeen + 1_462_839_830);
  });

  it('restarts the clock when any partner sights it again', () => {
    const resighted = { ...partnerA, lastSeen: T0 + 12 * DAY };
    const result = scoreIndicator({ ...input(7), sources: [resighted, partnerB] });
    expect(result.score).toBe(80.4);
  });

  it('lowers the base ×0.3 per warninglist hit and flags suppression', () => {
    const warned = scoreIndicator({ ...input(7), warninglistHits: [{ action: 'warn' }] });
    expect(warned).toMatchObject({ baseScore: 24.12, score: 12.47, expired: true, suppressed: false });
    const suppressed = scoreIndicator({ ...input(0), warninglistHits: [{ action: 'suppress' }] });
    expect(suppressed).toMatchObject({ baseScore: 24.12, suppressed: true });
  });
});

describe('scoreIndicator — other kinds and rules', () => {
  it('decays a domain linearly over 90 days: 72 → 36 at 45 days, threshold at 65 days', () => {
    const source: ScoreSource = { provider: 'a', trust: 0.8, confidence: 90, lastSeen: T0, validUntil: null };
    const result = scoreIndicator({
      kind: 'domain',
      sources: [source],
      warninglistHits: [],
      now: T0 + 45 * DAY,
    });
    expect(result).toMatchObject({ baseScore: 72, score: 36, expired: false, expiresAt: T0 + 65 * DAY });
  });

  it('holds a hash score long: 100 → 69.98 at 200 days of 365', () => {
    const source: ScoreSource = { provider: 'a', trust: 1, confidence: 100, lastSeen: T0, validUntil: null };
    const result = scoreIndicator({
      kind: 'sha256',
      sources: [source],
      warninglistHits: [],
      now: T0 + 200 * DAY,
    });
    expect(result).toMatchObject({ baseScore: 100, score: 69.98, expired: false });
  });

  it('counts a partner once however often it reports', () => {
    const again = { ...partnerA, confidence: 40 };
    const result = scoreIndicator({ kind: 'ipv4', sources: [partnerA, again], warninglistHits: [], now: T0 });
    expect(result.baseScore).toBe(72);
  });

  it('expires at validUntil when every partner gave one', () => {
    const a = { ...partnerA, validUntil: T0 + 2 * DAY };
    const b = { ...partnerB, lastSeen: T0, validUntil: T0 + 3 * DAY };
    const at = (now: number) => scoreIndicator({ kind: 'ipv4', sources: [a, b], warninglistHits: [], now });
    expect(at(T0 + 3 * DAY)).toMatchObject({ expired: false, expiresAt: T0 + 3 * DAY });
    expect(at(T0 + 3 * DAY + 1).expired).toBe(true);
    // One partner without validUntil keeps vouching: only decay applies.
    const open = scoreIndicator({
      kind: 'ipv4',
      sources: [a, { ...b, validUntil: null }],
      warninglistHits: [],
      now: T0 + 4 * DAY,
    });
    expect(open.expired).toBe(false);
  });

  it('is expired with no sources, and deterministic', () => {
    expect(scoreIndicator({ kind: 'url', sources: [], warninglistHits: [], now: T0 })).toEqual({
      score: 0,
      baseScore: 0,
      expired: true,
      expiresAt: null,
      suppressed: false,
    });
    const input = {
      kind: 'ipv4' as const,
      sources: [partnerA, partnerB],
      warninglistHits: [],
      now: T0 + 9 * DAY,
    };
    expect(scoreIndicator(input)).toEqual(scoreIndicator(input));
  });
});
