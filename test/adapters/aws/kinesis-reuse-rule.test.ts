/**
 * The rule for reusing a Kinesis reading instead of reading the stream, and for storing a reading
 * for other containers: pure, as tables. Passes every 15 s; times in ms.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_STORED_READING_AGE_MS,
  STORED_READING_REFRESH_MS,
  reusableReading,
  shouldStore,
  type StreamHistory,
} from '../../../lambdas/adapters/aws/kinesis-reuse-rule';

const shards = (openShardCount: number) => ({ service: 'kinesis' as const, openShardCount });
const own = (pass: number, openShardCount: number, readAt = pass + 400) => ({ pass, readAt, reading: shards(openShardCount) });

describe('reusableReading', () => {
  // This pass starts at 600,000 (a 15 s cadence: the previous pass was at 585,000), decided at 600,000.
  const passNow = 600_000;
  const previousPass = 585_000;
  const cases: { name: string; history: StreamHistory; previous?: number; expected: number | undefined }[] = [
    { name: 'warm: its own reading of the previous pass', history: { own: own(585_000, 4) }, expected: 4 },
    { name: 'warm, even when the table holds a newer one (the container trusts its own pass)', history: { own: own(585_000, 4), stored: { openShardCount: 6, readAt: 590_000 } }, expected: 4 },
    { name: 'never two passes in a row: reused in the previous pass', history: { own: own(570_000, 4), reusedInPass: 585_000 }, expected: undefined },
    { name: 'nor a stored reading right after a reuse', history: { stored: { openShardCount: 4, readAt: 595_000 }, reusedInPass: 585_000 }, expected: undefined },
    { name: 'a reuse two passes ago does not count', history: { own: own(585_000, 4), reusedInPass: 570_000 }, expected: 4 },
    { name: 'cold: the stored reading, a minute old', history: { stored: { openShardCount: 8, readAt: 540_000 } }, expected: 8 },
    { name: 'cold: the stored reading, exactly at the age limit', history: { stored: { openShardCount: 8, readAt: passNow - MAX_STORED_READING_AGE_MS } }, expected: 8 },
    { name: 'cold: not a stored reading past the age limit', history: { stored: { openShardCount: 8, readAt: passNow - MAX_STORED_READING_AGE_MS - 1 } }, expected: undefined },
    { name: 'nothing known', history: {}, expected: undefined },
    { name: 'an own reading from an older pass, newer than the stored one', history: { own: own(540_000, 3), stored: { openShardCount: 2, readAt: 500_000 } }, expected: 3 },
    { name: 'a stored reading newer than the own older one', history: { own: own(500_000, 2), stored: { openShardCount: 3, readAt: 540_000 } }, expected: 3 },
    { name: 'an own reading from an idle container, past the age limit', history: { own: own(200_000, 2) }, expected: undefined },
    // The pass before was 60 s ago (passes once a minute): not "the previous pass" of the warm rule, but young enough for the cold one.
    { name: 'passes a minute apart: the own reading as a cold reuse', history: { own: own(540_000, 5) }, previous: 540_000, expected: 5 },
  ];
  it.each(cases)('$name', ({ history, previous, expected }) => {
    const reading = reusableReading(history, passNow, previous ?? previousPass, passNow);
    expect(reading).toEqual(expected === undefined ? undefined : shards(expected));
  });
});

describe('shouldStore', () => {
  const at = 1_000_000;
  const cases: { name: string; stored: { openShardCount: number; readAt: number } | undefined; expected: boolean }[] = [
    { name: 'the table has none', stored: undefined, expected: true },
    { name: 'the count changed', stored: { openShardCount: 2, readAt: at - 15_000 }, expected: true },
    { name: 'same count, stored a minute ago', stored: { openShardCount: 4, readAt: at - 60_000 }, expected: false },
    { name: 'same count, stored just under the refresh age', stored: { openShardCount: 4, readAt: at - STORED_READING_REFRESH_MS + 1 }, expected: false },
    { name: 'same count, due for a refresh', stored: { openShardCount: 4, readAt: at - STORED_READING_REFRESH_MS }, expected: true },
    { name: 'the table holds a newer reading, even of another count', stored: { openShardCount: 8, readAt: at + 1 }, expected: false },
    { name: 'the table holds this very reading', stored: { openShardCount: 4, readAt: at }, expected: false },
  ];
  it.each(cases)('$name', ({ stored, expected }) => {
    expect(shouldStore({ openShardCount: 4, readAt: at }, stored)).toBe(expected);
  });

  it('refreshes early enough that a cold container finds a reading within the age limit', () => {
    // Between two fresh reads of a stream there are at most about 60 s (docs: kinesis-reuse-rule.ts).
    expect(STORED_READING_REFRESH_MS + 60_000).toBeLessThan(MAX_STORED_READING_AGE_MS);
  });
});
