import { describe, expect, it } from 'vitest';
import { stabilizeWithBehavior } from '../../../lambdas/engine/hpa/behavior-stabilization';
import { T0, seconds } from '../fixtures';

const at = (replicas: number, age: number) => ({ replicas, timestamp: T0 - seconds(age) });
const windows = { upWindowSeconds: 0, downWindowSeconds: 300, now: T0 };

describe('stabilization with behavior: clamp current into [min over up-window, max over down-window]', () => {
  it.each([
    ['no history: moves to desired (down)', 10, 4, [], 4],
    ['a higher recommendation inside the down-window holds scale-down', 10, 4, [at(10, 299)], 10],
    ['the highest recent one, not current, caps it', 10, 4, [at(8, 100), at(6, 50)], 8],
    ['an entry exactly at the cutoff no longer counts (strict)', 10, 4, [at(10, 300)], 4],
    ['up-window 0: scale-up is immediate despite lower history', 4, 10, [at(2, 10)], 10],
  ])('%s', (_name, current, desired, recommendations, replicas) => {
    expect(stabilizeWithBehavior({ ...windows, current, desired, recommendations }).replicas).toBe(replicas);
  });

  it('a scale-up window uses the min over the window', () => {
    const result = stabilizeWithBehavior({ current: 2, desired: 10, upWindowSeconds: 60, downWindowSeconds: 300, recommendations: [at(6, 30), at(8, 10)], now: T0 });
    expect(result.replicas).toBe(6);
  });

  it('stays at current when the direction flips inside the windows', () => {
    const result = stabilizeWithBehavior({ current: 5, desired: 5, upWindowSeconds: 60, downWindowSeconds: 300, recommendations: [at(3, 30), at(8, 20)], now: T0 });
    expect(result.replicas).toBe(5);
  });

  it('stores the unstabilized value over the last entry older than both windows', () => {
    const oldest = at(9, 900);
    const older = at(7, 400);
    const betweenWindows = at(6, 100); // older than the up-window, inside the down-window: kept
    const result = stabilizeWithBehavior({ ...windows, current: 10, desired: 3, recommendations: [oldest, older, betweenWindows] });
    expect(result.recommendations).toEqual([oldest, { replicas: 3, timestamp: T0 }, betweenWindows]);
  });

  it('does not overwrite an entry exactly at a cutoff, it appends', () => {
    const atCutoff = at(9, 300);
    const result = stabilizeWithBehavior({ ...windows, current: 10, desired: 3, recommendations: [atCutoff] });
    expect(result.recommendations).toEqual([atCutoff, { replicas: 3, timestamp: T0 }]);
  });
});
