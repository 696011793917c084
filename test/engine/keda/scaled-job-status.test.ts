/**
 * KEDA's ScaledJob status from one invocation's outcome (lambdas/engine/keda/scaled-job-status.ts).
 * Each row cites where KEDA sets that condition.
 */
import { describe, expect, it } from 'vitest';
import { scaledJobStatus, scaledJobStatusChanged, type ScaledJobStatusInput } from '../../../lambdas/engine/keda/scaled-job-status';

const rows: { source: string; input: ScaledJobStatusInput; ready: [string, string]; active: [string, string]; paused: [string, string] }[] = [
  {
    source: 'pkg/scaling/executor/scale_jobs.go RequestJobScale: Ready True ScaledJobReady; Active True ScalerActive',
    input: { active: true, paused: false },
    ready: ['True', 'ScaledJobReady'],
    active: ['True', 'ScalerActive'],
    paused: ['False', 'ScaledJobUnpaused'],
  },
  {
    source: 'scale_jobs.go RequestJobScale: isError && isActive -> Ready Unknown PartialTriggerError',
    input: { active: true, paused: false, triggersFailing: 'some' },
    ready: ['Unknown', 'PartialTriggerError'],
    active: ['True', 'ScalerActive'],
    paused: ['False', 'ScaledJobUnpaused'],
  },
  {
    source: 'scale_jobs.go RequestJobScale: isError && !isActive -> Ready False TriggerError; Active False ScalerNotActive',
    input: { active: false, paused: false, triggersFailing: 'all' },
    ready: ['False', 'TriggerError'],
    active: ['False', 'ScalerNotActive'],
    paused: ['False', 'ScaledJobUnpaused'],
  },
  {
    source: 'controllers/keda/scaledjob_controller.go Reconcile: a spec that fails its checks -> Ready False ScaledJobCheckFailed',
    input: { invalidSpec: 'spec.jobTargetRef: is required', paused: false },
    ready: ['False', 'ScaledJobCheckFailed'],
    active: ['False', 'ScalerNotActive'],
    paused: ['False', 'ScaledJobUnpaused'],
  },
  {
    source: 'scaledjob_controller.go checkIfPaused: paused annotation -> Paused True ScaledJobPaused (condition_types.go)',
    input: { paused: true },
    ready: ['True', 'ScaledJobReady'],
    active: ['False', 'ScalerNotActive'],
    paused: ['True', 'ScaledJobPaused'],
  },
];

describe("KEDA's ScaledJob status", () => {
  it.each(rows)('$source', ({ input, ready, active, paused }) => {
    const status = scaledJobStatus(input);
    const of = (type: string) => status.conditions.find((condition) => condition.type === type)!;
    expect([of('Ready').status, of('Ready').reason]).toEqual(ready);
    expect([of('Active').status, of('Active').reason]).toEqual(active);
    expect([of('Paused').status, of('Paused').reason]).toEqual(paused);
  });

  it('is written only when a condition or lastActiveTime changes', () => {
    const status = scaledJobStatus({ active: true, paused: false, lastActiveTime: Date.UTC(2026, 10, 22, 12, 0, 0) });
    expect(scaledJobStatusChanged(undefined, status)).toBe(true);
    expect(scaledJobStatusChanged(structuredClone(status), status)).toBe(false);
    expect(scaledJobStatusChanged(status, scaledJobStatus({ active: false, paused: false, lastActiveTime: Date.UTC(2026, 10, 22, 12, 0, 0) }))).toBe(true);
  });
});
