/**
 * Fault-injection matrix for the pod scaler (issue 12): SQS, Kinesis, DynamoDB and the Kubernetes
 * API x each fault, injected at the wire, against the real handler on its production runtime with
 * four objects where only one is affected. Each cell asserts the five properties (see
 * node-scaler-faults.test.ts and docs/reliability.md).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER } from '../pod-scaler/harness';
import type { FaultKind, FaultRule, ProxiedRequest } from '../support/fault-proxy';
import { FAULT_KINDS } from '../support/fault-proxy';
import { OBJECTS, POD_DEADLINE_MARGIN_MS, POD_REMAINING_MS, PodScalerWire, type ObjectName } from './pod-scaler-wire';

let wire: PodScalerWire;
beforeEach(async () => {
  wire = await PodScalerWire.start();
});
afterEach(async () => {
  await wire.close();
});

interface Dependency {
  name: string;
  affected: ObjectName;
  inject(wire: PodScalerWire, rule: Omit<FaultRule, 'match'>): void;
  /** What the affected object's message must name: the dependency and the resource. */
  names: RegExp;
}

const DEPENDENCIES: Dependency[] = [
  {
    name: 'SQS (one queue)',
    affected: 'sqs-a',
    inject: (wire, rule) => wire.proxies.sqs.inject({ ...rule, match: (request: ProxiedRequest) => request.body.includes('/orders-a') }),
    names: /SQS.*orders-a|orders-a.*SQS/is,
  },
  {
    name: "STS (one object's role)",
    affected: 'sqs-a',
    inject: (wire, rule) =>
      wire.proxies.sts.inject({ ...rule, match: (request: ProxiedRequest) => request.operation === 'AssumeRole' && new URLSearchParams(request.body).get('RoleArn')?.endsWith('/reader-a') === true }),
    names: /(STS|AssumeRole).*reader-a|reader-a.*(STS|AssumeRole)/s,
  },
  {
    name: 'CloudWatch (one region)',
    affected: 'cw-a',
    inject: (wire, rule) => wire.proxies.cloudWatch.inject({ ...rule, match: (request: ProxiedRequest) => String(request.headers.authorization).includes('/eu-west-1/monitoring/') }),
    // Access denied names the IAM grant instead: GetMetricData has no resource-level permissions (`*`).
    names: /CloudWatch GetMetricData (on metric AWS\/SQS\/ApproximateNumberOfMessagesVisible|denied: grant cloudwatch:GetMetricData)/,
  },
  {
    name: 'Kinesis (one stream)',
    affected: 'kin-a',
    inject: (wire, rule) =>
      wire.proxies.kinesis.inject({ ...rule, throttleCode: 'LimitExceededException', match: (request: ProxiedRequest) => request.body.includes('"clicks-a"') }),
    names: /Kinesis.*clicks-a|clicks-a.*Kinesis/is,
  },
  {
    name: 'Kubernetes API (one scale target)',
    affected: 'sqs-a',
    inject: (wire, rule) => wire.proxies.kube.inject({ ...rule, match: (request: ProxiedRequest) => request.path.includes('/deployments/sqs-a') }),
    names: /Deployment (shop\/sqs-a|sqs-a in namespace shop)/,
  },
  {
    name: "DynamoDB (one object's state writes)",
    affected: 'kin-a',
    inject: (wire, rule) =>
      wire.proxies.dynamoDb.inject({
        ...rule,
        throttleCode: 'ProvisionedThroughputExceededException',
        match: (request: ProxiedRequest) => request.operation !== 'BatchGetItem' && request.body.includes(`${CLUSTER}/shop/kin-a`),
      }),
    names: /DynamoDB \w+ on table scaler-state/,
  },
];

/**
 * What the message must say for each fault: what went wrong (so a timeout is never reported as a
 * permission problem) and what to do (grant, add, check, or that it is retried).
 */
