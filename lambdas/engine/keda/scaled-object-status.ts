/**
 * The `status` KEDA's operator writes on a ScaledObject, computed from one pass of ours: the
 * conditions Ready, Active, Fallback and Paused with KEDA's reasons and messages, lastActiveTime,
 * originalReplicaCount, per-trigger health, scaleTargetKind, pausedReplicaCount and the columns
 * `kubectl get so` prints (triggersTypes, authenticationsTypes), plus the Events KEDA records when
 * those conditions change.
 *
 * Sources (KEDA v2.20.2): `apis/keda/v1alpha1/condition_types.go` (types, initial values, reasons),
 * `controllers/keda/scaledobject_controller.go` (Reconcile, reconcileScaledObject, handlePause,
 * checkTargetResourceIsScalable), `pkg/scaling/executor/scale_scaledobjects.go` (RequestScale,
 * scaleFromZeroOrIdle, scaleToZeroOrIdle), `pkg/fallback/fallback.go` (updateStatus, health only
 * with a valid fallback), `pkg/scaling/scale_handler.go` (handleResult merges, checkScalers),
 * `apis/keda/v1alpha1/scaletriggers_types.go` (CombinedTriggersAndAuthenticationsTypes),
 * `apis/keda/v1alpha1/gvkr_types.go` (GVKString).
 *
 * `changed` tells the adapter whether a write is needed. One difference from KEDA, on purpose:
 * KEDA moves lastActiveTime on every poll while an object is active (a status PATCH every 30 s per
 * object). Here a lastActiveTime that only moved forward while Active stayed True is not a change,
 * so an object in steady state costs no write (docs/performance.md); the value is written with the
 * next real change, at the latest when the object turns inactive, which is when it matters
 * (cooldown counts from it). KEDA's conditions carry no lastTransitionTime (its Condition type has
 * none and its CRD prunes one), so there is none to compare.
 *
 * Pure: no I/O, the time passed in.
 */
import { plainDataEqual } from '../../util/plain-data';
import type { DecisionRule, ObjectStatus } from '../evaluate-types';
import type { ScaledObject } from '../spec/scaled-object';
import type { ScalingState } from '../scaling-state';
import { isFallbackEnabled } from './fallback';

/** An Event on the ScaledObject, shaped like the adapters' KedaEvent (the engine imports no adapter). */
export interface KedaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type KedaConditionType = 'Ready' | 'Active' | 'Fallback' | 'Paused';

export interface KedaCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

export interface KedaHealth {
  numberOfFailures?: number;
  status?: 'Happy' | 'Failing';
}

/** `ScaledObjectStatus` (scaledobject_types.go), the fields this scaler writes plus any it keeps. */
export interface KedaScaledObjectStatus {
  scaleTargetKind?: string;
  originalReplicaCount?: number;
  /** RFC 3339, seconds (metav1.Time). */
  lastActiveTime?: string;
  externalMetricNames?: string[];
  conditions?: KedaCondition[];
  health?: Record<string, KedaHealth>;
  triggersActivity?: Record<string, { isActive: boolean }>;
  pausedReplicaCount?: number;
  triggersTypes?: string;
  authenticationsTypes?: string;
  /** Fields another writer set (scaleTargetGVKR, hpaName...): kept as they are. */
  [field: string]: unknown;
}

/** One pass's evaluation of an object, as the tick reports it. */
export interface EvaluatedPass {
  kind: 'evaluated';
  status: ObjectStatus;
  statusReason?: string;
  active: boolean;
  rule: DecisionRule;
  /** Per trigger: KEDA's external metric name, whether it is active, its error if it failed, whether its fallback stood in. */
  triggers: { metricName: string; active?: boolean; error?: string; fallback?: boolean }[];
  /** spec.replicas before the pass, and the count the pass set (equal when nothing was patched). */
  fromReplicas: number;
  toReplicas: number;
  scaled: boolean;
  /** The stored scaling state after the pass. */
  state: Pick<ScalingState, 'health' | 'lastActiveTime' | 'originalReplicaCount'>;
}

/** The object could not be evaluated at all this pass: its target is gone, RBAC, a hung call. */
export interface FailedPass {
  kind: 'failed';
  error: string;
  state?: Pick<ScalingState, 'health' | 'lastActiveTime' | 'originalReplicaCount'>;
}

export interface ScaledObjectStatusInput {
  object: ScaledObject;
  /** The status as listed on the object (undefined for a new object). */
  previous: KedaScaledObjectStatus | undefined;
  pass: EvaluatedPass | FailedPass;
}

