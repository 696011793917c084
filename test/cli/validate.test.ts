import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from './cli-harness';

const rel = (name: string) => `test/cli/fixtures/${name}`;

describe('validate', () => {
  it('accepts good files and lists what it found', async () => {
    const outcome = await cli(['validate', rel('sqs-worker.yaml'), rel('kinesis-consumer.yaml')]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('ok  jobs/orders-worker  (test/cli/fixtures/sqs-worker.yaml: Deployment orders-worker, 0-20 replicas, aws-sqs-queue)');
    expect(outcome.stdout).toContain('ok  analytics/clicks');
    expect(outcome.stdout).toContain('2 ScaledObjects in 2 files: 0 errors, 0 warnings');
  });

  it('reports every problem with file, line, object, field and fix, and still checks the rest', async () => {
    const outcome = await cli(['validate', rel('broken-queue-length.yaml'), rel('min-above-max.yaml')]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /^test\/cli\/fixtures\/broken-queue-length\.yaml:16: error: jobs\/orders-worker: spec\.triggers\[0\]\.metadata\.queueLength: "1\.5" is not a whole number.*\(set metadata\.queueLength to a whole number/m,
    );
    expect(outcome.stderr).toMatch(/^test\/cli\/fixtures\/min-above-max\.yaml:9: error: web\/api: spec\.minReplicaCount: minReplicaCount 8 is greater than maxReplicaCount 3 \(/m);
    // The good object in the broken file is still parsed.
    expect(outcome.stdout).toContain('ok  jobs/billing-worker');
    expect(outcome.stderr).toContain('1 ScaledObject in 2 files: 2 errors, 0 warnings');
  });

  it('gives CI one JSON document', async () => {
    const outcome = await cli(['validate', rel('broken-queue-length.yaml'), '--output', 'json']);
    expect(outcome.code).toBe(1);
    const document = JSON.parse(outcome.stdout);
    expect(document.ok).toBe(false);
    expect(document.objects.map((o: { id: string }) => o.id)).toEqual(['jobs/billing-worker']);
    expect(document.errors).toEqual([
      expect.objectContaining({
        severity: 'error',
        objectId: 'jobs/orders-worker',
        field: 'spec.triggers[0].metadata.queueLength',
        file: 'test/cli/fixtures/broken-queue-length.yaml',
        line: 16,
        fix: expect.stringContaining('whole number'),
      }),
    ]);
  });

  it('reports a missing file and a file with no ScaledObject', async () => {
    const missing = await cli(['validate', 'nope.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: nope.yaml: no such file or folder (check the path, relative to the current directory)');
    // Named once, not three times.
    expect(missing.stderr.split('nope.yaml')).toHaveLength(2);
    const empty = await cli(['validate', join(FIXTURES, 'arrivals.csv')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no ScaledObject or ScaledJob found');
  });

  it.each([
    [['validate'], /validate needs at least one file, folder or -/],
    [['validate', 'x.yaml', '--output', 'xml'], /--output must be one of text, wide, json, yaml/],
    [['validate', 'x.yaml', '--bogus'], /unknown option --bogus/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const outcome = await cli(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toContain('See `eks-lambda-scaler help validate` for the options.');
  });
});
