/**
 * metrics.k8s.io over the simulated world, for cpu and memory triggers. The model, kept simple on
 * purpose (docs/cli.md "simulate"):
 * - every pod has one container requesting 1 CPU and 512Mi, named as the trigger's containerName;
 * - a Ready pod's CPU usage is its share of the work: throughput / (ready pods × msgsPerPodSecond)
 *   of its request, so utilization follows load / replicas (100% when the pods cannot keep up);
 * - memory stays at half the request whatever the load;
 * - pods without a node are Pending; started pods have no metrics until they are Ready (the HPA
 *   counts them as missing, or for CPU as unready in their first minutes).
 */
import type { PodResourceReader, PodResourceRequest, PodResourceSnapshot } from '../../lambdas/adapters/kubernetes/pod-metrics-api';
import type { PodUsage, ResourcePod } from '../../lambdas/engine/hpa/resource-replicas';
import type { Clock } from '../../lambdas/pod-scaler/tick-types';
import type { SimWorld } from './world';

export const SIMULATED_REQUEST_MILLI = { cpu: 1_000, memory: 512 * 2 ** 20 * 1_000 } as const;
const METRICS_WINDOW_MS = 30_000;

export class SimulatedPodResources implements PodResourceReader {
  constructor(
    private readonly world: SimWorld,
    private readonly clock: Clock,
  ) {}

  async readResourcePods(request: PodResourceRequest): Promise<PodResourceSnapshot> {
    const now = this.clock.now();
    const requestMilli = SIMULATED_REQUEST_MILLI[request.resource];
    const usedMilli = request.resource === 'cpu' ? Math.round(this.world.busyFraction(now) * requestMilli) : requestMilli / 2;
    const pods: ResourcePod[] = [];
    const usage = new Map<string, PodUsage>();
    for (const view of this.world.podViews()) {
      const ready = view.readyAt !== undefined && view.readyAt <= now;
      pods.push({
        name: view.name,
        phase: view.scheduled ? 'Running' : 'Pending',
        deleting: false,
        ...(view.scheduled ? { startTime: view.createdAt, ready: { status: ready ? 'True' : 'False', lastTransitionTime: ready ? view.readyAt! : view.createdAt } } : {}),
        containers: [{ name: request.containerName ?? 'app', requestMilli }],
      });
      if (ready) usage.set(view.name, { valueMilli: usedMilli, timestamp: now, windowMs: METRICS_WINDOW_MS });
    }
    return { pods, usage };
  }
}