export interface ScaledObjectStatusResult {
  status: KedaScaledObjectStatus;
  /** False when the listed status already says all this: no write is needed. */
  changed: boolean;
  /** KEDA's Events for what changed, for the ScaledObject. */
  events: KedaEvent[];
}

// condition_types.go and the literal reasons of the controller and executor.
export const READY_REASON = 'ScaledObjectReady';
export const READY_MESSAGE = 'ScaledObject is defined correctly and is ready for scaling';
export const CHECK_FAILED_REASON = 'ScaledObjectCheckFailed';
export const PAUSED_REASON = 'ScaledObjectPaused';
export const PAUSED_MESSAGE = 'ScaledObject is paused';
export const UNPAUSED_REASON = 'ScaledObjectUnpaused';
export const UNPAUSED_MESSAGE = 'pause annotation removed for ScaledObject';
const SCALER_READY_EVENT_MESSAGE = 'ScaledObject is ready for scaling'; // pkg/common/message ScalerReadyMsg

const CONDITION_ORDER: readonly KedaConditionType[] = ['Ready', 'Active', 'Fallback', 'Paused'];

/** GetInitializedConditions: Paused starts False, the others Unknown. */
function initialConditions(): KedaCondition[] {
  return [
    { type: 'Ready', status: 'Unknown' },
    { type: 'Active', status: 'Unknown' },
    { type: 'Fallback', status: 'Unknown' },
    { type: 'Paused', status: 'False' },
  ];
}

/** The status of an evaluated (or unevaluable) object. */
export function scaledObjectStatus(input: ScaledObjectStatusInput): ScaledObjectStatusResult {
  const { object, previous, pass } = input;
  const before = conditionsOf(previous);
  const conditions = new Map(before);
  const events: KedaEvent[] = [];
  const kind = gvkString(object);

  // Paused (reconcileScaledObject): paused / paused-replicas, or a one-direction pause.
  const pausedBefore = before.get('Paused')?.status === 'True';
  const pausedNow = object.pause.paused || object.pause.pausedScaleIn || object.pause.pausedScaleOut;
  if (pausedNow) {
    conditions.set('Paused', { type: 'Paused', status: 'True', reason: PAUSED_REASON, message: PAUSED_MESSAGE });
    if (!pausedBefore) events.push({ type: 'Normal', reason: PAUSED_REASON, message: PAUSED_MESSAGE });
  } else if (pausedBefore) {
    conditions.set('Paused', { type: 'Paused', status: 'False', reason: UNPAUSED_REASON, message: UNPAUSED_MESSAGE });
    events.push({ type: 'Normal', reason: UNPAUSED_REASON, message: UNPAUSED_MESSAGE });
  }

  if (pass.kind === 'failed') {
    // RequestScale: GetCurrentReplicas failed; it returns before Active is touched.
    conditions.set('Ready', {
      type: 'Ready',
      status: 'False',
      reason: 'ErrorGettingCurrentReplicas',
      message: `Error getting current replicas count for ScaleTarget: ${pass.error}`,
    });
  } else {
    const ready = readyCondition(object, pass);
    // Reconcile: ScaledObjectReady is recorded when the object was not Ready (new, or fixed).
    const readyBefore = before.get('Ready')!;
    const wasNotReady = (readyBefore.status === 'Unknown' && readyBefore.reason === undefined) || readyBefore.reason === CHECK_FAILED_REASON;
    if (wasNotReady) {
      events.push({ type: 'Normal', reason: READY_REASON, message: SCALER_READY_EVENT_MESSAGE });
    }
    conditions.set('Ready', ready);
    // handlePaused: a paused object's scale loop is stopped, so Active keeps its last value.
    if (!object.pause.paused) conditions.set('Active', activeCondition(object, pass));
    events.push(...scaleTargetEvents(object, pass, kind));
  }
  conditions.set('Fallback', fallbackCondition(object, pass.state?.health));

  const status: KedaScaledObjectStatus = { ...previous };
  status.conditions = orderedConditions(conditions);
  status.scaleTargetKind = kind;
  const { triggersTypes, authenticationsTypes } = combinedTypes(object);
  status.triggersTypes = triggersTypes;
  status.authenticationsTypes = authenticationsTypes;
  status.externalMetricNames = object.triggers.map((trigger) => trigger.metricName);
  setOrDelete(status, 'originalReplicaCount', pass.state?.originalReplicaCount ?? previous?.originalReplicaCount);
  const lastActive = pass.state?.lastActiveTime;
  setOrDelete(status, 'lastActiveTime', lastActive === undefined ? previous?.lastActiveTime : kubernetesTime(lastActive));
  // syncPausedReplicaCountStatus / checkTargetResourceIsScalable's removePausedStatus.
  setOrDelete(status, 'pausedReplicaCount', object.pause.paused ? object.pause.pausedReplicas : undefined);
  // fallback.go: health is tracked only while a valid fallback is configured; left as it was otherwise.
  const health = pass.state?.health;
  if (isFallbackEnabled(object.fallback, object.scalingModifiers) && health !== undefined && Object.keys(health).length > 0) {
    status.health = Object.fromEntries(Object.entries(health).map(([name, h]) => [name, { numberOfFailures: h.numberOfFailures, status: h.status }]));
  }
  if (pass.kind === 'evaluated' && !object.pause.paused) {
    // getTriggersActivity: one entry per external metric name.
    status.triggersActivity = Object.fromEntries(pass.triggers.map((trigger) => [trigger.metricName, { isActive: trigger.active === true }]));
  }

  return { status, changed: statusChanged(previous, status), events };
}

