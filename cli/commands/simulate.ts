/**
 * `simulate <scaledobject.yaml...>`: runs the pod scaler's real tick on a virtual clock against a
 * simulated queue, workload and node group, prints a summary and writes an HTML report. Two or more
 * ScaledObjects run on the same traffic and are compared side by side.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import {
  booleanFlag,
  choiceFlag,
  COMMON_OPTIONS,
  FILENAME_OPTION,
  manifestPaths,
  namespaceFlag,
  outputFlag,
  durationFlag,
  formatDuration,
  integerFlag,
  parseCommandArgs,
  positiveNumberFlag,
  stringFlag,
  UsageError,
  type ParsedArgs,
} from '../args';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import { formatManifestIssue, inNamespace, loadManifestFiles, type LoadedObject } from '../manifests';
import { isDocumentFormat, writeDocument } from '../format/document';
import { renderReport } from '../report/html-report';
import { ProgressBar } from '../format/progress-bar';
import { runKedaHpaModel } from '../simulator/keda-hpa-model';
import { runSimulation, type SimulationRun } from '../simulator/run-simulation';
import { openStateBackend, type StateBackendKind } from '../simulator/state-backend';
import { formatSummary, summarize, triggerKindsOf, type SimulationSummary } from '../simulator/summary';
import { parseTrace, TraceError } from '../simulator/trace';
import { builtInScenario, SCENARIO_NAMES, type Traffic, type TrafficKind } from '../simulator/traffic';
import { DEFAULT_WORLD_SETTINGS, type WorldSettings } from '../simulator/world';
import type { CommandDefinition } from './command';
import { simulateScaledJobs } from './simulate-scaled-job';

const DEFAULT_PEAK_PER_MINUTE = 600;
/** A Monday at midnight UTC: cron triggers see a predictable week and day. */
const DEFAULT_START = '2026-01-05T00:00:00Z';
const MAX_COMPARED = 4;
const D = DEFAULT_WORLD_SETTINGS;
const DEFAULT_JOB_WORK_MS = 120_000;

const USAGE = `Usage: eks-lambda-scaler simulate <scaledobject.yaml...|scaledjob.yaml> [options]

Runs the pod scaler's own tick on a virtual clock against a simulated queue, workload and
Auto Scaling Group, and shows what the ScaledObject would do to your traffic. Two or more
ScaledObjects (in one file or several) run on the same traffic, side by side. A ScaledJob runs
alone: its Jobs take messages from the simulated queue and exit, against the backlog.

Traffic:
  --scenario NAME          ${SCENARIO_NAMES.join(' | ')} (default step)
  --rate N                 a scenario's peak per minute: messages arriving (SQS, Kinesis), or the
                           metric's per-minute Sum, e.g. requests (CloudWatch) (default ${DEFAULT_PEAK_PER_MINUTE})
  --trace FILE             CSV (minute,arrivals or timestamp,value) or JSON per-minute trace,
                           e.g. a CloudWatch export; replaces --scenario
  --trace-kind KIND        arrivals (messages per minute, or a Sum per period in a timestamped export; default) | depth (queue depth, replayed)
  --duration D             how long to simulate, e.g. 90m, 2h (default: the scenario's, or the trace)
  --start ISO              simulated start time, for cron triggers (default: the first timestamp
                           of a timestamped trace, otherwise ${DEFAULT_START})

World:
  --msgs-per-pod-second N  messages one ready pod processes per second (default ${D.msgsPerPodSecond})
  --pod-startup D          from scheduled to ready (default ${formatDuration(D.podStartupMs)})
  --pods-per-node N        pods that fit on one node (default ${D.podsPerNode})
  --node-join D            from requested to joined (default ${formatDuration(D.nodeJoinMs)})
  --node-scale-down-after D  an empty node is removed after (default ${formatDuration(D.nodeScaleDownAfterMs)})
  --asg-min N, --asg-max N Auto Scaling Group bounds (default ${D.asgMin} and ${D.asgMax})
  --initial-replicas N     replicas at the start (default: each object's minReplicaCount)
  --shard-capacity N       Kinesis records per second per open shard (default ${D.recordsPerShardSecond})
  --env NAME=VALUE         container env for ...FromEnv metadata (repeatable)
  --step D                 simulation step between ticks (default ${formatDuration(D.stepMs)})
  --job-duration D         ScaledJob: how long one Job works on its messages before it exits
                           (default ${formatDuration(DEFAULT_JOB_WORK_MS)}); it takes the trigger's queueLength

Output:
  --state dynalite|memory  the state store: the real DynamoDB adapter on an embedded
                           dynalite (default), or memory
  --report FILE.html       where to write the report (default sim-out/<name>-report.html)
  --no-report              do not write a report
  --no-keda-model          do not run the KEDA + HPA model beside each object
  -o, --output F           text (default; wide is the same), json or yaml: summaries and every
                           decision as one document
  -f, --filename PATH      a ScaledObject file, a folder (recursive) or - for stdin (repeatable)
  -n, --namespace NS       only the ScaledObjects of namespace NS (-A: every namespace, the default)
  -h, --help               show this help

Exit codes: 0 ok, 1 invalid manifests or trace, 2 usage error.`;

