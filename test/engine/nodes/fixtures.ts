/** Small builders for planner inputs: nodes and pods in the planner's plain shapes. */
import type { AutoScalingGroupInfo } from '../../../lambdas/engine/nodes/auto-scaling-group';
import type { NodeInfo, PodInfo } from '../../../lambdas/engine/nodes/node-model';

export const GIB = 2 ** 30;
export const MIB = 2 ** 20;

export function node(name: string, overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    name,
    instanceId: `i-${name}`,
    labels: { 'kubernetes.io/hostname': name, pool: 'general' },
    annotations: {},
    taints: [],
    unschedulable: false,
    ready: true,
    allocatable: { cpuMilli: 4000, memoryBytes: 16 * GIB, pods: 58 },
    createdAt: 0,
    ...overrides,
  };
}

export function pod(name: string, cpuMilli: number, memoryBytes: number, overrides: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace: 'apps',
    name,
    labels: { app: name.replace(/-\d+$/, '') },
    annotations: {},
    phase: 'Running',
    owner: { kind: 'ReplicaSet', name: `${name}-rs` },
    mirror: false,
    unschedulable: false,
    localStorageVolumes: [],
    createdAt: 0,
    requests: { cpuMilli, memoryBytes, pods: 1 },
    ...overrides,
  };
}

export function asg(overrides: Partial<AutoScalingGroupInfo> = {}): AutoScalingGroupInfo {
  return {
    name: 'workers',
    minSize: 0,
    maxSize: 10,
    desiredCapacity: 0,
    instances: [],
    tags: {},
    instanceTypes: [],
    activities: [],
    ...overrides,
  };
}

export function inService(...names: string[]) {
  return names.map((name) => ({ instanceId: `i-${name}`, lifecycleState: 'InService' }));
}
