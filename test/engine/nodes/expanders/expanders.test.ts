/**
 * The expanders, row by row from Cluster Autoscaler's own expander tests (kubernetes/autoscaler,
 * cluster-autoscaler/expander/...). Each row names the upstream file and test it comes from.
 */
import { describe, expect, it } from 'vitest';
import { chooseExpansionOption } from '../../../../lambdas/engine/nodes/expanders/choose-expansion-option';
import type { ExpansionOption } from '../../../../lambdas/engine/nodes/expanders/expansion-option';
import { leastWaste } from '../../../../lambdas/engine/nodes/expanders/least-waste';
import { mostPods } from '../../../../lambdas/engine/nodes/expanders/most-pods';
import { compilePriorities, priorityExpander } from '../../../../lambdas/engine/nodes/expanders/priority';
import type { ExpanderPriorities } from '../../../../lambdas/engine/nodes/expanders/priority';
import { randomExpander } from '../../../../lambdas/engine/nodes/expanders/random';

const MIB = 2 ** 20;

function option(group: string, cpuMilli: number, memoryBytes: number, pods: Array<[number, number]> = [], nodeCount = 1): ExpansionOption {
  return {
    group,
    nodeCount,
    pods: pods.map(([cpu, memory], index) => ({ id: `apps/${group}-${index}`, requests: { cpuMilli: cpu, memoryBytes: memory, pods: 1 } })),
    template: { labels: {}, taints: [], allocatable: { cpuMilli, memoryBytes, pods: 100 }, source: 'test' },
  };
}

const names = (options: readonly ExpansionOption[]) => options.map((item) => item.group);

describe('least-waste (expander/waste/waste_test.go TestLeastWaste)', () => {
  // cpuPerPod 500m, memoryPerPod 1000 MiB; nodes are multiples of one pod.
  const pod: [number, number] = [500, 1000 * MIB];
  const balanced = (pods: Array<[number, number]>) => option('balanced', 16 * 500, 16 * 1000 * MIB, pods);
  const highmem = option('highmem', 16 * 500, 32 * 1000 * MIB, [pod]);
  const lowcpu = option('lowcpu', 8 * 500, 16 * 1000 * MIB, [pod]);

  it.each<[string, ExpansionOption[], string[]]>([
    ['TestLeastWaste "without any pods, one node info": the only option', [balanced([])], ['balanced']],
    ['TestLeastWaste "with one pod, one node info": the only option', [balanced([pod])], ['balanced']],
    ['TestLeastWaste "one that has lots of RAM one that has less": balanced wastes less memory', [balanced([pod]), highmem], ['balanced']],
    ['TestLeastWaste "and one that has less CPU": lowcpu wastes least', [balanced([pod]), highmem, lowcpu], ['lowcpu']],
  ])('%s', (_name, options, expected) => {
    expect(names(leastWaste(options))).toEqual(expected);
  });

  it('keeps every option whose score ties exactly (waste.go appends equal scores)', () => {
    expect(names(leastWaste([option('a', 1000, MIB, [[500, 0]]), option('b', 1000, MIB, [[500, 0]])]))).toEqual(['a', 'b']);
  });
});

describe('most-pods (expander/mostpods/mostpods_test.go TestMostPods)', () => {
  const eo0 = option('EO0', 1000, MIB);
  const eo1 = option('EO1', 1000, MIB, [[1, 1]]);
  const eo1b = option('EO1b', 1000, MIB, [[1, 1]]);
  it.each<[string, ExpansionOption[], string[]]>([
    ['TestMostPods: one option without pods is returned', [eo0], ['EO0']],
    ['TestMostPods: the option with one pod beats the one with none', [eo0, eo1], ['EO1']],
    ['TestMostPods: two options with one pod each tie; the empty one never wins', [eo0, eo1, eo1b], ['EO1', 'EO1b']],
  ])('%s', (_name, options, expected) => {
    expect(names(mostPods(options))).toEqual(expected);
  });
});

describe('random (expander/random/random_test.go TestRandomExpander)', () => {
  const a = option('EO1a', 1000, MIB);
  const b = option('EO1b', 1000, MIB);
  it.each<[string, ExpansionOption[], number, string[]]>([
    ['TestRandomExpander: one option is returned whatever the draw', [a], 0.99, ['EO1a']],
    ['TestRandomExpander: of two, a low draw picks the first', [a, b], 0, ['EO1a']],
    ['TestRandomExpander: of two, a high draw picks the second', [a, b], 0.99, ['EO1b']],
    ['TestRandomExpander: no options, no choice', [], 0.5, []],
  ])('%s', (_name, options, draw, expected) => {
    expect(names(randomExpander(() => draw)(options))).toEqual(expected);
  });

  it('a source outside [0, 1) still picks a real option', () => {
    expect(names(randomExpander(() => 1)([a, b]))).toEqual(['EO1b']);
    expect(names(randomExpander(() => Number.NaN)([a, b]))).toEqual(['EO1a']);
  });
});

