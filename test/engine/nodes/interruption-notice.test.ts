/**
 * Reading EC2 interruption events (the samples AWS documents, test/node-scaler/fixtures/
 * interruption-events.ts) and the two time rules of an interruption drain.
 */
import { describe, expect, it } from 'vitest';
import {
  cappedGraceSeconds,
  InterruptionEventError,
  noticeEndsAt,
  readInterruptionEvent,
  SPOT_NOTICE_SECONDS,
} from '../../../lambdas/engine/nodes/interruption-notice';
import type { InterruptionNotice } from '../../../lambdas/engine/nodes/interruption-notice';
import { lifecycleTestNotification, rebalanceRecommendation, spotInterruptionWarning, terminateLifecycleAction } from '../../node-scaler/fixtures/interruption-events';

const TIME = '2026-11-01T12:00:00Z';
const AT = Date.parse(TIME);

function notice(event: unknown): InterruptionNotice {
  const read = readInterruptionEvent(event);
  if (read.kind !== 'notice') throw new Error(`expected a notice, got ${JSON.stringify(read)}`);
  return read.notice;
}

describe('readInterruptionEvent', () => {
  it('reads a Spot interruption warning: instance, action, when it was issued', () => {
    expect(notice(spotInterruptionWarning({ instanceId: 'i-0b662ef9931388ba0', time: TIME, action: 'stop' }))).toEqual({
      kind: 'spot-interruption',
      eventId: '1e5527d7-bb36-4607-3370-4164db56a40e',
      instanceId: 'i-0b662ef9931388ba0',
      region: 'us-east-1',
      issuedAt: AT,
      instanceAction: 'stop',
    });
  });

  it('reads a rebalance recommendation', () => {
    expect(notice(rebalanceRecommendation({ instanceId: 'i-1', time: TIME }))).toMatchObject({ kind: 'rebalance-recommendation', instanceId: 'i-1', issuedAt: AT });
  });

  it('reads a terminate lifecycle action with what completes it', () => {
    expect(notice(terminateLifecycleAction({ instanceId: 'i-2', time: TIME, group: 'spot-a', hook: 'drain', token: 'tok-1' }))).toMatchObject({
      kind: 'terminate-lifecycle-action',
      instanceId: 'i-2',
      lifecycleAction: { autoScalingGroupName: 'spot-a', hookName: 'drain', token: 'tok-1' },
    });
  });

  it("skips Auto Scaling's test notification and a launching transition", () => {
    expect(readInterruptionEvent(lifecycleTestNotification({ group: 'spot-a', time: TIME }))).toMatchObject({ kind: 'skip' });
    const launching = terminateLifecycleAction({ instanceId: 'i-2', time: TIME, group: 'g', hook: 'h', token: 't' });
    launching.detail.LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCHING';
    expect(readInterruptionEvent(launching)).toMatchObject({ kind: 'skip', reason: expect.stringContaining('EC2_INSTANCE_LAUNCHING') });
  });

  it.each([
    ['a scheduled tick', { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', detail: {} }],
    ['a pod-scaler notice', { source: 'eks-lambda-scaler.pod-scaler', scaleUps: [] }],
    ['a Spot detail-type from another source', { ...spotInterruptionWarning({ instanceId: 'i-1', time: TIME }), source: 'custom.app' }],
    ['nothing', undefined],
  ])('is not an interruption: %s', (_, event) => {
    expect(readInterruptionEvent(event)).toEqual({ kind: 'not-interruption' });
  });

  it.each([
    ['no instance id', { ...spotInterruptionWarning({ instanceId: 'i-1', time: TIME }), detail: { 'instance-action': 'terminate' } }, /field "instance-id" must be a non-empty string/],
    ['a time that is not a time', spotInterruptionWarning({ instanceId: 'i-1', time: 'soon' }), /field "time" is not an ISO 8601 time/],
    ['no detail', { ...rebalanceRecommendation({ instanceId: 'i-1', time: TIME }), detail: null }, /has no "detail" object/],
    [
      'a lifecycle action without its token',
      { ...terminateLifecycleAction({ instanceId: 'i-2', time: TIME, group: 'g', hook: 'h', token: 't' }), detail: { EC2InstanceId: 'i-2', AutoScalingGroupName: 'g', LifecycleHookName: 'h', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' } },
      /field "LifecycleActionToken"/,
    ],
  ])('a malformed event (%s) is an error naming the field', (_, event, message) => {
    expect(() => readInterruptionEvent(event)).toThrow(InterruptionEventError);
    expect(() => readInterruptionEvent(event)).toThrow(message);
  });
});

describe('noticeEndsAt', () => {
  it('Spot: two minutes after the warning was issued', () => {
    expect(noticeEndsAt(notice(spotInterruptionWarning({ instanceId: 'i-1', time: TIME })))).toBe(AT + SPOT_NOTICE_SECONDS * 1000);
    expect(SPOT_NOTICE_SECONDS).toBe(120);
  });

  it("a lifecycle action: the hook's heartbeat timeout after it was issued, unknown without the hook", () => {
    const action = notice(terminateLifecycleAction({ instanceId: 'i-2', time: TIME, group: 'g', hook: 'h', token: 't' }));
    expect(noticeEndsAt(action, 300)).toBe(AT + 300_000);
    expect(noticeEndsAt(action)).toBeUndefined();
  });

  it('a rebalance recommendation gives no end', () => {
    expect(noticeEndsAt(notice(rebalanceRecommendation({ instanceId: 'i-1', time: TIME })), 300)).toBeUndefined();
  });
});

describe('cappedGraceSeconds', () => {
  // [pod grace, seconds left, grace asked for]
  it.each([
    [30, 100, 30],
    [600, 100, 100],
    [undefined, 100, 30], // Kubernetes' default terminationGracePeriodSeconds
    [600, 10.9, 10], // whole seconds, rounded down: the pod must be gone before the node
    [600, 0.2, 1], // the cut never makes the deletion immediate
    [600, -5, 1],
    [0, 100, 0], // never more than the pod's own: 0 stays 0
    [0, -5, 0],
  ])('pod grace %s with %ss left asks for %ss', (podGrace, secondsLeft, expected) => {
    expect(cappedGraceSeconds(podGrace, AT, AT + secondsLeft * 1000)).toBe(expected);
  });

  it('no end: the pod keeps its own grace', () => {
    expect(cappedGraceSeconds(600, AT, undefined)).toBeUndefined();
  });
});
