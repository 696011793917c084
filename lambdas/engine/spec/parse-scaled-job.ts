/**
 * One `keda.sh/v1alpha1` ScaledJob document to a {@link ScaledJobSpec}: KEDA's defaults, the CRD's
 * type checks (config/crd/bases/keda.sh_scaledjobs.yaml), the controller's checks
 * (controllers/keda/scaledjob_controller.go), and the Job API server's checks on the template that
 * would otherwise only fail at the first Job creation. Triggers go through the same parser, and the
 * same TriggerAuthentication handling, as ScaledObjects.
 */
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { isResourceTriggerType } from '../../triggers/cpu-memory';
import { parseGoBool } from '../../triggers/metadata-values';
import { isRecord, readEnum, readInt, readRecord, readString, readStringMap, warnUnknownFields } from './crd-values';
import type { IssueCollector } from './issue-collector';
import { kubernetesNameProblem } from './kubernetes-names';
import { PAUSED_ANNOTATION } from './parse-annotations';
import { parseTriggers } from './parse-triggers';
import { resolveTriggerEnv } from './resolve-trigger-env';
import { CLUSTER_ANNOTATION, type TriggerAuthentication } from './scaled-object';
import {
  DEFAULT_FAILED_JOBS_HISTORY_LIMIT,
  DEFAULT_SCALED_JOB_MAX_REPLICA_COUNT,
  DEFAULT_SCALED_JOB_MIN_REPLICA_COUNT,
  DEFAULT_SCALED_JOB_POLLING_INTERVAL,
  DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT,
  SCALED_JOB_EXCLUDED_LABELS_ANNOTATION,
  type JobTargetSpec,
  type MultipleScalersCalculation,
  type ScaledJobPropagationPolicy,
  type ScaledJobRolloutStrategy,
  type ScaledJobScalingStrategy,
  type ScaledJobScalingStrategyName,
  type ScaledJobSpec,
} from './scaled-job';

const SPEC_FIELDS = [
  'jobTargetRef', 'pollingInterval', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'rolloutStrategy', 'rollout',
  'envSourceContainerName', 'minReplicaCount', 'maxReplicaCount', 'scalingStrategy', 'triggers',
];
/** batch/v1 JobSpec fields (k8s.io/api/batch/v1 types.go). */
const JOB_SPEC_FIELDS = [
  'parallelism', 'completions', 'activeDeadlineSeconds', 'podFailurePolicy', 'successPolicy', 'backoffLimit', 'backoffLimitPerIndex',
  'maxFailedIndexes', 'selector', 'manualSelector', 'template', 'ttlSecondsAfterFinished', 'completionMode', 'suspend',
  'podReplacementPolicy', 'managedBy',
];
const STRATEGIES = ['default', 'custom', 'accurate', 'eager'] as const;
const CALCULATIONS = ['max', 'min', 'avg', 'sum'] as const;
const ROLLOUT_STRATEGIES = ['gradual', 'immediate'] as const;
const PROPAGATION_POLICIES = ['foreground', 'background'] as const;
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];

