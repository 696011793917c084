/** The construct's `nodeScaling` prop: checked at synth time with the engine's own validation, and shipped in the configuration. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildScalerConfig } from '../../lib/config-bundle';
import { ScaledObjectSource } from '../../lib/scaled-object-source';
import type { NodeScalingOptions } from '../../lambdas/engine/nodes/node-scaling-options';

const sources = [ScaledObjectSource.fromFile(join(__dirname, '../../examples/sqs-worker.yaml'))];
const clusters = [{ name: 'prod', region: 'eu-west-1' }];
const nodeGroups = [{ cluster: 'prod', autoScalingGroupName: 'workers-a' }];

describe('nodeScaling in the configuration bundle', () => {
  it('ships valid settings as given', () => {
    const nodeScaling: NodeScalingOptions = {
      expander: ['priority', 'least-waste'],
      expanderPriorities: { 50: ['-on-demand-'], 10: ['.*'] },
      balanceSimilarNodeGroups: true,
      clusterLimits: { maxNodesTotal: 100, maxCoresTotal: 400, maxMemoryTotalGiB: 1600 },
    };
    const { config } = buildScalerConfig({ sources, clusters, nodeGroups, nodeScaling });
    expect(JSON.parse(JSON.stringify(config)).nodeScaling).toEqual(JSON.parse(JSON.stringify(nodeScaling)));
  });

  it('leaves the field out when not given (CA defaults apply at run time)', () => {
    expect(buildScalerConfig({ sources, clusters, nodeGroups }).config).not.toHaveProperty('nodeScaling');
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown expander', { expander: 'fewest-nodes' }, /^eks-lambda-scaler: nodeScaling\.expander: "fewest-nodes" is not an expander/],
    ['a bad priority pattern', { expander: 'priority', expanderPriorities: { 10: ['[a-'] } }, /nodeScaling\.expanderPriorities\[10\]: "\[a-" is not a valid regular expression/],
    ['a negative limit', { clusterLimits: { maxMemoryTotalGiB: -1 } }, /nodeScaling\.clusterLimits\.maxMemoryTotalGiB: -1 is not valid/],
  ])('fails synth on %s, naming the field and the fix', (_name, nodeScaling, error) => {
    expect(() => buildScalerConfig({ sources, clusters, nodeGroups, nodeScaling: nodeScaling as NodeScalingOptions })).toThrow(error);
  });
});