export const simulateCommand: CommandDefinition = {
  name: 'simulate',
  usage: USAGE,
  run: runSimulate,
};

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...FILENAME_OPTION,
  scenario: { type: 'string' },
  rate: { type: 'string' },
  trace: { type: 'string' },
  'trace-kind': { type: 'string' },
  duration: { type: 'string' },
  start: { type: 'string' },
  'msgs-per-pod-second': { type: 'string' },
  'pod-startup': { type: 'string' },
  'pods-per-node': { type: 'string' },
  'node-join': { type: 'string' },
  'node-scale-down-after': { type: 'string' },
  'asg-min': { type: 'string' },
  'asg-max': { type: 'string' },
  'initial-replicas': { type: 'string' },
  'shard-capacity': { type: 'string' },
  env: { type: 'string', multiple: true },
  step: { type: 'string' },
  'job-duration': { type: 'string' },
  state: { type: 'string' },
  report: { type: 'string' },
  'no-report': { type: 'boolean' },
  'no-keda-model': { type: 'boolean' },
} as const;

export async function runSimulate(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const paths = manifestPaths(args);
  if (paths.length === 0) throw new UsageError('simulate needs at least one ScaledObject file, e.g. examples/sqs-worker.yaml');
  const output = outputFlag(args);
  const namespace = namespaceFlag(args);
  const stateKind = choiceFlag(args, 'state', ['dynalite', 'memory'] as const, 'dynalite');
  const settings = worldSettings(args);
  const initialReplicas = stringFlag(args, 'initial-replicas') === undefined ? undefined : integerFlag(args, 'initial-replicas', 0);
  const containerEnv = envFlag(args);
  const durationArg = durationFlag(args, 'duration', undefined);
  const reportPath = booleanFlag(args, 'no-report') ? undefined : reportFile(args, paths, io.cwd);

  let traffic: Traffic;
  try {
    traffic = await loadTraffic(args, io.cwd, durationArg);
  } catch (error) {
    if (!(error instanceof TraceError)) throw error;
    writeLine(io.stderr, `error: ${error.message}`);
    return EXIT_FINDINGS;
  }
  const durationMs = durationArg ?? traffic.defaultDurationMs;
  const startMs = startTime(args, traffic);

  const loaded = await loadManifestFiles(paths, io, { eachFileAlone: true });
  loaded.objects = inNamespace(loaded.objects, namespace).kept;
  for (const issue of loaded.warnings) writeLine(io.stderr, formatManifestIssue(issue));
  if (loaded.errors.length > 0) {
    for (const issue of loaded.errors) writeLine(io.stderr, formatManifestIssue(issue));
    writeLine(io.stderr, `nothing simulated: fix the ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} above (eks-lambda-scaler validate shows them too)`);
    return EXIT_FINDINGS;
  }
  const scaledJobs = inNamespace(loaded.scaledJobs, namespace).kept;
  if (scaledJobs.length > 0) {
    if (loaded.objects.length > 0) throw new UsageError('give ScaledObjects or one ScaledJob, not both: they are simulated differently');
    return simulateScaledJobs(
      {
        scaledJobs,
        traffic,
        startMs,
        durationMs,
        stepMs: settings.stepMs,
        podStartupMs: settings.podStartupMs,
        jobWorkMs: durationFlag(args, 'job-duration', DEFAULT_JOB_WORK_MS)!,
        sampleEveryMs: settings.sampleEveryMs,
        output,
        ...(reportPath ? { reportPath, shownReport: displayPath(reportPath, io.cwd) } : {}),
        files: paths,
      },
      io,
    );
  }
  if (stringFlag(args, 'job-duration') !== undefined) throw new UsageError('--job-duration applies to ScaledJobs only');
  if (loaded.objects.length === 0) {
    writeLine(io.stderr, `error: no ScaledObject or ScaledJob found in ${paths.join(', ')}${namespace ? ` in namespace ${namespace}` : ''} (give documents of kind ScaledObject or ScaledJob, apiVersion keda.sh/v1alpha1)`);
    return EXIT_FINDINGS;
  }
  if (loaded.objects.length > MAX_COMPARED) {
    throw new UsageError(`${loaded.objects.length} ScaledObjects found; simulate compares at most ${MAX_COMPARED} side by side`);
  }

  const labels = labelsFor(loaded.objects);
  if (!isDocumentFormat(output)) {
    writeLine(io.stdout, `Simulating ${labels.join(' vs ')} for ${formatDuration(durationMs)} from ${new Date(startMs).toISOString()}: ${traffic.description}`);
  }
  const backend = await openStateBackend(stateKind as StateBackendKind);
  const progress = new ProgressBar(io.stderr, loaded.objects.length * durationMs);
  const began = Date.now();
  const runs: SimulationRun[] = [];
  // The same object on the same traffic and world under KEDA + the HPA it creates: the yardstick
  // beside each run (the two differ only in when each rule runs; see keda-hpa-model.ts).
  const models: SimulationRun[] = [];
  const withModel = !booleanFlag(args, 'no-keda-model');
  try {
    for (const [i, { object }] of loaded.objects.entries()) {
      const done = i * durationMs;
      const common = {
        label: labels[i]!,
        object,
        traffic,
        settings: { ...settings, initialReplicas: initialReplicas ?? object.minReplicaCount },
        startMs,
        durationMs,
      };
      runs.push(
        await runSimulation({
          ...common,
          stateStore: await backend.newStore(),
          containerEnv,
          onProgress: (doneMs) => progress.update(done + doneMs, labels[i]!),
        }),
      );
      if (withModel) models.push(await runKedaHpaModel({ ...common, label: kedaModelLabel(labels[i]!, loaded.objects.length) }));
    }
  } finally {
    await backend.close();
  }
  const ticks = runs.reduce((sum, run) => sum + run.ticks, 0);
  progress.finish(
    `simulated ${formatDuration(durationMs)} of traffic for ${runs.length} ScaledObject${runs.length === 1 ? '' : 's'} in ${((Date.now() - began) / 1000).toFixed(1)}s (${ticks} ticks, state: ${stateKind})`,
  );

  const summaries = runs.map(summarize);
  const modelSummaries = models.map(summarize);
  // Each object's column, then its KEDA + HPA column.
  const columns = summaries.flatMap((summary, i) => (modelSummaries[i] ? [summary, modelSummaries[i]] : [summary]));
  if (reportPath) {
    const html = renderReport({
      title: `Simulation: ${labels.join(' vs ')}`,
      runs,
      ...(withModel ? { models } : {}),
      summaries: columns,
      notes: [
        `Traffic: ${traffic.description}. Simulated ${formatDuration(durationMs)} from ${new Date(startMs).toISOString()}.`,
        `World: ${runs.some((run) => triggerKindsOf(run.object).includes('queue')) ? `${settings.msgsPerPodSecond} msgs/s per ready pod, ` : ''}pods ready ${formatDuration(settings.podStartupMs)} after scheduling, ${settings.podsPerNode} pods per node, nodes join after ${formatDuration(settings.nodeJoinMs)}, Auto Scaling Group ${settings.asgMin}-${settings.asgMax}.`,
        `Files: ${paths.join(', ')}. The pod scaler's own tick ran every simulated minute; state in ${stateKind === 'dynalite' ? 'DynamoDB (embedded dynalite)' : 'memory'}.`,
        ...(withModel ? [KEDA_MODEL_NOTE] : []),
      ],
    });
    await mkdir(dirname(reportPath), { recursive: true });
    await writeFile(reportPath, html, 'utf8');
  }
  const shownReport = reportPath ? displayPath(reportPath, io.cwd) : undefined;

  if (isDocumentFormat(output)) {
    const document = {
      traffic: { name: traffic.name, kind: traffic.kind, description: traffic.description },
      start: new Date(startMs).toISOString(),
      durationMs,
      report: shownReport ?? null,
      runs: runs.map((run, i) => ({
        label: run.label,
        summary: summaries[i],
        ...(modelSummaries[i] ? { kedaHpaModel: { summary: modelSummaries[i] } } : {}),
        // Times as offsets from the start, so documents compare across --start values.
        decisions: run.decisions.map(({ at, ...decision }) => ({ atMs: at - run.startMs, ...decision })),
      })),
    };
    writeDocument(io.stdout, output, document);
    return EXIT_OK;
  }
  writeLine(io.stdout);
  writeLine(io.stdout, formatSummary(columns));
  if (withModel) {
    writeLine(io.stdout);
    for (const [i, summary] of summaries.entries()) writeLine(io.stdout, modelComparison(summary, modelSummaries[i]!, summaries.length));
    writeLine(io.stdout, KEDA_MODEL_NOTE);
  }
  if (shownReport) {
    writeLine(io.stdout);
    writeLine(io.stdout, `report: ${shownReport}`);
  }
  return EXIT_OK;
}

