/**
 * One `keda.sh/v1alpha1` ScaledObject document to a {@link ScaledObject}: KEDA's defaults, the
 * CRD's type checks, the admission webhook's cross-field checks, every issue reported at once.
 */
import { kubernetesNameProblem } from './kubernetes-names';
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { readBool, readEnum, readInt, readRecord, readString, readStringMap, warnUnknownFields } from './crd-values';
import type { IssueCollector } from './issue-collector';
import { parsePauseAnnotations } from './parse-annotations';
import { parseBehavior } from './parse-behavior';
import { parseTriggers } from './parse-triggers';
import { checkFallbackWithModifiers, parseScalingModifiers } from './parse-scaling-modifiers';
import { checkResourceTriggers } from './check-resource-triggers';
import { CLUSTER_ANNOTATION, type FallbackBehavior, type FallbackSpec, type HpaBehavior, type ScaledObject, type ScaleTargetRef, type TriggerAuthentication } from './scaled-object';

const SPEC_FIELDS = ['scaleTargetRef', 'pollingInterval', 'cooldownPeriod', 'initialCooldownPeriod', 'idleReplicaCount', 'minReplicaCount', 'maxReplicaCount', 'fallback', 'advanced', 'triggers'];
const FALLBACK_BEHAVIORS = ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower', 'scalingModifiers'] as const;

export const DEFAULT_POLLING_INTERVAL = 30;
export const DEFAULT_COOLDOWN_PERIOD = 300;
export const DEFAULT_MAX_REPLICA_COUNT = 100;

export function parseScaledObject(
  issues: IssueCollector,
  metadata: Record<string, unknown>,
  namespace: string,
  name: string,
  specValue: unknown,
  authentications: readonly TriggerAuthentication[],
): ScaledObject | undefined {
  const annotations = readStringMap(issues, metadata.annotations, 'metadata.annotations');
  const labels = readStringMap(issues, metadata.labels, 'metadata.labels');
  const pause = parsePauseAnnotations(issues, annotations);
  const cluster = annotations[CLUSTER_ANNOTATION]?.trim() || undefined;

  if (specValue === undefined || specValue === null) {
    issues.error('spec', 'is required', 'add a spec with scaleTargetRef and triggers');
    return undefined;
  }
  const spec = readRecord(issues, specValue, 'spec');
  if (!spec) return undefined;
  warnUnknownFields(issues, spec, 'spec', SPEC_FIELDS);

  const scaleTargetRef = parseScaleTargetRef(issues, spec.scaleTargetRef);
  const pollingInterval = readInt(issues, spec.pollingInterval, 'spec.pollingInterval', { min: 1, example: '30' }) ?? DEFAULT_POLLING_INTERVAL;
  const cooldownPeriod = readInt(issues, spec.cooldownPeriod, 'spec.cooldownPeriod', { min: 0, example: '300' }) ?? DEFAULT_COOLDOWN_PERIOD;
  const initialCooldownPeriod = readInt(issues, spec.initialCooldownPeriod, 'spec.initialCooldownPeriod', { min: 0, example: '60' }) ?? 0;
  const counts = parseReplicaCounts(issues, spec);
  const fallback = parseFallback(issues, spec.fallback);
  const advanced = parseAdvanced(issues, spec.advanced);
  const triggers = parseTriggers({ issues, objectId: issues.objectId, namespace, authentications }, spec.triggers);
  const scalingModifiers = parseScalingModifiers(issues, advanced.scalingModifiers, triggers);
  checkFallbackWithModifiers(issues, fallback, scalingModifiers, typeof advanced.scalingModifiers?.formula === 'string' && advanced.scalingModifiers.formula !== '');
  checkResourceTriggers(issues, triggers, counts?.min, scaleTargetRef, fallback, advanced.scalingModifiers !== undefined);

  if (issues.errors.length > 0 || !scaleTargetRef || !counts || triggers.some((trigger) => trigger === undefined)) return undefined;
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    namespace,
    name,
    id: `${namespace}/${name}`,
    ...(cluster ? { cluster } : {}),
    annotations,
    labels,
    scaleTargetRef,
    pollingInterval,
    cooldownPeriod,
    initialCooldownPeriod,
    ...(counts.idle !== undefined ? { idleReplicaCount: counts.idle } : {}),
    minReplicaCount: counts.min,
    maxReplicaCount: counts.max,
    ...(fallback ? { fallback } : {}),
    ...(advanced.behavior ? { behavior: advanced.behavior } : {}),
    restoreToOriginalReplicaCount: advanced.restoreToOriginalReplicaCount,
    ...(scalingModifiers ? { scalingModifiers } : {}),
    pause,
    triggers: triggers as ParsedTrigger[],
  };
}

