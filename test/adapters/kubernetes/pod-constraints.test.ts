/**
 * How a pod spec becomes the planner's constraint data: extended requests (limits stand in for
 * requests, init containers as the scheduler counts them), host ports (sidecars and hostNetwork
 * included, plain init containers not), matchLabelKeys folded into selectors, DoNotSchedule spread
 * only, and the claims of PVC and generic ephemeral volumes.
 */
import { describe, expect, it } from 'vitest';
import type { V1PodSpec } from '@kubernetes/client-node';
import { toPodInfo } from '../../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { extendedAllocatable, isExtendedResource } from '../../../lambdas/adapters/kubernetes/pod-constraints';

function podOf(spec: Partial<V1PodSpec>, labels: Record<string, string> = { app: 'web', 'pod-template-hash': 'abc' }) {
  return toPodInfo({ metadata: { name: 'web-1', namespace: 'shop', labels }, spec: { containers: [], ...spec } });
}

describe('pod spec → scheduling constraints', () => {
  it.each<[string, boolean]>([
    ['nvidia.com/gpu', true],
    ['vpc.amazonaws.com/pod-eni', true],
    ['hugepages-2Mi', true],
    ['cpu', false],
    ['ephemeral-storage', false],
    ['kubernetes.io/something', false],
  ])('%s is an extended resource: %s', (name, expected) => {
    expect(isExtendedResource(name)).toBe(expected);
  });

  it('takes a GPU limit as the request, sums containers and keeps the larger init container', () => {
    const pod = podOf({
      initContainers: [{ name: 'warm', resources: { limits: { 'nvidia.com/gpu': '3' } } }],
      containers: [
        { name: 'a', resources: { limits: { 'nvidia.com/gpu': '1' } } },
        { name: 'b', resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } },
      ],
    });
    expect(pod.extendedRequests).toEqual({ 'nvidia.com/gpu': 3 });
    expect(podOf({ containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }] }).extendedRequests).toBeUndefined();
  });

  it('reads node extended allocatable', () => {
    expect(extendedAllocatable({ cpu: '4', memory: '16Gi', pods: '58', 'nvidia.com/gpu': '4', 'ephemeral-storage': '100Gi' })).toEqual({ extendedAllocatable: { 'nvidia.com/gpu': 4 } });
  });

  it('host ports of containers and sidecars, hostNetwork ports, never a plain init container', () => {
    const pod = podOf({
      hostNetwork: true,
      initContainers: [
        { name: 'setup', ports: [{ containerPort: 1111, hostPort: 1111 }] },
        { name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 2222, hostPort: 2222, protocol: 'UDP' }] },
      ],
      containers: [{ name: 'main', ports: [{ containerPort: 9100 }, { containerPort: 8080, hostPort: 80, hostIP: '10.0.0.1' }] }],
    });
    expect(pod.hostPorts).toEqual([
      { port: 2222, protocol: 'UDP', hostIP: '' },
      { port: 9100, protocol: 'TCP', hostIP: '' },
      { port: 80, protocol: 'TCP', hostIP: '10.0.0.1' },
    ]);
  });

  it('required (anti-)affinity terms; matchLabelKeys folded in; a namespaceSelector looks everywhere', () => {
    const pod = podOf({
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname', matchLabelKeys: ['pod-template-hash'] },
          ],
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { labelSelector: {}, topologyKey: 'zone' } }],
        },
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone', namespaceSelector: {} }] },
      },
    });
    expect(pod.requiredPodAntiAffinity).toEqual([
      {
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'In', values: ['abc'] }] },
        topologyKey: 'kubernetes.io/hostname',
        namespaces: [],
        anyNamespace: false,
      },
    ]);
    expect(pod.requiredPodAffinity).toEqual([{ selector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone', namespaces: [], anyNamespace: true }]);
  });

  it('DoNotSchedule spread constraints only, with their defaults', () => {
    const pod = podOf({
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, matchLabelKeys: ['pod-template-hash'], minDomains: 3 },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } },
      ],
    });
    expect(pod.topologySpread).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'In', values: ['abc'] }] },
        minDomains: 3,
        nodeAffinityPolicy: 'Honor',
        nodeTaintsPolicy: 'Ignore',
      },
    ]);
  });

  it('claims of PVC volumes and of generic ephemeral volumes (<pod>-<volume>)', () => {
    const pod = podOf({
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
        { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } },
        { name: 'config', configMap: { name: 'cfg' } },
      ],
    });
    expect(pod.claimNames).toEqual(['data-web-1', 'web-1-scratch']);
  });

  it('a quantity that is not a number is an error, never a zero', () => {
    expect(() => podOf({ containers: [{ name: 'a', resources: { limits: { 'nvidia.com/gpu': 'lots' } } }] })).toThrow(/not a Kubernetes quantity/);
  });
});
