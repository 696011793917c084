import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes, parseQuantity } from '../../../lambdas/engine/nodes/quantities';

describe('Kubernetes quantities', () => {
  it.each([
    ['250m', 250],
    ['1', 1000],
    ['1.5', 1500],
    ['0.1', 100],
    ['2', 2000],
    [3, 3000],
    ['100u', 1],
  ])('cpu %s is %i millicores (rounded up)', (raw, expected) => {
    expect(cpuMillis(raw)).toBe(expected);
  });

  it.each([
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['1k', 1000],
  ])('memory %s is %i bytes', (raw, expected) => {
    expect(memoryBytes(raw)).toBe(expected);
  });

  it('rejects a value that is not a quantity, naming it', () => {
    expect(() => parseQuantity('lots')).toThrow(/"lots" is not a Kubernetes quantity/);
  });
});
