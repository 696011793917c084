/**
 * `npx tsx bench/node-constraints.ts [--sizes 100,500,1000]`: what the scheduling-constraint
 * predicates cost the node scaler's planning per tick. A cluster of N nodes in 3 zones, 20 pods on
 * each; with constraints, every pod carries a zone spread (maxSkew 1) and half a hostname
 * anti-affinity, and 100 pending pods do too. Prints the wall time of one scale-up plan and one
 * scale-down assessment of every node (the drain simulation of each), with and without constraints.
 */
import { performance } from 'node:perf_hooks';
import { buildGroupView } from '../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../lambdas/engine/nodes/node-group-state';
import type { NodeInfo, PodInfo, PodScheduling } from '../lambdas/engine/nodes/node-model';
import { planScaleDown } from '../lambdas/engine/nodes/scale-down-plan';
import type { PendingPod } from '../lambdas/engine/nodes/scale-up-plan';
import { planScaleUp } from '../lambdas/engine/nodes/scale-up-plan';

const GIB = 2 ** 30;
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const PODS_PER_NODE = 20;
const PENDING = 100;
const NOW = 1_800_000_000_000;

const sizesArg = process.argv.indexOf('--sizes');
const sizes = sizesArg > 0 ? process.argv[sizesArg + 1]!.split(',').map(Number) : [100, 500, 1000];

function constraintsFor(app: string, index: number, constrained: boolean): Partial<PodScheduling> {
  if (!constrained) return {};
  return {
    topologySpread: [{ maxSkew: 1, topologyKey: ZONE, selector: { matchLabels: { app } }, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore' }],
    ...(index % 2 === 0 ? { requiredPodAntiAffinity: [{ selector: { matchLabels: { app } }, topologyKey: HOST, namespaces: [], anyNamespace: false }] } : {}),
  };
}

function world(size: number, constrained: boolean) {
  const nodes: NodeInfo[] = [];
  const pods: PodInfo[] = [];
  for (let n = 0; n < size; n += 1) {
    const name = `node-${n}`;
    nodes.push({
      name,
      instanceId: `i-${n}`,
      labels: { [HOST]: name, [ZONE]: `zone-${n % 3}` },
      annotations: {},
      taints: [],
      unschedulable: false,
      ready: true,
      allocatable: { cpuMilli: 8000, memoryBytes: 32 * GIB, pods: 58 },
      createdAt: 0,
    });
    for (let p = 0; p < PODS_PER_NODE; p += 1) {
      const app = `app-${(n * PODS_PER_NODE + p) % 50}`;
      pods.push({
        requests: { cpuMilli: 100, memoryBytes: GIB / 4, pods: 1 },
        namespace: 'shop',
        name: `${name}-pod-${p}`,
        labels: { app },
        annotations: {},
        nodeName: name,
        phase: 'Running',
        owner: { kind: 'ReplicaSet', name: app },
        mirror: false,
        unschedulable: false,
        localStorageVolumes: [],
        createdAt: 0,
        ...constraintsFor(app, p, constrained),
      });
    }
  }
  const pending: PendingPod[] = Array.from({ length: PENDING }, (_, index) => {
    const app = `burst-${index % 10}`;
    return { id: `shop/${app}-${index}`, pod: { requests: { cpuMilli: 1000, memoryBytes: 2 * GIB, pods: 1 }, namespace: 'shop', labels: { app }, ...constraintsFor(app, index, constrained) }, source: 'unschedulable' };
  });
  const group = {
    name: 'workers',
    minSize: 0,
    maxSize: size + 200,
    desiredCapacity: size,
    instances: nodes.map((node) => ({ instanceId: node.instanceId!, lifecycleState: 'InService' })),
    tags: {},
    instanceTypes: [],
    activities: [],
  };
  const view = buildGroupView(group, { ...DEFAULT_NODE_GROUP_KNOBS, scaleDownUnneededSeconds: 0 }, emptyNodeGroupState(), nodes, NOW);
  return { nodes, pods, pending, view };
}

function timed(run: () => unknown): number {
  run(); // warm up
  const began = performance.now();
  run();
  return performance.now() - began;
}

console.log(`nodes  pods    constraints  scale-up plan (${PENDING} pending)  scale-down: assess every node`);
for (const size of sizes) {
  for (const constrained of [false, true]) {
    const { nodes, pods, pending, view } = world(size, constrained);
    const up = timed(() => planScaleUp([view], nodes, pods, pending, []));
    const down = timed(() => planScaleDown(view, { nodes, pods, pdbs: [], now: NOW, scalingUp: false }));
    console.log(
      `${String(size).padStart(5)}  ${String(pods.length).padStart(6)}  ${(constrained ? 'yes' : 'no').padEnd(11)}  ${`${up.toFixed(0)} ms`.padStart(28)}  ${`${down.toFixed(0)} ms`.padStart(29)}`,
    );
  }
}
