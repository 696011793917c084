/**
 * Issue 15 item 11: `--ignore-daemonsets-utilization` as a per-group knob. Rows cite Cluster
 * Autoscaler `cluster-autoscaler/simulator/utilization/info.go` `CalculateUtilizationOfResource`
 * (with the flag on, DaemonSet pod requests are left out of the sum and subtracted from
 * allocatable) and `cluster-autoscaler/config/flags/flags.go` (`ignore-daemonsets-utilization`,
 * default false; the AWS provider also takes it per ASG).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_GROUP_KNOBS, resolveKnobs } from '../../../lambdas/engine/nodes/node-group-knobs';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import { nodeUtilization, planScaleDown } from '../../../lambdas/engine/nodes/scale-down-plan';
import { GIB, asg, inService, node, pod } from './fixtures';

const daemon = (name: string, cpuMilli: number, memoryBytes: number) => pod(name, cpuMilli, memoryBytes, { nodeName: 'n1', owner: { kind: 'DaemonSet', name: 'agent' } });
const app = (name: string, cpuMilli: number, memoryBytes: number) => pod(name, cpuMilli, memoryBytes, { nodeName: 'n1' });

describe('node utilization with and without DaemonSet pods (utilization/info.go CalculateUtilizationOfResource)', () => {
  // n1: 4000m CPU, 16 GiB.
  it.each([
    ['counted (flag false): (1000 + 1000) / 4000', [daemon('ds', 1000, GIB), app('a', 1000, GIB)], false, 0.5],
    ['ignored: 1000 / (4000 - 1000)', [daemon('ds', 1000, GIB), app('a', 1000, GIB)], true, 1000 / 3000],
    ['ignored, memory dominates: 8 GiB / (16 - 4) GiB', [daemon('ds', 0, 4 * GIB), app('a', 100, 8 * GIB)], true, 8 / 12],
    ['ignored, only DaemonSet pods: 0', [daemon('ds', 1000, GIB)], true, 0],
    ['no DaemonSet pod: the flag changes nothing', [app('a', 1000, GIB)], true, 0.25],
  ])('%s', (_label, pods, ignore, expected) => {
    expect(nodeUtilization(node('n1'), pods, ignore)).toBeCloseTo(expected, 10);
  });
});

describe('the knob (flags.go ignore-daemonsets-utilization)', () => {
  it('defaults to false, as Cluster Autoscaler', () => {
    expect(DEFAULT_NODE_GROUP_KNOBS.ignoreDaemonSetsUtilization).toBe(false);
    expect(resolveKnobs({ cluster: 'c', autoScalingGroupName: 'g' }).ignoreDaemonSetsUtilization).toBe(false);
  });

  it('is read per group and must be a boolean', () => {
    expect(resolveKnobs({ cluster: 'c', autoScalingGroupName: 'g', ignoreDaemonSetsUtilization: true }).ignoreDaemonSetsUtilization).toBe(true);
    expect(() => resolveKnobs({ cluster: 'c', autoScalingGroupName: 'g', ignoreDaemonSetsUtilization: 'yes' as unknown as boolean })).toThrow(/ignoreDaemonSetsUtilization.*boolean/);
  });

  it.each([
    [false, 'NotUnderutilized'],
    [true, undefined],
  ])('decides eligibility: 2200m of 4000m with a 1000m DaemonSet pod, flag %s → reason %s', (ignore, reason) => {
    const nodes = [node('n1'), node('n2')];
    const pods = [daemon('ds-1', 1000, GIB), app('a', 1200, GIB), pod('ds-2', 1000, GIB, { nodeName: 'n2', owner: { kind: 'DaemonSet', name: 'agent' } })];
    const knobs = { ...DEFAULT_NODE_GROUP_KNOBS, ignoreDaemonSetsUtilization: ignore };
    const view = buildGroupView(asg({ desiredCapacity: 2, instances: inService('n1', 'n2') }), knobs, emptyNodeGroupState(), nodes, 0);
    const plan = planScaleDown(view, { nodes, pods, pdbs: [], now: 0, scalingUp: false });
    expect(plan.assessments.find((entry) => entry.node === 'n1')?.reason).toBe(reason);
  });
});
