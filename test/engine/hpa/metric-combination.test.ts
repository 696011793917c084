import { describe, expect, it } from 'vitest';
import { combineProposals } from '../../../lambdas/engine/hpa/metric-combination';
import type { MetricProposal } from '../../../lambdas/engine/hpa/replica-calculator';

const p = (replicas: number, withinTolerance = false): MetricProposal => ({ ok: true, replicas, withinTolerance, ratio: 1 });
const bad: MetricProposal = { ok: false, error: 'no metrics returned' };

describe('combineProposals', () => {
  it.each([
    ['max across triggers', [p(3), p(7), p(5)], 4, { ok: true, replicas: 7 }],
    ['all within tolerance', [p(4, true), p(4, true)], 4, { ok: true, replicas: 4, allWithinTolerance: true }],
    ['partial errors, max >= current: scale and report', [bad, p(4)], 3, { ok: true, replicas: 4, partialError: 'no metrics returned' }],
    ['partial errors, max == current: keep', [p(5), bad], 5, { ok: true, replicas: 5 }],
  ])('%s', (_name, proposals, current, expected) => {
    expect(combineProposals(proposals, current)).toMatchObject(expected);
  });

  it('refuses to scale down on partial data (TestNoScaleDownOneMetricEmpty)', () => {
    expect(combineProposals([p(2), bad], 5)).toMatchObject({ ok: false });
  });

  it('errors when every metric is invalid', () => {
    expect(combineProposals([bad, bad], 5)).toEqual({ ok: false, error: 'no metrics returned' });
  });
});
