/**
 * `simulate` given a ScaledJob: runs it on the simulated queue (cli/simulator/scaled-job-simulation.ts),
 * prints a summary and writes the Jobs-against-backlog report. Kept apart from the ScaledObject
 * path, which drives the pod scaler's tick: a ScaledJob has no replicas, HPA or KEDA + HPA model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatDuration, UsageError } from '../args';
import { isDocumentFormat, writeDocument } from '../format/document';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import type { LoadedScaledJob } from '../manifests';
import { renderScaledJobReport } from '../report/scaled-job-report';
import { formatScaledJobSummary, runScaledJobSimulation, scaledJobSimulationProblem, summarizeScaledJobRun } from '../simulator/scaled-job-simulation';
import type { Traffic } from '../simulator/traffic';

export interface ScaledJobSimulateOptions {
  scaledJobs: LoadedScaledJob[];
  traffic: Traffic;
  startMs: number;
  durationMs: number;
  stepMs: number;
  podStartupMs: number;
  jobWorkMs: number;
  sampleEveryMs: number;
  output: string;
  /** Absolute path of the report, or undefined for --no-report. */
  reportPath?: string;
  /** How the report path is shown. */
  shownReport?: string;
  files: string[];
}

export async function simulateScaledJobs(options: ScaledJobSimulateOptions, io: CliIo): Promise<number> {
  if (options.scaledJobs.length > 1) {
    throw new UsageError(`${options.scaledJobs.length} ScaledJobs found (${options.scaledJobs.map(({ job }) => job.id).join(', ')}); simulate runs one ScaledJob at a time (use -n or one file)`);
  }
  const { job } = options.scaledJobs[0]!;
  const problem = scaledJobSimulationProblem(job);
  if (problem) {
    writeLine(io.stderr, `error: ${problem}`);
    return EXIT_FINDINGS;
  }
  const format = isDocumentFormat(options.output) ? options.output : undefined;
  if (!format) {
    writeLine(io.stdout, `Simulating ScaledJob ${job.id} for ${formatDuration(options.durationMs)} from ${new Date(options.startMs).toISOString()}: ${options.traffic.description}`);
  }
  const run = runScaledJobSimulation({
    label: job.id,
    job,
    traffic: options.traffic,
    startMs: options.startMs,
    durationMs: options.durationMs,
    stepMs: options.stepMs,
    podStartupMs: options.podStartupMs,
    jobWorkMs: options.jobWorkMs,
    sampleEveryMs: options.sampleEveryMs,
  });
  const summary = summarizeScaledJobRun(run);
  if (options.reportPath) {
    const html = renderScaledJobReport({
      title: `Simulation: ScaledJob ${job.id}`,
      run,
      summary,
      notes: [
        `Traffic: ${options.traffic.description}. Simulated ${formatDuration(options.durationMs)} from ${new Date(options.startMs).toISOString()}.`,
        `World: each Job's pod starts ${formatDuration(options.podStartupMs)} after the Job is created, receives up to ${run.batchSize} message${run.batchSize === 1 ? '' : 's'} (the trigger's queueLength), works ${formatDuration(options.jobWorkMs)} and exits; polls every ${job.pollingInterval}s, ${job.scalingStrategy.strategy} strategy, at most ${job.maxReplicaCount} Jobs.`,
        `Files: ${options.files.join(', ')}. Decisions by the engine's ScaledJob calculation (KEDA's scale_jobs.go), not the Lambda's tick.`,
      ],
    });
    await mkdir(dirname(options.reportPath), { recursive: true });
    await writeFile(options.reportPath, html, 'utf8');
  }
  if (format) {
    writeDocument(io.stdout, format, {
      traffic: { name: options.traffic.name, kind: options.traffic.kind, description: options.traffic.description },
      start: new Date(options.startMs).toISOString(),
      durationMs: options.durationMs,
      report: options.shownReport ?? null,
      scaledJob: { id: job.id, summary, polls: run.polls.filter((poll) => poll.decision.jobsToCreate > 0).map(({ at, decision, ...poll }) => ({ atMs: at - run.startMs, ...poll, created: decision.jobsToCreate, reason: decision.reason })) },
    });
    return EXIT_OK;
  }
  writeLine(io.stdout);
  writeLine(io.stdout, formatScaledJobSummary(summary));
  if (options.shownReport) {
    writeLine(io.stdout);
    writeLine(io.stdout, `report: ${options.shownReport}`);
  }
  return EXIT_OK;
}
