/**
 * The status KEDA writes on a ScaledObject, from one of our passes. Each row cites the KEDA v2.20.2
 * file and function whose behaviour it reproduces:
 * - so_controller = controllers/keda/scaledobject_controller.go
 * - executor = pkg/scaling/executor/scale_scaledobjects.go
 * - fallback.go = pkg/fallback/fallback.go
 * - conditions = apis/keda/v1alpha1/condition_types.go
 */
import { describe, expect, it } from 'vitest';
import {
  kubernetesTime,
  rejectedScaledObjectStatus,
  scaledObjectStatus,
  statusChanged,
  type EvaluatedPass,
  type FailedPass,
  type KedaCondition,
  type KedaScaledObjectStatus,
} from '../../../lambdas/engine/keda/scaled-object-status';
import type { ScaledObjectOverrides } from '../fixtures';
import { T0, scaledObject, seconds, sqsTrigger } from '../fixtures';

const METRIC = 's0-aws-sqs-orders';
const FALLBACK = { failureThreshold: 3, replicas: 6, behavior: 'static' as const };

function pass(overrides: Partial<EvaluatedPass> = {}): EvaluatedPass {
  return {
    kind: 'evaluated',
    status: 'ready',
    active: false,
    rule: 'scaling-disabled',
    triggers: [{ metricName: METRIC, active: false }],
    fromReplicas: 0,
    toReplicas: 0,
    scaled: false,
    state: { health: {} },
    ...overrides,
  };
}

const activePass = (overrides: Partial<EvaluatedPass> = {}) =>
  pass({ status: 'active', active: true, rule: 'hpa', triggers: [{ metricName: METRIC, active: true }], fromReplicas: 2, toReplicas: 2, ...overrides });
const failing = (overrides: Partial<EvaluatedPass> = {}) =>
  pass({ status: 'error', statusReason: `${METRIC}: AccessDenied`, rule: 'error', triggers: [{ metricName: METRIC, error: 'AccessDenied' }], fromReplicas: 2, toReplicas: 2, ...overrides });