/**
 * The status of an object the parser refused (Reconcile with a failed check): Ready=False with the
 * parser's message, Active Unknown; the rest is left as the object has it.
 */
export function rejectedScaledObjectStatus(previous: KedaScaledObjectStatus | undefined, parserMessage: string): ScaledObjectStatusResult {
  const before = conditionsOf(previous);
  const conditions = new Map(before);
  const ready: KedaCondition = { type: 'Ready', status: 'False', reason: CHECK_FAILED_REASON, message: parserMessage };
  conditions.set('Ready', ready);
  conditions.set('Active', { type: 'Active', status: 'Unknown', reason: 'UnknownState', message: 'ScaledObject check failed' });
  const status: KedaScaledObjectStatus = { ...previous, conditions: orderedConditions(conditions) };
  const readyBefore = before.get('Ready');
  const sameFailure = readyBefore?.reason === CHECK_FAILED_REASON && readyBefore.message === parserMessage;
  // KEDA records the check failure on each reconcile, i.e. each change; here, each new message.
  const events: KedaEvent[] = sameFailure ? [] : [{ type: 'Warning', reason: CHECK_FAILED_REASON, message: parserMessage }];
  return { status, changed: statusChanged(previous, status), events };
}

/** RequestScale's Ready: True, or PartialTriggerError / TriggerError when scalers fail. */
function readyCondition(object: ScaledObject, pass: EvaluatedPass): KedaCondition {
  // GetMetricsWithFallback returns a trigger past its threshold as a value, not an error.
  const isError = pass.triggers.some((trigger) => trigger.error !== undefined && trigger.fallback !== true) || pass.status === 'error';
  const active = pass.active || object.pause.forceActivation;
  if (!object.pause.paused && isError) {
    // From zero (or idle) KEDA scales up and leaves Ready True; otherwise the error shows.
    const fromIdle = pass.fromReplicas === 0 || (object.idleReplicaCount !== undefined && pass.fromReplicas < object.minReplicaCount);
    if (active && !fromIdle) return { type: 'Ready', status: 'Unknown', reason: 'PartialTriggerError', message: 'Some triggers defined in ScaledObject are not working correctly' };
    if (!active && object.fallback === undefined) return { type: 'Ready', status: 'False', reason: 'TriggerError', message: 'Triggers defined in ScaledObject are not working correctly' };
  }
  return { type: 'Ready', status: 'True', reason: READY_REASON, message: READY_MESSAGE };
}