export function parseScaledJob(
  issues: IssueCollector,
  metadata: Record<string, unknown>,
  namespace: string,
  name: string,
  specValue: unknown,
  authentications: readonly TriggerAuthentication[],
): ScaledJobSpec | undefined {
  const annotations = readStringMap(issues, metadata.annotations, 'metadata.annotations');
  const labels = readStringMap(issues, metadata.labels, 'metadata.labels');
  const cluster = annotations[CLUSTER_ANNOTATION]?.trim() || undefined;
  const paused = parsePaused(issues, annotations);
  const excludedJobLabels = (annotations[SCALED_JOB_EXCLUDED_LABELS_ANNOTATION] ?? '').split(',').filter((label) => label !== '');
  const generation = typeof metadata.generation === 'number' && Number.isInteger(metadata.generation) ? metadata.generation : undefined;

  if (specValue === undefined || specValue === null) {
    issues.error('spec', 'is required', 'add a spec with jobTargetRef and triggers');
    return undefined;
  }
  const spec = readRecord(issues, specValue, 'spec');
  if (!spec) return undefined;
  warnUnknownFields(issues, spec, 'spec', SPEC_FIELDS);

  const envSourceContainerName = readString(issues, spec.envSourceContainerName, 'spec.envSourceContainerName');
  const jobTargetRef = parseJobTargetRef(issues, spec.jobTargetRef, envSourceContainerName);
  const pollingInterval = readInt(issues, spec.pollingInterval, 'spec.pollingInterval', { min: 1, example: '30' }) ?? DEFAULT_SCALED_JOB_POLLING_INTERVAL;
  const successfulJobsHistoryLimit = readInt(issues, spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit', { min: 0, example: '5' }) ?? DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT;
  const failedJobsHistoryLimit = readInt(issues, spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit', { min: 0, example: '5' }) ?? DEFAULT_FAILED_JOBS_HISTORY_LIMIT;
  const counts = parseJobCounts(issues, spec);
  const rollout = parseRollout(issues, spec);
  const scalingStrategy = parseScalingStrategy(issues, spec.scalingStrategy);
  const triggers = parseTriggers({ issues, objectId: issues.objectId, namespace, authentications }, spec.triggers);
  checkScaledJobTriggers(issues, spec.triggers, triggers);

  if (issues.errors.length > 0 || !jobTargetRef || !counts || !rollout || !scalingStrategy || triggers.some((trigger) => trigger === undefined)) return undefined;
  const resolvedTriggers = resolveFromJobTemplateEnv(issues, triggers as ParsedTrigger[], jobTargetRef, envSourceContainerName);
  if (!resolvedTriggers) return undefined;
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    namespace,
    name,
    id: `${namespace}/${name}`,
    ...(cluster ? { cluster } : {}),
    annotations,
    labels,
    ...(generation !== undefined ? { generation } : {}),
    jobTargetRef,
    ...(envSourceContainerName !== undefined ? { envSourceContainerName } : {}),
    pollingInterval,
    successfulJobsHistoryLimit,
    failedJobsHistoryLimit,
    minReplicaCount: counts.min,
    maxReplicaCount: counts.max,
    maxReplicaCountSet: counts.maxSet,
    rollout,
    scalingStrategy,
    paused,
    excludedJobLabels,
    triggers: resolvedTriggers,
  };
}

/**
 * `...FromEnv` metadata, resolved from the Job template's own container (envSourceContainerName, or
 * the first), as KEDA's resolver does for a ScaledJob. The template is in the manifest, so this
 * happens at parse time; only plain `value` entries can be read (a Secret or ConfigMap is not).
 */
function resolveFromJobTemplateEnv(issues: IssueCollector, triggers: ParsedTrigger[], jobTargetRef: JobTargetSpec, envSourceContainerName: string | undefined): ParsedTrigger[] | undefined {
  if (!triggers.some((trigger) => Object.keys(trigger.envRefs).length > 0)) return triggers;
  const template = jobTargetRef.spec.template as { spec?: { containers?: Record<string, unknown>[] } };
  const containers = template.spec?.containers ?? [];
  const container = envSourceContainerName === undefined ? containers[0] : containers.find((candidate) => candidate.name === envSourceContainerName);
  const containerName = typeof container?.name === 'string' ? container.name : '(first container)';
  const env: Record<string, string> = {};
  const unreadable = new Set<string>();
  for (const entry of Array.isArray(container?.env) ? (container.env as unknown[]) : []) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue;
    if (typeof entry.value === 'string') env[entry.name] = entry.value;
    else if (entry.valueFrom !== undefined) unreadable.add(entry.name);
  }
  let blocked = false;
  for (const trigger of triggers) {
    for (const [field, envVar] of Object.entries(trigger.envRefs)) {
      if (!unreadable.has(envVar)) continue;
      blocked = true;
      issues.error(`spec.triggers[${trigger.index}].metadata.${field}FromEnv`, `env var ${envVar} of container "${containerName}" comes from valueFrom (a Secret, ConfigMap or field), which the scaler cannot read`, `give ${envVar} a plain value in the Job template's env, or set metadata.${field} directly`);
    }
  }
  if (blocked) return undefined;
  const result = resolveTriggerEnv({ id: issues.objectId, triggers }, env);
  issues.adopt(result.errors);
  return result.object?.triggers;
}

