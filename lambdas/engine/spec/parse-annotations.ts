/**
 * KEDA's `autoscaling.keda.sh/*` annotations as a {@link PauseSpec}, with KEDA's parsing: the
 * boolean annotations go through Go's `strconv.ParseBool` and a value it rejects counts as true;
 * `paused-replicas` pauses by its mere presence, its value read as a base-10 int32.
 */
import { parseGoBool } from '../../triggers/metadata-values';
import type { IssueCollector } from './issue-collector';
import type { PauseSpec } from './scaled-object';

export const PAUSED_ANNOTATION = 'autoscaling.keda.sh/paused';
export const PAUSED_REPLICAS_ANNOTATION = 'autoscaling.keda.sh/paused-replicas';
export const PAUSED_SCALE_IN_ANNOTATION = 'autoscaling.keda.sh/paused-scale-in';
export const PAUSED_SCALE_OUT_ANNOTATION = 'autoscaling.keda.sh/paused-scale-out';
export const FORCE_ACTIVATION_ANNOTATION = 'autoscaling.keda.sh/force-activation';

export function parsePauseAnnotations(issues: IssueCollector, annotations: Record<string, string>): PauseSpec {
  const flag = (name: string): boolean => {
    const value = annotations[name];
    if (value === undefined) return false;
    const parsed = parseGoBool(value);
    if (parsed !== undefined) return parsed;
    issues.warn(`metadata.annotations.${name}`, `"${value}" is not a boolean, so KEDA treats it as "true"`, 'write "true" or "false"');
    return true;
  };
  const pause: PauseSpec = {
    paused: flag(PAUSED_ANNOTATION),
    pausedScaleIn: flag(PAUSED_SCALE_IN_ANNOTATION),
    pausedScaleOut: flag(PAUSED_SCALE_OUT_ANNOTATION),
    forceActivation: flag(FORCE_ACTIVATION_ANNOTATION),
  };
  const replicas = annotations[PAUSED_REPLICAS_ANNOTATION];
  if (replicas !== undefined) {
    pause.paused = true;
    const count = parseGoInt32(replicas);
    const field = `metadata.annotations.${PAUSED_REPLICAS_ANNOTATION}`;
    if (count === undefined) {
      issues.warn(field, `"${replicas}" is not a 32-bit integer: the object stays paused at its current replica count`, 'write a replica count such as "2", or remove the annotation to resume scaling');
    } else if (count < 0) {
      issues.warn(field, `${count} is negative: the object stays paused at its current replica count`, 'write a replica count of 0 or more');
    } else pause.pausedReplicas = count;
  }
  return pause;
}

/** Go's `strconv.ParseInt(s, 10, 32)`: optional sign, decimal digits, int32 range. */
function parseGoInt32(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}
