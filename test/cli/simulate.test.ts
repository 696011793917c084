import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, REPO_ROOT, tempDir } from './cli-harness';

interface Decision {
  atMs: number;
  currentReplicas?: number;
  desiredReplicas?: number;
  scaled: boolean;
  rule?: string;
  status: string;
  triggers: { value?: number; active?: boolean; target: number }[];
}
interface Run {
  label: string;
  summary: Record<string, number | string | undefined>;
  kedaHpaModel?: { summary: Record<string, number | string | undefined> };
  decisions: Decision[];
}
interface SimulationDocument {
  traffic: { name: string; kind: string };
  durationMs: number;
  report: string | null;
  runs: Run[];
}

async function simulateJson(args: string[]): Promise<SimulationDocument> {
  const outcome = await cli(['simulate', ...args, '--output', 'json']);
  expect(outcome.stderr).not.toMatch(/error/i);
  expect(outcome.code).toBe(0);
  return JSON.parse(outcome.stdout) as SimulationDocument;
}

const WORKER = join(FIXTURES, 'sqs-worker.yaml');
const MINUTE = 60_000;

describe('simulate: built-in scenarios', () => {
  it('step: replicas reach the HPA formula, then return to min after the stabilization window and cooldown', async () => {
    // 2 msgs/s against pods that each take 1 msg/s; queueLength 10, legacy HPA behaviour
    // (5 minute scale-down stabilization), cooldown 300 s, min 0. State in the default dynalite.
    const doc = await simulateJson([WORKER, '--scenario', 'step', '--rate', '120', '--no-report']);
    const [run] = doc.runs;
    const decisions = run!.decisions;
    const value = (d: Decision) => d.triggers[0]!.value ?? 0;
    const peakValue = Math.max(...decisions.map(value));
    const formula = Math.min(20, Math.ceil(peakValue / 10));
    expect(run!.summary.peakReplicas).toBe(formula);
    const reachedPeak = decisions.find((d) => d.scaled && d.desiredReplicas === formula)!;
    expect(['hpa', 'max-replicas']).toContain(reachedPeak.rule);

    // The peak is held for the legacy 5 minute stabilization window after the last pass that
    // still wanted it.
    const lastWantingPeak = Math.max(...decisions.filter((d) => Math.ceil(value(d) / 10) >= formula).map((d) => d.atMs));
    const firstBelowPeak = decisions.find((d) => d.atMs > reachedPeak.atMs && d.scaled && d.desiredReplicas! < formula)!;
    expect(firstBelowPeak.atMs - lastWantingPeak).toBeGreaterThanOrEqual(300_000);

    // Back to min (0) only once inactive for the cooldown, and promptly then (next pass).
    expect(run!.summary.finalReplicas).toBe(0);
    const toZero = decisions.filter((d) => d.scaled && d.desiredReplicas === 0).at(-1)!;
    expect(toZero.rule).toBe('scale-to-zero');
    const lastActive = Math.max(...decisions.filter((d) => d.triggers.some((t) => t.active)).map((d) => d.atMs));
    expect(toZero.atMs - lastActive).toBeGreaterThanOrEqual(300_000);
    expect(toZero.atMs - lastActive).toBeLessThanOrEqual(300_000 + 30_000);

    expect(run!.summary).toMatchObject({ messagesUnprocessed: 0, errors: 0, durationMs: 90 * MINUTE });
    // The KEDA + HPA model ran beside it on the same traffic, and holds the same peak.
    expect(run!.kedaHpaModel!.summary).toMatchObject({ label: 'KEDA + HPA', peakReplicas: formula, finalReplicas: 0, durationMs: 90 * MINUTE });
    expect(run!.summary.timeToDrainMs).toBeGreaterThan(0);
    expect(run!.summary.waitP95Ms).toBeGreaterThanOrEqual(run!.summary.waitP50Ms as number);
    expect(run!.summary.waitMaxMs).toBeGreaterThanOrEqual(run!.summary.waitP95Ms as number);
  });

  it('spike: the burst is absorbed and drained, then replicas come back down', async () => {
    const doc = await simulateJson([WORKER, '--scenario', 'spike', '--state', 'memory', '--no-report']);
    const summary = doc.runs[0]!.summary;
    expect(summary.peakBacklog).toBeGreaterThan(0);
    expect(summary.timeToDrainMs).toBeGreaterThan(0);
    expect(summary.scaleUps).toBeGreaterThan(0);
    expect(summary.scaleDowns).toBeGreaterThan(0);
    expect(summary.finalReplicas).toBeLessThan(summary.peakReplicas as number);
    expect(summary.messagesUnprocessed).toBeLessThan(100);
  });

  it('daily-wave: replicas follow the wave, peaking mid-run and low at both ends', async () => {
    const doc = await simulateJson([WORKER, '--scenario', 'daily-wave', '--duration', '2h', '--rate', '300', '--state', 'memory', '--no-report']);
    const { decisions, summary } = doc.runs[0]!;
    expect(doc.durationMs).toBe(120 * MINUTE);
    const peakAt = decisions.find((d) => d.desiredReplicas === summary.peakReplicas)!.atMs;
    expect(peakAt).toBeGreaterThan(25 * MINUTE);
    expect(peakAt).toBeLessThan(95 * MINUTE);
    expect(decisions[0]!.desiredReplicas).toBe(0);
    expect(summary.finalReplicas).toBeLessThanOrEqual(2);
    expect(summary.peakReplicas).toBeGreaterThanOrEqual(5);
  });

  it('idle: nothing to do, nothing spent', async () => {
    const doc = await simulateJson([WORKER, '--scenario', 'idle', '--state', 'memory', '--no-report']);
    const summary = doc.runs[0]!.summary;
    expect(summary).toMatchObject({ scaleEvents: 0, replicaMinutes: 0, peakBacklog: 0, peakReplicas: 0, messagesArrived: 0, errors: 0 });
    const without = await simulateJson([WORKER, '--scenario', 'idle', '--state', 'memory', '--no-report', '--no-keda-model']);
    expect(without.runs[0]!.kedaHpaModel).toBeUndefined();
    expect(summary.waitP50Ms).toBeUndefined();
    expect(summary.timeToDrainMs).toBeUndefined();
    expect(summary.nodeMinutes).toBe(30); // the group's one minimum node for 30 minutes
  });
});

