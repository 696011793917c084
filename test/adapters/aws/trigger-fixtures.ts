/** Builds ParsedTriggers and ScaledObjects through the triggers' own parse, for the AWS read tests. */
import type { ScaledObject } from '../../../lambdas/engine/spec/scaled-object';
import { formatIssue } from '../../../lambdas/engine/spec/issues';
import type { ParsedTrigger, TriggerDefinition, TriggerParseResult } from '../../../lambdas/triggers/trigger-definition';

export function parseWith(definition: TriggerDefinition, metadata: Record<string, string>, extra: { index?: number; podIdentityRoleArn?: string; resolvedEnv?: Record<string, string> } = {}): TriggerParseResult {
  const index = extra.index ?? 0;
  return definition.parse({ objectId: 'jobs/orders', index, fieldPath: `spec.triggers[${index}].metadata`, metadata, ...extra });
}

export function parsedTrigger(definition: TriggerDefinition, metadata: Record<string, string>, extra: { index?: number; podIdentityRoleArn?: string } = {}): ParsedTrigger {
  const result = parseWith(definition, metadata, extra);
  if (!result.parsed) throw new Error(`fixture does not parse: ${result.errors.map(formatIssue).join('; ')}`);
  const { envRefs, ...parsed } = result.parsed;
  return { index: extra.index ?? 0, type: definition.type, metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...parsed };
}

export function scaledObject(name: string, triggers: ParsedTrigger[]): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    namespace: 'jobs',
    name,
    id: `jobs/${name}`,
    annotations: {},
    labels: {},
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    pollingInterval: 30,
    cooldownPeriod: 300,
    initialCooldownPeriod: 0,
    minReplicaCount: 0,
    maxReplicaCount: 100,
    restoreToOriginalReplicaCount: false,
    pause: { paused: false, pausedScaleIn: false, pausedScaleOut: false, forceActivation: false },
    triggers,
  };
}

export const sqsUrl = (queue: string, region = 'eu-west-1'): string => `https://sqs.${region}.amazonaws.com/123456789012/${queue}`;
