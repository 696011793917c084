/**
 * DoNotSchedule topology spread, rows from kube-scheduler's PodTopologySpread plugin test:
 * kubernetes/kubernetes pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go,
 * TestSingleConstraint and TestMultipleConstraints (named TestPodTopologySpread_Filter_SingleConstraint /
 * _MultipleConstraints in older trees). Nodes a, b in zone1 and x, y in zone2, each with its own `node` label.
 */
import { describe, expect, it } from 'vitest';
import type { NodeSelectorTerm, PodScheduling, TopologySpreadConstraint } from '../../../../lambdas/engine/nodes/node-model';
import type { PlacedPod, SimulatedNode } from '../../../../lambdas/engine/nodes/predicates/placed-pod';
import { constraintBlocker } from '../../../../lambdas/engine/nodes/scheduling-predicates';

const FOO: TopologySpreadConstraint['selector'] = { matchExpressions: [{ key: 'foo', operator: 'Exists' }] };
const BAR: TopologySpreadConstraint['selector'] = { matchExpressions: [{ key: 'bar', operator: 'Exists' }] };

function spread(maxSkew: number, topologyKey: string, selector = FOO, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint {
  return { maxSkew, topologyKey, selector, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore', ...extra };
}
function incoming(labels: Record<string, string>, constraints: TopologySpreadConstraint[], requiredNodeAffinity?: NodeSelectorTerm[]): PodScheduling {
  return { requests: { cpuMilli: 0, memoryBytes: 0, pods: 1 }, namespace: 'default', labels, topologySpread: constraints, requiredNodeAffinity };
}
/** `pods` per node: how many `foo` pods each of a, b, x, y holds. */
function cluster(counts: Record<string, number>, namespaces: Record<string, string[]> = {}, zoneLabel: Record<string, string> = {}): SimulatedNode[] {
  return ['a', 'b', 'x', 'y'].map((name) => {
    const zone = name === 'a' || name === 'b' ? 'zone1' : 'zone2';
    const pods: PlacedPod[] = Array.from({ length: counts[name] ?? 0 }, (_, index) => ({ namespace: namespaces[name]?.[index] ?? 'default', labels: { foo: '' } }));
    return { id: `node-${name}`, labels: { [zoneLabel[name] ?? 'zone']: zone, node: `node-${name}` }, taints: [], pods };
  });
}
function fits(pod: PodScheduling, world: SimulatedNode[]): Record<string, boolean> {
  return Object.fromEntries(world.map((node) => [node.id, constraintBlocker(pod, node, world) === undefined]));
}
const verdict = (a: boolean, b: boolean, x: boolean, y: boolean) => ({ 'node-a': a, 'node-b': b, 'node-x': x, 'node-y': y });

describe('PodTopologySpread (TestSingleConstraint)', () => {
  it.each<[string, PodScheduling, SimulatedNode[], Record<string, boolean>]>([
    ['no existing pods', incoming({ foo: '' }, [spread(1, 'zone')]), cluster({}), verdict(true, true, true, true)],
    ["no existing pods, incoming pod doesn't match itself", incoming({ foo: '' }, [spread(1, 'zone', BAR)]), cluster({}), verdict(true, true, true, true)],
    [
      "existing pods with mis-matched namespace doesn't count",
      incoming({ foo: '' }, [spread(1, 'zone')]),
      cluster({ a: 2, x: 1, y: 1 }, { a: ['ns1', 'ns2'] }),
      verdict(true, true, false, false),
    ],
    ['pods spread across zones as 3/3, all nodes fit', incoming({ foo: '' }, [spread(1, 'zone')]), cluster({ a: 2, b: 1, y: 3 }), verdict(true, true, true, true)],
    [
      "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
      incoming({ foo: '' }, [spread(1, 'zone')]),
      cluster({ a: 1, b: 1, x: 1, y: 1 }, {}, { b: 'zon' }),
      verdict(true, false, false, false),
    ],
    ['pods spread across nodes as 2/1/0/3, only node-x fits', incoming({ foo: '' }, [spread(1, 'node')]), cluster({ a: 2, b: 1, y: 3 }), verdict(false, false, true, false)],
    ['pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit', incoming({ foo: '' }, [spread(2, 'node')]), cluster({ a: 2, b: 1, y: 3 }), verdict(false, true, true, false)],
    ["pods spread across nodes as 2/1/0/3, but pod doesn't match itself", incoming({ bar: '' }, [spread(1, 'node')]), cluster({ a: 2, b: 1, y: 3 }), verdict(false, true, true, false)],
    [
      // Upstream runs the spread filter alone and expects b and x to fit; here node affinity runs too, so they do not (upstream's "in real case, it's false").
      'incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits',
      incoming({ foo: '' }, [spread(1, 'node')], [{ matchExpressions: [{ key: 'node', operator: 'In', values: ['node-a', 'node-y'] }] }]),
      cluster({ a: 2, b: 1, y: 3 }),
      verdict(true, false, false, false),
    ],
  ])('%s', (_name, pod, world, expected) => {
    expect(fits(pod, world)).toEqual(expected);
  });
});

describe('PodTopologySpread (TestMultipleConstraints)', () => {
  it.each<[string, PodScheduling, SimulatedNode[], Record<string, boolean>]>([
    [
      'two constraints on zone and node, spreads = [3/3, 2/1/0/3]',
      incoming({ foo: '' }, [spread(1, 'zone'), spread(1, 'node')]),
      cluster({ a: 2, b: 1, y: 3 }),
      verdict(false, false, true, false),
    ],
    [
      'two constraints on zone and node, spreads = [3/4, 2/1/0/4]',
      incoming({ foo: '' }, [spread(1, 'zone'), spread(1, 'node')]),
      cluster({ a: 2, b: 1, y: 4 }),
      verdict(false, false, false, false),
    ],
  ])('%s', (_name, pod, world, expected) => {
    expect(fits(pod, world)).toEqual(expected);
  });
});

describe('PodTopologySpread minDomains and terminating pods', () => {
  it('fewer domains than minDomains make the global minimum 0 (filtering.go minMatchNum)', () => {
    const world = cluster({ a: 1, b: 1, x: 1, y: 1 });
    // 2 zones, each with 2: min 2, skew on any node 2+1-2 = 1 fits; with minDomains 3 the min is 0 and skew 3 > 1.
    expect(fits(incoming({ foo: '' }, [spread(1, 'zone')]), world)).toEqual(verdict(true, true, true, true));
    expect(fits(incoming({ foo: '' }, [spread(1, 'zone', FOO, { minDomains: 3 })]), world)).toEqual(verdict(false, false, false, false));
  });

  it('terminating pods do not count', () => {
    const world = cluster({ a: 2 });
    world[0]!.pods = world[0]!.pods.map((pod) => ({ ...pod, terminating: true }));
    expect(fits(incoming({ foo: '' }, [spread(1, 'node')]), world)).toEqual(verdict(true, true, true, true));
  });
});