describe('simulate: traces, comparisons and output', () => {
  it('replays a per-minute arrivals CSV, with time to drain after it ends', async () => {
    const doc = await simulateJson([WORKER, '--trace', join(FIXTURES, 'arrivals.csv'), '--state', 'memory', '--no-report']);
    expect(doc.traffic).toMatchObject({ name: 'arrivals.csv', kind: 'arrivals' });
    // 8 minutes of trace plus a 20 minute tail to see scale-in.
    expect(doc.durationMs).toBe(28 * MINUTE);
    expect(doc.runs[0]!.summary).toMatchObject({ messagesArrived: 1500, messagesUnprocessed: 0, finalReplicas: 0 });
  });

  it('replays a CloudWatch depth export open loop: replicas follow the recorded depth', async () => {
    const doc = await simulateJson([WORKER, '--trace', join(FIXTURES, 'cloudwatch-depth.csv'), '--trace-kind', 'depth', '--state', 'memory', '--no-report']);
    const { decisions, summary } = doc.runs[0]!;
    expect(summary.peakBacklog).toBe(800);
    // Depth 800 / queueLength 10 = 80, capped at max 20.
    expect(summary.peakReplicas).toBe(20);
    expect(summary.waitP50Ms).toBeUndefined();
    expect(decisions.find((d) => d.atMs === 10 * MINUTE)!.triggers[0]!.value).toBe(800);
  });

  it('replays a 5-minute get-metric-data export at its real volume', async () => {
    // Sums of 900, 600 and 300 messages over three 5-minute periods: 1,800 messages in 15 minutes.
    const trace = join(tempDir(), 'sent.json');
    const export5m = {
      MetricDataResults: [{ Id: 'sent', Timestamps: ['2024-05-01T10:10:00Z', '2024-05-01T10:05:00Z', '2024-05-01T10:00:00Z'], Values: [300, 600, 900] }],
    };
    writeFileSync(trace, JSON.stringify(export5m));
    const outcome = await cli(['simulate', WORKER, '--trace', trace, '--state', 'memory', '--no-report']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('15 minutes of arrivals');
    const doc = await simulateJson([WORKER, '--trace', trace, '--state', 'memory', '--no-report']);
    expect(doc.durationMs).toBe((15 + 20) * MINUTE);
    expect(doc.runs[0]!.summary).toMatchObject({ messagesArrived: 1800, messagesProcessed: 1800, messagesUnprocessed: 0 });
  });

  it.each(['1s', '250ms', '100ms'])('reports no wait for messages taken as they arrive (--step %s)', async (step) => {
    // Ten pods ready from the start take 10 msgs/s; 2 msgs/s arrive. No message ever waits, so
    // the waits must not depend on the step size.
    const dir = tempDir();
    const object = join(dir, 'min10.yaml');
    writeFileSync(object, readFileSync(WORKER, 'utf8').replace('minReplicaCount: 0', 'minReplicaCount: 10'));
    const trace = join(dir, 'steady.csv');
    writeFileSync(trace, Array<string>(10).fill('120').join('\n'));
    const doc = await simulateJson([object, '--trace', trace, '--step', step, '--state', 'memory', '--no-report']);
    expect(doc.runs[0]!.summary).toMatchObject({ peakBacklog: 0, messagesArrived: 1200, waitP50Ms: 0, waitP95Ms: 0, waitMaxMs: 0 });
  });

  it.each([
    ['1s', 60_000, 60_000],
    ['100ms', 59_500, 60_500],
  ])('measures a backlog\'s wait from arrival to being taken (--step %s)', async (step, atLeast, atMost) => {
    // One pod ready from the start takes 1 msg/s; 120 messages arrive in the first minute (2/s),
    // then nothing. The last one arrives at 60 s behind a queue of ~60 and is taken at ~120 s:
    // about a minute's wait, within half a second either way. At 1 s steps arrivals and takes fall
    // on whole seconds (the last arrives in second 59, is taken in second 119): exactly 60 s.
    const dir = tempDir();
    const object = join(dir, 'min1max1.yaml');
    writeFileSync(object, readFileSync(WORKER, 'utf8').replace('minReplicaCount: 0', 'minReplicaCount: 1').replace('maxReplicaCount: 20', 'maxReplicaCount: 1'));
    const trace = join(dir, 'burst.csv');
    writeFileSync(trace, '120\n0\n0\n');
    const doc = await simulateJson([object, '--trace', trace, '--step', step, '--state', 'memory', '--no-report']);
    const summary = doc.runs[0]!.summary;
    expect(summary.messagesProcessed).toBe(120);
    expect(summary.waitMaxMs).toBeGreaterThanOrEqual(atLeast);
    expect(summary.waitMaxMs).toBeLessThanOrEqual(atMost);
  });

  it('runs two ScaledObjects on the same traffic and shows them side by side', async () => {
    const dir = tempDir();
    const report = join(dir, 'compare.html');
    const outcome = await cli(['simulate', WORKER, join(FIXTURES, 'sqs-worker-tuned.yaml'), '--state', 'memory', '--report', report]);
    expect(outcome.code).toBe(0);
    // Both files hold jobs/orders-worker: the columns are told apart by file.
    const header = outcome.stdout.split('\n').find((line) => line.includes('sqs-worker.yaml: jobs/orders-worker'))!;
    expect(header).toContain('sqs-worker-tuned.yaml: jobs/orders-worker');
    for (const row of ['replica-minutes', 'node-minutes', 'peak backlog', 'message wait p50', 'message wait p95', 'message wait max', 'time to drain', 'scale events', 'time at max']) {
      expect(outcome.stdout).toMatch(new RegExp(`^${row}\\s+\\S+.*\\s{3}\\S+`, 'm'));
    }
    const arrived = outcome.stdout.match(/^messages\s+(\d+) processed, (\d+) left\s+(\d+) processed, (\d+) left/m)!;
    expect(Number(arrived[1]) + Number(arrived[2])).toBe(Number(arrived[3]) + Number(arrived[4]));
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<svg class="chart" data-chart="replicas"/g)).toHaveLength(2);
    expect(outcome.stdout).toContain(`report: ${report}`);
  });

  it('prints the summary table, a final progress line and the report path', async () => {
    const dir = tempDir();
    const missing = await cli(['simulate', 'sqs-worker.yaml', '--state', 'memory'], {}, dir);
    expect(missing.code).toBe(1); // files are relative to the working directory
    expect(missing.stderr).toContain('error: sqs-worker.yaml: no such file or folder');

    const ok = await cli(['simulate', WORKER, '--state', 'memory', '--duration', '45m', '--report', join(dir, 'r.html')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Simulating jobs\/orders-worker for 45m from 2026-01-05T00:00:00.000Z: step:/);
    expect(ok.stdout).toMatch(/^replica-minutes\s+\d/m);
    // No TTY: no progress bar, just the final line.
    expect(ok.stderr).toMatch(/^simulated 45m of traffic for 1 ScaledObject in [\d.]+s \(45 ticks, state: memory\)\n$/);
  });

  it('simulates a Kinesis consumer from the arrival rate', async () => {
    const doc = await simulateJson([join(FIXTURES, 'kinesis-consumer.yaml'), '--scenario', 'step', '--rate', '300000', '--shard-capacity', '1000', '--state', 'memory', '--no-report']);
    // 5000 records/s over 1000 per shard = 5 open shards; shardCount 2 per pod = 3 replicas.
    expect(doc.runs[0]!.summary.peakReplicas).toBe(3);
    expect(doc.runs[0]!.summary.finalReplicas).toBe(1);
  });
});

