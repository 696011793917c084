/**
 * Synth-time validation and packaging of the scaler's configuration. Everything the Lambdas need to
 * know about the user's ScaledObjects is checked here, with the engine's own parser, so a bad spec
 * fails `cdk synth` before anything reaches AWS; the result ships inside each Lambda bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifestTexts } from '../lambdas/engine/spec/parse-manifests';
import { formatIssue } from '../lambdas/engine/spec/issues';
import type { SpecIssue } from '../lambdas/engine/spec/issues';
import { CLUSTER_ANNOTATION } from '../lambdas/engine/spec/scaled-object';
import { kubernetesNameProblem } from '../lambdas/engine/spec/kubernetes-names';
import type { ScaledObject } from '../lambdas/engine/spec/scaled-object';
import type { ClusterRef, NodeGroupConfig, ScalerConfig } from '../lambdas/config/scaler-config';
import type { ScaledObjectSource } from './scaled-object-source';
import type { NodeScalingOptions } from '../lambdas/engine/nodes/node-scaling-options';
import { resolveNodeScaling } from '../lambdas/engine/nodes/node-scaling-options';
import { objectKey } from '../lambdas/pod-scaler/object-key';
import { DEFAULT_MAX_OBJECTS_PER_INVOCATION, planShards } from '../lambdas/pod-scaler/shards';

/** File name the Lambdas read (env `SCALER_CONFIG_FILE` points at it). */
export const CONFIG_FILE_NAME = 'scaler-config.json';

export class ScaledObjectValidationError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(
      `eks-lambda-scaler: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the ScaledObjects; nothing was deployed:\n` +
        issues.map((issue) => `  ${formatIssue(issue)}`).join('\n'),
    );
    this.name = 'ScaledObjectValidationError';
  }
}

export interface BuildConfigInput {
  sources: readonly ScaledObjectSource[];
  /** The first is the default cluster for objects without the cluster annotation. */
  clusters: readonly ClusterRef[];
  nodeGroups: readonly NodeGroupConfig[];
  /** Passed to the parser; also turns its warnings into errors. */
  strict?: boolean;
  /** The node scaler's expander, balancing and cluster limits; checked here so a bad value fails synth. */
  nodeScaling?: NodeScalingOptions;
}

export interface BuiltConfig {
  config: ScalerConfig;
  /** Formatted parser warnings, for synth-time annotations. */
  warnings: string[];
}

/** Parses every source, checks what no single source can (clusters, cross-file duplicates), or throws. */
export function buildScalerConfig(input: BuildConfigInput): BuiltConfig {
  const [defaultCluster] = input.clusters;
  if (!defaultCluster) {
    throw new Error('eks-lambda-scaler: props.clusters is empty: name at least one EKS cluster, e.g. [{ name: "my-cluster" }]');
  }
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const objects: ScaledObject[] = [];
  const result = parseManifestTexts(input.sources.map((source) => source.read()), { strict: input.strict });
  errors.push(...result.errors);
  warnings.push(...result.warnings);
  objects.push(...result.objects);
  const clusterNames = input.clusters.map((cluster) => cluster.name);
  errors.push(
    ...checkClusters(objects, clusterNames),
    ...checkBundledForClusterSource(objects, input.clusters, defaultCluster.name),
    ...checkDuplicatesAcrossSources(objects, defaultCluster.name),
  );
  checkClusterSources(input.clusters);
  if (input.strict) errors.push(...warnings.map((issue) => ({ ...issue, severity: 'error' as const })));
  if (errors.length > 0) throw new ScaledObjectValidationError(errors);

  checkNodeGroups(input.nodeGroups, clusterNames);
  if (input.nodeScaling !== undefined) resolveNodeScaling(input.nodeScaling, 'eks-lambda-scaler: nodeScaling');
  return {
    config: {
      defaultCluster,
      clusters: [...input.clusters],
      scaledObjects: objects,
      // ScaledJobs (issue 17): parsed by the same parser; absent when the files have none.
      ...(result.scaledJobs.length > 0 ? { scaledJobs: result.scaledJobs } : {}),
      nodeGroups: [...input.nodeGroups],
      ...(input.nodeScaling === undefined ? {} : { nodeScaling: input.nodeScaling }),
    },
    warnings: input.strict ? [] : warnings.map(formatIssue),
  };
}

/** The cluster an object is scaled in: its annotation, else the default cluster. */
export function clusterOf(object: ScaledObject, defaultCluster: string): string {
  return object.cluster ?? defaultCluster;
}

function checkClusters(objects: readonly ScaledObject[], clusterNames: readonly string[]): SpecIssue[] {
  return objects
    .filter((object) => object.cluster !== undefined && !clusterNames.includes(object.cluster))
    .map((object) => ({
      severity: 'error' as const,
      objectId: object.id,
      field: `metadata.annotations["${CLUSTER_ANNOTATION}"]`,
      message: `cluster "${object.cluster}" is not one of the clusters this scaler is deployed for (${clusterNames.join(', ')})`,
      fix: `use one of ${clusterNames.map((name) => `"${name}"`).join(', ')}, or add "${object.cluster}" to the construct's clusters`,
    }));
}

/** A cluster whose objects come from the cluster scales no bundled object: one home per object. */
function checkBundledForClusterSource(objects: readonly ScaledObject[], clusters: readonly ClusterRef[], defaultCluster: string): SpecIssue[] {
  const live = new Set(clusters.filter((cluster) => cluster.objectSource === 'cluster').map((cluster) => cluster.name));
  return objects
    .filter((object) => live.has(clusterOf(object, defaultCluster)))
    .map((object) => ({
      severity: 'error' as const,
      objectId: object.id,
      field: object.cluster === undefined ? 'metadata' : `metadata.annotations["${CLUSTER_ANNOTATION}"]`,
      message: `cluster "${clusterOf(object, defaultCluster)}" reads its ScaledObjects from the cluster (objectSource: 'cluster'), so this bundled object would never be scaled`,
      fix: `apply it to the cluster with the annotation eks-lambda-scaler.io/managed: "true" and remove it from scaledObjects, or set objectSource: 'bundled' on that cluster`,
    }));
}

