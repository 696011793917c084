/** dry-run's text for an object with scalingModifiers: the formula, its inputs, result and proposal. */
import { describe, expect, it } from 'vitest';
import { describeResult } from '../../cli/commands/dry-run';
import { evaluate } from '../../lambdas/engine/evaluate';
import { cloudwatchTrigger, input, reading, scaledObject, sqsTrigger } from '../engine/fixtures';

describe('dry-run describeResult with scalingModifiers', () => {
  it('prints the formula line after the triggers', () => {
    const object = scaledObject({
      triggers: [cloudwatchTrigger(0, { name: 'floor' }), sqsTrigger(1, { name: 'queue' })],
      scalingModifiers: { formula: 'max(floor, queue)', target: 5, targetIsInteger: true, activationTarget: 0, metricType: 'AverageValue' },
    });
    const out = evaluate(input({ object, specReplicas: 4, triggers: [reading(0, 10), reading(1, 47)] }));
    const text = describeResult({ key: 'prod/jobs/orders', cluster: 'prod', objectId: 'jobs/orders', status: out.status, currentReplicas: 4, desiredReplicas: out.desiredReplicas, scaled: false, explanation: out.explanation });
    expect(text).toContain('  formula max(floor, queue) (floor=10, queue=47) = 47, target 5 (AverageValue), active proposes 10');
  });
});
