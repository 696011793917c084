/**
 * Re-parses one object's triggers once the target container's env is known (tick time), so that
 * `...FromEnv` parameters are checked and take effect exactly as KEDA's `resolvedEnv` lookup.
 */
import { getTriggerDefinition } from '../../triggers/registry';
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import type { SpecIssue } from './issues';
import { buildTrigger } from './parse-triggers';
import { isResourceTriggerType } from '../../triggers/cpu-memory';
import type { ScaledObject } from './scaled-object';

/** What the re-parse reads of an object: a ScaledObject, or a ScaledJob (whose env is its Job template's). */
type EnvResolvable = Pick<ScaledObject, 'id' | 'triggers' | 'sourceFile' | 'envFieldLines'>;

export function resolveTriggerEnv<T extends EnvResolvable>(object: T, env: Record<string, string>): { object?: T; errors: SpecIssue[] } {
  const errors: SpecIssue[] = [];
  const triggers: ParsedTrigger[] = [];
  for (const trigger of object.triggers) {
    const definition = getTriggerDefinition(trigger.type);
    if (!definition) {
      errors.push({ severity: 'error', objectId: object.id, field: `spec.triggers[${trigger.index}].type`, message: `trigger type "${trigger.type}" is not supported` });
      continue;
    }
    // A role from a TriggerAuthentication travels in `aws.roleArn`; hand it back as podIdentity.
    const podIdentityRoleArn = trigger.authenticationRef ? trigger.aws?.roleArn : undefined;
    const podIdentityExternalId = trigger.authenticationRef ? trigger.aws?.externalId : undefined;
    // Only a TriggerAuthentication with podIdentity provider aws gives a prometheus trigger an AWS
    // source (its SigV4 signer); AWS trigger types read their source from metadata and ignore this.
    const podIdentityProvider = trigger.authenticationRef && trigger.aws ? 'aws' : undefined;
    const result = definition.parse({
      objectId: object.id,
      index: trigger.index,
      fieldPath: `spec.triggers[${trigger.index}].metadata`,
      metadata: trigger.metadata,
      resolvedEnv: env,
      ...(podIdentityRoleArn !== undefined ? { podIdentityRoleArn } : {}),
      ...(podIdentityExternalId !== undefined ? { podIdentityExternalId } : {}),
      ...(podIdentityProvider !== undefined ? { podIdentityProvider } : {}),
      ...(trigger.authParams ? { authParams: trigger.authParams } : {}),
      // cpu/memory read their type from the trigger's metricType, unless it was written as the deprecated metadata.type.
      ...(isResourceTriggerType(trigger.type) && !trigger.metadata.type?.trim() ? { triggerMetricType: trigger.metricType } : {}),
    });
    errors.push(...result.errors.map((issue) => withLocation({ ...issue, objectId: object.id }, object)));
    if (result.errors.length > 0 || !result.parsed) continue;
    triggers.push(
      buildTrigger(definition, result, {
        index: trigger.index,
        name: trigger.name,
        metricType: trigger.metricType,
        metadata: trigger.metadata,
        authenticationRef: trigger.authenticationRef,
        useCachedMetrics: trigger.useCachedMetrics,
        ...(trigger.authParams ? { authParams: trigger.authParams } : {}),
      }),
    );
  }
  if (errors.length > 0) return { errors };
  return { object: { ...object, triggers }, errors };
}

/** The file and line the parse recorded for the field, as parse-time issues carry them. */
function withLocation(issue: SpecIssue, object: EnvResolvable): SpecIssue {
  if (object.sourceFile === undefined) return issue;
  const line = object.envFieldLines?.[issue.field];
  return { ...issue, file: object.sourceFile, ...(line !== undefined ? { line } : {}) };
}