/** `namespaces` only with the cluster source, and each a namespace name the API server accepts. */
function checkClusterSources(clusters: readonly ClusterRef[]): void {
  for (const cluster of clusters) {
    if (cluster.objectSource !== undefined && cluster.objectSource !== 'bundled' && cluster.objectSource !== 'cluster') {
      throw new Error(`eks-lambda-scaler: cluster ${cluster.name}: objectSource must be 'bundled' or 'cluster' (got ${JSON.stringify(cluster.objectSource)})`);
    }
    if (cluster.namespaces === undefined) continue;
    if (cluster.objectSource !== 'cluster') {
      throw new Error(`eks-lambda-scaler: cluster ${cluster.name}: namespaces applies to objectSource: 'cluster' only; set that, or remove namespaces`);
    }
    for (const namespace of cluster.namespaces) {
      const problem = kubernetesNameProblem(namespace, 'dns-1123-label');
      if (problem) throw new Error(`eks-lambda-scaler: cluster ${cluster.name}: namespaces: ${problem}; use the namespace as Kubernetes names it, e.g. "shop"`);
    }
  }
}

/**
 * The parser checks duplicates across all sources; an object naming the default cluster explicitly
 * and one left unannotated are the same cluster only here, where the default is known.
 */
function checkDuplicatesAcrossSources(objects: readonly ScaledObject[], defaultCluster: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const byName = new Map<string, ScaledObject>();
  const byTarget = new Map<string, ScaledObject>();
  for (const object of objects) {
    const cluster = clusterOf(object, defaultCluster);
    const nameKey = `${cluster}/${object.id}`;
    const target = object.scaleTargetRef;
    const targetKey = `${cluster}/${object.namespace}/${target.kind}/${target.name}`;
    const sameName = byName.get(nameKey);
    if (sameName) {
      issues.push({
        severity: 'error',
        objectId: object.id,
        field: 'metadata.name',
        message: `ScaledObject ${object.id} is defined twice for cluster ${cluster}`,
        fix: 'keep one definition, or give one of them another name',
      });
    } else {
      byName.set(nameKey, object);
    }
    const sameTarget = byTarget.get(targetKey);
    if (sameTarget && !sameName) {
      issues.push({
        severity: 'error',
        objectId: object.id,
        field: 'spec.scaleTargetRef',
        message: `${object.id} and ${sameTarget.id} both scale ${target.kind} ${object.namespace}/${target.name} in cluster ${cluster}; they would fight`,
        fix: 'merge their triggers into one ScaledObject (the largest proposal wins, as in KEDA)',
      });
    } else if (!sameTarget) {
      byTarget.set(targetKey, object);
    }
  }
  return issues;
}

function checkNodeGroups(nodeGroups: readonly NodeGroupConfig[], clusterNames: readonly string[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  nodeGroups.forEach((group, index) => {
    const where = `nodeGroups[${index}] (${group.autoScalingGroupName || 'no name'})`;
    if (!group.autoScalingGroupName) problems.push(`${where}: autoScalingGroupName is empty: set the EC2 Auto Scaling Group's name`);
    if (!clusterNames.includes(group.cluster)) {
      problems.push(`${where}: cluster "${group.cluster}" is not in the construct's clusters (${clusterNames.join(', ')}): use one of them or add it`);
    }
    if (seen.has(group.autoScalingGroupName)) problems.push(`${where}: listed twice: keep one entry per Auto Scaling Group`);
    seen.add(group.autoScalingGroupName);
  });
  if (problems.length > 0) {
    throw new Error(`eks-lambda-scaler: invalid node groups; nothing was deployed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export interface WrittenConfig {
  /** The whole configuration. */
  file: string;
  /** The per-shard slices' directory, when there is more than one shard. */
  shardsDirectory?: string;
}

/**
 * Writes the config where the bundling hook copies it from, and when the objects are more than one
 * invocation evaluates, one slice per shard (the shards `planShards` makes at run time, in the same
 * order, `objectsPerInvocation` each, as the pod scaler's MAX_OBJECTS_PER_INVOCATION), so a shard
 * invocation parses only its own objects. Compact JSON:
 * indentation made it half as large again (16.6 MiB instead of 10.7 at 10,000 ScaledObjects,
 * docs/performance.md), in every Lambda's deployment package.
 */
export function writeScalerConfig(config: ScalerConfig, directory: string, fileStem: string, objectsPerInvocation: number = DEFAULT_MAX_OBJECTS_PER_INVOCATION): WrittenConfig {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${fileStem}.json`);
  writeFileSync(path, `${JSON.stringify(config)}\n`);
  const byKey = new Map(config.scaledObjects.map((object) => [objectKey(object, config), object] as const));
  const shards = planShards([...byKey.keys()], objectsPerInvocation);
  if (shards.length <= 1) return { file: path };
  const shardsDirectory = join(directory, `${fileStem}-shards`);
  mkdirSync(shardsDirectory, { recursive: true });
  shards.forEach((keys, shard) => {
    const slice: ScalerConfig = { ...config, scaledObjects: keys.map((key) => byKey.get(key)!) };
    writeFileSync(join(shardsDirectory, `shard-${shard}.json`), `${JSON.stringify(slice)}\n`);
  });
  return { file: path, shardsDirectory };
}
