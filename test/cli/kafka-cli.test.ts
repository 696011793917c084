/**
 * Kafka triggers through the CLI: `validate` accepts both examples, and `simulate` runs the real tick
 * on a kafka trigger whose consumer-group lag is the simulated backlog
 * (cli/simulator/simulated-trigger-reader.ts: spread over 64 partitions).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from './cli-harness';

const example = (name: string) => join(REPO_ROOT, 'examples', name);

describe('kafka triggers in the CLI', () => {
  it('validate accepts the plain and the MSK IAM example', async () => {
    const outcome = await cli(['validate', example('kafka-consumer.yaml'), example('kafka-msk-iam.yaml')]);
    expect(outcome.stderr).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);
  });

  it('simulate scales the consumer on its lag, and back to zero once the lag is consumed', async () => {
    const outcome = await cli(['simulate', example('kafka-consumer.yaml'), '--scenario', 'step', '--rate', '600', '--state', 'memory', '--no-report', '--output', 'json']);
    expect(outcome.stderr).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);
    const [run] = (JSON.parse(outcome.stdout) as { runs: { summary: Record<string, number> }[] }).runs;
    expect(run!.summary.errors).toBe(0);
    expect(run!.summary.peakReplicas).toBeGreaterThan(1);
    expect(run!.summary.peakReplicas).toBeLessThanOrEqual(24);
    expect(run!.summary.finalReplicas).toBe(0);
  });
});
