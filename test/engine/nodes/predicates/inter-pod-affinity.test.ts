/**
 * Required inter-pod affinity and anti-affinity, rows from kube-scheduler's InterPodAffinity plugin
 * test: kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go,
 * TestRequiredAffinitySingleNode. The node carries region r1 and zone z11, as upstream's node1; the
 * upstream pods use the default namespace "".
 */
import { describe, expect, it } from 'vitest';
import type { LabelSelector, PodAffinityTerm, PodScheduling } from '../../../../lambdas/engine/nodes/node-model';
import { interPodAffinityBlocker } from '../../../../lambdas/engine/nodes/predicates/inter-pod-affinity';
import type { PlacedPod, SimulatedNode } from '../../../../lambdas/engine/nodes/predicates/placed-pod';

const NS = '';
const SECURITYSCAN = { service: 'securityscan' };
const S1 = { security: 'S1' };

function term(topologyKey: string, selector: LabelSelector, namespaces: string[] = []): PodAffinityTerm {
  return { selector, topologyKey, namespaces, anyNamespace: false };
}
const serviceIn = (key: string, values: string[]) => term(key, { matchExpressions: [{ key: 'service', operator: 'In', values }] });
const serviceNotIn = (key: string, values: string[]) => term(key, { matchExpressions: [{ key: 'service', operator: 'NotIn', values }] });
const exists = (label: string, key: string) => term(key, { matchExpressions: [{ key: label, operator: 'Exists' }] });

function incoming(labels: Record<string, string>, affinity: PodAffinityTerm[] = [], antiAffinity: PodAffinityTerm[] = []): PodScheduling {
  return { requests: { cpuMilli: 0, memoryBytes: 0, pods: 1 }, namespace: NS, labels, requiredPodAffinity: affinity, requiredPodAntiAffinity: antiAffinity };
}
function existing(labels: Record<string, string>, antiAffinity: PodAffinityTerm[] = [], namespace = NS): PlacedPod {
  return { namespace, labels, requiredPodAntiAffinity: antiAffinity };
}
function node1(pods: PlacedPod[]): SimulatedNode {
  return { id: 'node1', labels: { region: 'r1', zone: 'z11' }, taints: [], pods };
}

describe('InterPodAffinity (TestRequiredAffinitySingleNode)', () => {
  it.each<[string, PodScheduling, PlacedPod[], boolean]>([
    ['A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods', incoming({}), [], true],
    [
      'satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod',
      incoming(S1, [serviceIn('region', ['securityscan', 'value2'])]),
      [existing(SECURITYSCAN)],
      true,
    ],
    [
      'satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod',
      incoming(S1, [serviceNotIn('region', ['securityscan3', 'value3'])]),
      [existing(SECURITYSCAN)],
      true,
    ],
    [
      'Does not satisfy the PodAffinity with labelSelector because of diff Namespace',
      incoming(S1, [term('', { matchExpressions: [{ key: 'service', operator: 'In', values: ['securityscan', 'value2'] }] }, ['DiffNameSpace'])]),
      [existing(SECURITYSCAN, [], 'ns')],
      false,
    ],
    [
      "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
      incoming(SECURITYSCAN, [serviceIn('', ['antivirusscan', 'value2'])]),
      [existing(SECURITYSCAN)],
      false,
    ],
    [
      'satisfies the PodAffinity and PodAntiAffinity with the existing pod',
      incoming(S1, [serviceIn('region', ['securityscan', 'value2'])], [serviceIn('node', ['antivirusscan', 'value2'])]),
      [existing(SECURITYSCAN)],
      true,
    ],
    [
      "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
      incoming(S1, [serviceIn('region', ['securityscan', 'value2'])], [serviceIn('zone', ['securityscan', 'value2'])]),
      [existing(SECURITYSCAN)],
      false,
    ],
    [
      "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod",
      incoming(SECURITYSCAN, [serviceIn('region', ['securityscan', 'value2'])], [serviceIn('node', ['antivirusscan', 'value2'])]),
      [existing(SECURITYSCAN, [serviceIn('zone', ['securityscan', 'value2'])])],
      false,
    ],
    [
      'verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn\'t satisfy PodAntiAffinity symmetry with the existing pod',
      incoming(SECURITYSCAN),
      [existing(SECURITYSCAN, [serviceIn('zone', ['securityscan', 'value2'])])],
      false,
    ],
    [
      'verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod',
      incoming(SECURITYSCAN),
      [existing(SECURITYSCAN, [serviceNotIn('zone', ['securityscan', 'value2'])])],
      true,
    ],
    [
      "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
      incoming(SECURITYSCAN, [], [exists('service', 'region'), exists('security', 'region')]),
      [existing(S1, [exists('security', 'zone')])],
      false,
    ],
    [
      'PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms',
      incoming(S1, [], [exists('security', 'zone')]),
      [existing(SECURITYSCAN, [exists('service', 'zone'), exists('security', 'zone')])],
      false,
    ],
  ])('%s', (_name, pod, onNode, fits) => {
    const node = node1(onNode);
    expect(interPodAffinityBlocker(pod, node, [node]) === undefined).toBe(fits);
  });

  it('pod matches its own Label in PodAffinity and that matches the existing pod Labels (the existing pod is on a node outside the snapshot)', () => {
    // Upstream puts the existing pod on node2, which is not in the snapshot: it never counts.
    const pod = incoming(SECURITYSCAN, [serviceNotIn('region', ['securityscan', 'value2'])]);
    const node = node1([]);
    expect(interPodAffinityBlocker(pod, node, [node])).toMatch(/pod affinity/);
  });

  it('the first pod of a series with affinity to itself may go anywhere that has the topology key', () => {
    // interpodaffinity/filtering.go satisfyPodAffinity: no pod matches the terms and the pod matches them itself.
    const pod = incoming({ app: 'db' }, [term('zone', { matchLabels: { app: 'db' } })]);
    const node = node1([]);
    expect(interPodAffinityBlocker(pod, node, [node])).toBeUndefined();
    const keyless: SimulatedNode = { id: 'bare', labels: {}, taints: [], pods: [] };
    expect(interPodAffinityBlocker(pod, keyless, [keyless])).toMatch(/has no zone label/);
  });

  it('anti-affinity on the zone keeps the pod out of every node of the zone, not just the one with the pod', () => {
    const pod = incoming({ app: 'web' }, [], [term('zone', { matchLabels: { app: 'web' } })]);
    const withPod: SimulatedNode = { id: 'a', labels: { zone: 'z1' }, taints: [], pods: [existing({ app: 'web' })] };
    const sameZone: SimulatedNode = { id: 'b', labels: { zone: 'z1' }, taints: [], pods: [] };
    const otherZone: SimulatedNode = { id: 'c', labels: { zone: 'z2' }, taints: [], pods: [] };
    const world = [withPod, sameZone, otherZone];
    expect(interPodAffinityBlocker(pod, sameZone, world)).toMatch(/anti-affinity/);
    expect(interPodAffinityBlocker(pod, otherZone, world)).toBeUndefined();
  });
});