const KEDA_MODEL_NOTE =
  'KEDA + HPA: the same object on the same traffic, run as KEDA (its loop every pollingInterval: 0 <-> 1 and cooldown) and the HPA it creates (every 15 s: 1 <-> N), built from the same engine (--no-keda-model leaves it out).';

/** One line per object: its scale events and replica-minutes against KEDA + HPA's on the same traffic. */
function modelComparison(ours: SimulationSummary, model: SimulationSummary, objects: number): string {
  const minutes = (summary: SimulationSummary) => Math.round(summary.replicaMinutes);
  return `${objects === 1 ? '' : `${ours.label}: `}KEDA + HPA on the same traffic: ${model.scaleEvents} scale events against our ${ours.scaleEvents}, ${minutes(model)} replica-minutes against our ${minutes(ours)}.`;
}

/** The KEDA + HPA column's title: beside one object it needs no name. */
function kedaModelLabel(label: string, objects: number): string {
  return objects === 1 ? 'KEDA + HPA' : `${label} (KEDA + HPA)`;
}

function worldSettings(args: ParsedArgs): WorldSettings {
  const asgMin = integerFlag(args, 'asg-min', D.asgMin);
  const asgMax = integerFlag(args, 'asg-max', Math.max(D.asgMax, asgMin), 1);
  if (asgMin > asgMax) throw new UsageError(`--asg-min (${asgMin}) is above --asg-max (${asgMax})`);
  return {
    stepMs: durationFlag(args, 'step', D.stepMs)!,
    msgsPerPodSecond: positiveNumberFlag(args, 'msgs-per-pod-second', D.msgsPerPodSecond),
    podStartupMs: durationOrZero(args, 'pod-startup', D.podStartupMs),
    podsPerNode: integerFlag(args, 'pods-per-node', D.podsPerNode, 1),
    nodeJoinMs: durationOrZero(args, 'node-join', D.nodeJoinMs),
    nodeScaleDownAfterMs: durationOrZero(args, 'node-scale-down-after', D.nodeScaleDownAfterMs),
    asgMin,
    asgMax,
    initialReplicas: 0,
    recordsPerShardSecond: positiveNumberFlag(args, 'shard-capacity', D.recordsPerShardSecond),
    sampleEveryMs: D.sampleEveryMs,
  };
}

