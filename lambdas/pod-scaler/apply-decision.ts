/**
 * Evaluates one prepared object and makes the decision durable and real, in an order that keeps
 * overlapping invocations safe:
 *
 * Steps 2 and 4 write at once. An evaluation that applies nothing is recorded through
 * `recordEvaluation`, which the tick defers to one write per invocation, and skips when nothing
 * the next evaluation reads has changed.
 *
 * 0. reconcile the stored decision with the replica count just observed (reconcile-claim.ts):
 *    another invocation's claim still in flight means we stand back; a claim whose patch never
 *    landed (the Lambda died, or its revert write lost a race) loses its phantom scale event;
 * 1. evaluate (pure engine);
 * 2. claim the decision with a write conditional on the version we loaded. Together with step 0
 *    this makes the claim conditional on the replica count the decision was computed from: the
 *    stored count is the one step 0 checked against the observed count, and the version condition
 *    guarantees it has not changed since. If another invocation wrote first, we stop here, so a
 *    decision is never applied twice and no update is lost;
 * 3. patch `spec.replicas` on the scale subresource;
 * 4. if the patch fails, write again without the scale event (the HPA records an event only after
 *    a successful update) and with the error as status; if that write loses a race, the next
 *    pass's step 0 drops the phantom event;
 * 5. record Kubernetes Events on the target, best effort: the scale event, and a Warning or Normal
 *    event when a trigger starts or stops failing or the fallback engages or ends
 *    (transition-events.ts). Those are written only by the invocation whose state write won, so a
 *    transition is reported once.
 */
import type { StateStore, StoredObjectState } from '../adapters/state/state-store';
import type { TriggerResult, EvaluateOutput } from '../engine/evaluate-types';
import { evaluate, recordScaleEvent } from '../engine/evaluate';
import { initialScalingState, type ScalingState } from '../engine/scaling-state';
import type { ScaledObject } from '../engine/spec/scaled-object';
import type { ObjectTickResult, ScaleUpNotice } from './tick-types';
import type { PreparedObject } from './prepare-object';
import { workloadOf } from './object-key';
import { describeError } from './describe-error';
import { reconcileClaim } from './reconcile-claim';
import { transitionEvents } from './transition-events';
import type { KubernetesEvent } from '../adapters/kubernetes/scale-target-api';

export interface ApplyContext {
  key: string;
  cluster: string;
  now: number;
  /** A KEDA poll (activation, cooldown) rather than an HPA sync between polls. */
  kedaPoll: boolean;
  /** Writes now, conditionally: the claim before a patch and the revert after a failed one. */
  stateStore: Pick<StateStore, 'save'>;
  /**
   * Records an evaluation that applied nothing, with the same condition; the tick coalesces these
   * into one write per invocation (coalesced-state-writes.ts). Defaults to `stateStore.save`.
   */
  recordEvaluation?: StateStore['save'];
  dryRun: boolean;
  /**
   * Where the pass's Events go: the object's source decides (object-source.ts `OutcomeReporter`).
   * Defaults to the workload, through the scale-target API.
   */
  reportEvent?: (event: KubernetesEvent) => Promise<void>;
}

export interface AppliedDecision {
  result: ObjectTickResult;
  scaleUp?: ScaleUpNotice;
  /** The scaling state this evaluation produced (health, lastActiveTime...), for the object's status. */
  scaling?: ScalingState;
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
  const reconciled = reconcileClaim(stored, current, now);
  if (reconciled.kind === 'in-flight') {
    return {
      result: overlapResult(
        { key, cluster, objectId: object.id, status: stored?.status ?? 'ready', currentReplicas: current, scaled: false },
        reconciled.reason,
      ),
    };
  }
  const warnings = reconciled.kind === 'phantom' ? [reconciled.warning] : [];
  const reconciledStored = reconciled.kind === 'phantom' ? reconciled.stored : stored;
  const loaded = reconciledStored?.scaling ?? initialScalingState(now);
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
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  if (context.dryRun) return { result: baseResult, scaling: output.state };

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
    ...(reconciledStored?.lastDecision ? { lastDecision: reconciledStored.lastDecision } : {}),
    ...(reconciledStored?.lastScaleAt ? { lastScaleAt: reconciledStored.lastScaleAt } : {}),
  };

  const workload = workloadOf(object);
  const report = context.reportEvent ?? ((event: KubernetesEvent) => api.recordEvent(workload, event));
  const transitions = transitionEvents(object.id, reconciledStored, output);
  if (!output.scale) {
    const record = context.recordEvaluation ?? ((item: StoredObjectState, version: number) => context.stateStore.save(item, version));
    const saved = await record(base, expectedVersion);
    if (saved !== 'saved') return { result: overlapResult(baseResult), scaling: output.state };
    // With writes held to the end of the invocation, 'saved' means held: an overlapping invocation
    // that wins the final write may record the same transition Event once more (Events aggregate).
    await recordEvents(report, transitions);
    return { result: baseResult, scaling: output.state };
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
    return { result: overlapResult(baseResult) };
  }

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
    // The claim is ours (version + 1). If even this write conflicts, the newer writer's state wins
    // and still holds our claim: the next pass sees the count it claimed was never reached and
    // drops the phantom scale event (reconcile-claim.ts).
    const revert = await context.stateStore.save(reverted, expectedVersion + 1);
    const unreverted = revert === 'conflict' ? '; the state still records the claim (a newer write came first), so the next pass reconciles it with the observed count' : '';
    await recordEvents(report, transitions);
    return { scaling: output.state, result: { ...baseResult, status: 'error', statusReason: reason + unreverted, error: reason + unreverted } };
  }

  await recordEvents(report, [
    ...transitions,
    { type: 'Normal', reason: desired > current ? 'ScaledUp' : 'ScaledDown', message: `ScaledObject ${object.id}: ${output.explanation.message}` },
  ]);

  return {
    result: { ...baseResult, scaled: true },
    scaling: claimed.scaling,
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

/** An Event is a courtesy: the decision already happened and is in state, so a failed write is dropped. */
async function recordEvents(report: (event: KubernetesEvent) => Promise<void>, events: readonly KubernetesEvent[]): Promise<void> {
  for (const event of events) await report(event).catch(() => undefined);
}

/** Losing the race to an overlapping invocation is normal: reported, not an error. */
function overlapResult(
  result: ObjectTickResult,
  reason = 'another invocation evaluated this object at the same time and its decision stands; nothing applied twice',
): ObjectTickResult {
  return { ...result, scaled: false, overlapped: true, statusReason: reason };
}