const FIX: Record<FaultKind, RegExp[]> = {
  '5xx': [/server error|error 50\d/i, /retried/i],
  throttle: [/throttl|too many requests|Throughput/i, /retr|raise|on-demand/i],
  hang: [/in time|requestTimeout|did not answer/i, /check /i],
  denied: [/denied|forbidden|not authorized|may not/i, /grant |Add this rule/i],
  malformed: [/not from AWS|not \w+'s|no spec/i, /check /i],
};

const healthyOf = (affected: ObjectName) => (Object.keys(OBJECTS) as ObjectName[]).filter((name) => name !== affected);

describe('pod scaler fault matrix (wire-level)', () => {
  const cells = DEPENDENCIES.flatMap((dependency) => FAULT_KINDS.map((fault) => [dependency.name, fault, dependency] as const));
  it.each(cells)('%s x %s: only that object fails, before the deadline, with a message naming it', async (_name, fault: FaultKind, dependency) => {
    dependency.inject(wire, { fault });
    const { summary, elapsedMs } = await wire.invoke();
    // 1. Before the deadline.
    expect(elapsedMs).toBeLessThan(POD_REMAINING_MS - POD_DEADLINE_MARGIN_MS);
    // 2. The healthy objects scale.
    for (const name of healthyOf(dependency.affected)) expect(wire.replicas(name), name).toBe(OBJECTS[name]);
    // 3. The affected object's replicas are not moved by a failed read (a failed write may have
    //    landed before its claim failed only when the patch itself is not the faulted call).
    if (!dependency.name.startsWith('DynamoDB')) expect(wire.replicas(dependency.affected)).toBe(1);
    // 4. Every state item still decodes.
    const states = await wire.states();
    for (const name of healthyOf(dependency.affected)) expect(states.get(`${CLUSTER}/shop/${name}`)?.currentReplicas, name).toBe(OBJECTS[name]);
    // 5. The affected object is reported with a message naming it, the dependency and the resource.
    expect(summary.errors).toBeGreaterThanOrEqual(1);
    const lines = wire.logger.lines.filter((line) => line.includes(`${CLUSTER}/shop/${dependency.affected}`) && /"(error|statusReason)"/.test(line));
    expect(lines.join('\n')).toMatch(dependency.names);
    for (const pattern of FIX[fault]) expect(lines.join('\n')).toMatch(pattern);
    if (process.env.FAULTS_PRINT_MESSAGES) console.log(`${dependency.name} x ${fault}: ${lines.join('\n')}`);
  });
});

describe('Lambda invoke (wire-level): node-scaler notices and fan-out shards', () => {
  const noticeCell = async (fault: FaultKind) => {
    wire.proxies.lambda.inject({ fault, match: (request) => request.path.includes('/functions/node-scaler/') });
    const { summary, elapsedMs } = await wire.invoke({ NODE_SCALER_FUNCTION_NAME: 'node-scaler' });
    expect(elapsedMs).toBeLessThan(POD_REMAINING_MS - POD_DEADLINE_MARGIN_MS);
    for (const name of Object.keys(OBJECTS) as ObjectName[]) expect(wire.replicas(name), name).toBe(OBJECTS[name]);
    expect(wire.proxies.lambda.faulted.length).toBeGreaterThanOrEqual(1);
    expect(summary.noticeFailures).toEqual([expect.stringMatching(/telling the node scaler about 6 scale-up\(s\) failed/)]);
    expect(wire.logger.lines.filter((line) => line.includes('invocation problem')).join('\n')).toMatch(/node scaler/);
  };
  for (const fault of FAULT_KINDS) {
    it(`node-scaler notice x ${fault}: every object still scales; the failed notice is reported and logged`, () => noticeCell(fault), 9_000);
  }

  const shardCell = async (fault: FaultKind) => {
    // Six objects, three per invocation: the scheduled invocation hands out both shards and
    // evaluates none itself. The second shard's invoke meets the fault.
    wire.proxies.lambda.inject({ fault, match: (request) => request.path.includes('/functions/pod-scaler/') && request.body.includes('"shard":1') });
    const { summary, elapsedMs } = await wire.invoke({ MAX_OBJECTS_PER_INVOCATION: '3' });
    expect(elapsedMs).toBeLessThan(POD_REMAINING_MS - POD_DEADLINE_MARGIN_MS);
    expect(summary.shardFailures).toEqual([expect.stringMatching(/shard 2 of 2 \(3 objects\) could not be invoked: .*lambda:InvokeFunction/)]);
    const failed = (JSON.parse(wire.proxies.lambda.faulted[0]!.body) as { objectIds: string[] }).objectIds.map((key) => key.split('/').pop() as ObjectName);
    // The first shard was handed over: Lambda runs it (here, the test), and its objects scale.
    const handedOver = wire.proxies.lambda.requests.filter((request) => request.path.includes('/functions/pod-scaler/') && request.body.includes('"shard":0'));
    expect(handedOver.length).toBeGreaterThanOrEqual(1);
    await wire.invoke({ MAX_OBJECTS_PER_INVOCATION: '3' }, JSON.parse(handedOver[0]!.body) as unknown);
    const scaled = (Object.keys(OBJECTS) as ObjectName[]).filter((name) => !failed.includes(name));
    expect(scaled).toHaveLength(3);
    for (const name of scaled) expect(wire.replicas(name), name).toBe(OBJECTS[name]);
    for (const name of failed) expect(wire.replicas(name), name).toBe(1);
  };
  for (const fault of FAULT_KINDS) {
    it(`fan-out shard x ${fault}: the shard handed over scales; the shard that could not be invoked is reported`, () => shardCell(fault), 9_000);
  }
});
