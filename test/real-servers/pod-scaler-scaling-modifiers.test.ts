/**
 * examples/scheduled-floor.yaml (scalingModifiers: a cron floor and an SQS queue combined by
 * `max(floor * 5, queue ?? 20)`) through the real pod scaler handler: a real kube-apiserver, the
 * example's own queue in moto (eu-central-1), state on dynalite (test/pod-scaler/real-harness.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, configFrom } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';

const EXAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'scheduled-floor.yaml'), 'utf8');
/** Monday 2026-11-23 09:00 UTC = 10:00 in Europe/Berlin: inside the example's 08:00-18:00 weekday window. */
const MONDAY_MORNING = Date.UTC(2026, 10, 23, 9, 0, 0);
/** Monday 2026-11-23 20:00 UTC = 21:00 in Berlin: outside the window. */
const MONDAY_EVENING = Date.UTC(2026, 10, 23, 20, 0, 0);

const BILLING = { namespace: 'billing' };
let harness: RealHarness;

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = await startRealHarness({ queues: [{ name: 'invoices', region: 'eu-central-1' }] });
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

/** A fresh state table, empty queues, and the clock at `start`. */
async function startAt(start: number): Promise<void> {
  await harness.reset();
  harness.clock.time = start;
}

describe.skipIf(REAL_POD_SCALER_SKIP)('scalingModifiers through the real handler (examples/scheduled-floor.yaml)', () => {
  it('inside the window the floor holds 3 pods with an empty queue, and the queue takes over above it', async () => {
    await startAt(MONDAY_MORNING);
    await harness.putDeployment('invoice-worker', 0, BILLING);
    const handler = harness.handlerFor(configFrom(EXAMPLE));

    // composite max(3 * 5, 0) = 15 > activationTarget 0: KEDA activates 0 → 1, the HPA wants ceil(15 / 5) = 3.
    const first = await harness.tick(handler);
    expect(first.errors).toBe(0);
    expect(await harness.replicasOf('invoice-worker', BILLING)).toBe(3);

    // composite max(15, 47) = 47: the HPA wants ceil(47 / 5) = 10.
    await harness.setBacklog(47);
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(await harness.replicasOf('invoice-worker', BILLING)).toBe(10);

    // The stored decision explains the formula: its inputs and its result, not the triggers' own metrics.
    const key = `${CLUSTER}/billing/invoice-worker`;
    const state = (await harness.store.loadMany([key])).states.get(key)!;
    expect(state.lastDecision!.explanation.composite).toMatchObject({
      formula: 'max(floor * 5, queue ?? 20)',
      inputs: { floor: 3, queue: 47 },
      value: 47,
      target: 5,
      proposal: 10,
      source: 'formula',
    });
    expect(state.lastDecision!.explanation.message).toContain('composite-metric max(floor * 5, queue ?? 20) = 47 (floor=3, queue=47) / 5 → 10 replicas');
  });

  it('a queue that keeps failing is nil in the formula once past failureThreshold, and ?? 20 stands in', async () => {
    await startAt(MONDAY_EVENING);
    await harness.putDeployment('invoice-worker', 1, BILLING);
    const handler = harness.handlerFor(configFrom(EXAMPLE.replace('/invoices', '/invoices-gone')));
    // Real server: moto cannot answer SQS AccessDenied in the JSON protocol, so the queue that keeps
    // failing is one that does not exist (a real QueueDoesNotExist on every read).

    // Failures 1-3 (one per evaluation) hold the count; from the 4th the queue is nil: max(0, 20) = 20 → 4 pods.
    for (let minute = 0; minute < 3; minute += 1) {
      await harness.tick(handler);
      harness.clock.advance(60_000);
    }
    expect(await harness.replicasOf('invoice-worker', BILLING)).toBe(4);
    const key = `${CLUSTER}/billing/invoice-worker`;
    const state = (await harness.store.loadMany([key])).states.get(key)!;
    expect(state.lastDecision!.explanation.composite).toMatchObject({ inputs: { floor: 0, queue: null }, value: 20, source: 'formula' });
  });

  it('outside the window an empty queue leaves the object inactive at zero', async () => {
    await startAt(MONDAY_EVENING);
    await harness.putDeployment('invoice-worker', 0, BILLING);
    const handler = harness.handlerFor(configFrom(EXAMPLE));

    const result = await harness.tick(handler);
    expect(result.errors).toBe(0);
    expect(await harness.replicasOf('invoice-worker', BILLING)).toBe(0);

    // The queue alone: composite 12 → KEDA 0 → 1, then the HPA ceil(12 / 5) = 3.
    await harness.setBacklog(12);
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(await harness.replicasOf('invoice-worker', BILLING)).toBe(3);
  });
});
