/**
 * A ScaledJob on a virtual clock against a simulated SQS queue: every pollingInterval the engine's
 * own calculation (engine/keda/scaled-job-scaling.ts, with the running/pending counts of
 * scaled-job-counts.ts) decides how many Jobs to create; each Job's pod starts after the pod
 * start-up time, receives up to the trigger's queueLength messages (its batch), works for the Job's
 * work time, deletes them and exits. A Job that finds the queue empty exits at once, as a worker does.
 *
 * The queue is SQS as the trigger reads it: visible messages, plus the in-flight ones being worked
 * on when scaleOnInFlight is true (the default). Finished Jobs are pruned with the engine's history
 * selection (scaled-job-history.ts), so the report shows what the cluster would keep.
 *
 * Pure and synchronous: no Kubernetes, no state store. The runtime's pass (the tick, Job creation,
 * claims in DynamoDB) is tested on its own; this shows the calculation against a backlog.
 */
import { countScaledJobJobs } from '../../lambdas/engine/keda/scaled-job-counts';
import { selectHistoryJobsToDelete } from '../../lambdas/engine/keda/scaled-job-history';
import { decideScaledJobScale, type ScaledJobScalingDecision } from '../../lambdas/engine/keda/scaled-job-scaling';
import type { ScaledJobSpec } from '../../lambdas/engine/spec/scaled-job';
import { trafficAt, type Traffic } from './traffic';

const MINUTE_MS = 60_000;

export interface ScaledJobSimulationInput {
  label: string;
  job: ScaledJobSpec;
  traffic: Traffic;
  startMs: number;
  durationMs: number;
  /** Clock step (arrivals, Job starts and ends happen on steps). */
  stepMs: number;
  /** From Job created to its pod running and receiving messages. */
  podStartupMs: number;
  /** How long one Job works on its batch before it exits. */
  jobWorkMs: number;
  /** How often the charts' samples are taken (every step when unset). */
  sampleEveryMs?: number;
}

export interface ScaledJobSample {
  at: number;
  /** Messages waiting (visible). */
  visible: number;
  /** Messages received by running Jobs, not yet deleted. */
  inFlight: number;
  /** Jobs not finished, pending included. */
  running: number;
  /** Jobs whose pod has not started yet. */
  pending: number;
}

export interface ScaledJobPollRecord {
  at: number;
  /** The trigger's value the poll read (visible, plus in flight when counted). */
  queueLength: number;
  running: number;
  pending: number;
  decision: ScaledJobScalingDecision;
  /** Finished Jobs deleted by the history limits at this poll. */
  deleted: number;
}

export interface ScaledJobSimulationRun {
  label: string;
  job: ScaledJobSpec;
  startMs: number;
  endMs: number;
  /** Messages one Job takes (the trigger's queueLength target). */
  batchSize: number;
  samples: ScaledJobSample[];
  polls: ScaledJobPollRecord[];
  arrived: number;
  processed: number;
  jobsCreated: number;
  /** Jobs that started to an empty queue and exited without work. */
  emptyJobs: number;
  /** Sum over Jobs of the time from pod start to exit: what the pods cost. */
  jobRunMs: number;
  /** Finished Jobs left after the last poll's history cleanup. */
  historyKept: number;
}

interface SimJob {
  name: string;
  createdAt: number;
  startsAt: number;
  startedAt?: number;
  taken: number;
  endsAt?: number;
  finishedAt?: number;
}

/** Refuses what the model cannot run, naming the field and the fix. */
export function scaledJobSimulationProblem(job: ScaledJobSpec): string | undefined {
  const unsupported = job.triggers.filter((trigger) => trigger.type !== 'aws-sqs-queue');
  if (unsupported.length > 0) {
    return `${job.id}: spec.triggers[${unsupported[0]!.index}].type: the ScaledJob simulator models an SQS queue only, not "${unsupported[0]!.type}" (simulate the ScaledJob with its aws-sqs-queue trigger alone)`;
  }
  return undefined;
}

