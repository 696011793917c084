import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState, withBackoff } from '../../../lambdas/engine/nodes/node-group-state';
import { asg, inService, node } from './fixtures';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

describe('group view: upcoming capacity, failed launches and backoff', () => {
  it('counts desired minus Ready nodes as upcoming', () => {
    const view = buildGroupView(asg({ desiredCapacity: 4, instances: inService('n1', 'n2') }), DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), [node('n1'), node('n2', { ready: false })], NOW);
    expect(view).toMatchObject({ readyNodes: 1, upcoming: 3, backedOff: false });
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