/** Latencies may be zero (`0s`), unlike the duration of the run. */
function durationOrZero(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringFlag(args, name);
  if (value !== undefined && /^0+(ms|s|m|h)?$/.test(value.trim())) return 0;
  return durationFlag(args, name, fallback)!;
}

/** --start, else when a timestamped trace begins (cron triggers then see the recorded hours), else a fixed Monday. */
function startTime(args: ParsedArgs, traffic: Traffic): number {
  const given = stringFlag(args, 'start');
  if (given === undefined && traffic.startsAtMs !== undefined) return traffic.startsAtMs;
  const text = given ?? DEFAULT_START;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--start must be an ISO 8601 time such as ${DEFAULT_START} (got "${text}")`);
  return ms;
}

function envFlag(args: ParsedArgs): Record<string, string> {
  const values = args.values.env;
  const env: Record<string, string> = {};
  for (const entry of Array.isArray(values) ? values : []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env must be NAME=VALUE (got "${entry}")`);
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

async function loadTraffic(args: ParsedArgs, cwd: string, durationMs: number | undefined): Promise<Traffic> {
  const tracePath = stringFlag(args, 'trace');
  const kind = choiceFlag(args, 'trace-kind', ['arrivals', 'depth'] as const, 'arrivals') as TrafficKind;
  if (tracePath !== undefined) {
    if (stringFlag(args, 'scenario') !== undefined) throw new UsageError('give either --scenario or --trace, not both');
    let text: string;
    try {
      text = await readFile(resolve(cwd, tracePath), 'utf8');
    } catch (error) {
      throw new TraceError(tracePath, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'check the path, relative to the current directory');
    }
    return parseTrace(text, tracePath, kind);
  }
  if (stringFlag(args, 'trace-kind') !== undefined) throw new UsageError('--trace-kind applies to --trace only');
  const scenario = choiceFlag(args, 'scenario', SCENARIO_NAMES, 'step');
  const rate = positiveNumberFlag(args, 'rate', DEFAULT_PEAK_PER_MINUTE);
  return builtInScenario(scenario, rate, durationMs);
}

function reportFile(args: ParsedArgs, paths: string[], cwd: string): string {
  const given = stringFlag(args, 'report');
  if (given !== undefined) {
    if (!given.endsWith('.html')) throw new UsageError(`--report must name an .html file (got "${given}")`);
    return resolve(cwd, given);
  }
  const names = [...new Set(paths.map((file) => (file === '-' ? 'stdin' : basename(file, extname(file)))))];
  return resolve(cwd, 'sim-out', `${names.join('-vs-')}-report.html`);
}

/** Relative to the working directory when under it (`sim-out/x.html`), absolute otherwise. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Object ids, prefixed with the file name when two objects share an id. */
function labelsFor(objects: LoadedObject[]): string[] {
  const ids = objects.map(({ object }) => object.id);
  return objects.map(({ object, file }) =>
    ids.filter((id) => id === object.id).length > 1 ? `${basename(file)}: ${object.id}` : object.id,
  );
}