function parseScaleTargetRef(issues: IssueCollector, value: unknown): ScaleTargetRef | undefined {
  if (value === undefined || value === null) {
    issues.error('spec.scaleTargetRef', 'is required', 'name the workload to scale, e.g. scaleTargetRef: {name: my-deployment}');
    return undefined;
  }
  const map = readRecord(issues, value, 'spec.scaleTargetRef');
  if (!map) return undefined;
  if (map.deploymentName !== undefined) {
    issues.error('spec.scaleTargetRef.deploymentName', 'deploymentName is the KEDA v1 field', 'rename it to name');
  }
  warnUnknownFields(issues, map, 'spec.scaleTargetRef', ['apiVersion', 'kind', 'name', 'envSourceContainerName', ...(map.deploymentName !== undefined ? ['deploymentName'] : [])]);
  const name = map.deploymentName === undefined ? readString(issues, map.name, 'spec.scaleTargetRef.name', { required: true, example: 'my-deployment' }) : undefined;
  const apiVersion = readString(issues, map.apiVersion, 'spec.scaleTargetRef.apiVersion') ?? 'apps/v1';
  const kind = readString(issues, map.kind, 'spec.scaleTargetRef.kind') ?? 'Deployment';
  const envSourceContainerName = readString(issues, map.envSourceContainerName, 'spec.scaleTargetRef.envSourceContainerName');
  if (name === undefined) return undefined;
  // The target's name goes into the scale subresource's path: a name its API server could never
  // have accepted ("." would address the Deployment named "scale") is refused here.
  const badName = kubernetesNameProblem(name, 'dns-1123-subdomain');
  if (badName) {
    issues.error('spec.scaleTargetRef.name', badName, `name the workload exactly as in its metadata.name, e.g. "my-deployment"`);
    return undefined;
  }
  const badContainer = envSourceContainerName === undefined ? undefined : kubernetesNameProblem(envSourceContainerName, 'dns-1123-label');
  if (badContainer) issues.error('spec.scaleTargetRef.envSourceContainerName', badContainer, 'name a container of the workload\'s pod template');
  return { apiVersion, kind, name, ...(envSourceContainerName !== undefined ? { envSourceContainerName } : {}) };
}

/** min, max and idle with KEDA's `CheckReplicaCountBoundsAreValid` (and its quirk). */
function parseReplicaCounts(issues: IssueCollector, spec: Record<string, unknown>): { min: number; max: number; idle?: number } | undefined {
  const minSet = spec.minReplicaCount !== undefined && spec.minReplicaCount !== null;
  const min = readInt(issues, spec.minReplicaCount, 'spec.minReplicaCount', { min: 0, example: '1' });
  const max = readInt(issues, spec.maxReplicaCount, 'spec.maxReplicaCount', { min: 0, example: '10' });
  const idle = readInt(issues, spec.idleReplicaCount, 'spec.idleReplicaCount', { min: 0, example: '0' });
  if ((minSet && min === undefined) || (spec.maxReplicaCount != null && max === undefined) || (spec.idleReplicaCount != null && idle === undefined)) return undefined;

  const effectiveMax = max ?? DEFAULT_MAX_REPLICA_COUNT;
  // KEDA compares against the HPA's minimum: an explicit 0 counts as 1, an unset min as 0.
  const checkedMin = minSet ? Math.max(1, min!) : 0;
  if (effectiveMax === 0) {
    issues.error('spec.maxReplicaCount', 'maxReplicaCount is 0, but the HPA needs at least 1', 'set maxReplicaCount to 1 or more');
    return undefined;
  }
  if (checkedMin > effectiveMax) {
    const detail = min === 0 ? ' (KEDA counts an explicit minReplicaCount: 0 as the HPA minimum 1)' : '';
    issues.error('spec.minReplicaCount', `minReplicaCount ${min} is greater than maxReplicaCount ${effectiveMax}${detail}`, `set minReplicaCount <= maxReplicaCount, e.g. raise maxReplicaCount to ${checkedMin}`);
    return undefined;
  }
  if (idle !== undefined) {
    if (idle >= checkedMin) {
      const detail = minSet ? (min === 0 ? ' (an explicit minReplicaCount: 0 counts as 1 here)' : '') : ' (minReplicaCount is unset, so it counts as 0)';
      issues.error('spec.idleReplicaCount', `idleReplicaCount ${idle} must be less than minReplicaCount ${checkedMin}${detail}`, 'set idleReplicaCount below minReplicaCount (usually idleReplicaCount: 0 with minReplicaCount: 1 or more)');
      return undefined;
    }
    if (idle !== 0) {
      issues.warn('spec.idleReplicaCount', `idleReplicaCount ${idle}: KEDA documents 0 as the only value that works with the HPA`, 'use idleReplicaCount: 0');
    }
  }
  return { min: min ?? 0, max: effectiveMax, ...(idle !== undefined ? { idle } : {}) };
}

