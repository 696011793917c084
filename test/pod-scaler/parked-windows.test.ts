/**
 * Issue 13: a scheduled window parks between its passes instead of sleeping (parked-windows.ts).
 * On a fake clock, the hand-over queue is an in-memory list the test delivers from, with a
 * delivery latency; the subject is the window's life across invocations, not SQS (the adapter is
 * tested on moto in test/adapters/aws/sqs-pass-handover.test.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { captureLogs } from '../support/capture-logs';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { createScalerMetrics } from '../../lambdas/util/scaler-metrics';
import { MemoryCluster } from './memory-cluster';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { StoredObjectState } from '../../lambdas/adapters/state/state-store';
import { runInvocation, type InvocationRuntime, type InvocationSummary } from '../../lambdas/pod-scaler/run-invocation';
import { EARLY_WAKE_MS, ORPHAN_AFTER_MS, STALE_AFTER_MS, WindowParking } from '../../lambdas/pod-scaler/parked-windows';
import { HANDOVER_EVENT_SOURCE, type HandoverMessage, type PassHandover } from '../../lambdas/pod-scaler/pass-handover';
import { classifyEvent } from '../../lambdas/pod-scaler/invocation-event';
import type { TickDependencies, TriggerReadItem } from '../../lambdas/pod-scaler/tick-types';
import { CLUSTER, FakeClock, configFrom, sqsObject } from './harness';

const START = Date.UTC(2026, 11, 2, 12, 0, 0);
const KEY = `${CLUSTER}/shop/orders`;
const SCHEDULED = { source: 'aws.scheduler', 'detail-type': 'Scheduled Event' };
/** The queue's delivery after the delay: the event source mapping's poll and the invoke. */
const DELIVERY_LATENCY_MS = 400;

const behavior = `  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown: {stabilizationWindowSeconds: 120, policies: [{type: Pods, value: 2, periodSeconds: 60}]}
        scaleUp: {stabilizationWindowSeconds: 30, policies: [{type: Percent, value: 100, periodSeconds: 15}]}`;

/** A backlog that rises within minutes, holds, falls to zero and comes back. */
function backlog(now: number): number {
  const minute = Math.floor((now - START) / 60_000);
  const second = Math.floor(((now - START) % 60_000) / 1000);
  if (minute < 2) return 10 + minute * 40 + second;
  if (minute < 5) return 120;
  if (minute < 7) return 35;
  if (minute < 12) return 0;
  return 60;
}

/** The in-memory queue: what was sent, when, and with which delay; `failWith` makes sends fail. */
class MemoryHandover implements PassHandover {
  readonly sent: { message: HandoverMessage; delaySeconds: number; sentAt: number }[] = [];
  failWith: Error | undefined;
  constructor(private readonly clock: FakeClock) {}
  async send(message: HandoverMessage, delaySeconds: number): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ message, delaySeconds, sentAt: this.clock.now() });
  }
}

class CountingStore extends MemoryStateStore {
  writes = 0;
  override async save(item: StoredObjectState, expectedVersion: number) {
    this.writes += 1;
    return super.save(item, expectedVersion);
  }
}

interface World {
  clock: FakeClock;
  store: CountingStore;
  cluster: MemoryCluster;
  handover: MemoryHandover;
  /** Time slept on the clock, i.e. what Lambda would bill beyond the passes' own work. */
  slept: number;
  reads: number;
  deps: TickDependencies;
}

function world(): World {
  const clock = new FakeClock(START);
  const w: World = { clock, store: new CountingStore(), cluster: new MemoryCluster(), handover: new MemoryHandover(clock), slept: 0, reads: 0, deps: undefined! };
  const sleep = clock.sleep;
  clock.sleep = async (ms: number) => {
    w.slept += Math.max(0, ms);
    await sleep(ms);
  };
  w.cluster.replicas.set('orders', 0);
  const readTriggers = async (items: TriggerReadItem[], now: number) => {
    w.reads += items.length;
    const attributes = { ApproximateNumberOfMessages: String(backlog(now)), ApproximateNumberOfMessagesNotVisible: '0' };
    return { readings: new Map(items.map((item) => [item.id, { service: 'sqs' as const, attributes }])), calls: { sqs: items.length } };
  };
  w.deps = { config: configFrom(sqsObject({ behavior })), clock, stateStore: w.store, scaleTargets: async () => w.cluster, readTriggers };
  return w;
}

/** One container: a runtime of its own, parking (or not) through the world's queue. */
function container(w: World, parks = true): InvocationRuntime {
  return {
    tick: w.deps,
    maxObjectsPerInvocation: 1000,
    invokeShard: async () => {
      throw new Error('no shards in these tests');
    },
    ...(parks ? { parking: new WindowParking(w.handover, w.clock) } : {}),
  };
}

