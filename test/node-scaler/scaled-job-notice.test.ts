/**
 * A ScaledJob's scale-up notice (issue 17): the pod scaler sends the new Jobs' pod template and
 * the labels of that poll's pods, so the node scaler counts those pods with no API read (there is
 * no workload to read a Job's template from), and a pod of the batch already created is not
 * counted twice.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterNodesApi } from '../../lambdas/adapters/kubernetes/cluster-nodes-api';
import type { PodInfo } from '../../lambdas/engine/nodes/node-model';
import { parseNodeScalerEvent } from '../../lambdas/node-scaler/invocation-event';
import { collectPendingPods } from '../../lambdas/node-scaler/pending-pods';
import type { ScaleUpNotice } from '../../lambdas/pod-scaler/tick-types';

const notice: ScaleUpNotice = {
  cluster: 'prod',
  namespace: 'media',
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: 'thumbnails',
  fromReplicas: 0,
  toReplicas: 3,
  jobPods: {
    template: { restartPolicy: 'Never', containers: [{ name: 'thumbnailer', image: 'thumbnailer:2', resources: { requests: { cpu: '500m', memory: '512Mi' } } }] },
    selector: { 'scaledjob.keda.sh/name': 'thumbnails', 'eks-lambda-scaler.io/scaledjob-poll': '7' },
  },
};

/** Reading a workload template would be wrong for a Job notice: it fails the test if called. */
const noReads = { readWorkloadTemplate: () => Promise.reject(new Error('read a workload template for a Job notice')) } as unknown as ClusterNodesApi;

function pendingPod(labels: Record<string, string>): PodInfo {
  return {
    namespace: 'media',
    name: 'thumbnails-7-0-abcde',
    labels,
    annotations: {},
    phase: 'Pending',
    mirror: false,
    unschedulable: false,
    localStorageVolumes: [],
    createdAt: 0,
    requests: { cpuMilli: 500, memoryBytes: 512 * 1024 * 1024, pods: 1 },
    tolerations: [],
  } as unknown as PodInfo;
}

describe("a ScaledJob's scale-up notice in the node scaler", () => {
  it('counts the new Jobs\' pods from the template it carries, without reading any workload', async () => {
    const { pending, problems } = await collectPendingPods([], [notice], noReads);
    expect(problems).toEqual([]);
    expect(pending.map((pod) => pod.id)).toEqual(['media/thumbnails#new-1', 'media/thumbnails#new-2', 'media/thumbnails#new-3']);
    expect(pending[0]!.pod.requests).toEqual(expect.objectContaining({ cpuMilli: 500 }));
  });

  it("does not count twice a pod of the batch that already exists", async () => {
    const existing = pendingPod({ 'scaledjob.keda.sh/name': 'thumbnails', 'eks-lambda-scaler.io/scaledjob-poll': '7', 'job-name': 'thumbnails-7-0' });
    const { pending } = await collectPendingPods([existing], [notice], noReads);
    expect(pending).toHaveLength(3);
    expect(pending.filter((pod) => pod.id.includes('#new-'))).toHaveLength(2);
  });

  it('accepts the notice from the pod scaler, and refuses a jobPods without a template', () => {
    expect(parseNodeScalerEvent({ source: 'eks-lambda-scaler.pod-scaler', scaleUps: [notice] })).toEqual({ kind: 'scale-up-notice', notices: [notice] });
    expect(() => parseNodeScalerEvent({ source: 'eks-lambda-scaler.pod-scaler', scaleUps: [{ ...notice, jobPods: { selector: {} } }] })).toThrow(/scaleUps\[0\]/);
  });
});
