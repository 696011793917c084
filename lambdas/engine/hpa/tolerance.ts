/**
 * The HPA's tolerance band (`Tolerances.isWithin`). A metric whose usage ratio is inside the band
 * keeps the current count, so small wobbles do not cause scaling.
 */
import type { HpaBehavior } from '../spec/scaled-object';

/** `--horizontal-pod-autoscaler-tolerance`; the controller cannot be configured below it to zero. */
export const DEFAULT_TOLERANCE = 0.1;

export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

/**
 * Per-direction tolerances. Values from `behavior` apply only when a behavior block exists
 * (HPAConfigurableTolerance, on by default since 1.35); each direction falls back on its own.
 */
export function tolerancesFor(behavior: HpaBehavior | undefined): Tolerances {
  return {
    scaleDown: behavior?.scaleDown?.tolerance ?? DEFAULT_TOLERANCE,
    scaleUp: behavior?.scaleUp?.tolerance ?? DEFAULT_TOLERANCE,
  };
}

/**
 * Both bounds are inclusive and computed as `1 ± t` (not `|1 - r| <= t`): with doubles, a ratio of
 * exactly 1.1 is inside the band this way, as in current upstream.
 */
export function isWithinTolerance(ratio: number, tolerances: Tolerances): boolean {
  return 1 - tolerances.scaleDown <= ratio && ratio <= 1 + tolerances.scaleUp;
}