/** ScaledJobs read only `autoscaling.keda.sh/paused` (NeedToBePausedByAnnotation); not-a-boolean means paused. */
function parsePaused(issues: IssueCollector, annotations: Record<string, string>): boolean {
  const value = annotations[PAUSED_ANNOTATION];
  if (value === undefined) return false;
  const parsed = parseGoBool(value);
  if (parsed !== undefined) return parsed;
  issues.warn(`metadata.annotations.${PAUSED_ANNOTATION}`, `"${value}" is not a boolean, so KEDA treats it as "true"`, 'write "true" or "false"');
  return true;
}

function parseJobTargetRef(issues: IssueCollector, value: unknown, envSourceContainerName: string | undefined): JobTargetSpec | undefined {
  const path = 'spec.jobTargetRef';
  if (value === undefined || value === null) {
    // The controller's own check: "ScaledJob.spec.jobTargetRef not found".
    issues.error(path, 'is required: it is the Job spec each created Job copies', 'add jobTargetRef with a pod template, e.g. jobTargetRef: {template: {spec: {containers: [...]}}}');
    return undefined;
  }
  const map = readRecord(issues, value, path);
  if (!map) return undefined;
  warnUnknownFields(issues, map, path, JOB_SPEC_FIELDS);
  const errorsBefore = issues.errors.length;
  const parallelism = readInt(issues, map.parallelism, `${path}.parallelism`, { min: 0, example: '1' });
  const completions = readInt(issues, map.completions, `${path}.completions`, { min: 0, example: '1' });
  const activeDeadlineSeconds = readInt(issues, map.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`, { min: 1, example: '600' });
  const backoffLimit = readInt(issues, map.backoffLimit, `${path}.backoffLimit`, { min: 0, example: '6' });
  checkPodTemplate(issues, map.template, `${path}.template`, envSourceContainerName);
  if (issues.errors.length > errorsBefore) return undefined;
  return {
    spec: map,
    ...(parallelism !== undefined ? { parallelism } : {}),
    ...(completions !== undefined ? { completions } : {}),
    ...(activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds } : {}),
    ...(backoffLimit !== undefined ? { backoffLimit } : {}),
  };
}

/** What the API server refuses in a Job's pod template, caught before any Job is created. */
function checkPodTemplate(issues: IssueCollector, value: unknown, path: string, envSourceContainerName: string | undefined): void {
  if (value === undefined || value === null) {
    issues.error(path, 'is required: a Job needs a pod template', `add ${path}.spec.containers with the worker's image`);
    return;
  }
  const template = readRecord(issues, value, path);
  if (!template) return;
  const podSpec = readRecord(issues, template.spec, `${path}.spec`);
  if (!podSpec) {
    if (template.spec === undefined || template.spec === null) issues.error(`${path}.spec`, 'is required', 'add spec.containers with the worker\'s image');
    return;
  }
  const restartPolicy = readString(issues, podSpec.restartPolicy, `${path}.spec.restartPolicy`);
  if (restartPolicy !== undefined && !JOB_RESTART_POLICIES.includes(restartPolicy)) {
    issues.error(`${path}.spec.restartPolicy`, `"${restartPolicy}" is not allowed for a Job (the API server accepts OnFailure or Never)`, 'use restartPolicy: Never, or leave it unset for OnFailure as KEDA sets it');
  }
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    issues.error(`${path}.spec.containers`, 'must list at least one container', 'add "- name: worker\\n  image: <image>"');
    return;
  }
  const names: string[] = [];
  containers.forEach((container, index) => {
    const containerPath = `${path}.spec.containers[${index}]`;
    if (!isRecord(container)) {
      issues.error(containerPath, 'must be a map with name and image', 'write it as "- name: worker\\n  image: <image>"');
      return;
    }
    const name = readString(issues, container.name, `${containerPath}.name`, { required: true, example: 'worker' });
    readString(issues, container.image, `${containerPath}.image`, { required: true, example: 'public.ecr.aws/docker/library/busybox:1.36' });
    if (name === undefined) return;
    const bad = kubernetesNameProblem(name, 'dns-1123-label');
    if (bad) issues.error(`${containerPath}.name`, bad, 'name the container e.g. "worker"');
    names.push(name);
  });
  if (envSourceContainerName !== undefined && names.length > 0 && !names.includes(envSourceContainerName)) {
    issues.error('spec.envSourceContainerName', `no container "${envSourceContainerName}" in the Job template (it has ${names.join(', ')})`, `name one of: ${names.join(', ')}`);
  }
}