function parseFallback(issues: IssueCollector, value: unknown): FallbackSpec | undefined {
  const map = readRecord(issues, value, 'spec.fallback');
  if (!map) return undefined;
  warnUnknownFields(issues, map, 'spec.fallback', ['failureThreshold', 'replicas', 'behavior']);
  if (map.failureThreshold === undefined || map.failureThreshold === null) issues.error('spec.fallback.failureThreshold', 'is required', 'set how many consecutive failures trigger the fallback, e.g. 3');
  if (map.replicas === undefined || map.replicas === null) issues.error('spec.fallback.replicas', 'is required', 'set the replica count to use while failing, e.g. 6');
  const failureThreshold = readInt(issues, map.failureThreshold, 'spec.fallback.failureThreshold', { min: 0, example: '3' });
  const replicas = readInt(issues, map.replicas, 'spec.fallback.replicas', { min: 0, example: '6' });
  let behavior: FallbackBehavior | undefined = 'static';
  if (map.behavior !== undefined && map.behavior !== null && map.behavior !== '') {
    const parsed = readEnum(issues, map.behavior, 'spec.fallback.behavior', FALLBACK_BEHAVIORS);
    behavior = parsed;
  }
  if (failureThreshold === undefined || replicas === undefined || behavior === undefined) return undefined;
  return { failureThreshold, replicas, behavior };
}

function parseAdvanced(issues: IssueCollector, value: unknown): { behavior?: HpaBehavior; restoreToOriginalReplicaCount: boolean; scalingModifiers?: Record<string, unknown> } {
  const map = readRecord(issues, value, 'spec.advanced');
  if (!map) return { restoreToOriginalReplicaCount: false };
  warnUnknownFields(issues, map, 'spec.advanced', ['horizontalPodAutoscalerConfig', 'restoreToOriginalReplicaCount', 'scalingModifiers']);
  const restoreToOriginalReplicaCount = readBool(issues, map.restoreToOriginalReplicaCount, 'spec.advanced.restoreToOriginalReplicaCount') ?? false;
  const scalingModifiers = readRecord(issues, map.scalingModifiers, 'spec.advanced.scalingModifiers');
  const hpaConfig = readRecord(issues, map.horizontalPodAutoscalerConfig, 'spec.advanced.horizontalPodAutoscalerConfig');
  let behavior: HpaBehavior | undefined;
  if (hpaConfig) {
    warnUnknownFields(issues, hpaConfig, 'spec.advanced.horizontalPodAutoscalerConfig', ['name', 'behavior']);
    readString(issues, hpaConfig.name, 'spec.advanced.horizontalPodAutoscalerConfig.name');
    behavior = parseBehavior(issues, hpaConfig.behavior, 'spec.advanced.horizontalPodAutoscalerConfig.behavior');
  }
  return { ...(behavior ? { behavior } : {}), restoreToOriginalReplicaCount, ...(scalingModifiers ? { scalingModifiers } : {}) };
}