/** A status as a previous pass of ours left it, with the given conditions replaced. */
function listed(conditions: Partial<Record<'Ready' | 'Active' | 'Fallback' | 'Paused', Omit<KedaCondition, 'type'>>>): KedaScaledObjectStatus {
  const base: Record<string, Omit<KedaCondition, 'type'>> = {
    Ready: { status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' },
    Active: { status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' },
    Fallback: { status: 'False', reason: 'NoFallbackFound', message: 'No fallbacks are active on this scaled object' },
    Paused: { status: 'False' },
    ...conditions,
  };
  return { conditions: Object.entries(base).map(([type, c]) => ({ type, ...c })) };
}

type Summary = Record<string, string>;
/** `Type=Status/Reason` per condition, the way a reader compares them. */
function summary(status: KedaScaledObjectStatus): Summary {
  return Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status}${c.reason ? `/${c.reason}` : ''}`]));
}

interface Row {
  name: string;
  source: string;
  object?: ScaledObjectOverrides;
  previous?: KedaScaledObjectStatus;
  pass: EvaluatedPass | FailedPass;
  conditions: Summary;
  events?: string[];
}

const READY = 'True/ScaledObjectReady';
const NOT_ACTIVE = 'False/ScalerNotActive';
const NO_FALLBACK = 'False/NoFallbackFound';

const rows: Row[] = [
  {
    name: 'a new object, inactive: conditions initialized, Ready True, ScaledObjectReady event',
    source: 'conditions GetInitializedConditions; so_controller Reconcile (wasReady Unknown → ScaledObjectReady event); executor RequestScale (ScalerNotActive)',
    pass: pass(),
    conditions: { Ready: READY, Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False' },
    events: ['Normal ScaledObjectReady: ScaledObject is ready for scaling'],
  },
  {
    name: 'active triggers',
    source: 'executor RequestScale: SetActiveCondition(True, ScalerActive, "...because triggers are active")',
    previous: listed({}),
    pass: activePass(),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
    events: [],
  },
  {
    name: 'force-activation annotation',
    source: 'executor RequestScale: NeedToForceActivation → ScalerActive "...forced by annotation"',
    object: { pause: { forceActivation: true } },
    previous: listed({}),
    pass: pass(),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'inactive inside cooldown',
    source: 'executor scaleToZeroOrIdle: cooldown not passed → ScalerCooldown',
    previous: listed({}),
    pass: pass({ rule: 'cooldown', fromReplicas: 3, toReplicas: 3 }),
    conditions: { Ready: READY, Active: 'False/ScalerCooldown', Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'scaled from zero: KEDAScaleTargetActivated naming the active triggers',
    source: 'executor scaleFromZeroOrIdle: Eventf KEDAScaleTargetActivated "Scaled <kind> <ns>/<name> from 0 to N, triggered by ..."',
    previous: listed({}),
    pass: activePass({ rule: 'activation', fromReplicas: 0, toReplicas: 1, scaled: true }),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
    events: [`Normal KEDAScaleTargetActivated: Scaled apps/v1.Deployment jobs/orders-worker from 0 to 1, triggered by ${METRIC}`],
  },
  {
    name: 'scaled to zero after cooldown: KEDAScaleTargetDeactivated',
    source: 'executor scaleToZeroOrIdle: Eventf KEDAScaleTargetDeactivated "Deactivated <kind> <ns>/<name> from N to 0"',
    previous: listed({ Active: { status: 'True', reason: 'ScalerActive' } }),
    pass: pass({ rule: 'scale-to-zero', fromReplicas: 3, toReplicas: 0, scaled: true }),
    conditions: { Ready: READY, Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False' },
    events: ['Normal KEDAScaleTargetDeactivated: Deactivated apps/v1.Deployment jobs/orders-worker from 3 to 0'],
  },
  {
    name: 'scaled to idleReplicaCount: deactivated too',
    source: 'executor scaleToZeroOrIdle: getIdleOrMinimumReplicaCount (idle)',
    object: { idleReplicaCount: 1, minReplicaCount: 2 },
    previous: listed({}),
    pass: pass({ rule: 'scale-to-zero', fromReplicas: 4, toReplicas: 1, scaled: true }),
    conditions: { Ready: READY, Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False' },
    events: ['Normal KEDAScaleTargetDeactivated: Deactivated apps/v1.Deployment jobs/orders-worker from 4 to 1'],
  },
  {
    name: 'an HPA step between non-zero counts writes no KEDA event',
    source: 'executor RequestScale default case: the HPA scales, KEDA records nothing',
    previous: listed({ Active: { status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active' } }),
    pass: activePass({ fromReplicas: 2, toReplicas: 5, scaled: true }),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
    events: [],
  },
  {
    name: 'triggers fail, no fallback, inactive: Ready False TriggerError',
    source: 'executor RequestScale: isError && Spec.Fallback == nil → Ready False TriggerError',
    previous: listed({}),
    pass: failing(),
    conditions: { Ready: 'False/TriggerError', Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'some triggers fail while others are active: Ready Unknown PartialTriggerError',
    source: 'executor RequestScale: isActive && isError (replicas > 0) → Ready Unknown PartialTriggerError',
    object: { triggers: [sqsTrigger(0), sqsTrigger(1)] },
    previous: listed({}),
    pass: activePass({ status: 'error', statusReason: 's1-aws-sqs-orders: AccessDenied', triggers: [{ metricName: METRIC, active: true }, { metricName: 's1-aws-sqs-orders', error: 'AccessDenied' }] }),
    conditions: { Ready: 'Unknown/PartialTriggerError', Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'active with failing triggers from zero: KEDA scales up and Ready stays True',
    source: 'executor RequestScale: currentReplicas == 0 case comes before isError',
    object: { triggers: [sqsTrigger(0), sqsTrigger(1)] },
    previous: listed({}),
    pass: activePass({ status: 'error', fromReplicas: 0, toReplicas: 1, triggers: [{ metricName: METRIC, active: true }, { metricName: 's1-aws-sqs-orders', error: 'AccessDenied' }] }),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'failing below the fallback threshold: Ready stays True, health Failing',
    source: 'executor RequestScale: isError with Spec.Fallback set leaves Ready; fallback.go IncrementFailure',
    object: { fallback: FALLBACK },
    previous: listed({}),
    pass: failing({ state: { health: { [METRIC]: { numberOfFailures: 2, status: 'Failing' } } } }),
    conditions: { Ready: READY, Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'failures past the threshold: Fallback True FallbackExists',
    source: 'fallback.go updateStatus: fallbackExceededThreshold → SetFallbackCondition(True, FallbackExists); GetMetricsWithFallback returns no error then, so Ready stays True',
    object: { fallback: FALLBACK },
    previous: listed({}),
    pass: pass({ status: 'fallback', active: true, rule: 'fallback', triggers: [{ metricName: METRIC, error: 'AccessDenied', fallback: true }], fromReplicas: 2, toReplicas: 6, scaled: true, state: { health: { [METRIC]: { numberOfFailures: 4, status: 'Failing' } } } }),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: 'True/FallbackExists', Paused: 'False' },
  },
  {
    name: 'paused: Paused True, Active left as it was, pausedReplicaCount set, ScaledObjectPaused event',
    source: 'so_controller handlePause (SetPausedCondition True, Emit ScaledObjectPaused), syncPausedReplicaCountStatus; executor handlePaused returns before Active',
    object: { pause: { paused: true, pausedReplicas: 2 } },
    previous: listed({ Active: { status: 'True', reason: 'ScalerActive' } }),
    pass: pass({ status: 'paused', rule: 'paused-replicas', triggers: [], fromReplicas: 5, toReplicas: 2, scaled: true }),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'True/ScaledObjectPaused' },
    events: ['Normal ScaledObjectPaused: ScaledObject is paused'],
  },
  {
    name: 'paused-scale-in: Paused True while scaling goes on',
    source: 'so_controller reconcileScaledObject: NeedToPauseScaleIn → Paused True, scale loop kept',
    object: { pause: { pausedScaleIn: true } },
    previous: listed({}),
    pass: activePass(),
    conditions: { Ready: READY, Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'True/ScaledObjectPaused' },
    events: ['Normal ScaledObjectPaused: ScaledObject is paused'],
  },
  {
    name: 'pause annotation removed: Paused False ScaledObjectUnpaused, event',
    source: 'so_controller reconcileScaledObject: isPausedInStatus → ScaledObjectUnpaused "pause annotation removed for ScaledObject"',
    previous: { ...listed({ Paused: { status: 'True', reason: 'ScaledObjectPaused', message: 'ScaledObject is paused' } }), pausedReplicaCount: 2 },
    pass: pass(),
    conditions: { Ready: READY, Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False/ScaledObjectUnpaused' },
    events: ['Normal ScaledObjectUnpaused: pause annotation removed for ScaledObject'],
  },
  {
    name: 'the target cannot be read: Ready False ErrorGettingCurrentReplicas, Active untouched',
    source: 'executor RequestScale: GetCurrentReplicas error returns before Active',
    previous: listed({ Active: { status: 'True', reason: 'ScalerActive' } }),
    pass: { kind: 'failed', error: 'deployments.apps "orders-worker" not found' },
    conditions: { Ready: 'False/ErrorGettingCurrentReplicas', Active: 'True/ScalerActive', Fallback: NO_FALLBACK, Paused: 'False' },
  },
  {
    name: 'a fixed spec after a check failure: Ready True again, ScaledObjectReady event',
    source: 'so_controller Reconcile: wasReady False → Emit ScaledObjectReady',
    previous: listed({ Ready: { status: 'False', reason: 'ScaledObjectCheckFailed', message: 'bad' }, Active: { status: 'Unknown', reason: 'UnknownState' } }),
    pass: pass(),
    conditions: { Ready: READY, Active: NOT_ACTIVE, Fallback: NO_FALLBACK, Paused: 'False' },
    events: ['Normal ScaledObjectReady: ScaledObject is ready for scaling'],
  },
];

describe('scaledObjectStatus (KEDA v2.20 conditions, executor, controller, fallback)', () => {
  it.each(rows)('$name ($source)', (row) => {
    const result = scaledObjectStatus({ object: scaledObject(row.object), previous: row.previous, pass: row.pass });
    expect(summary(result.status)).toEqual(row.conditions);
    expect(result.status.conditions!.slice(0, 4).map((c) => c.type)).toEqual(['Ready', 'Active', 'Fallback', 'Paused']);
    if (row.events) expect(result.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual(row.events);
  });
});

describe('status fields', () => {
  it('scaleTargetKind is GVKString, the printer columns get triggersTypes and authenticationsTypes (so_controller checkTargetResourceIsScalable; scaletriggers_types.go CombinedTriggersAndAuthenticationsTypes)', () => {
    const auth = { name: 'aws-auth', kind: 'TriggerAuthentication' as const };
    const object = scaledObject({ triggers: [sqsTrigger(0, { authenticationRef: auth }), sqsTrigger(1, { authenticationRef: auth }), sqsTrigger(2, { type: 'cron', metricName: 's2-cron' })] });
    const { status } = scaledObjectStatus({ object, previous: undefined, pass: pass() });
    expect(status.scaleTargetKind).toBe('apps/v1.Deployment');
    expect(status.triggersTypes).toBe('aws-sqs-queue,cron');
    expect(status.authenticationsTypes).toBe('aws-auth');
    expect(status.externalMetricNames).toEqual(['s0-aws-sqs-orders', 's1-aws-sqs-orders', 's2-cron']);
    const core = scaledObject({ scaleTargetRef: { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc' } });
    expect(scaledObjectStatus({ object: core, previous: undefined, pass: pass() }).status.scaleTargetKind).toBe('/v1.ReplicationController');
  });

  it('lastActiveTime and originalReplicaCount come from the stored state, in metav1.Time form (scale_handler.go handleResult)', () => {
    const { status } = scaledObjectStatus({ object: scaledObject(), previous: undefined, pass: activePass({ state: { health: {}, lastActiveTime: T0 + 1234, originalReplicaCount: 3 } }) });
    expect(status.lastActiveTime).toBe('2025-01-01T00:00:01Z');
    expect(status.originalReplicaCount).toBe(3);
    expect(kubernetesTime(T0)).toBe('2025-01-01T00:00:00Z');
  });

  it('health is written only with a valid fallback (fallback.go GetMetricsWithFallback: fallbackConfigured)', () => {
    const health = { [METRIC]: { numberOfFailures: 1, status: 'Failing' as const } };
    const withFallback = scaledObjectStatus({ object: scaledObject({ fallback: FALLBACK }), previous: undefined, pass: failing({ state: { health } }) });
    expect(withFallback.status.health).toEqual({ [METRIC]: { numberOfFailures: 1, status: 'Failing' } });
    const without = scaledObjectStatus({ object: scaledObject(), previous: undefined, pass: failing({ state: { health } }) });
    expect(without.status.health).toBeUndefined();
  });

  it('pausedReplicaCount is removed once the pause ends (so_controller: removePausedStatus)', () => {
    const previous = { ...listed({ Paused: { status: 'True', reason: 'ScaledObjectPaused' } }), pausedReplicaCount: 2 };
    const { status } = scaledObjectStatus({ object: scaledObject(), previous, pass: pass() });
    expect(status).not.toHaveProperty('pausedReplicaCount');
  });

  it('fields another writer set are kept (scale_handler.go handleResult merges into the current status)', () => {
    const previous = { ...listed({}), hpaName: 'keda-hpa-orders', conditions: [...listed({}).conditions!, { type: 'HPAActive', status: 'True' as const, reason: 'HPAActive' }] };
    const { status } = scaledObjectStatus({ object: scaledObject(), previous, pass: pass() });
    expect(status.hpaName).toBe('keda-hpa-orders');
    expect(status.conditions!.map((c) => c.type)).toEqual(['Ready', 'Active', 'Fallback', 'Paused', 'HPAActive']);
  });
});

describe('changed: a write only when the status differs', () => {
  const object = scaledObject();
  const first = (p: EvaluatedPass) => scaledObjectStatus({ object, previous: undefined, pass: p }).status;

  it('the same pass again is no change, and records no event', () => {
    const previous = first(pass());
    const again = scaledObjectStatus({ object, previous, pass: pass() });
    expect(again.changed).toBe(false);
    expect(again.events).toEqual([]);
  });

  it('a lastActiveTime that moves on while Active stays True is no change (ours: KEDA patches it every poll)', () => {
    const previous = first(activePass({ state: { health: {}, lastActiveTime: T0 } }));
    const later = scaledObjectStatus({ object, previous, pass: activePass({ state: { health: {}, lastActiveTime: T0 + seconds(600) } }) });
    expect(later.changed).toBe(false);
  });

  it('turning inactive writes, with the latest lastActiveTime', () => {
    const previous = first(activePass({ state: { health: {}, lastActiveTime: T0 } }));
    const inactive = scaledObjectStatus({ object, previous, pass: pass({ rule: 'cooldown', fromReplicas: 2, toReplicas: 2, state: { health: {}, lastActiveTime: T0 + seconds(600) } }) });
    expect(inactive.changed).toBe(true);
    expect(inactive.status.lastActiveTime).toBe(kubernetesTime(T0 + seconds(600)));
  });

  it('a first lastActiveTime is a change', () => {
    const previous = first(activePass());
    expect(scaledObjectStatus({ object, previous, pass: activePass({ state: { health: {}, lastActiveTime: T0 } }) }).changed).toBe(true);
  });

  it('a growing failure count is a change (health is KEDA status)', () => {
    const withFallback = scaledObject({ fallback: FALLBACK });
    const previous = scaledObjectStatus({ object: withFallback, previous: undefined, pass: failing({ state: { health: { [METRIC]: { numberOfFailures: 1, status: 'Failing' } } } }) }).status;
    const next = scaledObjectStatus({ object: withFallback, previous, pass: failing({ state: { health: { [METRIC]: { numberOfFailures: 2, status: 'Failing' } } } }) });
    expect(next.changed).toBe(true);
  });

  it('an absent field and an undefined one are equal (JSON, as the server stores it)', () => {
    expect(statusChanged({ scaleTargetKind: 'a' }, { scaleTargetKind: 'a', lastActiveTime: undefined })).toBe(false);
  });
});

describe('rejectedScaledObjectStatus (so_controller Reconcile: check failed)', () => {
  const message = 'jobs/orders: spec.maxReplicaCount: must be an integer (got "ten"); fix: write a whole number';

  it('Ready False ScaledObjectCheckFailed with the parser message, Active Unknown UnknownState, a Warning event once', () => {
    const first = rejectedScaledObjectStatus(undefined, message);
    expect(summary(first.status)).toEqual({ Ready: 'False/ScaledObjectCheckFailed', Active: 'Unknown/UnknownState', Fallback: 'Unknown', Paused: 'False' });
    expect(first.status.conditions![0]!.message).toBe(message);
    expect(first.events).toEqual([{ type: 'Warning', reason: 'ScaledObjectCheckFailed', message }]);
    const again = rejectedScaledObjectStatus(first.status, message);
    expect(again.changed).toBe(false);
    expect(again.events).toEqual([]);
  });

  it('a different parser message is a new status and a new event', () => {
    const first = rejectedScaledObjectStatus(undefined, message);
    const other = rejectedScaledObjectStatus(first.status, 'jobs/orders: spec.triggers: required');
    expect(other.changed).toBe(true);
    expect(other.events).toHaveLength(1);
  });
});
