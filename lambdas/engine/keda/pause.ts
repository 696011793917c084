/**
 * KEDA's pause annotations as they reach the HPA. `paused` and `paused-replicas` delete the HPA
 * (handled before anything else in `evaluate`); `paused-scale-in` / `paused-scale-out` keep it but
 * disable one direction through `behavior.<direction>.selectPolicy`.
 */
import type { HpaBehavior, ScaledObject } from '../spec/scaled-object';

/**
 * The behavior KEDA writes on the HPA (`controllers/keda/hpa.go`). Disabling a direction creates a
 * behavior block when there was none, which also switches the HPA to the behavior normalization
 * with its defaults.
 */
export function effectiveHpaBehavior(object: ScaledObject): HpaBehavior | undefined {
  const { pausedScaleIn, pausedScaleOut } = object.pause;
  if (!pausedScaleIn && !pausedScaleOut) return object.behavior;
  const behavior: HpaBehavior = { ...object.behavior };
  if (pausedScaleIn) behavior.scaleDown = { ...behavior.scaleDown, selectPolicy: 'Disabled' };
  if (pausedScaleOut) behavior.scaleUp = { ...behavior.scaleUp, selectPolicy: 'Disabled' };
  return behavior;
}

/** KEDA's `GetHPAMinReplicas`: the HPA never goes below 1; KEDA owns 0 and idle. */
export function hpaMinReplicas(object: ScaledObject): number {
  return Math.max(1, object.minReplicaCount);
}