describe('simulate: cpu triggers (examples/cron-plus-cpu.yaml)', () => {
  const EXAMPLE = join(REPO_ROOT, 'examples', 'cron-plus-cpu.yaml');

  it('outside the cron window, CPU utilization (load / replicas) holds the pods near the 50% target', async () => {
    // Sunday night: cron is off. 240 msgs/min = 4 msgs/s on pods that each take 1 msg/s at 100% CPU:
    // 8 pods at 50%. Before and after the load the pods idle at 0% and the count returns to min 1.
    const doc = await simulateJson([EXAMPLE, '--scenario', 'step', '--rate', '240', '--start', '2026-01-04T20:00:00Z', '--state', 'memory', '--no-report']);
    const { decisions, summary } = doc.runs[0]!;
    expect(summary).toMatchObject({ errors: 0, timeInWindowMs: 0, finalReplicas: 1 });
    const atMinute = (minute: number) => decisions.find((decision) => decision.atMs >= minute * MINUTE)!;
    expect(atMinute(30)).toMatchObject({ desiredReplicas: 8 });
    expect(atMinute(30).triggers[1]).toMatchObject({ value: 50, target: 50, active: false });
  });

  it('inside the cron window the floor of 4 holds with idle CPU', async () => {
    // Monday 09:00 in Berlin (08:00 UTC): inside the 08:00-18:00 weekday window.
    const doc = await simulateJson([EXAMPLE, '--scenario', 'idle', '--start', '2026-01-05T08:00:00Z', '--state', 'memory', '--no-report']);
    const { decisions, summary } = doc.runs[0]!;
    expect(summary).toMatchObject({ errors: 0, peakReplicas: 4, finalReplicas: 4 });
    expect(decisions.at(-1)!.triggers.map((trigger) => trigger.value)).toEqual([4, 0]);
  });
});

