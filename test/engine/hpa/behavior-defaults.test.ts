import { describe, expect, it } from 'vitest';
import { resolveBehavior } from '../../../lambdas/engine/hpa/behavior-defaults';

const UP_DEFAULT = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DOWN_DEFAULT = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

describe('behavior defaults, field by field', () => {
  it('fills an empty behavior completely', () => {
    expect(resolveBehavior({})).toEqual({ scaleUp: UP_DEFAULT, scaleDown: DOWN_DEFAULT });
  });

  it('gives scaleDown every default when only scaleUp is set', () => {
    expect(resolveBehavior({ scaleUp: { stabilizationWindowSeconds: 60 } })).toEqual({
      scaleUp: { ...UP_DEFAULT, stabilizationWindowSeconds: 60 },
      scaleDown: DOWN_DEFAULT,
    });
  });

  it('replaces the default policy list instead of merging', () => {
    const resolved = resolveBehavior({ scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
    expect(resolved.scaleUp.policies).toEqual([{ type: 'Pods', value: 1, periodSeconds: 60 }]);
    expect(resolved.scaleUp.selectPolicy).toBe('Max');
  });

  it('fills a nil scale-down window with 300 s but keeps an explicit 0', () => {
    expect(resolveBehavior({ scaleDown: { selectPolicy: 'Min' } }).scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(resolveBehavior({ scaleDown: { stabilizationWindowSeconds: 0 } }).scaleDown.stabilizationWindowSeconds).toBe(0);
  });
});
