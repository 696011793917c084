/**
 * The CLI on a ScaledJob (issue 17, "an SQS ScaledJob example validates, simulates with a report"):
 * `validate` lists it, `simulate` runs its Jobs against a simulated SQS backlog and writes the report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-harness';

const EXAMPLE = 'examples/sqs-scaledjob.yaml';

describe('validate with a ScaledJob', () => {
  it('lists the ScaledJob beside ScaledObjects and counts both', async () => {
    const outcome = await cli(['validate', EXAMPLE, 'examples/sqs-worker.yaml', '--strict']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('ok  media/thumbnails  (examples/sqs-scaledjob.yaml: ScaledJob, 0-50 Jobs, strategy default, aws-sqs-queue)');
    expect(outcome.stdout).toContain('1 ScaledObject and 1 ScaledJob in 2 files: 0 errors, 0 warnings');
  });

  it('gives the ScaledJob in the JSON document', async () => {
    const outcome = await cli(['validate', EXAMPLE, '-o', 'json']);
    expect(outcome.code).toBe(0);
    const document = JSON.parse(outcome.stdout);
    expect(document.scaledJobs).toEqual([expect.objectContaining({ id: 'media/thumbnails', maxReplicaCount: 50, scalingStrategy: expect.objectContaining({ strategy: 'default' }) })]);
  });

  it('names the file, line, object, field and fix of a broken ScaledJob', async () => {
    const outcome = await cli(['validate', 'examples/broken/scaled-job.yaml']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('examples/broken/scaled-job.yaml:10: error: media/thumbnails: spec.jobTargetRef.template.spec.restartPolicy: "Always" is not allowed for a Job');
  });
});

describe('simulate with a ScaledJob', () => {
  it('runs Jobs against the backlog, capped at maxReplicaCount, and writes the report', async () => {
    const report = join(tempDir(), 'sj.html');
    const outcome = await cli(['simulate', EXAMPLE, '--rate', '30', '--report', report]);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('Simulating ScaledJob media/thumbnails for 1h30m');
    // 30 messages a minute for 30 minutes, one per Job of 2 minutes: 60 Jobs would be needed, 50 are allowed.
    expect(outcome.stdout).toContain('messages     900 arrived, 900 processed, 0 left at the end');
    expect(outcome.stdout).toContain('Jobs         900 created, at most 50 running at once');
    expect(outcome.stdout).toContain(`report: ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('data-chart="scaledjob-backlog"');
    expect(html).toContain('data-chart="scaledjob-jobs"');
    expect(html).toMatch(/<tr data-created="\d+">/);
  });

  it('gives the polls that created Jobs as a document', async () => {
    const outcome = await cli(['simulate', EXAMPLE, '--scenario', 'spike', '--rate', '20', '--duration', '30m', '--job-duration', '1m', '--no-report', '-o', 'json']);
    expect(outcome.code).toBe(0);
    const document = JSON.parse(outcome.stdout);
    expect(document.scaledJob.summary).toMatchObject({ arrived: document.scaledJob.summary.processed + document.scaledJob.summary.backlogAtEnd });
    const created = document.scaledJob.polls.reduce((sum: number, poll: { created: number }) => sum + poll.created, 0);
    expect(created).toBe(document.scaledJob.summary.jobsCreated);
    expect(document.scaledJob.polls[0].reason).toMatch(/creating \d+$/);
  });

  it('refuses ScaledObjects and a ScaledJob together, and --job-duration without a ScaledJob', async () => {
    const both = await cli(['simulate', EXAMPLE, 'examples/sqs-worker.yaml', '--no-report']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give ScaledObjects or one ScaledJob, not both');
    const flag = await cli(['simulate', 'examples/sqs-worker.yaml', '--job-duration', '1m', '--no-report', '--state', 'memory']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--job-duration applies to ScaledJobs only');
  });
});
