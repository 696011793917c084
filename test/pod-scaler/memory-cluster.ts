/**
 * An in-memory scale-target port for tick tests whose subject is the tick (passes, budgets, state
 * writes), not the Kubernetes adapter (that one is tested against the real kube-apiserver).
 */
import type { KubernetesEvent, ScaleSnapshot, ScaleTargetApi, WorkloadRef } from '../../lambdas/adapters/kubernetes/scale-target-api';

const never = <T>() => new Promise<T>(() => undefined);

export interface MemoryClusterOptions {
  /** Replicas of a workload nobody set yet (default 0). */
  defaultReplicas?: number;
  /** Calls that never answer: every getScale, patch or Event, or getScale of the workloads named. */
  hang?: { getScale?: boolean | string[]; patch?: boolean; event?: boolean };
  /** How long the patch of the workloads named takes to answer, ms (platform timers: fake ones in tests). */
  patchMs?: Record<string, number>;
}

export class MemoryCluster implements ScaleTargetApi {
  readonly replicas = new Map<string, number>();
  /** Every patched count, in order. */
  readonly patches: number[] = [];
  /** Every write, in order: `patch <name> <replicas>` and `event <name> <reason>`. */
  readonly writes: string[] = [];
  constructor(private readonly options: MemoryClusterOptions = {}) {}
  async getScale(ref: WorkloadRef): Promise<ScaleSnapshot> {
    const hung = this.options.hang?.getScale;
    if (hung === true || (Array.isArray(hung) && hung.includes(ref.name))) return never();
    const replicas = this.replicas.get(ref.name) ?? this.options.defaultReplicas ?? 0;
    return { specReplicas: replicas, statusReplicas: replicas };
  }
  async patchScaleReplicas(ref: WorkloadRef, replicas: number): Promise<ScaleSnapshot> {
    if (this.options.hang?.patch) return never();
    const delayMs = this.options.patchMs?.[ref.name];
    if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
    this.replicas.set(ref.name, replicas);
    this.patches.push(replicas);
    this.writes.push(`patch ${ref.name} ${replicas}`);
    return { specReplicas: replicas, statusReplicas: replicas };
  }
  async countReadyPods(): Promise<number> {
    return 0;
  }
  async findHpaFor(): Promise<string | undefined> {
    return undefined;
  }
  async recordEvent(ref: WorkloadRef, event: KubernetesEvent): Promise<void> {
    if (this.options.hang?.event) return never();
    this.writes.push(`event ${ref.name} ${event.reason}`);
  }
  async readContainerEnv(): Promise<Record<string, never>> {
    return {};
  }
}