/** RequestScale and scaleToZeroOrIdle's Active. */
function activeCondition(object: ScaledObject, pass: EvaluatedPass): KedaCondition {
  if (object.pause.forceActivation) return { type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because activation is being forced by annotation' };
  if (pass.active) return { type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active' };
  if (pass.rule === 'cooldown') return { type: 'Active', status: 'False', reason: 'ScalerCooldown', message: 'Scaler cooling down because triggers are not active' };
  return { type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' };
}

/** fallback.go updateStatus; Reconcile sets NoFallbackFound when there is no valid fallback. */
function fallbackCondition(object: ScaledObject, health: ScalingState['health'] | undefined): KedaCondition {
  const fallback = object.fallback;
  const exceeded =
    isFallbackEnabled(fallback, object.scalingModifiers) &&
    Object.values(health ?? {}).some((h) => h.status === 'Failing' && h.numberOfFailures > fallback.failureThreshold);
  return exceeded
    ? { type: 'Fallback', status: 'True', reason: 'FallbackExists', message: 'At least one trigger is falling back on this scaled object' }
    : { type: 'Fallback', status: 'False', reason: 'NoFallbackFound', message: 'No fallbacks are active on this scaled object' };
}

/** scaleFromZeroOrIdle / scaleToZeroOrIdle: the Events of KEDA's own step to and from zero or idle. */
function scaleTargetEvents(object: ScaledObject, pass: EvaluatedPass, kind: string): KedaEvent[] {
  if (!pass.scaled || object.pause.paused) return [];
  const { fromReplicas: from, toReplicas: to } = pass;
  const target = `${kind} ${object.namespace}/${object.scaleTargetRef.name}`;
  const idle = object.idleReplicaCount ?? 0;
  if (to > from && from === idle) {
    const cause = object.pause.forceActivation
      ? 'caused by forced activation annotation'
      : `triggered by ${pass.triggers.filter((trigger) => trigger.active).map((trigger) => trigger.metricName).join(';')}`;
    return [{ type: 'Normal', reason: 'KEDAScaleTargetActivated', message: `Scaled ${target} from ${from} to ${to}, ${cause}` }];
  }
  // The HPA never goes below max(1, min); only KEDA's step reaches 0 or idle.
  if (to < from && to === idle) {
    return [{ type: 'Normal', reason: 'KEDAScaleTargetDeactivated', message: `Deactivated ${target} from ${from} to ${to}` }];
  }
  return [];
}

/** gvkr_types.go GVKString: `<group>/<version>.<kind>` (the core group is empty). */
export function gvkString(object: ScaledObject): string {
  const { apiVersion, kind } = object.scaleTargetRef;
  const slash = apiVersion.indexOf('/');
  const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  return `${group}/${version}.${kind}`;
}

/** CombinedTriggersAndAuthenticationsTypes: distinct trigger types and authenticationRef names, in order. */
function combinedTypes(object: ScaledObject): { triggersTypes: string; authenticationsTypes: string } {
  const types = [...new Set(object.triggers.map((trigger) => trigger.type))];
  const auths = [...new Set(object.triggers.flatMap((trigger) => (trigger.authenticationRef ? [trigger.authenticationRef.name] : [])))];
  return { triggersTypes: types.join(','), authenticationsTypes: auths.join(',') };
}

/** metav1.Time's JSON form: RFC 3339 in UTC, whole seconds. */
export function kubernetesTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function conditionsOf(status: KedaScaledObjectStatus | undefined): Map<string, KedaCondition> {
  // Reconcile initializes the conditions when one of the four is missing; the listed ones win.
  const conditions = new Map(initialConditions().map((condition) => [condition.type, condition]));
  for (const condition of status?.conditions ?? []) conditions.set(condition.type, condition);
  return conditions;
}

/** KEDA's four in its order, then any other writer's conditions (e.g. HPAActive) as they were. */
function orderedConditions(conditions: Map<string, KedaCondition>): KedaCondition[] {
  const ours = CONDITION_ORDER.map((type) => conditions.get(type)).filter((c): c is KedaCondition => c !== undefined);
  const others = [...conditions.values()].filter((c) => !CONDITION_ORDER.includes(c.type as KedaConditionType));
  return [...ours, ...others];
}

function setOrDelete<K extends keyof KedaScaledObjectStatus>(status: KedaScaledObjectStatus, field: K, value: KedaScaledObjectStatus[K] | undefined): void {
  if (value === undefined) delete status[field];
  else status[field] = value;
}

function isActiveTrue(status: KedaScaledObjectStatus | undefined): boolean {
  return status?.conditions?.some((condition) => condition.type === 'Active' && condition.status === 'True') === true;
}

/**
 * Deep equality of what the server would store, except a lastActiveTime that only moved forward
 * while the object stayed active (see the file comment).
 */
export function statusChanged(previous: KedaScaledObjectStatus | undefined, next: KedaScaledObjectStatus): boolean {
  if (previous === undefined) return true;
  const stayedActive = isActiveTrue(previous) && isActiveTrue(next) && previous.lastActiveTime !== undefined && next.lastActiveTime !== undefined;
  const comparable = stayedActive ? { ...next, lastActiveTime: previous.lastActiveTime } : next;
  // As the server stores it: an absent field and one set to undefined are equal.
  return !plainDataEqual(previous, comparable);
}
