/**
 * The node scaler's real handler with nothing mocked (real-node-scaler-world.ts): Kubernetes is a
 * real kube-apiserver over HTTPS with deploy/rbac.yaml applied, reached as the node scaler's IAM
 * identity through an EKS token; Auto Scaling is moto over HTTP; state is in dynalite; the clock is
 * fake. What the server alone enforces (an unobserved PodDisruptionBudget), the pod scaler and the
 * node scaler in one tick, and the scale-up notices (moved from test/node-scaler/scale-up-notice.test.ts).
 * Each test owns its group, its nodes and its namespace.
 */
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import type { NodeScalerTickSummary } from '../../lambdas/node-scaler/tick-types';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../../lambdas/pod-scaler/production-runtime';
import type { ScaleUpNotice } from '../../lambdas/pod-scaler/tick-types';
import { MOTO_ACCOUNT_ID } from '../support/moto-server';
import { POD_SCALER_IDENTITY } from '../support/real-kube-apiserver';
import { T0 } from '../node-scaler/node-scaler-world';
import { REAL_CLUSTER as CLUSTER, REAL_NODE_WORLD_SKIP, REAL_REGION as REGION, REAL_STATE_TABLE, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';
import { FakeClock, quietHandlerOptions } from '../pod-scaler/harness';


describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler end to end: real kube-apiserver (HTTPS, RBAC, EKS tokens) and moto Auto Scaling', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  async function groupWithNodes(group: string, nodes: string[]): Promise<Map<string, string>> {
    return world.group({ name: group, maxSize: 5, nodes });
  }
  const pods = (namespace: string, plans: Array<{ name: string; node?: string; cpu: string; labels?: Record<string, string> }>) => world.pods(namespace, plans);
  const invokeAt = (group: string, minutes: number, event?: unknown) => world.tickAt([group], minutes, event);
  const describeGroup = (group: string) => world.describeGroup(group);

  /**
   * Group `<group>` with one full 2-CPU, 17-pod node `<group>-n1` running one replica of Deployment
   * web (1 CPU per pod) and another 900m pod, in namespace `<group>-apps`: any new web replica needs a new node.
   */
  async function fullNodeWithWeb(group: string) {
    const namespace = `${group}-apps`;
    const node = `${group}-n1`;
    await world.group({ name: group, nodes: [{ name: node, cpu: '2', pods: '17' }] });
    await world.pods(namespace, [{ name: 'other-0', node, cpu: '900m', memory: '1Gi' }]);
    const [deployment] = await world.kube.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "web:1", resources: {requests: {cpu: "1", memory: 1Gi}}}]}
`);
    await world.pods(namespace, [{ name: 'web-0', node, cpu: '1', memory: '1Gi', labels: { app: 'web' } }]);
    return { namespace, deployment: deployment! };
  }

  it('never terminates a node whose pod the real server refuses to evict (a PodDisruptionBudget its controller has not observed yet: 429)', async () => {
    await groupWithNodes('pdb-workers', ['pdb-n1', 'pdb-n2']);
    await pods('pdb-apps', [
      { name: 'guarded-1', node: 'pdb-n1', cpu: '200m', labels: { guarded: 'yes' } },
      { name: 'big-1', node: 'pdb-n2', cpu: '1200m' },
    ]);
    // The budget's status says one pod may go, so the planner picks the node; but the disruption
    // controller has not observed the budget's latest generation, and the server refuses any
    // eviction against a budget in that state (429): only a real server enforces this.
    const [budget] = await world.kube.apply([
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guarded', namespace: 'pdb-apps' }, spec: { minAvailable: 1, selector: { matchLabels: { guarded: 'yes' } } } } as KubernetesObject,
    ]);
    await world.kube.writeStatus(budget!, { observedGeneration: (budget!.metadata?.generation ?? 1) - 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1 });
    // Each tick must see the group without error, or the node is not 10 minutes unneeded at the third.
    for (const minutes of [0, 5]) expect((await invokeAt('pdb-workers', minutes)).groups[0]?.error).toBeUndefined();
    const attempt = await invokeAt('pdb-workers', 10);

    const pod = await world.kube.read<KubernetesObject>('v1', 'Pod', 'pdb-apps', 'guarded-1');
    expect(pod?.metadata?.deletionTimestamp).toBeUndefined();
    // The drain waits on the pod with the server's own 429 reason, and the instance stays.
    expect(attempt.groups[0]?.drain).toMatchObject({ node: 'pdb-n1', outcome: 'waiting', detail: expect.stringContaining("violate the pod's disruption budget") });
    expect((await describeGroup('pdb-workers')).Instances?.filter((instance) => !instance.LifecycleState?.startsWith('Terminat'))).toHaveLength(2);
  });

  it('pods and nodes in one tick: the pod scaler\'s scale-up notice makes the node scaler ask moto for the nodes before any pod exists', async () => {
    await fullNodeWithWeb('tick');
    const sqs = new SQSClient(world.moto.clientConfig(REGION));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'tick-jobs' }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `m${index}`, MessageBody: 'job' })) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `n${index}`, MessageBody: 'job' })) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 5 }, (_, index) => ({ Id: `o${index}`, MessageBody: 'job' })) }));
    const parsed = parseManifests(
      `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: tick-apps}
