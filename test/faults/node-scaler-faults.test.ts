/**
 * Fault-injection matrix for the node scaler (issue 12): each dependency x each fault, injected at
 * the wire, against the real handler with three groups in two clusters where only one group (or
 * one cluster) is affected. Every cell asserts:
 *  1. the invocation returns its summary before its deadline;
 *  2. the healthy groups still scale (each gets its one node);
 *  3. no wrong scaling: the affected group's desired capacity is not moved;
 *  4. no state lost or corrupted: every group's state item still decodes, the healthy groups'
 *     record their scale-up;
 *  5. the affected group's error names the group, the dependency, the resource and the fix,
 *     and is logged.
 * docs/reliability.md has the matrix and what the scaler does in each cell.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER } from '../node-scaler/node-scaler-world';
import type { FaultKind, FaultRule, ProxiedRequest } from '../support/fault-proxy';
import { FAULT_KINDS } from '../support/fault-proxy';
import { GROUPS, NodeScalerWire, REMAINING_MS, SAFETY_MARGIN_MS, type GroupName } from './node-scaler-wire';

let wire: NodeScalerWire;
beforeEach(async () => {
  wire = await NodeScalerWire.start();
});
afterEach(async () => {
  await wire.close();
});

interface Dependency {
  name: string;
  /** The group the fault reaches (for a cluster-wide dependency, a group of the affected cluster). */
  affected: GroupName;
  inject(wire: NodeScalerWire, rule: Omit<FaultRule, 'match'>): void;
  /** What the affected group's error must say: the dependency and the resource. */
  names: RegExp;
}

const queryFor = (operation: string, group: string) => (request: ProxiedRequest) =>
  request.operation === operation && new URLSearchParams(request.body).get('AutoScalingGroupName') === group;

const DEPENDENCIES: Dependency[] = [
  {
    name: 'Auto Scaling reads (DescribeScalingActivities of one group)',
    affected: 'alpha',
    inject: (wire, rule) => wire.autoScaling.inject({ ...rule, match: queryFor('DescribeScalingActivities', 'alpha') }),
    names: /Auto Scaling .*DescribeScalingActivities.* for alpha/,
  },
  {
    name: 'Auto Scaling writes (SetDesiredCapacity of one group)',
    affected: 'alpha',
    inject: (wire, rule) => wire.autoScaling.inject({ ...rule, match: queryFor('SetDesiredCapacity', 'alpha') }),
    names: /Auto Scaling SetDesiredCapacity for alpha/,
  },
  {
    name: "DynamoDB (one group's state item)",
    affected: 'alpha',
    inject: (wire, rule) =>
      wire.dynamoDb.inject({ ...rule, throttleCode: 'ProvisionedThroughputExceededException', match: (request) => request.body.includes(`"nodegroup/${CLUSTER}/alpha"`) }),
    names: /DynamoDB (GetItem|PutItem) for item nodegroup\/prod\/alpha in table state/,
  },
  {
    name: 'EKS DescribeCluster (one cluster)',
    affected: 'gamma',
    inject: (wire, rule) => wire.eks.inject({ ...rule, match: (request) => request.path === '/clusters/edge' }),
    names: /EKS (DescribeCluster for cluster edge|cluster edge)/,
  },
  {
    name: 'Kubernetes API (every call to one cluster)',
    affected: 'gamma',
    inject: (wire, rule) => wire.kube.edge!.inject({ ...rule, match: () => true }),
    names: /Kubernetes API of cluster edge/,
  },
];

/** What the fix part of a message must say for each fault. */
const FIX: Record<FaultKind, RegExp> = {
  '5xx': /retried next invocation|check /,
  throttle: /retried next invocation|check /,
  // The SDK's attempt timeout (production transport) or the handler's call guard, whichever fires first.
  hang: /(did not answer within \d+ ms|exceeded the configured \d+ ms requestTimeout|no answer in time).*check /,
  denied: /grant |add to the node scaler's ClusterRole/,
  malformed: /retried next invocation|check /,
};

async function assertCell(dependency: Dependency, fault: FaultKind) {
  const { summary, elapsedMs } = await wire.invoke();
  const healthy = (Object.keys(GROUPS) as GroupName[]).filter((group) => group !== dependency.affected);
  const result = (group: GroupName) => summary.groups.find((candidate) => candidate.autoScalingGroupName === group)!;

  // 1. Before the deadline (the handler keeps SAFETY_MARGIN_MS back for itself).
  expect(elapsedMs).toBeLessThan(REMAINING_MS - SAFETY_MARGIN_MS);
  // 2. The healthy groups scale.
  for (const group of healthy) {
    expect(result(group).error, `${group}: ${result(group).error}`).toBeUndefined();
    expect(result(group).scaleUp).toMatchObject({ fromDesired: 1, toDesired: 2 });
    expect(wire.desiredCapacity(group)).toBe(2);
  }
  // 3. The affected group is not moved.
  expect(wire.desiredCapacity(dependency.affected)).toBe(1);
  expect(result(dependency.affected).scaleUp).toBeUndefined();
  // 4. Every state item still decodes; the healthy groups' records their scale-up.
  for (const group of healthy) expect((await wire.world.storedState(group)).state.lastScaleUp).toMatchObject({ fromDesired: 1, toDesired: 2 });
  const affectedState = await wire.world.storedState(dependency.affected);
  expect(affectedState.state.lastScaleUp?.toDesired ?? 1).toBe(affectedState.state.backoff ? 2 : 1);
  // 5. The message names the group (in its result and log line), the dependency, the resource and the fix.
  const error = result(dependency.affected).error ?? '';
  expect(error).toMatch(dependency.names);
  expect(error).toMatch(FIX[fault]);
  expect(wire.world.logs).toContainEqual(
    expect.objectContaining({ level: 'error', message: 'node group not handled this tick', fields: { nodeGroup: `${GROUPS[dependency.affected]}/${dependency.affected}`, error } }),
  );
}

