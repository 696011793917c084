/**
 * The summary knows each kind of trigger (issue 19): a queue has backlog and message waits, a rate
 * has its load per replica against the target, a schedule has its windows, and a figure that means
 * nothing for an object reads "n/a" instead of a misleading number.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './cli-harness';

const rowsOf = (stdout: string) => new Map(stdout.split('\n').map((line) => line.trim().split(/\s{2,}/)).filter((cells) => cells.length > 1).map(([label, ...cells]) => [label!, cells]));

describe('summary rows per trigger kind', () => {
  it.each([
    ['examples/cron-window.yaml', ['time in cron window'], ['peak backlog', 'message wait p95', 'messages', 'time over target']],
    ['examples/cloudwatch-service.yaml', ['peak load per replica', 'time over target'], ['message wait p95', 'messages', 'time in cron window']],
    ['examples/sqs-worker.yaml', ['peak backlog', 'message wait p95', 'time to drain', 'messages'], ['time over target', 'time in cron window']],
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
    expect(rows.get('message wait p95')).toEqual([expect.stringMatching(/^\d+m?\d*s$/), 'n/a']);
    expect(rows.get('messages')).toEqual([expect.stringContaining('processed'), 'n/a']);
    expect(rows.get('time in cron window')).toEqual(['n/a', '30m']);
  });

  it('gives a replayed depth trace no message counts', async () => {
    const outcome = await cli(['simulate', 'test/cli/fixtures/sqs-worker.yaml', '--trace', 'test/cli/fixtures/cloudwatch-depth.csv', '--trace-kind', 'depth', '--state', 'memory', '--no-report']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rows = rowsOf(outcome.stdout);
    expect(rows.get('messages')).toEqual(['n/a']);
    expect(rows.get('peak backlog')?.[0]).toMatch(/^\d+$/);
  });
});
