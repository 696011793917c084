/**
 * Scale-up notices on the hand-written server: only the one that needs an injected fault (503 on
 * the node list, `failNext`). The others moved to test/real-servers/node-scaler-end-to-end.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER, startWorldWithFullNode, type NodeScalerWorld } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await startWorldWithFullNode();
});
afterEach(async () => {
  await world.close();
});

const notice = (toReplicas: number, overrides: Record<string, unknown> = {}) => ({
  source: 'eks-lambda-scaler.pod-scaler',
  scaleUps: [{ cluster: CLUSTER, namespace: 'apps', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', fromReplicas: 1, toReplicas, ...overrides }],
});

describe('node scaler: scale-up notices, with an injected fault', () => {
  it('notices for a cluster that cannot be read are reported by name, never dropped silently', async () => {
    world.kube.failNext({ method: 'GET', path: '/api/v1/nodes', status: 503, times: 5 });
    const summary = await world.invoke(notice(5));
    expect(summary.noticeProblems).toEqual([{ cluster: CLUSTER, notice: 'apps/web (Deployment)', message: expect.stringMatching(/^not counted: could not read cluster prod: .*nodes/) }]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'scale-up notice not counted', fields: expect.objectContaining({ notice: 'apps/web (Deployment)' }) }));
  });
});