describe('node scaler fault matrix (wire-level)', () => {
  const cells = DEPENDENCIES.flatMap((dependency) => FAULT_KINDS.map((fault) => [dependency.name, fault, dependency] as const)).filter(
    ([name, fault]) => !(name.startsWith('Auto Scaling writes') && fault === 'malformed'),
  );
  it.each(cells)('%s x %s: only that group fails, before the deadline, with a message naming it', async (_name, fault, dependency) => {
    dependency.inject(wire, { fault });
    await assertCell(dependency, fault);
  });

  it('Auto Scaling writes x malformed: a 200 that is not Auto Scaling\'s is taken as done by the SDK (the answer carries no data); the next invocation sees the unchanged capacity and asks again', async () => {
    wire.autoScaling.inject({ match: queryFor('SetDesiredCapacity', 'alpha'), fault: 'malformed', times: 1 });
    const { summary, elapsedMs } = await wire.invoke();
    expect(elapsedMs).toBeLessThan(REMAINING_MS - SAFETY_MARGIN_MS);
    expect(summary.groups.map((group) => group.scaleUp?.toDesired)).toEqual([2, 2, 2]);
    expect([wire.desiredCapacity('alpha'), wire.desiredCapacity('beta'), wire.desiredCapacity('gamma')]).toEqual([1, 2, 2]);
    wire.world.now += 60_000;
    const next = await wire.invoke();
    expect(next.summary.groups.find((group) => group.autoScalingGroupName === 'alpha')?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 2 });
    expect(wire.desiredCapacity('alpha')).toBe(2);
  });

  it("an unexpected DescribeAutoScalingGroups answer (one group without DesiredCapacity) is an error for that group, never 0", async () => {
    wire.autoScaling.inject({
      match: (request) => request.operation === 'DescribeAutoScalingGroups',
      fault: { rewrite: (body) => body.replace(/(<AutoScalingGroupName>alpha<\/AutoScalingGroupName><MinSize>\d+<\/MinSize><MaxSize>\d+<\/MaxSize>)<DesiredCapacity>\d+<\/DesiredCapacity>/, '$1') },
    });
    const dependency: Dependency = { name: 'Auto Scaling reads', affected: 'alpha', inject: () => undefined, names: /Auto Scaling group alpha: DescribeAutoScalingGroups answered with no DesiredCapacity/ };
    await assertCell(dependency, 'malformed');
  });
});

describe("the SDK's own retries absorb a single 5xx or throttling answer", () => {
  const aws = DEPENDENCIES.filter((dependency) => !dependency.name.startsWith('Kubernetes'));
  const cells = aws.flatMap((dependency) => (['5xx', 'throttle'] as const).map((fault) => [dependency.name, fault, dependency] as const));
  it.each(cells)('%s x one %s: every group scales', async (_name, fault, dependency) => {
    dependency.inject(wire, { fault, times: 1 });
    const { summary } = await wire.invoke();
    expect(wire.autoScaling.faulted.length + wire.dynamoDb.faulted.length + wire.eks.faulted.length).toBe(1);
    expect(summary.groups.map((group) => [group.autoScalingGroupName, group.error, group.scaleUp?.toDesired])).toEqual([
      ['alpha', undefined, 2],
      ['beta', undefined, 2],
      ['gamma', undefined, 2],
    ]);
  });
});

describe('a fault that reaches every group (the batch DescribeAutoScalingGroups call)', () => {
  it.each(FAULT_KINDS)('%s: no group moves, each is reported, the invocation still returns before its deadline', async (fault) => {
    wire.autoScaling.inject({ match: (request) => request.operation === 'DescribeAutoScalingGroups', fault });
    const { summary, elapsedMs } = await wire.invoke();
    expect(elapsedMs).toBeLessThan(REMAINING_MS - SAFETY_MARGIN_MS);
    for (const group of Object.keys(GROUPS) as GroupName[]) {
      expect(wire.desiredCapacity(group)).toBe(1);
      expect((await wire.world.storedState(group)).version).toBe(0);
    }
    for (const result of summary.groups) expect(result.error).toMatch(/could not describe the Auto Scaling groups: Auto Scaling DescribeAutoScalingGroups/);
  });
});
