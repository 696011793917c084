/**
 * A model of KEDA + the HPA it creates, driving the simulator's world with the same ScaledObject,
 * built from our engine's pieces so the two differ only in *when* each rule runs. `simulate` runs it
 * beside every object (the KEDA + HPA line and column of its report and summary), and
 * `bench/reaction.ts` measures the two against each other:
 *
 * - KEDA's polling loop, every pollingInterval (first check at once): reads the triggers and takes
 *   only KEDA's step (0 ↔ 1 or idle ↔ min, cooldown), per keda-semantics.md §0 and §3;
 * - the HPA, every 15 s: reads the metrics again (useCachedMetrics off) and reconciles 1 ↔ N with
 *   its stabilization windows and policies; at 0 replicas it does nothing.
 *
 * Trigger errors and fallback are not modelled: the built-in scenarios never fail a read.
 */
import { initialScalingState, type ScalingState } from '../../lambdas/engine/scaling-state';
import { recordScaleEvent } from '../../lambdas/engine/evaluate';
import { reconcileHpa, type HpaMetric } from '../../lambdas/engine/hpa/reconcile';
import { resourceProposal } from '../../lambdas/engine/hpa/resource-proposal';
import { tolerancesFor } from '../../lambdas/engine/hpa/tolerance';
import { activityOf } from '../../lambdas/engine/keda/activation';
import { kedaMetricMilli } from '../../lambdas/engine/keda/metric-value';
import { effectiveHpaBehavior, hpaMinReplicas } from '../../lambdas/engine/keda/pause';
import { kedaRequestScale } from '../../lambdas/engine/keda/request-scale';
import { classifyTriggers } from '../../lambdas/engine/keda/trigger-outcomes';
import { toTriggerResults } from '../../lambdas/triggers/metric-step';
import { hasResourceTriggers, readResourceTriggers } from '../../lambdas/pod-scaler/read-resource-triggers';
import type { TriggerResult } from '../../lambdas/engine/evaluate-types';
import type { TriggerOutcome } from '../../lambdas/engine/keda/trigger-outcomes';
import { finishRun, type DecisionRecord, type SimulationInput, type SimulationRun, type TriggerReadout } from './run-simulation';
import { SimulatedScaleTargets } from './simulated-scale-targets';
import { simulatedTriggerReader } from './simulated-trigger-reader';
import { VirtualClock } from './virtual-clock';
import { SimWorld } from './world';

export const HPA_SYNC_MS = 15_000;
const KEY = 'keda-model';

/** The simulator's input, less what only the real tick needs (a state store, container env). */
export type ModelInput = Pick<SimulationInput, 'label' | 'object' | 'traffic' | 'settings' | 'startMs' | 'durationMs'>;

