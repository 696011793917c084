/**
 * Carrying a steady state forward (carried-forward.ts): what a load rebuilds, and when a window's
 * evaluations are exactly that rebuild (so need no write). The replays that prove the replica counts
 * unchanged are in test/pod-scaler/state-writes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { carriedParts, carryForward } from '../../../lambdas/adapters/state/carried-forward';
import type { StoredObjectState } from '../../../lambdas/adapters/state/state-store';
import { storedState } from './state-fixtures';

const T = 1_800_000_000_000;
const MINUTE = 60_000;

/** Written at T by a poll that found the object active, at 3 replicas, with an open run of 3. */
function steady(overrides: Partial<StoredObjectState> = {}, recommendations = [{ replicas: 5, timestamp: T - 200_000 }, { replicas: 3, timestamp: T }]): StoredObjectState {
  const base = storedState('prod/jobs/orders', { evaluatedAt: T, polledAt: T, active: true, currentReplicas: 3, ...overrides });
  return { ...base, scaling: { ...base.scaling, lastActiveTime: T, recommendations, ...overrides.scaling } };
}

/** The previous window's last evaluation and poll, a minute and more after T. */
const previous = { evaluationAt: T + 105_000, pollAt: T + 90_000 };

describe('carryForward: the state a load rebuilds', () => {
  it('adds the open run at the previous window’s last evaluation and moves lastActiveTime to its last poll', () => {
    const loaded = carryForward(steady(), previous);
    expect(loaded.scaling.recommendations).toEqual([{ replicas: 5, timestamp: T - 200_000 }, { replicas: 3, timestamp: T }, { replicas: 3, timestamp: T + 105_000 }]);
    expect(loaded).toMatchObject({ evaluatedAt: T + 105_000, polledAt: T + 90_000, scaling: { lastActiveTime: T + 90_000 } });
  });

  it.each([
    ['the previous window wrote it (its last evaluation is under 30 s later)', steady(), { evaluationAt: T + 15_000, pollAt: T }],
    ['no schedule (pollingInterval over the window and no sync)', steady(), undefined],
    ['the target is at 0 replicas and inactive (the HPA records nothing)', steady({ currentReplicas: 0, active: false }), previous],
    ['the last stored evaluation recorded no recommendation (paused, or every trigger failed)', steady({ evaluatedAt: T + 15_000, active: false }), { evaluationAt: T + 75_000, pollAt: T + 60_000 }],
  ])('rebuilds nothing when %s', (_name, state, times) => {
    expect(carryForward(state, times)).toEqual(state);
  });

  it('leaves lastActiveTime alone when the last stored poll found the object inactive (cooldown counts from it)', () => {
    const inactive = steady({ active: false, scaling: { ...steady().scaling, lastActiveTime: T - 5 * MINUTE } });
    const loaded = carryForward(inactive, previous);
    expect(loaded.scaling.lastActiveTime).toBe(T - 5 * MINUTE);
    expect(loaded.scaling.recommendations).toHaveLength(3);
  });
});

describe('carriedParts: a window whose evaluations the next load rebuilds', () => {
  /** The window after `previous`: the minute's last evaluation at +45 s, last poll at +30 s. */
  const current = { evaluationAt: T + 105_000, pollAt: T + 90_000 };
  /** The state after that window, from `steady()` loaded, with the recommendations it added. */
  const after = (added: number[], overrides: Partial<StoredObjectState> = {}): StoredObjectState => {
    const before = steady();
    const recommendations = [...before.scaling.recommendations!, ...added.map((replicas, i) => ({ replicas, timestamp: T + 60_000 + i * 15_000 }))];
    return { ...before, evaluatedAt: T + 105_000, polledAt: T + 90_000, scaling: { ...before.scaling, lastActiveTime: T + 90_000, recommendations }, ...overrides };
  };

  /** The window's last evaluation (a sync, so its recommendation too) `ms` after its scheduled time. */
  const lateBy = (state: StoredObjectState, ms: number): StoredObjectState => {
    const recommendations = state.scaling.recommendations!.map((entry) => (entry.timestamp === state.evaluatedAt ? { ...entry, timestamp: entry.timestamp + ms } : entry));
    return { ...state, evaluatedAt: state.evaluatedAt + ms, scaling: { ...state.scaling, recommendations } };
  };

  it.each([
    ['every evaluation repeated the run: rebuilt, nothing to write', after([3, 3, 3, 3]), { consistent: true, recommendations: true, lastActiveTime: true }],
    ['the last pass ran 5 ms after its scheduled time (timers): still rebuilt', lateBy(after([3, 3, 3, 3]), 5), { consistent: true, recommendations: true, lastActiveTime: true }],
    ['the last pass ran 2 s late (the pass before overran): written, the load could not know its time', lateBy(after([3, 3, 3, 3]), 2_000), { consistent: false }],
    ['one evaluation recommended 4: the history moved', after([3, 4, 3, 3]), { consistent: false }],
    ['one evaluation recommended 2: the history moved (a behavior block reads the min too)', after([3, 2, 3, 3]), { consistent: false }],
    ['the last pass did not run (the deadline): the load would invent it', after([3, 3, 3], { evaluatedAt: T + 90_000 }), { consistent: false }],
    ['no recommendation was added (every trigger failed): the load would invent one', { ...after([]), evaluatedAt: T + 105_000 }, { consistent: false }],
    ['the last poll found the object inactive: cooldown starts, lastActiveTime must be written', after([3, 3, 3, 3], { active: false }), { consistent: false }],
  ])('%s', (_name, state, expected) => {
    expect(carriedParts(steady(), state, current)).toMatchObject(expected);
  });

  it('a state written at the window’s 30 s pass (a claim) is not rebuilt at its end: the later evaluations are compared as they are', () => {
    const claim = steady({ evaluatedAt: T + 90_000, polledAt: T + 90_000, scaling: { ...steady().scaling, lastActiveTime: T + 90_000, recommendations: [{ replicas: 3, timestamp: T + 90_000 }] } });
    expect(carriedParts(claim, { ...claim, evaluatedAt: T + 105_000 }, current)).toEqual({ consistent: true, recommendations: false, lastActiveTime: false });
  });
});