export function runScaledJobSimulation(input: ScaledJobSimulationInput): ScaledJobSimulationRun {
  const { job, traffic, startMs, durationMs, stepMs, podStartupMs, jobWorkMs } = input;
  const endMs = startMs + durationMs;
  const pollMs = job.pollingInterval * 1000;
  const triggers = job.triggers.map((trigger) => ({
    target: trigger.target,
    activation: trigger.activationTarget,
    countsInFlight: (trigger.params as { scaleOnInFlight?: boolean }).scaleOnInFlight !== false,
  }));
  const batchSize = Math.max(1, Math.ceil(triggers[0]?.target ?? 1));

  const jobs: SimJob[] = [];
  const samples: ScaledJobSample[] = [];
  const polls: ScaledJobPollRecord[] = [];
  let visible = 0;
  let inFlight = 0;
  let arrivedBefore = 0;
  let completedMinutes = 0;
  let arrived = 0;
  let processed = 0;
  let emptyJobs = 0;
  let jobRunMs = 0;
  let created = 0;
  let nextPoll = startMs;
  let nextSample = startMs;

  for (let at = startMs; at <= endMs; at += stepMs) {
    // Arrivals, spread over the minute; a depth trace sets the visible queue as recorded.
    const minute = Math.floor((at - startMs) / MINUTE_MS);
    if (traffic.kind === 'depth') {
      visible = Math.max(0, Math.round(trafficAt(traffic, minute)));
    } else if (at > startMs) {
      // Whole messages so far: the minutes before, plus this minute's share (no float drift).
      const elapsed = at - startMs;
      const minuteOfStep = Math.floor((elapsed - 1) / MINUTE_MS);
      while (completedMinutes < minuteOfStep) arrivedBefore += trafficAt(traffic, completedMinutes++);
      const due = Math.floor(arrivedBefore + (trafficAt(traffic, minuteOfStep) * (elapsed - minuteOfStep * MINUTE_MS)) / MINUTE_MS + 1e-9);
      visible += due - arrived;
      arrived = due;
    }
    // Jobs that finish their work delete their messages and exit.
    for (const simJob of jobs) {
      if (simJob.endsAt !== undefined && simJob.finishedAt === undefined && simJob.endsAt <= at) {
        simJob.finishedAt = at;
        inFlight -= simJob.taken;
        processed += simJob.taken;
        jobRunMs += at - simJob.startedAt!;
      }
    }
    // Pods that come up receive a batch; an empty queue means the worker exits at once.
    for (const simJob of jobs) {
      if (simJob.startedAt !== undefined || simJob.startsAt > at) continue;
      simJob.startedAt = at;
      simJob.taken = Math.min(batchSize, visible);
      visible -= simJob.taken;
      inFlight += simJob.taken;
      if (simJob.taken === 0) {
        emptyJobs++;
        simJob.endsAt = at;
        simJob.finishedAt = at;
      } else simJob.endsAt = at + jobWorkMs;
    }
    if (at >= nextPoll) {
      nextPoll += pollMs;
      const counts = countScaledJobJobs(
        jobs.map((simJob) => ({ finished: simJob.finishedAt !== undefined, pods: simJob.startedAt === undefined ? [] : [{ phase: 'Running', trueConditions: [] }] })),
        job.scalingStrategy.pendingPodConditions,
      );
      const metrics = triggers.map((trigger) => {
        const queueLength = visible + (trigger.countsInFlight ? inFlight : 0);
        return { queueLength, targetAverageValue: trigger.target, isActive: queueLength > trigger.activation };
      });
      const decision = job.paused
        ? { isActive: false, queueLength: 0, maxScale: 0, effectiveMaxScale: 0, jobsToCreate: 0, reason: 'paused (autoscaling.keda.sh/paused): no Jobs created' }
        : decideScaledJobScale({ metrics, scalingStrategy: job.scalingStrategy, runningJobCount: counts.running, pendingJobCount: counts.pending, minReplicaCount: job.minReplicaCount, maxReplicaCount: job.maxReplicaCount, maxReplicaCountSet: job.maxReplicaCountSet });
      for (let i = 0; i < decision.jobsToCreate; i++) {
        created++;
        jobs.push({ name: `${job.name}-${created}`, createdAt: at, startsAt: at + podStartupMs, taken: 0 });
      }
      const deleted = pruneHistory(jobs, job);
      polls.push({ at, queueLength: metrics[0]?.queueLength ?? 0, running: counts.running, pending: counts.pending, decision, deleted });
    }
    if (at < nextSample && at + stepMs <= endMs) continue;
    nextSample += input.sampleEveryMs ?? stepMs;
    const unfinished = jobs.filter((simJob) => simJob.finishedAt === undefined);
    samples.push({ at, visible, inFlight, running: unfinished.length, pending: unfinished.filter((simJob) => simJob.startedAt === undefined).length });
  }
  return {
    label: input.label,
    job,
    startMs,
    endMs,
    batchSize,
    samples,
    polls,
    arrived,
    processed,
    jobsCreated: created,
    emptyJobs,
    jobRunMs,
    historyKept: jobs.filter((simJob) => simJob.finishedAt !== undefined).length,
  };
}