export async function runKedaHpaModel(input: ModelInput): Promise<SimulationRun> {
  const { object, settings, startMs, durationMs } = input;
  const endMs = startMs + durationMs;
  const world = new SimWorld(input.traffic, settings, startMs, object.maxReplicaCount);
  const clock = new VirtualClock(startMs, (from, to) => world.advance(from, to));
  const targets = new SimulatedScaleTargets(world, clock);
  const reader = simulatedTriggerReader(world);
  const TARGET_REF = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: object.namespace, name: object.name };
  const pollingMs = Math.max(1, object.pollingInterval) * 1000;
  const decisions: DecisionRecord[] = [];
  let state: ScalingState = initialScalingState(startMs);

  const readTriggers = async (now: number): Promise<TriggerResult[]> => {
    const items = object.triggers.map((trigger) => ({ id: `${KEY}#${trigger.index}`, trigger }));
    const { readings } = await reader(items, now);
    const external = toTriggerResults(object, KEY, readings, now);
    if (!hasResourceTriggers(object)) return external;
    // cpu/memory: the pods and their usage, read as the tick reads them (the HPA's own inputs).
    const resource = await readResourceTriggers(object, await targets.getScale(TARGET_REF), targets);
    const byIndex = new Map([...external, ...resource].map((result) => [result.index, result]));
    return object.triggers.map((trigger) => byIndex.get(trigger.index)).filter((result) => result !== undefined);
  };
  /** Records one evaluation (as the tick records each pass), patching when the count changes. */
  const evaluate = async (now: number, outcomes: TriggerOutcome[], from: number, to: number, rule: DecisionRecord['rule'], message: string) => {
    const scaled = to !== from;
    if (scaled) await targets.patchScaleReplicas(TARGET_REF, to);
    const active = outcomes.some((outcome) => outcome.kind === 'fallback' || (outcome.kind === 'value' && outcome.active));
    decisions.push({
      at: now,
      status: active ? 'active' : 'ready',
      currentReplicas: from,
      desiredReplicas: to,
      scaled,
      ...(scaled && rule ? { rule } : {}),
      message: scaled ? message : '',
      triggers: outcomes.map(readoutOf),
    });
  };

  const kedaLoop = async (now: number) => {
    if (object.pause.paused) return;
    const { outcomes, health } = classifyTriggers(object, await readTriggers(now), state.health, world.readyPodCount(now));
    state = { ...state, health };
    const current = world.spec;
    const step = kedaRequestScale({ object, current, activity: activityOf(object, outcomes), clock: state, now });
    if (step.lastActiveTime !== undefined) state = { ...state, lastActiveTime: step.lastActiveTime };
    await evaluate(now, outcomes, current, step.replicas, step.rule, `keda: ${step.step}`);
  };

  const hpaSync = async (now: number) => {
    if (object.pause.paused) return;
    const current = world.spec;
    const { outcomes } = classifyTriggers(object, await readTriggers(now), state.health, world.readyPodCount(now));
    const metrics: HpaMetric[] = outcomes.map((outcome) => {
      const base = { metricName: outcome.trigger.metricName, metricType: outcome.trigger.metricType, targetMilli: kedaMetricMilli(outcome.trigger.target) };
      if (outcome.kind === 'value') return { ...base, valueMilli: outcome.valueMilli };
      // cpu/memory: the HPA's own resource calculation on the simulated pods' usage.
      if (outcome.kind === 'resource') return { ...base, proposal: resourceProposal(outcome.trigger, outcome.sample, current, tolerancesFor(effectiveHpaBehavior(object)), now) };
      return { ...base, error: outcome.error };
    });
    const hpa = reconcileHpa({
      current,
      minReplicas: hpaMinReplicas(object),
      maxReplicas: object.maxReplicaCount,
      metrics,
      readyPods: world.readyPodCount(now),
      behavior: effectiveHpaBehavior(object),
      ...(state.recommendations === undefined ? {} : { recommendations: state.recommendations }),
      history: state,
      now,
    });
    if (hpa.recommendations) state = { ...state, recommendations: hpa.recommendations };
    await evaluate(now, outcomes, current, hpa.desired, hpa.rule, `hpa: ${hpa.steps.at(-1) ?? ''}`);
    if (hpa.desired !== current) state = recordScaleEvent(state, object, current, hpa.desired, now, current);
  };

  // Both loops start with the simulation; at equal times KEDA's check runs before the HPA's sync.
  let nextKeda = startMs;
  let nextHpa = startMs;
  while (Math.min(nextKeda, nextHpa) < endMs) {
    if (nextKeda <= nextHpa) {
      clock.advanceTo(nextKeda);
      await kedaLoop(nextKeda);
      nextKeda += pollingMs;
    } else {
      clock.advanceTo(nextHpa);
      await hpaSync(nextHpa);
      nextHpa += HPA_SYNC_MS;
    }
  }
  clock.advanceTo(endMs);
  return finishRun(input, world, endMs, { decisions, events: [], ticks: 0 });
}

/** One trigger's part in an evaluation, in the tick's explanation fields (value, or the error). */
function readoutOf(outcome: TriggerOutcome): TriggerReadout {
  const { index, type, metricName, metricType, target } = outcome.trigger;
  const base = { index, type, metricName, metricType, target };
  if (outcome.kind === 'value') return { ...base, value: outcome.value, active: outcome.active };
  // A cpu/memory trigger's usage is read by the HPA from the pods, not by KEDA: no KEDA value.
  return outcome.kind === 'resource' ? base : { ...base, error: outcome.error };
}
