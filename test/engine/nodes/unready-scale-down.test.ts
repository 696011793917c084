/**
 * Issue 15 item 13: unready nodes are removed once unneeded for longer than
 * `--scale-down-unready-time` (20 min). Rows cite Cluster Autoscaler:
 * - `cluster-autoscaler/core/scaledown/unneeded/nodes.go` `unremovableReason`: a Ready node needs
 *   `since + ScaleDownUnneededTime` before now (else `NotUnneededLongEnough`), an unready one
 *   `since + ScaleDownUnreadyTime` (else `NotUnreadyLongEnough`);
 * - `cluster-autoscaler/core/scaledown/eligibility/eligibility.go`
 *   `unremovableReasonAndNodeUtilization`: an unready node goes through the same utilization check,
 *   and is skipped only when `--scale-down-unready-enabled` is false (`ScaleDownUnreadyDisabled`);
 * - `cluster-autoscaler/config/flags/flags.go`: `scale-down-unready-time` 20m,
 *   `scale-down-unready-enabled` true.
 */
import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import type { NodeGroupKnobs } from '../../../lambdas/engine/nodes/node-group-knobs';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import { planScaleDown } from '../../../lambdas/engine/nodes/scale-down-plan';
import { GIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

interface Row {
  label: string;
  ready: boolean;
  unneededMinutes: number;
  knobs?: Partial<NodeGroupKnobs>;
  /** A pod on n1 that fits nowhere else. */
  stuckPod?: boolean;
  drained: boolean;
  reason?: string;
}

const rows: Row[] = [
  { label: 'unready, unneeded 15 min: waits for the 20 min unready time (nodes.go NotUnreadyLongEnough)', ready: false, unneededMinutes: 15, drained: false },
  { label: 'unready, unneeded 21 min: removed (nodes.go unremovableReason, ScaleDownUnreadyTime)', ready: false, unneededMinutes: 21, drained: true },
  { label: 'ready, unneeded 11 min: removed after the 10 min unneeded time (nodes.go, ScaleDownUnneededTime)', ready: true, unneededMinutes: 11, drained: true },
  { label: 'unready, unneeded 11 min: the unneeded time is not enough for an unready node', ready: false, unneededMinutes: 11, drained: false },
  { label: 'unready with a custom 5 min unready time: removed after 6 min', ready: false, unneededMinutes: 6, knobs: { scaleDownUnreadySeconds: 300 }, drained: true },
  { label: 'unready with scaleDownUnreadyEnabled false (eligibility.go ScaleDownUnreadyDisabled)', ready: false, unneededMinutes: 60, knobs: { scaleDownUnreadyEnabled: false }, drained: false, reason: 'ScaleDownUnreadyDisabled' },
  { label: 'unready, but its pod fits nowhere: the drain simulation still applies (NoPlaceToMovePods)', ready: false, unneededMinutes: 60, stuckPod: true, drained: false, reason: 'NoPlaceToMovePods' },
];

describe('scale-down of unready nodes (CA unneeded/nodes.go, eligibility/eligibility.go)', () => {
  it.each(rows)('$label', (row) => {
    const nodes = [node('n1', { ready: row.ready }), node('n2')];
    const pods = [
      pod('big-1', 3000, 4 * GIB, { nodeName: 'n2' }),
      ...(row.stuckPod ? [pod('stuck-1', 1500, GIB, { nodeName: 'n1' })] : [pod('small-1', 400, GIB, { nodeName: 'n1' })]),
    ];
    const knobs = { ...DEFAULT_NODE_GROUP_KNOBS, ...row.knobs };
    const state = { ...emptyNodeGroupState(), unneededSince: { n1: NOW - row.unneededMinutes * MIN } };
    const view = buildGroupView(asg({ desiredCapacity: 2, instances: inService('n1', 'n2') }), knobs, state, nodes, NOW);
    const plan = planScaleDown(view, { nodes, pods, pdbs: [], now: NOW, scalingUp: false });
    expect(plan.drain?.node).toBe(row.drained ? 'n1' : undefined);
    const assessment = plan.assessments.find((entry) => entry.node === 'n1');
    expect(assessment?.reason).toBe(row.reason);
  });

  it('the knobs default as Cluster Autoscaler (flags.go: 20m, enabled)', () => {
    expect(DEFAULT_NODE_GROUP_KNOBS).toMatchObject({ scaleDownUnreadySeconds: 1200, scaleDownUnreadyEnabled: true });
  });
});
