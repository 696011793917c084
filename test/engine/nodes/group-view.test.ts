import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState, withBackoff } from '../../../lambdas/engine/nodes/node-group-state';
import { asg, inService, node } from './fixtures';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

describe('group view: upcoming capacity, failed launches and backoff', () => {
  it('counts desired minus Ready nodes as upcoming', () => {
    const view = buildGroupView(asg({ desiredCapacity: 4, instances: inService('n1', 'n2') }), DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), [node('n1'), node('n2', { ready: false, createdAt: NOW - 2 * MIN })], NOW);
    expect(view).toMatchObject({ readyNodes: 1, upcoming: 3, backedOff: false });
  });

  // CA counts a node that stays unready past max-node-provision-time as unready, not upcoming.
  it.each<[string, { createdAt?: number; registered: boolean; firstSeen?: number }, number]>([
    ['a registered NotReady node 2 minutes old is upcoming', { registered: true, createdAt: NOW - 2 * MIN }, 1],
    ['a registered NotReady node exactly 15 minutes old is still upcoming', { registered: true, createdAt: NOW - 15 * MIN }, 1],
    ['a registered NotReady node 16 minutes old is not upcoming', { registered: true, createdAt: NOW - 16 * MIN }, 0],
    ['a registered NotReady node 3 days old is not upcoming', { registered: true, createdAt: NOW - 3 * 24 * 60 * MIN }, 0],
    ['an unregistered instance first seen now is upcoming', { registered: false }, 1],
    ['an unregistered instance first seen 10 minutes ago is upcoming', { registered: false, firstSeen: NOW - 10 * MIN }, 1],
    ['an unregistered instance first seen 16 minutes ago is not upcoming', { registered: false, firstSeen: NOW - 16 * MIN }, 0],
  ])('%s', (_name, second, upcoming) => {
    const nodes = [node('n1'), ...(second.registered ? [node('n2', { ready: false, createdAt: second.createdAt })] : [])];
    const instanceFirstSeen: Record<string, number> = second.firstSeen === undefined ? {} : { 'i-n2': second.firstSeen };
    const state = { ...emptyNodeGroupState(), instanceFirstSeen };
    const view = buildGroupView(asg({ desiredCapacity: 2, instances: inService('n1', 'n2') }), DEFAULT_NODE_GROUP_KNOBS, state, nodes, NOW);
    expect(view.upcoming).toBe(upcoming);
    expect(view.staleInstances).toEqual(upcoming === 0 ? ['i-n2'] : []);
  });

  it('remembers when each live instance was first seen and forgets instances that left', () => {
    const state = { ...emptyNodeGroupState(), instanceFirstSeen: { 'i-n2': NOW - 5 * MIN, 'i-gone': NOW - 60 * MIN } };
    const view = buildGroupView(asg({ desiredCapacity: 2, instances: inService('n1', 'n2') }), DEFAULT_NODE_GROUP_KNOBS, state, [node('n1')], NOW);
    expect(view.state.instanceFirstSeen).toEqual({ 'i-n1': NOW, 'i-n2': NOW - 5 * MIN });
  });

  it('an old permanently NotReady node does not re-fire the provision timeout after a later scale-up', () => {
    // n2 has been NotReady for days; a scale-up 16 minutes ago added n3, which became Ready.
    const state = { ...emptyNodeGroupState(), lastScaleUp: { at: NOW - 16 * MIN, fromDesired: 2, toDesired: 3, reason: 'x' } };
    const nodes = [node('n1'), node('n2', { ready: false, createdAt: NOW - 3 * 24 * 60 * MIN }), node('n3', { createdAt: NOW - 14 * MIN })];
    const view = buildGroupView(asg({ desiredCapacity: 3, instances: inService('n1', 'n2', 'n3') }), DEFAULT_NODE_GROUP_KNOBS, state, nodes, NOW);
    expect(view.findings).toEqual([]);
    expect(view.backedOff).toBe(false);
    expect(view.upcoming).toBe(0);
  });

  it('a failed launch backs the group off and drops its placeholders', () => {
    const group = asg({
      desiredCapacity: 3,
      instances: inService('n1'),
      activities: [{ id: 'a1', statusCode: 'Failed', startedAt: NOW - MIN, description: 'Launching a new EC2 instance', statusMessage: 'InsufficientInstanceCapacity' }],
    });
    const view = buildGroupView(group, DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), [node('n1')], NOW);
    expect(view.backedOff).toBe(true);
    expect(view.upcoming).toBe(0);
    expect(view.state.backoff).toMatchObject({ until: NOW + 5 * MIN, level: 0 });
    expect(view.findings[0]).toMatch(/launch failed: InsufficientInstanceCapacity/);
    // The same failure seen again does not extend the backoff.
    const again = buildGroupView(group, DEFAULT_NODE_GROUP_KNOBS, view.state, [node('n1')], NOW + MIN);
    expect(again.findings).toEqual([]);
    expect(again.state.backoff?.until).toBe(NOW + 5 * MIN);
  });

  it('instances not Ready within maxNodeProvisionSeconds back off once', () => {
    const state = { ...emptyNodeGroupState(), lastScaleUp: { at: NOW - 16 * MIN, fromDesired: 1, toDesired: 2, reason: 'x' } };
    const view = buildGroupView(asg({ desiredCapacity: 2, instances: inService('n1') }), DEFAULT_NODE_GROUP_KNOBS, state, [node('n1')], NOW);
    expect(view.backedOff).toBe(true);
    expect(view.findings[0]).toMatch(/not Ready within 900s/);
    expect(view.state.lastScaleUp?.provisionTimedOut).toBe(true);
  });

  it.each([
    [0, 5],
    [1, 10],
    [2, 20],
    [3, 30],
    [4, 30],
  ])('backoff after %i earlier failures lasts %i minutes', (earlier, minutes) => {
    let state = emptyNodeGroupState();
    for (let index = 0; index < earlier; index += 1) state = withBackoff(state, NOW - MIN, 'x', DEFAULT_NODE_GROUP_KNOBS);
    state = withBackoff(state, NOW, 'x', DEFAULT_NODE_GROUP_KNOBS);
    expect(state.backoff!.until - NOW).toBe(minutes * MIN);
  });

  it('backoff resets after 3 hours without failures', () => {
    const first = withBackoff(withBackoff(emptyNodeGroupState(), NOW, 'x', DEFAULT_NODE_GROUP_KNOBS), NOW + MIN, 'x', DEFAULT_NODE_GROUP_KNOBS);
    const later = withBackoff(first, NOW + 4 * 60 * MIN, 'x', DEFAULT_NODE_GROUP_KNOBS);
    expect(later.backoff?.level).toBe(0);
  });
});
