/**
 * dry-run's usage errors (no server needed). Its runs against a cluster and AWS are in
 * test/real-servers/cli-dry-run.test.ts (a real kube-apiserver and moto).
 */
import { describe, expect, it } from 'vitest';
import { cli } from './cli-harness';

describe('dry-run usage', () => {
  it.each([
    [['dry-run', 'x.yaml'], /dry-run needs --cluster NAME/],
    [['dry-run', '--cluster', 'prod'], /dry-run needs at least one ScaledObject file/],
    [['dry-run', 'x.yaml', '--cluster', 'prod'], /dry-run needs an AWS region: give --region R \(or set env AWS_REGION\)/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const outcome = await cli(argv, {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
  });
});