spec:
  scaleTargetRef: {name: web}
  pollingInterval: 60
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
    - type: aws-sqs-queue
      metadata: {queueURL: "https://sqs.${REGION}.amazonaws.com/${MOTO_ACCOUNT_ID}/tick-jobs", awsRegion: ${REGION}, queueLength: "5"}
`,
      { file: 'test.yaml' },
    );
    await world.moto.recordRequests();
    const nodeTicks: NodeScalerTickSummary[] = [];
    const handler = createPodScalerHandler(async () => {
      const runtime = await buildProductionRuntime({
        env: { STATE_TABLE_NAME: REAL_STATE_TABLE },
        config: { defaultCluster: { name: CLUSTER, region: REGION }, clusters: [], scaledObjects: parsed.objects, nodeGroups: [], hpaSyncPeriodSeconds: 0 },
        clock: new FakeClock(T0),
        dynamoDb: world.dynalite.client,
        kubeConfigFor: async () => world.kube.kubeConfigAs(POD_SCALER_IDENTITY),
        awsClients: world.moto.awsClientFactoryOptions({ baseCredentials: async () => ({ ...POD_SCALER_IDENTITY }) }),
      });
      // Stands in for the Lambda async invoke of the node scaler: same payload, delivered at once.
      runtime.tick.onScaleUps = async (scaleUps: ScaleUpNotice[]) => {
        nodeTicks.push(await invokeAt('tick', 0, { source: 'eks-lambda-scaler.pod-scaler', scaleUps }));
      };
      return runtime;
    }, quietHandlerOptions());

    const summary = await handler({}, { getRemainingTimeInMillis: () => 60_000 });

    // 25 messages / 5 per pod = 5 replicas; the HPA's legacy cap from 1 allows 4, written through the real scale subresource.
    expect(summary.scaled).toBe(1);
    expect((await world.kube.read<KubernetesObject & { spec: { replicas: number } }>('apps/v1', 'Deployment', 'tick-apps', 'web'))?.spec.replicas).toBe(4);
    // Three new 1-CPU pods and a full node: two more 2-CPU nodes, asked of moto before any pod exists.
    expect(nodeTicks).toHaveLength(1);
    expect(nodeTicks[0]?.pendingPods).toBe(3);
    expect((await describeGroup('tick')).DesiredCapacity).toBe(3);
    const requests = await world.moto.recordedRequests('SetDesiredCapacity');
    expect(requests).toHaveLength(1);
    expect(new URLSearchParams(requests[0]!.body).get('HonorCooldown')).toBe('false');
  });

  describe('scale-up notices (moved from test/node-scaler/scale-up-notice.test.ts)', () => {
    let sequence = 0;
    async function noticeWorld() {
      sequence += 1;
      const group = `notice-${sequence}`;
      const { namespace, deployment } = await fullNodeWithWeb(group);
      const notice = (toReplicas: number, overrides: Record<string, unknown> = {}) => ({
        source: 'eks-lambda-scaler.pod-scaler',
        scaleUps: [{ cluster: CLUSTER, namespace, apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', fromReplicas: 1, toReplicas, ...overrides }],
      });
      return {
        group,
        namespace,
        notice,
        invoke: (event: unknown, minutes = 0) => world.tickAt([group], minutes, event),
        /** What the pod scaler does in its tick: patch the replicas, then notify the node scaler. */
        podScalerRaises: async (toReplicas: number) => {
          await world.kube.mergePatch(deployment!, { spec: { replicas: toReplicas } });
          return world.tickAt([group], 0, notice(toReplicas));
        },
      };
    }

    it('requests nodes for the replicas being created before any pod is pending', async () => {
      const { group, namespace, podScalerRaises } = await noticeWorld();
      const pendingBefore = (await world.kube.adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items.filter((pod) => !pod.spec?.nodeName);
      expect(pendingBefore).toEqual([]);

      const summary = await podScalerRaises(5);
      // 4 new pods of 1 CPU on 2-CPU nodes with the node full: 2 nodes, in the pod scaler's own tick.
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: group, DesiredCapacity: '3', HonorCooldown: 'false' }]);
      expect(summary.pendingPods).toBe(4);
      expect(summary.groups[0]?.scaleUp?.reason).toContain(`${namespace}/web#new-1`);

      // The ReplicaSet creates the pods; they turn Unschedulable a few seconds later. The next tick
      // finds them covered by the nodes already on the way (moto's instances, no Node yet).
      await world.pendingPods(namespace, 'web', 4, { cpu: '1', memory: '1Gi', labels: { app: 'web' } });
      const next = await world.tickAt([group], 1);
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
      expect(next.groups[0]).toMatchObject({ upcomingNodes: 2 });
    });

    it('counts only the replicas that do not exist yet (pods already pending are not counted twice)', async () => {
      const { namespace, podScalerRaises } = await noticeWorld();
      await world.pendingPods(namespace, 'web', 2, { cpu: '1', memory: '1Gi', labels: { app: 'web' } });
      const summary = await podScalerRaises(5);
      // 1 running + 2 pending exist: 2 more to come, 4 pods in all → 2 nodes.
      expect(summary.pendingPods).toBe(4);
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([expect.objectContaining({ DesiredCapacity: '3' })]);
    });

    it('a notice whose pods fit existing room asks for nothing', async () => {
      const { namespace, podScalerRaises } = await noticeWorld();
      await world.kube.adminKubeConfig().makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'other-0', namespace, gracePeriodSeconds: 0 });
      const summary = await podScalerRaises(2);
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
      expect(summary.groups[0]?.scaleUp).toBeUndefined();
    });

    it('a notice for a workload it cannot read is reported and the tick goes on', async () => {
      const { namespace, notice, invoke } = await noticeWorld();
      await world.pendingPods(namespace, 'stuck', 1, { cpu: '1500m' });
      const summary = await invoke(notice(3, { name: 'gone' }));
      expect(summary.noticeProblems).toEqual([{ cluster: CLUSTER, notice: `${namespace}/gone (Deployment)`, message: expect.stringMatching(/deployments.* gone|not found/) }]);
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
    });

    it('a malformed notice is logged as an error with the expected shape, and the invocation still runs as a tick', async () => {
      const { namespace, invoke } = await noticeWorld();
      await world.pendingPods(namespace, 'stuck', 1, { cpu: '1500m' });
      const summary = await invoke({ source: 'eks-lambda-scaler.pod-scaler', scaleUps: [{ cluster: CLUSTER }] });
      expect(summary.noticeProblems).toEqual([{ cluster: '*', notice: 'the whole event', message: expect.stringMatching(/scaleUps\[0\] must have string cluster, namespace.*runs as a scheduled tick/) }]);
      expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'scale-up notice not understood' }));
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
    });

    it('notices for a cluster that cannot be read are reported by name, never dropped silently (a 503 on the node list)', async () => {
      // Moved from test/node-scaler/scale-up-notice.test.ts: the 503 is the recording proxy's, the
      // real server gives none on demand (it was the hand-written server's failNext).
      const { namespace, notice, invoke } = await noticeWorld();
      world.kubeProxy.inject({ match: (request) => request.method === 'GET' && request.path === '/api/v1/nodes', fault: '5xx', times: 5 });
      const summary = await invoke(notice(5));
      expect(summary.noticeProblems).toEqual([{ cluster: CLUSTER, notice: `${namespace}/web (Deployment)`, message: expect.stringMatching(new RegExp(`^not counted: could not read cluster ${CLUSTER}: .*nodes`)) }]);
      expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'scale-up notice not counted', fields: expect.objectContaining({ notice: `${namespace}/web (Deployment)` }) }));
    });

    it('a notice for a cluster with no node groups is reported, not ignored', async () => {
      const { namespace, notice, invoke } = await noticeWorld();
      const summary = await invoke(notice(5, { cluster: 'staging' }));
      expect(summary.noticeProblems).toEqual([{ cluster: 'staging', notice: `${namespace}/web (Deployment)`, message: expect.stringMatching(/no nodeGroups entry is in cluster staging/) }]);
    });
  });
});
