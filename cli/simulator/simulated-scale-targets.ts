/**
 * The pod scaler's ScaleTargetApi over the simulated world: the target's scale subresource is the
 * world's replica count, and ready pods are the world's ready pods; cpu/memory triggers read the
 * world's pods through simulated-pod-resources.ts. Events are kept for the report.
 */
import type {
  ContainerEnvValue,
  KubernetesEvent,
  ScaleSnapshot,
  ScaleTargetApi,
  WorkloadRef,
} from '../../lambdas/adapters/kubernetes/scale-target-api';
import type { Clock } from '../../lambdas/pod-scaler/tick-types';
import type { SimWorld } from './world';
import { SimulatedPodResources } from './simulated-pod-resources';

export interface RecordedEvent extends KubernetesEvent {
  at: number;
}

const SELECTOR = 'app=simulated-workload';

export class SimulatedScaleTargets implements ScaleTargetApi {
  readonly events: RecordedEvent[] = [];
  readonly podResources: SimulatedPodResources;

  constructor(
    private readonly world: SimWorld,
    private readonly clock: Clock,
    /** The simulated container env, for `...FromEnv` metadata. */
    private readonly env: Record<string, string> = {},
  ) {
    this.podResources = new SimulatedPodResources(world, clock);
  }

  async getScale(_ref: WorkloadRef): Promise<ScaleSnapshot> {
    return this.snapshot();
  }

  async patchScaleReplicas(_ref: WorkloadRef, replicas: number): Promise<ScaleSnapshot> {
    this.world.setSpecReplicas(replicas, this.clock.now());
    return this.snapshot();
  }

  async countReadyPods(_namespace: string, _selector: string): Promise<number> {
    return this.world.readyPodCount(this.clock.now());
  }

  async findHpaFor(_ref: WorkloadRef): Promise<string | undefined> {
    return undefined;
  }

  async recordEvent(_ref: WorkloadRef, event: KubernetesEvent): Promise<void> {
    this.events.push({ ...event, at: this.clock.now() });
  }

  async readContainerEnv(_ref: WorkloadRef, _containerName?: string): Promise<Record<string, ContainerEnvValue>> {
    return Object.fromEntries(Object.entries(this.env).map(([name, value]) => [name, { value }]));
  }

  private snapshot(): ScaleSnapshot {
    return { specReplicas: this.world.spec, statusReplicas: this.world.statusReplicas, selector: SELECTOR };
  }
}
