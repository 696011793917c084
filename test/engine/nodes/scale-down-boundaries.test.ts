/**
 * The two scale-down boundaries:
 * - `cluster-autoscaler/core/scaledown/eligibility/eligibility.go` `isNodeBelowUtilizationThreshold`:
 *   `utilInfo.Utilization >= threshold` means not underutilized, so a node exactly at the
 *   threshold stays (`NotUnderutilized`), as in CA;
 * - `cluster-autoscaler/core/scaledown/unneeded/nodes.go` `unremovableReason`:
 *   `!since.Add(unneededTime).Before(ts)` blocks, and CA checks every 10 s (`--scan-interval`), so it
 *   removes at most 10 s after the unneeded time. Our ticks are 60 s apart, so the tick at exactly
 *   the unneeded time removes (10 s sooner than CA; a strict comparison would be 50 s later).
 */
import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import { planScaleDown } from '../../../lambdas/engine/nodes/scale-down-plan';
import { GIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const UNNEEDED_MS = DEFAULT_NODE_GROUP_KNOBS.scaleDownUnneededSeconds * 1000;

interface Row {
  label: string;
  /** CPU requested on n1, of its 4000m allocatable (memory stays far below). */
  cpuMilli: number;
  unneededForMs: number;
  drained: boolean;
  reason?: string;
}

const rows: Row[] = [
  { label: 'utilization exactly 0.5: not underutilized (eligibility.go isNodeBelowUtilizationThreshold)', cpuMilli: 2000, unneededForMs: UNNEEDED_MS + 60_000, drained: false, reason: 'NotUnderutilized' },
  { label: 'utilization 0.49975: underutilized, drained (eligibility.go isNodeBelowUtilizationThreshold)', cpuMilli: 1999, unneededForMs: UNNEEDED_MS + 60_000, drained: true },
  { label: 'unneeded for 9 min 59 s: waits (unneeded/nodes.go unremovableReason, NotUnneededLongEnough)', cpuMilli: 400, unneededForMs: UNNEEDED_MS - 1000, drained: false },
  { label: 'unneeded for exactly 10 min: drained at this tick, within CA scan-interval of its strict time (unneeded/nodes.go)', cpuMilli: 400, unneededForMs: UNNEEDED_MS, drained: true },
];

describe('scale-down boundaries against Cluster Autoscaler', () => {
  it.each(rows)('$label', (row) => {
    const nodes = [node('n1'), node('n2')];
    const pods = [pod('big-1', 1000, GIB, { nodeName: 'n2' }), pod('small-1', row.cpuMilli, GIB, { nodeName: 'n1' })];
    const state = { ...emptyNodeGroupState(), unneededSince: { n1: NOW - row.unneededForMs } };
    const view = buildGroupView(asg({ desiredCapacity: 2, instances: inService('n1', 'n2') }), DEFAULT_NODE_GROUP_KNOBS, state, nodes, NOW);
    const plan = planScaleDown(view, { nodes, pods, pdbs: [], now: NOW, scalingUp: false });
    expect(plan.drain?.node).toBe(row.drained ? 'n1' : undefined);
    expect(plan.assessments.find((entry) => entry.node === 'n1')?.reason).toBe(row.reason);
  });
});
