/**
 * Cluster-wide ceilings on scale-up, as CA applies `--max-nodes-total`, `--cores-total` and
 * `--memory-total` (core/scaleup/orchestrator/orchestrator.go, core/scaleup/resource/manager.go):
 * a group whose one new node would pass a ceiling is skipped, and the chosen scale-up is cut to what
 * fits under every ceiling.
 *
 * What counts, as in CA: every registered node plus nodes requested and not registered yet; cores
 * and memory of each group as its desired capacity times its node shape, plus the nodes that belong
 * to no configured group. CA reads a node's capacity; the node scaler knows allocatable only, so a
 * node counts its allocatable CPU rounded up to whole cores (its capacity on EKS, whose reserved CPU
 * is under a core) and its allocatable memory.
 */
import type { GroupView } from './group-view';
import type { ClusterLimits } from './node-scaling-options';
import type { NodeInfo, Resources } from './node-model';

const GIB = 2 ** 30;

export interface ClusterUsage {
  nodes: number;
  cores: number;
  memoryBytes: number;
}

export interface ClusterBudget {
  limits: ClusterLimits;
  used: ClusterUsage;
}

export interface NodeSize {
  cores: number;
  memoryBytes: number;
}

export function nodeSize(allocatable: Resources): NodeSize {
  return { cores: Math.ceil(allocatable.cpuMilli / 1000), memoryBytes: allocatable.memoryBytes };
}

export function clusterUsage(groups: readonly GroupView[], nodes: readonly NodeInfo[]): ClusterUsage {
  const inGroups = new Set<string>();
  const usage: ClusterUsage = { nodes: nodes.length, cores: 0, memoryBytes: 0 };
  for (const view of groups) {
    for (const node of view.nodes) inGroups.add(node.name);
    // Requested instances that have not registered a node yet are nodes all the same (CA's upcoming nodes).
    usage.nodes += Math.max(0, view.asg.desiredCapacity - view.nodes.length);
    if (view.template) {
      const size = nodeSize(view.template.allocatable);
      usage.cores += view.asg.desiredCapacity * size.cores;
      usage.memoryBytes += view.asg.desiredCapacity * size.memoryBytes;
    } else {
      for (const node of view.nodes) addNode(usage, node.allocatable);
    }
  }
  for (const node of nodes) if (!inGroups.has(node.name)) addNode(usage, node.allocatable);
  return usage;
}

function addNode(usage: ClusterUsage, allocatable: Resources): void {
  const size = nodeSize(allocatable);
  usage.cores += size.cores;
  usage.memoryBytes += size.memoryBytes;
}

export interface RoomUnderLimits {
  /** New nodes of this size that fit under every ceiling (Infinity with no ceiling). */
  nodes: number;
  /** The ceiling that allows the fewest, for the explanation. */
  boundBy?: string;
}

export function roomUnderLimits(budget: ClusterBudget, size: NodeSize): RoomUnderLimits {
  const { limits, used } = budget;
  const rooms: RoomUnderLimits[] = [];
  if (limits.maxNodesTotal !== undefined) {
    rooms.push({ nodes: Math.max(0, limits.maxNodesTotal - used.nodes), boundBy: `maxNodesTotal ${limits.maxNodesTotal} (${used.nodes} nodes registered or requested)` });
  }
  if (limits.maxCoresTotal !== undefined && size.cores > 0) {
    rooms.push({ nodes: Math.max(0, Math.floor((limits.maxCoresTotal - used.cores) / size.cores)), boundBy: `maxCoresTotal ${limits.maxCoresTotal} (${used.cores} cores in the cluster, ${size.cores} per new node)` });
  }
  if (limits.maxMemoryTotalGiB !== undefined && size.memoryBytes > 0) {
    const usedGiB = Math.round((used.memoryBytes / GIB) * 10) / 10;
    const perNodeGiB = Math.round((size.memoryBytes / GIB) * 10) / 10;
    rooms.push({
      nodes: Math.max(0, Math.floor((limits.maxMemoryTotalGiB * GIB - used.memoryBytes) / size.memoryBytes)),
      boundBy: `maxMemoryTotalGiB ${limits.maxMemoryTotalGiB} (${usedGiB} GiB in the cluster, ${perNodeGiB} GiB per new node)`,
    });
  }
  return rooms.reduce<RoomUnderLimits>((least, room) => (room.nodes < least.nodes ? room : least), { nodes: Number.POSITIVE_INFINITY });
}

/** Counts nodes just planned, so the next choice in the same tick sees them. */
export function spend(budget: ClusterBudget, count: number, size: NodeSize): void {
  budget.used.nodes += count;
  budget.used.cores += count * size.cores;
  budget.used.memoryBytes += count * size.memoryBytes;
}
