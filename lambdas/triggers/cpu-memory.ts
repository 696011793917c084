/**
 * `cpu` and `memory` triggers (KEDA `pkg/scalers/cpu_memory_scaler.go`). KEDA does not read these
 * itself: it hands the HPA a `Resource` (or `ContainerResource`, with `containerName`) metric and
 * kube-controller-manager computes replicas from metrics.k8s.io PodMetrics
 * (engine/hpa/resource-replicas.ts does that here). This file holds the metadata parse and KEDA's
 * object-level rules for them.
 *
 * The tick reads no AWS for them: the pods and PodMetrics come from the target's cluster while the
 * object is prepared (pod-scaler/prepare-object.ts), reach the engine as a `resource` trigger
 * result, and the engine runs the HPA's calculation on the count KEDA leaves. So `readRequest` is
 * empty and `toMetric` is never the path for them.
 */
import type { SpecIssue } from '../engine/spec/issues';
import type { ResourceName, ResourceTarget } from '../engine/hpa/resource-replicas';
import { cpuMillis } from '../engine/nodes/quantities';
import { metadataReader, parseStrictInteger } from './metadata-values';
import type { MetricOutcome, ParsedTrigger, TriggerDefinition, TriggerParseInput, TriggerParseResult } from './trigger-definition';
import { TriggerError } from './trigger-definition';

export interface ResourceTriggerParams {
  resource: ResourceName;
  target: ResourceTarget;
  containerName?: string;
}

export interface ResourceTriggerParseInput extends TriggerParseInput {
  resource: ResourceName;
}

const METRIC_TYPES = ['Utilization', 'AverageValue'];

export function parseResourceTrigger(input: ResourceTriggerParseInput): { params?: ResourceTriggerParams; errors: SpecIssue[]; warnings: SpecIssue[] } {
  const reader = metadataReader(input);
  const legacyType = reader.string('type');
  const triggerType = input.triggerMetricType?.trim() || undefined;
  if (legacyType !== undefined && triggerType !== undefined) {
    // KEDA: "only one of trigger.metadata.type or trigger.metricType should be defined".
    reader.error('type', 'only one of trigger.metadata.type or trigger.metricType should be defined', 'remove metadata.type and keep metricType');
  } else if (legacyType !== undefined) {
    reader.warn('type', 'metadata.type is deprecated in KEDA', `write metricType: ${legacyType} on the trigger instead`);
  }
  const metricType = triggerType ?? legacyType;
  if (metricType === undefined) {
    reader.error('type', 'the metric type is required', 'set metricType: Utilization (percent of requests) or AverageValue on the trigger');
  } else if (!METRIC_TYPES.includes(metricType)) {
    const message = `unsupported metric type "${metricType}", allowed values are 'Utilization' or 'AverageValue'`;
    const fix = 'use Utilization or AverageValue (Value does not apply to cpu and memory)';
    // Point at the field the user wrote: the trigger's metricType, or the deprecated metadata.type.
    if (triggerType === undefined) reader.error('type', message, fix);
    else reader.errors.push({ severity: 'error', objectId: input.objectId, field: input.fieldPath.replace(/\.metadata$/, '.metricType'), message, fix });
  }
  const valueText = reader.string('value', { required: true });
  const containerName = reader.string('containerName');
  reader.finish(['type', 'value', 'containerName']);

  let target: ResourceTarget | undefined;
  if (valueText !== undefined && metricType === 'Utilization') {
    const percent = parseStrictInteger(valueText);
    if (percent === undefined || percent <= 0 || percent > 2_147_483_647) reader.error('value', `"${valueText}" is not a whole percentage greater than 0`, 'use the percent of the request to keep, e.g. "50"');
    else target = { type: 'Utilization', averageUtilization: percent };
  } else if (valueText !== undefined && metricType === 'AverageValue') {
    const milli = quantityMilli(valueText);
    if (milli === undefined || milli <= 0) reader.error('value', `"${valueText}" is not a Kubernetes quantity greater than 0`, input.resource === 'cpu' ? 'use e.g. "500m" or "1"' : 'use e.g. "512Mi" or "1Gi"');
    else target = { type: 'AverageValue', averageValueMilli: milli };
  }
  if (reader.errors.length > 0 || !target) return { errors: reader.errors, warnings: reader.warnings };
  return { params: { resource: input.resource, target, ...(containerName ? { containerName } : {}) }, errors: reader.errors, warnings: reader.warnings };
}

/** A quantity in milli-units (upstream `MilliValue()`, rounded up); undefined when not a quantity. */
export function quantityMilli(text: string): number | undefined {
  try {
    // cpuMillis is MilliValue() rounded up for any quantity; memory in milli-bytes is the same sum.
    const milli = cpuMillis(text);
    return Number.isFinite(milli) ? milli : undefined;
  } catch {
    return undefined;
  }
}

export function isResourceTriggerType(type: string): type is ResourceName {
  return type === 'cpu' || type === 'memory';
}

/**
 * KEDA's webhook: an object whose only triggers are cpu/memory cannot scale to zero (the HPA needs
 * a running pod to measure), so `minReplicaCount: 0` is refused. Returns the message, or undefined.
 */
export function resourceOnlyScaleToZeroError(triggerTypes: readonly string[], minReplicaCount: number): string | undefined {
  if (minReplicaCount !== 0 || triggerTypes.length === 0 || !triggerTypes.every(isResourceTriggerType)) return undefined;
  return 'scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn\'t work in this case)';
}

/** The trigger's target in the unit people write: percent for Utilization, cores or bytes for AverageValue. */
function targetOf(target: ResourceTarget): number {
  return target.type === 'Utilization' ? target.averageUtilization : target.averageValueMilli / 1000;
}

function resourceDefinition(resource: ResourceName): TriggerDefinition {
  return {
    type: resource,
    parse(input: TriggerParseInput): TriggerParseResult {
      const { params, errors, warnings } = parseResourceTrigger({ ...input, resource });
      if (!params) return { errors, warnings };
      const container = params.containerName ? `-${params.containerName}` : '';
      return {
        parsed: {
          // The HPA names a resource metric by its resource; the s<index>- prefix keeps two of them apart.
          metricName: `s${input.index}-${resource}${container}`,
          metricType: params.target.type,
          target: targetOf(params.target),
          // KEDA: a cpu/memory trigger has no activation of its own (GetMetricsAndActivity: nil, true, nil is never read).
          activationTarget: 0,
          params: { ...params },
          envRefs: {},
        },
        errors,
        warnings,
      };
    },
    readRequest: () => undefined,
    toMetric(trigger: ParsedTrigger): MetricOutcome {
      throw new TriggerError(`${trigger.type} triggers are read from the pods' metrics.k8s.io PodMetrics, not through a metric step`, 'ResourceMetricPath');
    },
  };
}

export const cpuTrigger = resourceDefinition('cpu');
export const memoryTrigger = resourceDefinition('memory');

/** The validated params of a cpu/memory trigger (its `params`, typed). */
export function resourceParamsOf(trigger: ParsedTrigger): ResourceTriggerParams {
  return trigger.params as unknown as ResourceTriggerParams;
}