const sqsEvent = (...messages: unknown[]) => ({
  Records: messages.map((message, index) => ({ messageId: `m-${index}`, eventSource: 'aws:sqs', body: typeof message === 'string' ? message : JSON.stringify(message) })),
});

/** Delivers the oldest hand-over when its delay ends (plus the queue's latency), to `to`. */
async function deliverNext(w: World, to: InvocationRuntime, extraLatencyMs = 0): Promise<InvocationSummary> {
  const next = w.handover.sent.shift();
  if (!next) throw new Error('nothing was handed over');
  w.clock.time = Math.max(w.clock.time, next.sentAt + next.delaySeconds * 1000 + DELIVERY_LATENCY_MS + extraLatencyMs);
  return runInvocation(sqsEvent(next.message), 70_000, to);
}

/** Minute `index`: the scheduled invocation, then each hand-over it sends, to the same container. */
async function minute(w: World, runtime: InvocationRuntime, index: number): Promise<InvocationSummary[]> {
  w.clock.time = Math.max(w.clock.time, START + index * 60_000);
  const summaries = [await runInvocation(SCHEDULED, 70_000, runtime)];
  while (summaries.at(-1)!.parked) summaries.push(await deliverNext(w, runtime));
  return summaries;
}

describe('a scheduled window parked between its passes', () => {
  it('gives the same patches, writes and reads as sleeping through the window, and sleeps only the early wake', async () => {
    const sleeping = world();
    const parked = world();
    const sleeper = container(sleeping, false);
    const parker = container(parked);
    for (let index = 0; index < 16; index += 1) {
      await minute(sleeping, sleeper, index);
      const summaries = await minute(parked, parker, index);
      // One scheduled invocation and three hand-overs a minute; the last one ends the window.
      expect(summaries.map((summary) => Boolean(summary.parked))).toEqual([true, true, true, false]);
      expect(summaries.at(-1)!.passes).toBe(summaries.at(-1)!.trigger === 'schedule' ? 4 : 0);
    }
    expect(parked.cluster.patches).toEqual(sleeping.cluster.patches);
    expect(parked.cluster.patches.length).toBeGreaterThan(3);
    expect(parked.store.writes).toBe(sleeping.store.writes);
    expect(parked.reads).toBe(sleeping.reads);
    expect((await parked.store.loadMany([KEY])).states.get(KEY)).toEqual((await sleeping.store.loadMany([KEY])).states.get(KEY));
    // Sleeping billed 45 s a minute; parked, the 2 s of early wake (minus the queue's latency) per pass.
    expect(sleeping.slept).toBe(16 * 45_000);
    expect(parked.slept).toBe(16 * 3 * (EARLY_WAKE_MS - DELIVERY_LATENCY_MS));
  });

  it('asks the queue for each pass EARLY_WAKE_MS before it is due, in whole seconds', async () => {
    const w2 = world();
    const runtime = container(w2);
    await runInvocation(SCHEDULED, 70_000, runtime);
    expect(w2.handover.sent).toEqual([
      { message: { source: HANDOVER_EVENT_SOURCE, window: expect.stringMatching(/^\d+-[0-9a-f]{8}$/), windowStart: START, offsetMs: 15_000 }, delaySeconds: 13, sentAt: START },
    ]);
  });

  it('sleeps through the window when the hand-over cannot be sent, and says why', async () => {
    const w = world();
    w.handover.failWith = new Error('AccessDenied: not authorized to perform sqs:SendMessage');
    const summary = await runInvocation(SCHEDULED, 70_000, container(w));
    expect(summary.parked).toBeUndefined();
    expect(summary.passes).toBe(4);
    expect(w.slept).toBe(45_000);
    expect(summary.handover?.failures).toHaveLength(3);
    expect(summary.handover?.failures?.[0]).toMatch(/pass at \+15 s could not be handed over \(AccessDenied.*slept until it instead.*sqs:SendMessage/);
  });

  it('drops a duplicate delivery: the pass runs once', async () => {
    const w = world();
    const runtime = container(w);
    await runInvocation(SCHEDULED, 70_000, runtime);
    const first = w.handover.sent[0]!;
    await deliverNext(w, runtime);
    const duplicate = await runInvocation(sqsEvent(first.message), 70_000, runtime);
    expect(duplicate.trigger).toBe('pass');
    expect(duplicate.evaluated).toBe(0);
    expect(duplicate.handover?.dropped).toMatch(/delivered twice; the pass already ran/);
  });

  it('drops a hand-over that arrives after its pass was long due', async () => {
    const w = world();
    await runInvocation(SCHEDULED, 70_000, container(w));
    const message = w.handover.sent.shift()!.message;
    w.clock.time = START + message.offsetMs + STALE_AFTER_MS + 1;
    const late = await runInvocation(sqsEvent(message), 70_000, container(w));
    expect(late.handover?.dropped).toMatch(/arrived more than 10 s after its pass was due/);
    expect(late.evaluated).toBe(0);
  });

  it('runs the rest of the window in another container from the stored state, and the first container drops its orphan', async () => {
    const w = world();
    const first = container(w);
    const second = container(w);
    // Minute 0 whole in the first container: the object scales up and its state is written.
    await minute(w, first, 0);
    w.clock.time = START + 60_000;
    expect((await runInvocation(SCHEDULED, 70_000, first)).parked).toBeDefined();
    // The hand-over lands in the second container: it takes over passes 15, 30 and 45.
    const tookOver = await deliverNext(w, second);
    expect(tookOver.handover?.tookOver).toBe(true);
    expect(tookOver.parked).toBeDefined();
    let summary = tookOver;
    while (summary.parked) summary = await deliverNext(w, second);
    expect(summary.passes).toBe(3);
    expect(summary.trigger).toBe('schedule');
    // The next minute's schedule reaches the first container: its parked window is long overdue.
    w.clock.time = START + 120_000;
    const next = await runInvocation(SCHEDULED, 70_000, first);
    expect(next.handover?.orphansDropped).toBe(1);
    expect(first.parking!.size).toBe(1); // only the new window
    expect(ORPHAN_AFTER_MS).toBeLessThan(STALE_AFTER_MS + 15_000);
  });

  it('tells a function without a hand-over queue to drop the message rather than fail (SQS would redeliver it)', async () => {
    const w = world();
    const summary = await runInvocation(sqsEvent({ source: HANDOVER_EVENT_SOURCE, window: 'w', windowStart: START, offsetMs: 15_000 }), 70_000, container(w, false));
    expect(summary.handover?.dropped).toMatch(/PASS_HANDOVER_QUEUE_URL is not set/);
  });
});

describe('the handler of a parked window', () => {
  it('publishes the cluster gauges once, when the window ends, as the sleeping invocation did', async () => {
    const w = world();
    const runtime = container(w);
    const context = { getRemainingTimeInMillis: () => 70_000 };
    const { lines } = await captureLogs(async () => {
      const handler = createPodScalerHandler(async () => runtime, { logger: new Logger({ serviceName: 'test' }), metrics: createScalerMetrics() });
      let summary = await handler(SCHEDULED, context);
      while (summary.parked) {
        const next = w.handover.sent.shift()!;
        w.clock.time = next.sentAt + next.delaySeconds * 1000 + DELIVERY_LATENCY_MS;
        summary = await handler(sqsEvent(next.message), context);
      }
    }, { metrics: true });
    const metrics = lines.filter((line) => '_aws' in line);
    expect(metrics).toEqual([expect.objectContaining({ Cluster: CLUSTER, ObjectsEvaluated: 1, ObjectsScaled: w.cluster.patches.length })]);
    // One summary line per invocation: three parked, the last the window's.
    const finished = lines.filter((line) => line.message === 'invocation finished');
    expect(finished.map((line) => Boolean((line.summary as InvocationSummary).parked))).toEqual([true, true, true, false]);
  });
});

describe('classifyEvent: hand-overs from SQS', () => {
  const message = { source: HANDOVER_EVENT_SOURCE, window: '1-abc', windowStart: START, offsetMs: 30_000 };
  it.each([
    { name: 'a hand-over', event: sqsEvent(message), messages: [message], unreadable: 0 },
    { name: 'a body that is not JSON', event: sqsEvent('{oops'), messages: [], unreadable: 1 },
    { name: 'another sender\'s message', event: sqsEvent({ source: 'someone-else', window: 'w' }), messages: [], unreadable: 1 },
    { name: 'a window without its start', event: sqsEvent({ source: HANDOVER_EVENT_SOURCE, window: 'w', offsetMs: 1 }), messages: [], unreadable: 1 },
  ])('$name', ({ event, messages, unreadable }) => {
    const classified = classifyEvent(event);
    expect(classified.kind).toBe('pass');
    if (classified.kind !== 'pass') return;
    expect(classified.messages).toEqual(messages);
    expect(classified.unreadable).toHaveLength(unreadable);
    if (unreadable > 0) expect(classified.unreadable[0]).toMatch(/SQS message m-0 is not a pass hand-over.*dropped/);
  });
});
