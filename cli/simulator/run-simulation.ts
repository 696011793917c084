/**
 * Runs one ScaledObject against the simulated world: the pod scaler's real tick, once per
 * simulated EventBridge minute, with the world advancing on the virtual clock in between and
 * during the tick's pollingInterval passes. Returns everything the summary and report need.
 */
import type { DecisionRule, ObjectStatus, TriggerExplanation } from '../../lambdas/engine/evaluate-types';
import type { ScaledObject } from '../../lambdas/engine/spec/scaled-object';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import type { StateStore } from '../../lambdas/adapters/state/state-store';
import type { ObjectTickResult } from '../../lambdas/pod-scaler/tick-types';
import { runTick } from '../../lambdas/pod-scaler/tick';
import { SimulatedScaleTargets, type RecordedEvent } from './simulated-scale-targets';
import { simulatedTriggerReader } from './simulated-trigger-reader';
import type { Traffic } from './traffic';
import { VirtualClock } from './virtual-clock';
import { SimWorld, type WorldSample, type WorldSettings, type WorldTotals } from './world';

/** EventBridge's schedule: the pod scaler Lambda runs once a minute. */
export const TICK_WINDOW_MS = 60_000;
export const SIMULATED_CLUSTER = 'simulated';

/** What the report shows of one trigger's part in a decision: the explanation's own fields. */
export type TriggerReadout = Pick<TriggerExplanation, 'index' | 'type' | 'metricName' | 'metricType' | 'target' | 'value' | 'active' | 'proposal' | 'error'>;

/** One evaluation of the object, as the tick reported it. */
export interface DecisionRecord {
  at: number;
  status: ObjectStatus;
  currentReplicas?: number;
  desiredReplicas?: number;
  scaled: boolean;
  rule?: DecisionRule;
  message: string;
  triggers: TriggerReadout[];
}

export interface SimulationInput {
  /** Column and section title, e.g. `sqs-worker.yaml: jobs/orders`. */
  label: string;
  object: ScaledObject;
  traffic: Traffic;
  settings: WorldSettings;
  startMs: number;
  durationMs: number;
  stateStore: StateStore;
  /** The simulated container env, for `...FromEnv` metadata. */
  containerEnv?: Record<string, string>;
  /** Called after every tick with the simulated time covered so far. */
  onProgress?(doneMs: number, totalMs: number): void;
}

export interface SimulationRun {
  label: string;
  object: ScaledObject;
  traffic: Traffic;
  settings: WorldSettings;
  startMs: number;
  endMs: number;
  samples: WorldSample[];
  totals: WorldTotals;
  unprocessed: number;
  decisions: DecisionRecord[];
  events: RecordedEvent[];
  ticks: number;
}

export async function runSimulation(input: SimulationInput): Promise<SimulationRun> {
  const { object, settings, startMs, durationMs } = input;
  const endMs = startMs + durationMs;
  const world = new SimWorld(input.traffic, settings, startMs, object.maxReplicaCount);
  const clock = new VirtualClock(startMs, (from, to) => world.advance(from, to));
  const scaleTargets = new SimulatedScaleTargets(world, clock, input.containerEnv);
  // Every run gets its own cluster-less copy: the key is then the same for every input file, and
  // each run has its own store, so two versions of one object never share state.
  const { cluster: _cluster, ...clusterless } = object;
  const config: ScalerConfig = {
    defaultCluster: { name: SIMULATED_CLUSTER, region: 'us-east-1' },
    clusters: [{ name: SIMULATED_CLUSTER, region: 'us-east-1' }],
    scaledObjects: [clusterless],
    nodeGroups: [],
  };
  const decisions: DecisionRecord[] = [];
  let ticks = 0;
  for (let tickStart = startMs; tickStart < endMs; tickStart += TICK_WINDOW_MS) {
    clock.advanceTo(tickStart);
    const windowMs = Math.min(TICK_WINDOW_MS, endMs - tickStart);
    await runTick(
      {
        config,
        clock,
        stateStore: input.stateStore,
        scaleTargets: async () => scaleTargets,
        readTriggers: simulatedTriggerReader(world),
        onResult: (result) => decisions.push(toDecision(result, clock.now())),
      },
      { deadline: tickStart + windowMs, windowMs },
    );
    ticks++;
    input.onProgress?.(Math.min(durationMs, tickStart + TICK_WINDOW_MS - startMs), durationMs);
  }
  clock.advanceTo(endMs);
  return finishRun(input, world, endMs, { decisions, events: scaleTargets.events, ticks });
}

/** Closes the world at `endMs` and gathers what the summary and report read from a run. */
export function finishRun(
  input: Pick<SimulationInput, 'label' | 'object' | 'traffic' | 'settings' | 'startMs'>,
  world: SimWorld,
  endMs: number,
  scaler: Pick<SimulationRun, 'decisions' | 'events' | 'ticks'>,
): SimulationRun {
  world.finish(endMs);
  return {
    label: input.label,
    object: input.object,
    traffic: input.traffic,
    settings: input.settings,
    startMs: input.startMs,
    endMs,
    samples: world.samples,
    totals: world.totals,
    unprocessed: world.unprocessed,
    ...scaler,
  };
}

function toDecision(result: ObjectTickResult, at: number): DecisionRecord {
  const explanation = result.explanation;
  return {
    at,
    status: result.status,
    ...(result.currentReplicas === undefined ? {} : { currentReplicas: result.currentReplicas }),
    ...(result.desiredReplicas === undefined ? {} : { desiredReplicas: result.desiredReplicas }),
    scaled: result.scaled,
    ...(explanation ? { rule: explanation.rule } : {}),
    message: result.error ?? explanation?.message ?? result.statusReason ?? '',
    triggers: (explanation?.triggers ?? []).map((t) => ({
      index: t.index,
      type: t.type,
      metricName: t.metricName,
      metricType: t.metricType,
      target: t.target,
      ...(t.value === undefined ? {} : { value: t.value }),
      ...(t.active === undefined ? {} : { active: t.active }),
      ...(t.proposal === undefined ? {} : { proposal: t.proposal }),
      ...(t.error === undefined ? {} : { error: t.error }),
    })),
  };
}
