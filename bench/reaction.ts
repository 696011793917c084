/**
 * Benchmark 4, reaction and efficiency: the simulator's built-in scenarios, run once with our
 * scaler (the pod scaler's real tick, once per simulated minute, with its pollingInterval passes)
 * and once with a model of KEDA + HPA (KEDA's loop every pollingInterval for 0 ↔ 1, the HPA every
 * 15 s for 1 ↔ N), on the same world and the same ScaledObject. Per run: time from the backlog step
 * to the first scale-up patch and to the backlog drained, replica-minutes, p95 message wait.
 *
 *   npx tsx bench/reaction.ts
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStateStore } from '../lambdas/adapters/state/memory-state-store';
import type { ScaledObject } from '../lambdas/engine/spec/scaled-object';
import { parseManifests } from '../lambdas/engine/spec/parse-manifests';
import { runSimulation, type SimulationRun } from '../cli/simulator/run-simulation';
import { summarize } from '../cli/simulator/summary';
import { builtInScenario, SCENARIO_NAMES, type Traffic } from '../cli/simulator/traffic';
import { DEFAULT_WORLD_SETTINGS } from '../cli/simulator/world';
import { runKedaHpaModel } from '../cli/simulator/keda-hpa-model';
import { REPO_ROOT, isMain, writeResult } from './support/output';
import { formatNumber, formatTable } from './support/table';

const PEAK_PER_MINUTE = 600;
/** A Monday at midnight UTC, as `simulate` defaults to. */
const START_MS = Date.parse('2026-01-05T00:00:00Z');

/** KEDA's defaults: pollingInterval 30 s, cooldown 300 s, no behavior block. */
const DEFAULT_OBJECT_YAML = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
  namespace: jobs
spec:
  scaleTargetRef:
    name: worker
  maxReplicaCount: 20
  triggers:
    - type: aws-sqs-queue
      metadata:
        queueURL: https://sqs.us-east-1.amazonaws.com/111122223333/jobs
        awsRegion: us-east-1
        queueLength: "5"
        identityOwner: operator
`;

export interface ReactionRow {
  scenario: string;
  object: string;
  scaler: 'eks-lambda-scaler' | 'KEDA + HPA model';
  /** From the backlog step to the first scale-up patch, ms. */
  firstScaleUpMs?: number;
  /** From the backlog step to the backlog empty again after its peak, ms. */
  drainedMs?: number;
  replicaMinutes: number;
  waitP95Ms?: number;
  peakReplicas: number;
  scaleEvents: number;
}

/** The minute with the largest rise in arrivals: the "step" a reaction is measured from. */
function stepMinute(traffic: Traffic): number | undefined {
  let best: number | undefined;
  let bestRise = 0;
  traffic.perMinute.forEach((value, minute) => {
    const rise = value - (traffic.perMinute[minute - 1] ?? 0);
    if (rise > bestRise) {
      bestRise = rise;
      best = minute;
    }
  });
  return best;
}

function rowOf(run: SimulationRun, scenario: string, object: string, scaler: ReactionRow['scaler']): ReactionRow {
  const summary = summarize(run);
  const step = stepMinute(run.traffic);
  const stepAt = step === undefined ? undefined : run.startMs + step * 60_000;
  const firstUp = stepAt === undefined ? undefined : run.decisions.find((d) => d.scaled && d.at >= stepAt && (d.desiredReplicas ?? 0) > (d.currentReplicas ?? 0));
  const drainedAt = run.totals.drainedAt;
  return {
    scenario,
    object,
    scaler,
    ...(firstUp && stepAt !== undefined ? { firstScaleUpMs: firstUp.at - stepAt } : {}),
    ...(drainedAt !== undefined && stepAt !== undefined && drainedAt > stepAt ? { drainedMs: drainedAt - stepAt } : {}),
    replicaMinutes: summary.replicaMinutes,
    ...(summary.waitP95Ms === undefined ? {} : { waitP95Ms: summary.waitP95Ms }),
    peakReplicas: summary.peakReplicas,
    scaleEvents: summary.scaleEvents,
  };
}

async function objects(): Promise<{ label: string; object: ScaledObject }[]> {
  const parse = (yaml: string, file: string) => {
    const parsed = parseManifests(yaml, { file });
    if (parsed.errors.length > 0 || !parsed.objects[0]) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
    return parsed.objects[0];
  };
  const example = 'examples/sqs-worker.yaml';
  return [
    { label: 'KEDA defaults (30 s)', object: parse(DEFAULT_OBJECT_YAML, 'bench-default.yaml') },
    { label: `${example} (15 s)`, object: parse(await readFile(join(REPO_ROOT, example), 'utf8'), example) },
  ];
}

export async function runReaction(): Promise<ReactionRow[]> {
  const rows: ReactionRow[] = [];
  for (const { label, object } of await objects()) {
    for (const scenario of SCENARIO_NAMES) {
      const traffic = builtInScenario(scenario, PEAK_PER_MINUTE);
      const common = {
        label,
        object,
        traffic,
        settings: { ...DEFAULT_WORLD_SETTINGS, initialReplicas: object.minReplicaCount },
        startMs: START_MS,
        durationMs: traffic.defaultDurationMs,
      };
      rows.push(rowOf(await runSimulation({ ...common, stateStore: new MemoryStateStore() }), scenario, label, 'eks-lambda-scaler'));
      rows.push(rowOf(await runKedaHpaModel(common), scenario, label, 'KEDA + HPA model'));
    }
  }
  return rows;
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${formatNumber(Math.round(ms / 1000))} s`);

export function reactionTable(rows: readonly ReactionRow[]): string {
  return formatTable(
    `Reaction and efficiency on the simulator's built-in scenarios (peak ${PEAK_PER_MINUTE} msgs/min, default world), ours vs a KEDA + HPA model`,
    ['scenario', 'ScaledObject', 'scaler', 'step to first scale-up', 'step to drained', 'replica-min', 'p95 wait', 'peak replicas', 'scale events'],
    rows.map((row) => [
      row.scenario,
      row.object,
      row.scaler,
      seconds(row.firstScaleUpMs),
      seconds(row.drainedMs),
      Math.round(row.replicaMinutes * 10) / 10,
      seconds(row.waitP95Ms),
      row.peakReplicas,
      row.scaleEvents,
    ]),
  );
}

if (isMain(import.meta.url)) {
  const rows = await runReaction();
  console.log(reactionTable(rows));
  await writeResult('reaction', rows);
}
