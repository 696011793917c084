/**
 * Cluster-wide settings of the node scaler, as Cluster Autoscaler's flags: which expander picks the
 * group to grow (`--expander`, `--expander` priority ConfigMap), whether similar groups grow together
 * (`--balance-similar-node-groups`, `--balancing-ignore-label`) and the cluster's ceilings
 * (`--max-nodes-total`, `--cores-total`, `--memory-total`). They apply to each cluster on its own.
 * Checked at synth time and again when a tick reads them; a bad value is an error naming the field
 * and the fix.
 */
import type { ExpanderName } from './expanders/expansion-option';
import { EXPANDER_NAMES } from './expanders/expansion-option';
import type { CompiledPriority, ExpanderPriorities } from './expanders/priority';
import { compilePriorities } from './expanders/priority';

export interface ClusterLimits {
  /** Nodes in the cluster, registered or requested, at most (CA `--max-nodes-total`; default none). */
  maxNodesTotal?: number;
  /** Cores in the cluster at most (the max of CA `--cores-total`; default none, CA's is 320,000). */
  maxCoresTotal?: number;
  /** GiB of memory in the cluster at most (the max of CA `--memory-total`; default none, CA's is 6,400,000). */
  maxMemoryTotalGiB?: number;
}

export interface NodeScalingOptions {
  /** One expander or a chain tried in order (CA `--expander`, default `least-waste`). */
  expander?: ExpanderName | readonly ExpanderName[];
  /** For the `priority` expander: priority → ASG-name patterns, higher wins. */
  expanderPriorities?: ExpanderPriorities;
  /** Split a scale-up across similar groups, e.g. one ASG per Availability Zone (default false). */
  balanceSimilarNodeGroups?: boolean;
  /** Labels to ignore, besides CA's own list, when deciding that two groups are similar. */
  balancingIgnoreLabels?: readonly string[];
  clusterLimits?: ClusterLimits;
}

export interface ResolvedNodeScaling {
  expanders: ExpanderName[];
  priorities?: CompiledPriority[];
  balanceSimilarNodeGroups: boolean;
  balancingIgnoreLabels: string[];
  limits: ClusterLimits;
}

export const DEFAULT_EXPANDER: ExpanderName = 'least-waste';

const LIMIT_FIELDS = ['maxNodesTotal', 'maxCoresTotal', 'maxMemoryTotalGiB'] as const;

export function resolveNodeScaling(options: NodeScalingOptions | undefined, where = 'nodeScaling'): ResolvedNodeScaling {
  const given = options ?? {};
  const raw = given.expander ?? DEFAULT_EXPANDER;
  const expanders = (Array.isArray(raw) ? [...raw] : [raw]) as unknown[];
  if (expanders.length === 0) throw new Error(`${where}.expander: is empty; name one of ${EXPANDER_NAMES.join(', ')} (default ${DEFAULT_EXPANDER})`);
  for (const name of expanders) {
    if (!EXPANDER_NAMES.includes(name as ExpanderName)) {
      throw new Error(`${where}.expander: ${JSON.stringify(name)} is not an expander; use ${EXPANDER_NAMES.join(', ')}, or a list of them tried in order`);
    }
  }
  const usesPriority = expanders.includes('priority');
  if (usesPriority && given.expanderPriorities === undefined) {
    throw new Error(`${where}.expanderPriorities: the priority expander needs it; map priorities to ASG-name patterns, e.g. { 10: ['.*-spot-.*'], 50: ['.*-on-demand-.*'] }`);
  }
  if (!usesPriority && given.expanderPriorities !== undefined) {
    throw new Error(`${where}.expanderPriorities: only the priority expander reads it; add 'priority' to ${where}.expander or remove expanderPriorities`);
  }
  const priorities = given.expanderPriorities === undefined ? undefined : compilePriorities(given.expanderPriorities, `${where}.expanderPriorities`);
  if (given.balanceSimilarNodeGroups !== undefined && typeof given.balanceSimilarNodeGroups !== 'boolean') {
    throw new Error(`${where}.balanceSimilarNodeGroups: ${JSON.stringify(given.balanceSimilarNodeGroups)} is not a boolean; use true or false (default false)`);
  }
  const ignore = given.balancingIgnoreLabels ?? [];
  if (!Array.isArray(ignore) || ignore.some((label) => typeof label !== 'string' || label === '')) {
    throw new Error(`${where}.balancingIgnoreLabels: give a list of label keys, e.g. ['example.com/rack']`);
  }
  const limits: ClusterLimits = {};
  for (const field of LIMIT_FIELDS) {
    const value = (given.clusterLimits as Record<string, unknown> | undefined)?.[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${where}.clusterLimits.${field}: ${JSON.stringify(value)} is not valid; use a whole number of 1 or more, or leave it out for no limit`);
    }
    limits[field] = value;
  }
  return {
    expanders: expanders as ExpanderName[],
    priorities,
    balanceSimilarNodeGroups: given.balanceSimilarNodeGroups ?? false,
    balancingIgnoreLabels: [...ignore],
    limits,
  };
}