describe('simulate: the commands docs/simulator.md shows', () => {
  const docs = readFileSync(join(REPO_ROOT, 'docs/simulator.md'), 'utf8');
  const kinesisCommands = [...docs.matchAll(/^npx eks-lambda-scaler (simulate examples\/kinesis-consumer\.yaml[^#\n]*)/gm)].map((m) => m[1]!.trim().split(/\s+/));

  it('the Kinesis example stays at 1 replica at the defaults, as the docs say', async () => {
    const doc = await simulateJson(['examples/kinesis-consumer.yaml', '--state', 'memory', '--no-report']);
    expect(doc.runs[0]!.summary).toMatchObject({ peakReplicas: 1, scaleEvents: 0 });
  });

  it('shows Kinesis example commands that scale visibly', async () => {
    expect(kinesisCommands.length).toBeGreaterThan(0);
    for (const argv of kinesisCommands) {
      const doc = await simulateJson([...argv.slice(1), '--state', 'memory', '--no-report']);
      expect(doc.runs[0]!.summary.peakReplicas, argv.join(' ')).toBeGreaterThanOrEqual(3);
      expect(doc.runs[0]!.summary.finalReplicas, argv.join(' ')).toBe(1);
    }
  });
});

describe('simulate: bad input', () => {
  it.each([
    [['simulate'], /needs at least one ScaledObject file/],
    [['simulate', WORKER, '--scenario', 'tsunami'], /--scenario must be one of step, spike, daily-wave, idle/],
    [['simulate', WORKER, '--duration', '90'], /--duration must be a duration such as 30s, 90m/],
    [['simulate', WORKER, '--state', 'redis'], /--state must be one of dynalite, memory/],
    [['simulate', WORKER, '--asg-min', '5', '--asg-max', '2'], /--asg-min \(5\) is above --asg-max \(2\)/],
    [['simulate', WORKER, '--report', 'out.txt'], /--report must name an .html file/],
    [['simulate', WORKER, '--frobnicate'], /unknown option --frobnicate/],
    [['simulate', WORKER, '--trace', 'x.csv', '--scenario', 'step'], /either --scenario or --trace/],
  ])('%j is a usage error', async (argv, message) => {
    const outcome = await cli(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toContain('See `eks-lambda-scaler help simulate` for the options.');
  });

  it('refuses invalid manifests with the parser\'s messages', async () => {
    const outcome = await cli(['simulate', join(FIXTURES, 'min-above-max.yaml'), '--state', 'memory']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('min-above-max.yaml:9: error: web/api: spec.minReplicaCount');
    expect(outcome.stderr).toContain('nothing simulated');
  });

  it('names the trace file and line of a bad datapoint', async () => {
    const dir = tempDir();
    const trace = join(dir, 'bad.csv');
    writeFileSync(trace, 'minute,arrivals\n0,10\n1,lots\n');
    const outcome = await cli(['simulate', WORKER, '--trace', trace, '--state', 'memory']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`${trace}:3: "lots" is not a number >= 0`);
  });
});

describe('simulate: prometheus and new-relic triggers', () => {
  // The simulated world answers the query with the backlog as its one sample (a gauge), through
  // each trigger's own metric step: both scale out on the step scenario's burst and back in.
  it.each(['examples/prometheus-ingress.yaml', 'examples/new-relic-queue.yaml'])('%s scales on the simulated gauge with no errors', async (example) => {
    const doc = await simulateJson([example, '--state', 'memory', '--no-report']);
    expect(doc.runs[0]!.summary.peakReplicas).toBeGreaterThan(2);
    expect(doc.runs[0]!.summary).toMatchObject({ errors: 0 });
  });
});