describe('priority (expander/priority/priority_test.go)', () => {
  const config: ExpanderPriorities = { 5: ['.*t2\\.micro.*'], 10: ['.*t2\\.large.*', '.*t3\\.large.*'], 50: ['.*m4\\.4xlarge.*'] };
  const oneEntryConfig: ExpanderPriorities = { 10: ['.*t2\\.large.*'] };
  const notMatchingConfig: ExpanderPriorities = { 5: ['.*t\\.micro.*'], 10: ['.*t\\.large.*'] };
  const wildcardMatchConfig: ExpanderPriorities = { 5: ['.*'], 10: ['.t2\\.large.*'] };
  const t2Micro = option('my-asg.t2.micro', 1000, MIB);
  const t2Large = option('my-asg.t2.large', 1000, MIB);
  const t3Large = option('my-asg.t3.large', 1000, MIB);
  const m44xlarge = option('my-asg.m4.4xlarge', 1000, MIB);

  it.each<[string, ExpanderPriorities, ExpansionOption[], string[]]>([
    ['TestPriorityExpanderCorrecltySelectsSingleMatchingOptionOutOfOne', config, [t2Large], ['my-asg.t2.large']],
    ['TestPriorityExpanderCorrecltySelectsSingleMatchingOptionOutOfMany', config, [t2Large, m44xlarge], ['my-asg.m4.4xlarge']],
    ['TestPriorityExpanderDoesNotFallBackToRandomWhenHigherPriorityMatches', wildcardMatchConfig, [t2Large, t2Micro], ['my-asg.t2.large']],
    ['TestPriorityExpanderCorrecltySelectsOneOfTwoMatchingOptionsOutOfMany', config, [t2Large, t3Large, t2Micro], ['my-asg.t2.large', 'my-asg.t3.large']],
    ['TestPriorityExpanderCorrecltyFallsBackToRandomWhenNoMatches, with notMatchingConfig so nothing matches: every option stays for the fallback', notMatchingConfig, [t2Large, t3Large], ['my-asg.t2.large', 'my-asg.t3.large']],
    ['TestPriorityExpanderCorrecltyHandlesConfigUpdate: groups not in the list are not used', oneEntryConfig, [t2Large, t3Large, m44xlarge], ['my-asg.t2.large']],
    ['TestPriorityExpanderCorrecltyHandlesConfigUpdate: after the update the highest priority wins', config, [t2Large, t3Large, m44xlarge], ['my-asg.m4.4xlarge']],
  ])('%s', (_name, priorities, options, expected) => {
    expect(names(priorityExpander(compilePriorities(priorities))(options))).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    ['TestPriorityExpanderCorrecltySkipsBadChangeConfig: an empty configuration is refused', {}, /is empty/],
    ['a priority that is not a whole number names the key', { high: ['.*'] }, /priority "high" is not a whole number/],
    ['a pattern that is not a regular expression names the pattern', { 10: ['(unclosed'] }, /"\(unclosed" is not a valid regular expression/],
    ['a priority without patterns is refused', { 10: [] }, /non-empty list of group-name patterns/],
  ])('%s', (_name, priorities, error) => {
    expect(() => compilePriorities(priorities as ExpanderPriorities)).toThrow(error);
  });
});

describe('the expander chain (expander/factory/chain.go; --expander=a,b)', () => {
  const chain = (expanders: Parameters<typeof chooseExpansionOption>[1]['expanders'], priorities?: ExpanderPriorities, draw = 0) => ({
    expanders,
    priorities: priorities ? compilePriorities(priorities) : undefined,
    random: () => draw,
  });
  const pod: [number, number] = [500, 1000 * MIB];
  const spotBig = option('workers-spot-big', 16 * 500, 32 * 1000 * MIB, [pod]);
  const spotSmall = option('workers-spot-small', 8 * 500, 16 * 1000 * MIB, [pod]);
  const onDemand = option('workers-on-demand', 8 * 500, 16 * 1000 * MIB, [pod]);

  it('priority then least-waste: the priority narrows, least-waste decides among what is left', () => {
    const choice = chooseExpansionOption([onDemand, spotBig, spotSmall], chain(['priority', 'least-waste'], { 10: ['-spot-'], 1: ['-on-demand'] }));
    expect(choice?.chosen.group).toBe('workers-spot-small');
    expect(choice?.explanation).toMatch(/^least-waste chose workers-spot-small over workers-on-demand, workers-spot-big/);
  });

  it('a tie that survives the chain goes to the first group in configuration order (CA: at random)', () => {
    const choice = chooseExpansionOption([spotSmall, onDemand], chain(['least-waste']));
    expect(choice?.chosen.group).toBe('workers-spot-small');
    expect(choice?.explanation).toMatch(/tied with workers-on-demand; first in configuration order/);
  });

  it('random at the end of the chain breaks the tie with the injected source', () => {
    expect(chooseExpansionOption([spotSmall, onDemand], chain(['least-waste', 'random'], undefined, 0.9))?.chosen.group).toBe('workers-on-demand');
  });

  it('no options, no choice', () => {
    expect(chooseExpansionOption([], chain(['least-waste']))).toBeUndefined();
  });
});
