/**
 * The ScaledObjects bundled into the Lambda at synth (scaler-config.json, or its shard slice),
 * behind the ObjectSource port. Events go to the workload, as they always have; there is no
 * ScaledObject in the cluster to carry a status, so `report` writes nothing and the CLI's `status`
 * reads DynamoDB.
 *
 * Removed objects: the configuration only changes with a deployment, and a deployment starts new
 * Lambda containers, so the state table is scanned for objects that left the configuration once
 * per container (per configuration object), and again only while a scan still finds some (a
 * restore that failed is retried by the next invocation).
 */
import { createHash } from 'node:crypto';
import type { ClusterRef, ScalerConfig } from '../config/scaler-config';
import type { ScaleTargetApi } from '../adapters/kubernetes/scale-target-api';
import type { StateStore } from '../adapters/state/state-store';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { clusterOf, objectKey, workloadOf } from './object-key';
import type { LoadOptions, ObjectSource, OutcomeReporter, SourceSnapshot } from './object-source';
import { findRemovedObjects } from './removed-objects';
import { describeError } from './describe-error';
import type { ScaledJobSpec } from '../engine/spec/scaled-job';
import { scaledJobStateKey } from '../adapters/state/scaled-job-state-store';
import type { SourcedScaledJob } from './scaled-job-types';

export interface BundledSourceDependencies {
  config: ScalerConfig;
  stateStore: Pick<StateStore, 'listAll'>;
  scaleTargets(cluster: string): Promise<ScaleTargetApi>;
}

/** Per configuration (so per container): its hash, and the clusters whose state scan found nothing removed. */
const scans = new WeakMap<ScalerConfig, { version: string; settled: Set<string> }>();

export function bundledObjectSource(deps: BundledSourceDependencies): ObjectSource {
  const { config } = deps;
  return {
    async load(cluster: ClusterRef, _deadline: number, options: LoadOptions = {}): Promise<SourceSnapshot> {
      let memo = scans.get(config);
      if (!memo) {
        memo = { version: createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16), settled: new Set() };
        scans.set(config, memo);
      }
      const mine = config.scaledObjects.filter((object) => clusterOf(object, config) === cluster.name);
      const keys = new Set(mine.map((object) => objectKey(object, config)));
      const snapshot: SourceSnapshot = {
        objects: mine.map((object) => ({ object, key: objectKey(object, config), reporter: workloadReporter(deps, cluster.name, object) })),
        rejected: [],
        removed: [],
        version: memo.version,
      };
      const jobs = (config.scaledJobs ?? []).filter((job) => (job.cluster ?? config.defaultCluster.name) === cluster.name);
      if (jobs.length > 0) snapshot.scaledJobs = jobs.map((spec) => bundledScaledJob(deps, cluster.name, spec));
      if (!options.findRemoved || memo.settled.has(cluster.name)) return snapshot;
      try {
        snapshot.removed = await findRemovedObjects(deps.stateStore, (key) => keys.has(key), (item) => item.cluster === cluster.name);
        if (snapshot.removed.length === 0) memo.settled.add(cluster.name);
      } catch (error) {
        snapshot.problems = [`finding objects removed from the configuration of cluster ${cluster.name}: ${describeError(error)}; retried next invocation`];
      }
      return snapshot;
    },
  };
}

/**
 * A bundled ScaledJob: Events name the ScaledJob (as KEDA's do), though no such object exists in
 * the cluster; `kubectl get events` lists them. No status, as for bundled ScaledObjects.
 */
function bundledScaledJob(deps: BundledSourceDependencies, cluster: string, spec: ScaledJobSpec): SourcedScaledJob {
  const ref = { namespace: spec.namespace, apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name: spec.name };
  return {
    spec,
    key: scaledJobStateKey(cluster, spec.namespace, spec.name),
    reporter: { report: async () => undefined, event: async (event) => (await deps.scaleTargets(cluster)).recordEvent(ref, event) },
  };
}

/** Events on the scaled workload; no status (nothing in the cluster to carry it). */
function workloadReporter(deps: BundledSourceDependencies, cluster: string, object: ScaledObject): OutcomeReporter {
  return {
    report: async () => undefined,
    event: async (event) => (await deps.scaleTargets(cluster)).recordEvent(workloadOf(object), event),
  };
}

/**
 * The clusters a bundled configuration speaks for: the configured ones, and any an object names
 * that is not configured (its objects then fail with the message that says so, as they always did).
 */
export function bundledClusters(config: ScalerConfig): ClusterRef[] {
  const clusters = new Map<string, ClusterRef>();
  for (const cluster of [config.defaultCluster, ...config.clusters]) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
  for (const object of config.scaledObjects) {
    const name = clusterOf(object, config);
    if (!clusters.has(name)) clusters.set(name, { name, region: config.defaultCluster.region });
  }
  for (const job of config.scaledJobs ?? []) {
    const name = job.cluster ?? config.defaultCluster.name;
    if (!clusters.has(name)) clusters.set(name, { name, region: config.defaultCluster.region });
  }
  return [...clusters.values()];
}
