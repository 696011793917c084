/**
 * The node scaler's metrics: summed per cluster and published once per invocation by default;
 * per node group only when asked. Real Powertools metrics, stdout captured.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { powertoolsTelemetry } from '../../lambdas/node-scaler/telemetry';

let blobs: Record<string, unknown>[] = [];
beforeEach(() => {
  blobs = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const text of String(chunk).split('\n').filter(Boolean)) {
      const line = JSON.parse(text) as Record<string, unknown>;
      if ('_aws' in line) blobs.push(line);
    }
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

function tick(perNodeGroup: boolean) {
  const telemetry = powertoolsTelemetry({ perNodeGroup });
  telemetry.groupMetrics('prod/workers-a', { DesiredCapacity: 3, NodesRequested: 1 });
  telemetry.groupMetrics('prod/workers-b', { DesiredCapacity: 2, NodesRequested: 0 });
  telemetry.groupMetrics('dev/workers', { DesiredCapacity: 1 });
  telemetry.flushMetrics?.();
}

it('sums the groups per cluster, one blob per cluster per invocation', () => {
  tick(false);
  expect(blobs).toEqual([
    expect.objectContaining({ Cluster: 'prod', DesiredCapacity: 5, NodesRequested: 1 }),
    expect.objectContaining({ Cluster: 'dev', DesiredCapacity: 1 }),
  ]);
  expect(blobs.some((blob) => 'NodeGroup' in blob)).toBe(false);
});

it('also publishes per node group when asked', () => {
  tick(true);
  expect(blobs.filter((blob) => 'NodeGroup' in blob).map((blob) => blob.NodeGroup)).toEqual(['prod/workers-a', 'prod/workers-b', 'dev/workers']);
  expect(blobs.filter((blob) => 'Cluster' in blob)).toHaveLength(2);
});
