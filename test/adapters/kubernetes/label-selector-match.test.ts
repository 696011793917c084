/**
 * Label selector strings matched as the API server matches them. Rows from k8s.io/apimachinery
 * `pkg/labels/selector.go` (Requirement.Matches: `!=` and `notin` hold when the key is absent, `in`
 * and `=` need it; Exists / DoesNotExist) and `selector_test.go` TestSelectorMatches.
 */
import { describe, expect, it } from 'vitest';
import { isSelectorUnderstood, matchesLabelSelector, SelectorNotUnderstood } from '../../../lambdas/adapters/kubernetes/label-selector-match';

const labels = { app: 'web', tier: 'front' };

describe('matchesLabelSelector (selector.go Requirement.Matches)', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app in (db)', false],
    ['missing in (x)', false],
    ['app notin (db)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier in (back,front)', true],
    ['app=web,tier=back', false],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabelSelector(labels, selector)).toBe(expected);
  });

  it('a requirement it does not read (gt) throws SelectorNotUnderstood, so the caller lets the API server select', () => {
    expect(() => matchesLabelSelector(labels, 'replicas>1')).toThrow(SelectorNotUnderstood);
    // Every requirement is checked, even behind one that does not match.
    expect(isSelectorUnderstood('app=db,replicas>1')).toBe(false);
    expect(isSelectorUnderstood('app=db,tier in (a,b),!x')).toBe(true);
  });
});
