/**
 * Evaluates one prepared object and makes the decision durable and real, in an order that keeps
 * overlapping invocations safe:
 *
 * 1. evaluate (pure engine);
 * 2. claim the decision with a write conditional on the version we loaded: if another invocation
 *    wrote first, we stop here, so a decision is never applied twice and no update is lost;
 * 3. patch `spec.replicas` on the scale subresource;
 * 4. if the patch fails, write again without the scale event (the HPA records an event only after
 *    a successful update) and with the error as status;
 * 5. record a Kubernetes Event on the target, best effort.
 */
import type { StateStore, StoredObjectState } from '../adapters/state/state-store';
import type { TriggerResult, EvaluateOutput } from '../engine/evaluate-types';
import { evaluate, recordScaleEvent } from '../engine/evaluate';
import { initialScalingState } from '../engine/scaling-state';
import type { ScaledObject } from '../engine/spec/scaled-object';
import type { ObjectTickResult, ScaleUpNotice } from './tick-types';
import type { PreparedObject } from './prepare-object';
import { workloadOf } from './object-key';
import { describeError } from './describe-error';

export interface ApplyContext {
  key: string;
  cluster: string;
  now: number;
  /** A KEDA poll (activation, cooldown) rather than an HPA sync between polls. */
  kedaPoll: boolean;
  stateStore: StateStore;
  dryRun: boolean;
}

export interface AppliedDecision {
  result: ObjectTickResult;
  scaleUp?: ScaleUpNotice;
}

export function summaryOf(object: ScaledObject): StoredObjectState['summary'] {
  return {
    target: workloadOf(object),
    minReplicaCount: object.minReplicaCount,
    maxReplicaCount: object.maxReplicaCount,
    triggerTypes: object.triggers.map((trigger) => trigger.type),
    restoreToOriginalReplicaCount: object.restoreToOriginalReplicaCount,
  };
}

export async function applyDecision(
  prepared: PreparedObject,
  triggers: TriggerResult[],
  stored: StoredObjectState | undefined,
  context: ApplyContext,
): Promise<AppliedDecision> {
  const { object, api, scale } = prepared;
  const { key, cluster, now } = context;
  const current = scale.specReplicas;
  const loaded = stored?.scaling ?? initialScalingState(now);
  // The target's count when the scaler first took it over, for restoreToOriginalReplicaCount.
  const scaling = { ...loaded, originalReplicaCount: loaded.originalReplicaCount ?? current };

  const output: EvaluateOutput = evaluate({
    object,
    now,
    target: { specReplicas: current, ...(prepared.readyPods === undefined ? {} : { readyPods: prepared.readyPods }) },
    triggers,
    state: scaling,
    kedaPoll: context.kedaPoll,
  });
  const desired = output.desiredReplicas;
  const baseResult: ObjectTickResult = {
    key,
    cluster,
    objectId: object.id,
    status: output.status,
    ...(output.statusReason ? { statusReason: output.statusReason } : {}),
    active: output.active,
    currentReplicas: current,
    desiredReplicas: desired,
    scaled: false,
    explanation: output.explanation,
  };
  if (context.dryRun) return { result: baseResult };

  const expectedVersion = stored?.version ?? 0;
  const base: StoredObjectState = {
    key,
    cluster,
    objectId: object.id,
    version: expectedVersion,
    scaling: output.state,
    status: output.status,
    ...(output.statusReason ? { statusReason: output.statusReason } : {}),
    active: output.active,
    currentReplicas: current,
    evaluatedAt: now,
    ...(context.kedaPoll ? { polledAt: now } : stored?.polledAt === undefined ? {} : { polledAt: stored.polledAt }),
    summary: summaryOf(object),
    ...(stored?.lastDecision ? { lastDecision: stored.lastDecision } : {}),
    ...(stored?.lastScaleAt ? { lastScaleAt: stored.lastScaleAt } : {}),
  };

  if (!output.scale) {
    const saved = await context.stateStore.save(base, expectedVersion);
    return saved === 'saved' ? { result: baseResult } : { result: conflictResult(baseResult) };
  }

  const decision = { at: now, fromReplicas: current, desiredReplicas: desired, explanation: output.explanation };
  const claimed: StoredObjectState = {
    ...base,
    scaling: recordScaleEvent(output.state, object, current, desired, now, output.hpaFrom),
    currentReplicas: desired,
    lastDecision: { ...decision, applied: true },
    lastScaleAt: now,
  };
  if ((await context.stateStore.save(claimed, expectedVersion)) === 'conflict') {
    return { result: conflictResult(baseResult) };
  }

  const workload = workloadOf(object);
  try {
    await api.patchScaleReplicas(workload, desired);
  } catch (error) {
    const reason = `patching ${workload.kind} ${workload.namespace}/${workload.name} to ${desired} replicas failed: ${describeError(error)}`;
    const reverted: StoredObjectState = {
      ...base,
      version: expectedVersion + 1,
      status: 'error',
      statusReason: reason,
      lastDecision: { ...decision, applied: false },
    };
    // The claim is ours (version + 1); if even this write conflicts, the newer writer's state wins.
    await context.stateStore.save(reverted, expectedVersion + 1);
    return { result: { ...baseResult, status: 'error', statusReason: reason, error: reason } };
  }

  await api
    .recordEvent(workload, {
      type: 'Normal',
      reason: desired > current ? 'ScaledUp' : 'ScaledDown',
      message: `ScaledObject ${object.id}: ${output.explanation.message}`,
    })
    .catch(() => undefined); // an Event is a courtesy; the scale already happened and is in state

  return {
    result: { ...baseResult, scaled: true },
    ...(desired > current
      ? {
          scaleUp: {
            cluster,
            namespace: workload.namespace,
            apiVersion: workload.apiVersion,
            kind: workload.kind,
            name: workload.name,
            fromReplicas: current,
            toReplicas: desired,
          },
        }
      : {}),
  };
}

function conflictResult(result: ObjectTickResult): ObjectTickResult {
  return {
    ...result,
    scaled: false,
    error: 'another invocation evaluated this object at the same time and its decision stands; nothing applied twice',
  };
}