/** Removes the finished Jobs the history limits drop (the simulator has no failures: all Complete). */
function pruneHistory(jobs: SimJob[], job: ScaledJobSpec): number {
  const finished = jobs.filter((simJob) => simJob.finishedAt !== undefined);
  const doomed = new Set(
    selectHistoryJobsToDelete(
      finished.map((simJob) => ({ name: simJob.name, outcome: 'Complete' as const, completionTime: new Date(simJob.finishedAt!).toISOString() })),
      job,
    ).map((deletion) => deletion.name),
  );
  if (doomed.size === 0) return 0;
  const kept = jobs.filter((simJob) => !doomed.has(simJob.name));
  jobs.splice(0, jobs.length, ...kept);
  return doomed.size;
}

export interface ScaledJobSimulationSummary {
  label: string;
  arrived: number;
  processed: number;
  backlogAtEnd: number;
  peakBacklog: number;
  jobsCreated: number;
  peakRunningJobs: number;
  emptyJobs: number;
  jobMinutes: number;
  historyKept: number;
}

export function summarizeScaledJobRun(run: ScaledJobSimulationRun): ScaledJobSimulationSummary {
  const last = run.samples.at(-1);
  return {
    label: run.label,
    arrived: run.arrived,
    processed: run.processed,
    backlogAtEnd: last ? last.visible + last.inFlight : 0,
    peakBacklog: run.samples.reduce((max, sample) => Math.max(max, sample.visible + sample.inFlight), 0),
    jobsCreated: run.jobsCreated,
    peakRunningJobs: run.samples.reduce((max, sample) => Math.max(max, sample.running), 0),
    emptyJobs: run.emptyJobs,
    jobMinutes: run.jobRunMs / MINUTE_MS,
    historyKept: run.historyKept,
  };
}

export function formatScaledJobSummary(summary: ScaledJobSimulationSummary): string {
  return [
    `${summary.label}:`,
    `  messages     ${summary.arrived} arrived, ${summary.processed} processed, ${summary.backlogAtEnd} left at the end (peak backlog ${summary.peakBacklog})`,
    `  Jobs         ${summary.jobsCreated} created, at most ${summary.peakRunningJobs} running at once, ${summary.emptyJobs} found the queue empty`,
    `  Job-minutes  ${summary.jobMinutes.toFixed(1)} (pod time from start to exit)`,
    `  history      ${summary.historyKept} finished Jobs kept by the history limits`,
  ].join('\n');
}
