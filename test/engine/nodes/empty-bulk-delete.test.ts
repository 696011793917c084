/**
 * Issue 15 item 12: empty nodes are removed in parallel, up to Cluster Autoscaler's bulk limit.
 * Rows cite Cluster Autoscaler:
 * - `cluster-autoscaler/core/scaledown/budgets/budgets.go` `ScaleDownBudgetProcessor.CropNodes`:
 *   empty nodes take the parallelism budget first (`cropIndividualNodes`), then at most
 *   `--max-drain-parallelism` (1) node that needs a drain;
 * - `cluster-autoscaler/FAQ.md` / `config/flags/flags.go`: `--max-empty-bulk-delete` 10 ("Empty
 *   nodes ... can be terminated in bulk, up to 10 nodes at a time"),
 *   `--max-scale-down-parallelism` 10, `--max-drain-parallelism` 1;
 * - `cluster-autoscaler/core/scaledown/unneeded/nodes.go` `verifyMinSize`: never below the group's min.
 * An empty node is one with no pod to move (DaemonSet, mirror and finished pods do not count).
 */
import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import type { NodeGroupKnobs } from '../../../lambdas/engine/nodes/node-group-knobs';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import type { PodInfo } from '../../../lambdas/engine/nodes/node-model';
import { planScaleDown } from '../../../lambdas/engine/nodes/scale-down-plan';
import { GIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

interface Row {
  label: string;
  empty: number;
  /** Underutilized nodes with one small pod that fits elsewhere. */
  light: number;
  minSize?: number;
  knobs?: Partial<NodeGroupKnobs>;
  bulk: number;
  drains: number;
}

const rows: Row[] = [
  { label: '3 empty nodes go in one tick (FAQ: terminated in bulk)', empty: 3, light: 0, bulk: 3, drains: 0 },
  { label: '12 empty nodes: 10 now, the bulk limit (--max-empty-bulk-delete 10)', empty: 12, light: 0, bulk: 10, drains: 0 },
  { label: '2 empty and 1 to drain: both empties and one drain (budgets.go CropNodes, --max-drain-parallelism 1)', empty: 2, light: 2, bulk: 2, drains: 1 },
  { label: '10 empty and 1 to drain: the budget is used up by the empties, no drain', empty: 10, light: 1, bulk: 10, drains: 0 },
  { label: '6 empty, min size leaves room for 4 (nodes.go verifyMinSize)', empty: 6, light: 0, minSize: 3, bulk: 4, drains: 0 },
  { label: 'maxEmptyBulkDelete 1: one empty node per tick', empty: 3, light: 0, knobs: { maxEmptyBulkDelete: 1 }, bulk: 1, drains: 0 },
];

describe('empty nodes in bulk (CA budgets.go CropNodes, --max-empty-bulk-delete)', () => {
  it.each(rows)('$label', (row) => {
    const names = [...Array.from({ length: row.empty }, (_, i) => `e${i}`), ...Array.from({ length: row.light }, (_, i) => `l${i}`), 'busy'];
    const nodes = names.map((name) => node(name));
    const pods: PodInfo[] = [
      pod('big-1', 2400, 4 * GIB, { nodeName: 'busy' }),
      ...Array.from({ length: row.light }, (_, i) => pod(`small-${i}`, 200, GIB, { nodeName: `l${i}` })),
      // A DaemonSet pod does not make a node non-empty.
      ...Array.from({ length: row.empty }, (_, i) => pod(`agent-${i}`, 100, GIB, { nodeName: `e${i}`, owner: { kind: 'DaemonSet', name: 'agent' } })),
    ];
    const unneededSince = Object.fromEntries(names.filter((name) => name !== 'busy').map((name) => [name, NOW - 11 * MIN]));
    const group = asg({ minSize: row.minSize ?? 0, desiredCapacity: names.length, instances: inService(...names) });
    const view = buildGroupView(group, { ...DEFAULT_NODE_GROUP_KNOBS, ...row.knobs }, { ...emptyNodeGroupState(), unneededSince }, nodes, NOW);
    const plan = planScaleDown(view, { nodes, pods, pdbs: [], now: NOW, scalingUp: false });
    expect(plan.emptyNodes ?? []).toHaveLength(row.bulk);
    for (const entry of plan.emptyNodes ?? []) expect(entry).toMatchObject({ node: expect.stringMatching(/^e\d+$/), pods: [] });
    expect(plan.drain ? 1 : 0).toBe(row.drains);
    if (plan.drain) expect(plan.drain.node).toMatch(/^l\d+$/);
  });

  it('defaults to 10, as CA', () => {
    expect(DEFAULT_NODE_GROUP_KNOBS.maxEmptyBulkDelete).toBe(10);
  });
});
