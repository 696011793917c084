/**
 * KEDA's admission checks on objects with cpu/memory triggers (`scaledobject_webhook.go`
 * verifyCPUMemoryScalers, and `scaledobject_types.go` CheckFallbackValid through verifyFallback).
 */
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { isResourceTriggerType, resourceOnlyScaleToZeroError } from '../../triggers/cpu-memory';
import type { IssueCollector } from './issue-collector';
import type { FallbackSpec, ScaleTargetRef } from './scaled-object';

/** verifyCPUMemoryScalers reads the pod template of these kinds only; any other kind skips its checks. */
const CHECKED_TARGETS = ['apps/v1/Deployment', 'apps/v1/StatefulSet'];

export function checkResourceTriggers(
  issues: IssueCollector,
  triggers: readonly (ParsedTrigger | undefined)[],
  minReplicaCount: number | undefined,
  target: ScaleTargetRef | undefined,
  fallback: FallbackSpec | undefined,
  usesModifiers: boolean,
): void {
  const types = triggers.filter((trigger): trigger is ParsedTrigger => trigger !== undefined).map((trigger) => trigger.type);
  if (types.length !== triggers.length) return; // a broken trigger already has its error
  const checkedTarget = target !== undefined && CHECKED_TARGETS.includes(`${target.apiVersion}/${target.kind}`);
  const scaleToZero = minReplicaCount === undefined || !checkedTarget ? undefined : resourceOnlyScaleToZeroError(types, minReplicaCount);
  if (scaleToZero) {
    issues.error('spec.minReplicaCount', scaleToZero, 'set minReplicaCount: 1 or more, or add a trigger that can wake the workload from zero (e.g. cron or aws-sqs-queue)');
  }
  if (fallback && !usesModifiers && types.every(isResourceTriggerType)) {
    issues.error(
      'spec.fallback',
      'at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback to be enabled',
      'remove spec.fallback: cpu and memory metrics come from metrics-server through the HPA and never fall back',
    );
  }
}
