/**
 * Hand-built engine fixtures: ScaledObjects and ParsedTriggers as the parser would produce them,
 * built directly so engine tests do not depend on the YAML parser.
 */
import type { ParsedTrigger } from '../../lambdas/triggers/trigger-definition';
import type { PauseSpec, ScaledObject } from '../../lambdas/engine/spec/scaled-object';
import type { ScalingState } from '../../lambdas/engine/scaling-state';
import type { EvaluateInput, TriggerResult } from '../../lambdas/engine/evaluate-types';

/** 2025-01-01T00:00:00Z: a fixed clock origin for every time-dependent test. */
export const T0 = Date.UTC(2025, 0, 1);
export const seconds = (n: number): number => n * 1000;

export function sqsTrigger(index = 0, overrides: Partial<ParsedTrigger> = {}): ParsedTrigger {
  return {
    index,
    type: 'aws-sqs-queue',
    metricName: `s${index}-aws-sqs-orders`,
    metricType: 'AverageValue',
    target: 5,
    activationTarget: 0,
    params: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders' },
    aws: { region: 'eu-west-1' },
    metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', queueLength: '5', awsRegion: 'eu-west-1' },
    envRefs: {},
    useCachedMetrics: false,
    ...overrides,
  };
}

export function cloudwatchTrigger(index = 0, overrides: Partial<ParsedTrigger> = {}): ParsedTrigger {
  return sqsTrigger(index, { type: 'aws-cloudwatch', metricName: `s${index}-aws-cloudwatch`, target: 10, params: {}, metadata: {}, ...overrides });
}

const NO_PAUSE: PauseSpec = { paused: false, pausedScaleIn: false, pausedScaleOut: false, forceActivation: false };

export type ScaledObjectOverrides = Partial<Omit<ScaledObject, 'pause'>> & { pause?: Partial<PauseSpec> };

export function scaledObject(overrides: ScaledObjectOverrides = {}): ScaledObject {
  const { pause, ...rest } = overrides;
  const namespace = rest.namespace ?? 'jobs';
  const name = rest.name ?? 'orders';
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    namespace,
    name,
    id: `${namespace}/${name}`,
    annotations: {},
    labels: {},
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders-worker' },
    pollingInterval: 30,
    cooldownPeriod: 300,
    initialCooldownPeriod: 0,
    minReplicaCount: 0,
    maxReplicaCount: 100,
    restoreToOriginalReplicaCount: false,
    triggers: [sqsTrigger(0)],
    ...rest,
    pause: { ...NO_PAUSE, ...pause },
  };
}

export function scalingState(overrides: Partial<ScalingState> = {}): ScalingState {
  return { firstSeenAt: T0 - seconds(3600), scaleUpEvents: [], scaleDownEvents: [], health: {}, ...overrides };
}

/** A successful read; active follows KEDA's rule (value > activation threshold 0) unless given. */
export function reading(index: number, value: number, active = value > 0): TriggerResult {
  return { index, ok: true, value, active };
}

export function failure(index: number, error = 'AccessDenied: not authorized to perform sqs:GetQueueAttributes'): TriggerResult {
  return { index, ok: false, error, code: 'AccessDenied' };
}

export function input(overrides: Partial<EvaluateInput> & { specReplicas?: number; readyPods?: number } = {}): EvaluateInput {
  const { specReplicas, readyPods, ...rest } = overrides;
  return {
    object: scaledObject(),
    now: T0,
    target: { specReplicas: specReplicas ?? 1, ...(readyPods === undefined ? {} : { readyPods }) },
    triggers: [reading(0, 0)],
    state: scalingState(),
    ...rest,
  };
}
