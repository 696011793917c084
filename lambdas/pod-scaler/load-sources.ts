/**
 * The objects of one invocation, from each cluster's source. Clusters load concurrently, each
 * under the invocation's deadline: a source that fails or hangs costs its own cluster this
 * invocation (reported), never the others, and a failed read never yields "removed" objects.
 */
import type { ClusterRef } from '../config/scaler-config';
import { withinBudget } from '../util/within-budget';
import { bundledClusters, bundledObjectSource } from './bundled-object-source';
import { describeError } from './describe-error';
import type { LoadOptions, ObjectSource, RejectedObject, RemovedObject, SourcedObject } from './object-source';
import type { TickDependencies } from './tick-types';
import type { LoadedScaledJob } from './scaled-job-types';

/**
 * Longest one cluster's source may take to load (EKS discovery, then three LISTs that each time out
 * after 5 s, or a state scan): past it that cluster is skipped this invocation and the others go on.
 */
export const SOURCE_LOAD_BUDGET_MS = 15_000;

/** One cluster and the source of its objects; the handler builds these from the configuration. */
export interface SourceAssignment {
  cluster: ClusterRef;
  source: ObjectSource;
}

export interface LoadedObject extends SourcedObject {
  cluster: string;
}

export interface LoadedObjects {
  objects: LoadedObject[];
  /** ScaledJobs (issue 17), polled by scaled-job-pass.ts; absent when no source yields any. */
  scaledJobs?: LoadedScaledJob[];
  rejected: RejectedObject[];
  removed: RemovedObject[];
  /** Clusters that could not be read, and other source problems, each naming the cluster and the cause. */
  problems: string[];
}

/** The sources of a tick: the ones wired by the handler, or the bundled configuration. */
export function sourcesOf(deps: Pick<TickDependencies, 'objectSources' | 'config' | 'stateStore' | 'scaleTargets'>): SourceAssignment[] {
  if (deps.objectSources) return deps.objectSources;
  const source = bundledObjectSource(deps);
  return bundledClusters(deps.config).map((cluster) => ({ cluster, source }));
}

export async function loadObjects(deps: TickDependencies, deadline: number, options: LoadOptions = {}): Promise<LoadedObjects> {
  const loaded: LoadedObjects = { objects: [], rejected: [], removed: [], problems: [] };
  const snapshots = await Promise.all(
    sourcesOf(deps).map(async ({ cluster, source }) => {
      try {
        const budgetMs = Math.min(SOURCE_LOAD_BUDGET_MS, Math.max(0, deadline - deps.clock.now()));
        const late = () => `reading them did not finish within ${Math.round(budgetMs / 1000)} s (EKS DescribeCluster, the Kubernetes API or the state table hung)`;
        return { cluster, snapshot: await withinBudget(source.load(cluster, deadline, options), budgetMs, late) };
      } catch (error) {
        return { cluster, failure: `the ScaledObjects of cluster ${cluster.name} could not be read, so none of them was evaluated and none counts as removed: ${describeError(error)}` };
      }
    }),
  );
  for (const { cluster, snapshot, failure } of snapshots) {
    if (failure !== undefined) loaded.problems.push(failure);
    if (!snapshot) continue;
    for (const sourced of snapshot.objects) loaded.objects.push({ ...sourced, cluster: cluster.name });
    for (const sourced of snapshot.scaledJobs ?? []) (loaded.scaledJobs ??= []).push({ ...sourced, cluster: cluster.name });
    loaded.rejected.push(...snapshot.rejected);
    loaded.removed.push(...snapshot.removed);
    loaded.problems.push(...(snapshot.problems ?? []));
  }
  return loaded;
}
