/**
 * The ScaledJob simulator's world (cli/simulator/scaled-job-simulation.ts): Jobs take a batch of
 * messages once their pod starts, work, and exit; polls decide with the engine's calculation.
 * Virtual clock only: every figure follows from the traffic and the settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import type { ScaledJobSpec } from '../../lambdas/engine/spec/scaled-job';
import { runScaledJobSimulation, scaledJobSimulationProblem, summarizeScaledJobRun } from '../../cli/simulator/scaled-job-simulation';
import type { Traffic } from '../../cli/simulator/traffic';
import { REPO_ROOT } from './cli-harness';

const MINUTE = 60_000;
const EXAMPLE = parseManifests(readFileSync(join(REPO_ROOT, 'examples/sqs-scaledjob.yaml'), 'utf8')).scaledJobs[0]!;

/** `count` messages already waiting at the start, nothing after. */
function backlog(count: number, minutes = 30): Traffic {
  return { name: 'backlog', kind: 'depth', perMinute: [count], defaultDurationMs: minutes * MINUTE, description: `${count} waiting` };
}

function arrivals(perMinute: number[], minutes: number): Traffic {
  return { name: 'arrivals', kind: 'arrivals', perMinute, defaultDurationMs: minutes * MINUTE, description: 'arrivals' };
}

function run(job: ScaledJobSpec, traffic: Traffic, overrides: { podStartupMs?: number; jobWorkMs?: number; minutes?: number } = {}) {
  return runScaledJobSimulation({
    label: job.id,
    job,
    traffic,
    startMs: 0,
    durationMs: (overrides.minutes ?? 30) * MINUTE,
    stepMs: 1_000,
    podStartupMs: overrides.podStartupMs ?? 30_000,
    jobWorkMs: overrides.jobWorkMs ?? 2 * MINUTE,
  });
}

describe('runScaledJobSimulation', () => {
  it('one Job per message, and pending Jobs are not created twice while their pods start', () => {
    // 10 messages over the first minute, pods take 60 s to start, polls every 15 s: later polls
    // count the Jobs still pending as running (their messages are still queued), so no message
    // gets a second Job, and no Job finds the queue empty.
    const result = run(EXAMPLE, arrivals([10], 30), { podStartupMs: 60_000 });
    expect(result.polls.some((poll) => poll.pending > 0 && poll.decision.jobsToCreate > 0)).toBe(true);
    expect(summarizeScaledJobRun(result)).toMatchObject({ arrived: 10, processed: 10, backlogAtEnd: 0, jobsCreated: 10, emptyJobs: 0 });
  });

  it('never runs more than maxReplicaCount Jobs, and drains the rest as Jobs finish', () => {
    const result = run({ ...EXAMPLE, maxReplicaCount: 5 }, arrivals([20], 30));
    const summary = summarizeScaledJobRun(result);
    expect(summary.peakRunningJobs).toBe(5);
    expect(summary).toMatchObject({ arrived: 20, processed: 20, jobsCreated: 20, backlogAtEnd: 0 });
  });

  it('a batch per Job: queueLength 5 makes one Job per 5 messages', () => {
    const batch: ScaledJobSpec = { ...EXAMPLE, triggers: [{ ...EXAMPLE.triggers[0]!, target: 5 }] };
    const result = run(batch, arrivals([12], 30));
    expect(result.batchSize).toBe(5);
    expect(summarizeScaledJobRun(result)).toMatchObject({ processed: 12, jobsCreated: 3 });
  });

  it('the history limit keeps the newest finished Jobs', () => {
    const result = run({ ...EXAMPLE, successfulJobsHistoryLimit: 3 }, arrivals([8], 30));
    expect(result.historyKept).toBe(3);
    expect(result.polls.reduce((sum, poll) => sum + poll.deleted, 0)).toBe(5);
  });

  it('a paused ScaledJob creates nothing', () => {
    const result = run({ ...EXAMPLE, paused: true }, backlog(10));
    expect(summarizeScaledJobRun(result)).toMatchObject({ jobsCreated: 0, processed: 0, backlogAtEnd: 10 });
    expect(result.polls[0]!.decision.reason).toContain('paused');
  });

  it('a trigger other than SQS is refused with the field and the fix', () => {
    const cron: ScaledJobSpec = { ...EXAMPLE, triggers: [{ ...EXAMPLE.triggers[0]!, type: 'cron' }] };
    expect(scaledJobSimulationProblem(cron)).toBe('media/thumbnails: spec.triggers[0].type: the ScaledJob simulator models an SQS queue only, not "cron" (simulate the ScaledJob with its aws-sqs-queue trigger alone)');
    expect(scaledJobSimulationProblem(EXAMPLE)).toBeUndefined();
  });
});
