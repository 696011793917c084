/**
 * CPU time of the node scaler's scale-up plan (planScaleUp) as the expander chain sees it: every
 * choice re-packs the pods still without a node for every group that may grow, so the cost grows with
 * groups × pending pods × choices. Rows: groups of different shapes (least-waste decides each
 * choice), per-AZ groups balanced together, and a cluster limit that stops the plan early.
 *
 *   npx tsx bench/node-planner.ts
 */
import { buildGroupView } from '../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../lambdas/engine/nodes/node-group-state';
import type { NodeScalingOptions } from '../lambdas/engine/nodes/node-scaling-options';
import { resolveNodeScaling } from '../lambdas/engine/nodes/node-scaling-options';
import type { PendingPod } from '../lambdas/engine/nodes/scale-up-plan';
import { planScaleUp } from '../lambdas/engine/nodes/scale-up-plan';
import { isMain, writeResult } from './support/output';
import { formatNumber, formatTable, median } from './support/table';

const T = 'k8s.io/cluster-autoscaler/node-template/';
const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const SHAPES: Array<[string, string]> = [
  ['2', '8Gi'],
  ['4', '16Gi'],
  ['8', '32Gi'],
  ['4', '8Gi'],
  ['8', '64Gi'],
];

function groups(count: number, similar: boolean) {
  return Array.from({ length: count }, (_, index) => {
    const [cpu, memory] = similar ? ['4', '16Gi'] : SHAPES[index % SHAPES.length]!;
    const tags = { [`${T}label/pool`]: 'general', [`${T}resources/cpu`]: cpu, [`${T}resources/memory`]: memory, [`${T}resources/pods`]: '58' };
    return buildGroupView(
      { name: `workers-${index}`, minSize: 0, maxSize: 1000, desiredCapacity: 0, instances: [], tags, instanceTypes: [], activities: [] },
      DEFAULT_NODE_GROUP_KNOBS,
      emptyNodeGroupState(),
      [],
      NOW,
    );
  });
}

/** Pods of five sizes; every tenth needs a pool no group has, so it is reported for every group. */
function pending(count: number): PendingPod[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `apps/web-${index}`,
    source: 'unschedulable' as const,
    pod: {
      requests: { cpuMilli: 250 * (1 + (index % 5)), memoryBytes: 2 ** 28 * (1 + (index % 3)), pods: 1 },
      ...(index % 10 === 9 ? { nodeSelector: { pool: 'gpu' } } : {}),
    },
  }));
}

interface Row {
  case: string;
  groups: number;
  pods: number;
  nodes: number;
  medianMs: number;
}

function measure(label: string, groupCount: number, podCount: number, options: NodeScalingOptions, similar = false): Row {
  const views = groups(groupCount, similar);
  const pods = pending(podCount);
  const scaling = resolveNodeScaling(options);
  const times: number[] = [];
  let nodes = 0;
  for (let run = 0; run < 5; run += 1) {
    const start = process.cpuUsage();
    const plan = planScaleUp(views, [], [], pods, [], { scaling });
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
    nodes = plan.groups.reduce((sum, group) => sum + group.newNodes, 0);
  }
  return { case: label, groups: groupCount, pods: podCount, nodes, medianMs: median(times) };
}

export function runNodePlannerBench(): Row[] {
  return [
    measure('least-waste, different shapes', 5, 100, {}),
    measure('least-waste, different shapes', 20, 1000, {}),
    measure('least-waste, different shapes', 50, 5000, {}),
    measure('balanced, similar per-AZ groups', 3, 1000, { balanceSimilarNodeGroups: true }, true),
    measure('balanced, similar per-AZ groups', 12, 5000, { balanceSimilarNodeGroups: true }, true),
    measure('maxNodesTotal 50 stops early', 50, 5000, { clusterLimits: { maxNodesTotal: 50 } }),
  ];
}

if (isMain(import.meta.url)) {
  const rows = runNodePlannerBench();
  console.log(
    formatTable(
      'planScaleUp CPU time (median of 5 runs, one process)',
      ['case', 'groups', 'pending pods', 'new nodes', 'CPU ms'],
      rows.map((row) => [row.case, row.groups, formatNumber(row.pods), formatNumber(row.nodes), row.medianMs.toFixed(1)]),
    ),
  );
  await writeResult('node-planner', rows);
}