/** min/max as the CRD types them; KEDA never rejects min > max, it uses max for both (MinReplicaCount()). */
function parseJobCounts(issues: IssueCollector, spec: Record<string, unknown>): { min: number; max: number; maxSet: boolean } | undefined {
  const minSet = spec.minReplicaCount !== undefined && spec.minReplicaCount !== null;
  const maxSet = spec.maxReplicaCount !== undefined && spec.maxReplicaCount !== null;
  const min = readInt(issues, spec.minReplicaCount, 'spec.minReplicaCount', { min: 0, example: '0' });
  const max = readInt(issues, spec.maxReplicaCount, 'spec.maxReplicaCount', { min: 1, example: '10' });
  if ((minSet && min === undefined) || (maxSet && max === undefined)) return undefined;
  const effectiveMin = min ?? DEFAULT_SCALED_JOB_MIN_REPLICA_COUNT;
  const effectiveMax = max ?? DEFAULT_SCALED_JOB_MAX_REPLICA_COUNT;
  if (maxSet && effectiveMin > effectiveMax) {
    issues.warn('spec.minReplicaCount', `minReplicaCount ${effectiveMin} is greater than maxReplicaCount ${effectiveMax}: KEDA keeps ${effectiveMax} Jobs running and creates no more`, `set minReplicaCount <= maxReplicaCount, e.g. raise maxReplicaCount to ${effectiveMin}`);
  }
  return { min: effectiveMin, max: effectiveMax, maxSet };
}

/** `rollout.strategy`, or the deprecated `rolloutStrategy`, which wins when both are set (as in the controller). */
function parseRollout(issues: IssueCollector, spec: Record<string, unknown>): ScaledJobSpec['rollout'] | undefined {
  const errorsBefore = issues.errors.length;
  const deprecated = spec.rolloutStrategy === undefined || spec.rolloutStrategy === null || spec.rolloutStrategy === '' ? undefined : readEnum(issues, spec.rolloutStrategy, 'spec.rolloutStrategy', ROLLOUT_STRATEGIES);
  if (deprecated !== undefined) issues.warn('spec.rolloutStrategy', 'rolloutStrategy is deprecated in KEDA', `write it as rollout: {strategy: ${deprecated}}`);
  const map = readRecord(issues, spec.rollout, 'spec.rollout') ?? {};
  warnUnknownFields(issues, map, 'spec.rollout', ['strategy', 'propagationPolicy']);
  const strategy = map.strategy === undefined || map.strategy === null || map.strategy === '' ? undefined : readEnum(issues, map.strategy, 'spec.rollout.strategy', ROLLOUT_STRATEGIES);
  const propagation = map.propagationPolicy === undefined || map.propagationPolicy === null || map.propagationPolicy === '' ? undefined : readEnum(issues, map.propagationPolicy, 'spec.rollout.propagationPolicy', PROPAGATION_POLICIES);
  if (issues.errors.length > errorsBefore) return undefined;
  const chosen = deprecated ?? strategy;
  const rolloutStrategy: ScaledJobRolloutStrategy = chosen === 'gradual' ? 'gradual' : 'default';
  const propagationPolicy: ScaledJobPropagationPolicy = propagation ?? 'background';
  return { strategy: rolloutStrategy, propagationPolicy };
}

