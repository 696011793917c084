/**
 * The summary knows each kind of trigger (issue 19): a queue has backlog and message waits, a rate
 * has its load per replica against the target, a schedule has its windows, and a figure that means
 * nothing for an object reads "n/a" instead of a misleading number.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO_ROOT, tempDir } from './cli-harness';

const rowsOf = (stdout: string) => new Map(stdout.split('\n').map((line) => line.trim().split(/\s{2,}/)).filter((cells) => cells.length > 1).map(([label, ...cells]) => [label!, cells]));

describe('summary rows per trigger kind', () => {
  it.each([
    ['examples/cron-window.yaml', ['time in cron window'], ['peak backlog', 'message wait p95', 'messages', 'time over target']],
    ['examples/cloudwatch-service.yaml', ['peak load per replica', 'time over target'], ['message wait p95', 'messages', 'time in cron window']],
    ['examples/sqs-worker.yaml', ['peak backlog', 'message wait p95', 'time to drain', 'messages'], ['time over target', 'time in cron window']],
    // A DynamoDB Query's count is the simulated backlog: a queue, like SQS.
    ['examples/dynamodb-jobs.yaml', ['peak backlog', 'message wait p95', 'messages'], ['time over target', 'time in cron window']],
  ])('%s shows %j and not %j', async (file, shown, hidden) => {
    const outcome = await cli(['simulate', file, '--state', 'memory', '--no-report']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rows = rowsOf(outcome.stdout);
    for (const label of shown) expect(rows.get(label), label).toBeDefined();
    for (const label of hidden) expect(rows.get(label), label).toBeUndefined();
  });

  it('says n/a where a compared object has no such figure', async () => {
    const outcome = await cli(['simulate', 'examples/sqs-worker.yaml', 'examples/cron-window.yaml', '--state', 'memory', '--no-report']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rows = rowsOf(outcome.stdout);
    // Columns: each object, then the same object under the KEDA + HPA model.
    expect(outcome.stdout).toMatch(/^\s+shop\/orders-worker\s{2,}shop\/orders-worker \(KEDA \+ HPA\)\s{2,}batch\/report-sync\s{2,}batch\/report-sync \(KEDA \+ HPA\)$/m);
    expect(rows.get('message wait p95')).toEqual([expect.stringMatching(/^\d+m?\d*s$/), expect.stringMatching(/^\d+m?\d*s$/), 'n/a', 'n/a']);
    expect(rows.get('messages')).toEqual([expect.stringContaining('processed'), expect.stringContaining('processed'), 'n/a', 'n/a']);
    expect(rows.get('time in cron window')).toEqual(['n/a', 'n/a', '30m', '30m']);
  });

  it('feeds a CloudWatch trigger the traffic as a rate (requests a minute), not a queue', async () => {
    // examples/cloudwatch-service.yaml: Sum over 60 s, target 500 per replica (AverageValue), min 2.
    const quiet = rowsOf((await cli(['simulate', 'examples/cloudwatch-service.yaml', '--state', 'memory', '--no-report', '--no-keda-model'])).stdout);
    // 600 requests a minute over the 2 ready replicas: 300 each, under the target; nothing to scale.
    expect(quiet.get('peak load per replica')).toEqual(['300 (target 500)']);
    expect(quiet.get('time over target')).toEqual(['0s']);
    expect(quiet.get('scale events')).toEqual(['0 (0 up, 0 down)']);
    expect(quiet.get('peak backlog')).toBeUndefined();
    const busy = rowsOf((await cli(['simulate', 'examples/cloudwatch-service.yaml', '--rate', '6000', '--state', 'memory', '--no-report'])).stdout);
    // 6,000 a minute needs ceil(6000 / 500) = 12 replicas; until they are ready each carries more than 500.
    expect(busy.get('peak replicas')).toEqual(['12', '12']);
    expect(busy.get('time over target')![0]).not.toBe('0s');
    expect(busy.get('message wait p95')).toBeUndefined();
  });

  it("runs the KEDA + HPA model's cpu trigger on the simulated pods' usage, as the HPA reads metrics-server", async () => {
    const outcome = await cli(['simulate', 'examples/cron-plus-cpu.yaml', '--state', 'memory', '--no-report']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rows = rowsOf(outcome.stdout);
    // cpu is the HPA's own metric in both, so the model scales on it as we do.
    expect(Number(rows.get('peak replicas')![1])).toBeGreaterThan(1);
    expect(rows.get('peak replicas')![1]).toBe(rows.get('peak replicas')![0]);
  });

  it('sets the first demo beside KEDA + HPA on the same traffic: the same replicas, one patch fewer per activation', async () => {
    const outcome = await cli(['simulate', 'examples/sqs-worker.yaml', '--state', 'memory', '--no-report']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rows = rowsOf(outcome.stdout);
    expect(outcome.stdout).toMatch(/^\s+shop\/orders-worker\s{2,}KEDA \+ HPA$/m);
    expect(rows.get('replica-minutes')![0]).toBe(rows.get('replica-minutes')![1]);
    expect(rows.get('message wait p95')![0]).toBe(rows.get('message wait p95')![1]);
    const events = rows.get('scale events')!.map((cell) => Number(cell.split(' ')[0]));
    // We take 0 -> N in one patch where KEDA patches 0 -> 1 and its HPA 1 -> N.
    expect(events[1]! - events[0]!).toBe(1);
    expect(events[0]).toBeGreaterThan(20);
    expect(outcome.stdout).toContain(`KEDA + HPA on the same traffic: ${events[1]} scale events against our ${events[0]}, `);
    expect(outcome.stdout).toContain('KEDA + HPA: the same object on the same traffic');

    // README and docs/simulator.md quote these figures, and the run with queueLength 1 that smooths it.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const guide = readFileSync(join(REPO_ROOT, 'docs/simulator.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`${events[0]} scale events in 90 minutes, and KEDA + HPA makes ${events[1]}`);
    expect(guide).toContain(`${events[0]} scale events in 90 minutes. KEDA + HPA makes ${events[1]}`);
    const tuned = join(tempDir(), 'sqs-worker-queue-length-1.yaml');
    writeFileSync(tuned, readFileSync(join(REPO_ROOT, 'examples/sqs-worker.yaml'), 'utf8').replace('queueLength: "5"', 'queueLength: "1"'));
    const smooth = rowsOf((await cli(['simulate', tuned, '--state', 'memory', '--no-report'])).stdout);
    const smoothEvents = smooth.get('scale events')!.map((cell) => Number(cell.split(' ')[0]));
    const smoothMinutes = Math.round(Number(smooth.get('replica-minutes')![0]));
    expect(guide).toContain(`with \`queueLength: "1"\` the same run makes ${smoothEvents[0]} scale events (KEDA + HPA ${smoothEvents[1]}), uses ${smoothMinutes} replica-minutes instead of ${rows.get('replica-minutes')![0]}`);
    expect(readme).toContain(`With \`queueLength: "1"\` both make ${smoothEvents[0]} or ${smoothEvents[1]}`);
    expect(smooth.get('message wait p95')![0]).toBe(rows.get('message wait p95')![0]);
  });

  it('gives a replayed depth trace no message counts', async () => {
    const outcome = await cli(['simulate', 'test/cli/fixtures/sqs-worker.yaml', '--trace', 'test/cli/fixtures/cloudwatch-depth.csv', '--trace-kind', 'depth', '--state', 'memory', '--no-report']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rows = rowsOf(outcome.stdout);
    expect(rows.get('messages')).toEqual(['n/a', 'n/a']);
    expect(rows.get('peak backlog')?.[0]).toMatch(/^\d+$/);
  });
});
