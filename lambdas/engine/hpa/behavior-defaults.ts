/**
 * The API server's defaults for `spec.behavior` (`GenerateHPAScaleUpRules` /
 * `GenerateHPAScaleDownRules`), applied field by field, plus the controller's fill-in of a nil
 * scale-down window.
 */
import type { HpaBehavior, HpaScalingPolicy, HpaScalingRules, SelectPolicy } from '../spec/scaled-object';

/** `--horizontal-pod-autoscaler-downscale-stabilization`, used for a nil scale-down window. */
export const DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;

export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: HpaScalingPolicy[];
}

export interface ResolvedBehavior {
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules;
}

const SCALE_UP_DEFAULTS: ResolvedScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

const SCALE_DOWN_DEFAULTS: ResolvedScalingRules = {
  stabilizationWindowSeconds: DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** Set fields win; a user policy list replaces the default list instead of merging with it. */
function fill(rules: HpaScalingRules | undefined, defaults: ResolvedScalingRules): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? defaults.selectPolicy,
    policies: (rules?.policies ?? defaults.policies).map((policy) => ({ ...policy })),
  };
}

export function resolveBehavior(behavior: HpaBehavior): ResolvedBehavior {
  return { scaleUp: fill(behavior.scaleUp, SCALE_UP_DEFAULTS), scaleDown: fill(behavior.scaleDown, SCALE_DOWN_DEFAULTS) };
}
