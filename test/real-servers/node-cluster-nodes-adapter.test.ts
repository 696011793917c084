/**
 * The node scaler's Kubernetes adapter (KubernetesClusterNodesApi) against a real kube-apiserver,
 * as the node scaler's EKS identity with deploy/rbac.yaml applied. Moved from
 * test/node-scaler/adapters.test.ts (the hand-written server) with its assertions kept; its pure
 * rows stay there.
 *
 * Where the real server differs, the set-up adapts (real server):
 *  - the 403 is the server's own: an identity whose group no binding names, where the hand-written
 *    server injected one (`failNext`);
 *  - the TaintNodesByCondition admission plugin puts `node.kubernetes.io/not-ready` on every new
 *    Node; it is lifted after creation (the node lifecycle controller's job once the node is Ready,
 *    none runs here), so the node holds only the taints the test gave it;
 *  - the budget's status is written through the status subresource, including `observedGeneration`
 *    (the disruption controller's job): the server refuses evictions under a budget it thinks is
 *    not yet processed;
 *  - the pods are not bound to a node, so the server deletes an evicted pod at once and the third
 *    eviction finds it gone.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubernetesClusterNodesApi } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { NODE_SCALER_IDENTITY, REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type EksTestIdentity, type RealKubeApiServer } from '../support/real-kube-apiserver';

const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');
/** A role with an access entry but no Kubernetes permissions: its group is bound to nothing. */
const UNBOUND_IDENTITY: EksTestIdentity = {
  accessKeyId: 'AKIDUNBOUNDTEST',
  secretAccessKey: 'unbound-test-secret',
  username: 'arn:aws:sts::111122223333:assumed-role/unbound/unbound',
  groups: ['no-binding-names-this-group'],
};
let kube: RealKubeApiServer;

beforeAll(async () => {
  if (REAL_KUBE_SKIP) return;
  kube = await startRealKubeApiServer({ identities: [NODE_SCALER_IDENTITY, UNBOUND_IDENTITY] });
  await kube.apply(RBAC_YAML);
  await kube.apply('{apiVersion: v1, kind: Namespace, metadata: {name: apps}}');
}, REAL_KUBE_START_TIMEOUT_MS);
afterAll(async () => kube?.close());

const nodeSpec = async (name: string) => (await kube.read<KubernetesObject & { spec: unknown }>('v1', 'Node', undefined, name))?.spec;

describe.skipIf(REAL_KUBE_SKIP)('Kubernetes cluster nodes adapter (real kube-apiserver, the node scaler identity)', () => {
  it("cordon + taint and back keep the node's other taints", async () => {
    const [node] = await kube.apply([{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] } } as KubernetesObject]);
    await kube.mergePatch(node!, { spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] } }); // lifts not-ready (header)
    const api = new KubernetesClusterNodesApi(kube.kubeConfigAs(NODE_SCALER_IDENTITY));
    await api.cordonAndTaint('n1', { key: 'eks-lambda-scaler.io/to-be-deleted', effect: 'NoSchedule' });
    await api.cordonAndTaint('n1', { key: 'eks-lambda-scaler.io/to-be-deleted', effect: 'NoSchedule' });
    expect(await nodeSpec('n1')).toEqual({ unschedulable: true, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }, { key: 'eks-lambda-scaler.io/to-be-deleted', effect: 'NoSchedule' }] });
    await api.uncordonAndUntaint('n1', 'eks-lambda-scaler.io/to-be-deleted');
    expect(await nodeSpec('n1')).toEqual({ taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
  });

  it('a 403 names the RBAC rule to add', async () => {
    await expect(new KubernetesClusterNodesApi(kube.kubeConfigAs(UNBOUND_IDENTITY)).listNodes()).rejects.toThrow(
      /add to the node scaler's ClusterRole: apiGroups \[""\], resources \["nodes"\], verbs \["list"\]/,
    );
  });

  it('eviction: 201 evicted, 429 blocked by the PDB, 404 gone', async () => {
    const pod = (name: string, app: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps', labels: { app } }, spec: { containers: [{ name: 'main', image: 'app:1' }] } }) as KubernetesObject;
    const [p1, p2, budget] = await kube.apply([
      pod('p1', 'web'),
      pod('p2', 'db'),
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'apps' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'db' } } } } as KubernetesObject,
    ]);
    for (const running of [p1!, p2!]) await kube.writeStatus(running, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    await kube.writeStatus(budget!, { observedGeneration: budget!.metadata!.generation, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 });
    const api = new KubernetesClusterNodesApi(kube.kubeConfigAs(NODE_SCALER_IDENTITY));
    expect(await api.evictPod('apps', 'p1')).toEqual({ outcome: 'evicted' });
    expect(await api.evictPod('apps', 'p2')).toEqual({ outcome: 'blocked', message: expect.stringMatching(/disruption budget/) });
    expect(await api.evictPod('apps', 'p1')).toEqual({ outcome: 'gone' });
  });
});