function parseScalingStrategy(issues: IssueCollector, value: unknown): ScaledJobScalingStrategy | undefined {
  const path = 'spec.scalingStrategy';
  const map = readRecord(issues, value, path) ?? {};
  warnUnknownFields(issues, map, path, ['strategy', 'customScalingQueueLengthDeduction', 'customScalingRunningJobPercentage', 'pendingPodConditions', 'multipleScalersCalculation']);
  const errorsBefore = issues.errors.length;
  const written = map.strategy === undefined || map.strategy === null || map.strategy === '' ? 'default' : readEnum(issues, map.strategy, `${path}.strategy`, STRATEGIES);
  const deduction = readInt(issues, map.customScalingQueueLengthDeduction, `${path}.customScalingQueueLengthDeduction`, { example: '1' });
  const percentageText = readString(issues, map.customScalingRunningJobPercentage, `${path}.customScalingRunningJobPercentage`);
  const calculation: MultipleScalersCalculation | undefined = map.multipleScalersCalculation === undefined || map.multipleScalersCalculation === null || map.multipleScalersCalculation === ''
    ? 'max'
    : readEnum(issues, map.multipleScalersCalculation, `${path}.multipleScalersCalculation`, CALCULATIONS);
  const pendingPodConditions = parsePendingPodConditions(issues, map.pendingPodConditions, `${path}.pendingPodConditions`);
  if (issues.errors.length > errorsBefore || written === undefined || calculation === undefined) return undefined;

  let strategy: ScaledJobScalingStrategyName = written;
  const percentage = percentageText === undefined ? undefined : parseGoFloat(percentageText);
  if (written === 'custom' && percentage === undefined) {
    // NewScalingStrategy (scale_jobs.go) silently falls back to `default`; say so.
    const shown = percentageText === undefined ? 'is not set' : `"${percentageText}" is not a number`;
    issues.warn(`${path}.customScalingRunningJobPercentage`, `${shown}, so KEDA uses the default strategy instead of custom`, 'set it as a quoted decimal, e.g. customScalingRunningJobPercentage: "0.5"');
    strategy = 'default';
  } else if (written !== 'custom') {
    for (const field of ['customScalingQueueLengthDeduction', 'customScalingRunningJobPercentage'] as const) {
      if (map[field] !== undefined && map[field] !== null) issues.warn(`${path}.${field}`, `is only used by strategy "custom", not "${written}"`, 'remove it, or set strategy: custom');
    }
  }
  return {
    strategy,
    ...(strategy === 'custom' && deduction !== undefined ? { customScalingQueueLengthDeduction: deduction } : {}),
    ...(strategy === 'custom' && percentage !== undefined ? { customScalingRunningJobPercentage: percentage } : {}),
    multipleScalersCalculation: calculation,
    pendingPodConditions,
  };
}

function parsePendingPodConditions(issues: IssueCollector, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.error(path, 'must be a list of pod condition types', 'write e.g. pendingPodConditions: ["Ready", "PodScheduled"]');
    return [];
  }
  const conditions: string[] = [];
  value.forEach((entry, index) => {
    const condition = readString(issues, entry, `${path}[${index}]`, { required: true, example: 'Ready' });
    if (condition !== undefined && !conditions.includes(condition)) conditions.push(condition);
  });
  return conditions;
}

/** Go's strconv.ParseFloat(s, 64) on the decimal forms a YAML string holds; undefined when it fails. */
function parseGoFloat(text: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The controller refuses `metricType` on ScaledJob triggers; cpu and memory give no external metric,
 * so KEDA's ScaledJob loop skips them (a ScaledJob scaled only by them never creates a Job), and
 * `useCachedMetrics` is ignored.
 */
function checkScaledJobTriggers(issues: IssueCollector, raw: unknown, triggers: readonly (ParsedTrigger | undefined)[]): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    const path = `spec.triggers[${index}]`;
    if (entry.metricType !== undefined && entry.metricType !== null && entry.metricType !== '') {
      issues.error(`${path}.metricType`, 'metricType cannot be set in ScaledJob triggers (KEDA refuses the object)', 'remove metricType: a ScaledJob always divides the queue length by the trigger\'s target');
    }
    if (typeof entry.type === 'string' && isResourceTriggerType(entry.type)) {
      issues.error(`${path}.type`, `a "${entry.type}" trigger has no queue to count, and KEDA's ScaledJob loop skips it`, 'use an event trigger such as aws-sqs-queue; cpu and memory only suit ScaledObjects');
    }
    if (triggers[index]?.useCachedMetrics) {
      issues.warn(`${path}.useCachedMetrics`, 'useCachedMetrics is not supported for ScaledJobs and is ignored', 'remove useCachedMetrics');
    }
  });
}
