import { describe, expect, it } from 'vitest';
import { eksAllocatable, eksMaxPods } from '../../../lambdas/engine/nodes/eks-instance-types';
import { TO_BE_DELETED_TAINT, templateFromNode, templateFromTags } from '../../../lambdas/engine/nodes/node-template';
import { node } from './fixtures';

const T = 'k8s.io/cluster-autoscaler/node-template/';

describe('EKS max pods (VPC CNI formula, never 110)', () => {
  it.each([
    ['t3.medium', 17],
    ['t3.large', 35],
    ['t3a.small', 8],
    ['t3a.medium', 17],
    ['m5.large', 29],
    ['m5.xlarge', 58],
    ['c5.4xlarge', 234],
    ['m6i.16xlarge', 737],
  ])('%s allows %i pods', (type, pods) => {
    expect(eksMaxPods(type)).toBe(pods);
  });

  it('does not guess an unknown type', () => {
    expect(eksMaxPods('x9z.huge')).toBeUndefined();
  });

  it('allocatable keeps back the kubelet reservation', () => {
    const allocatable = eksAllocatable('m5.large')!;
    expect(allocatable.pods).toBe(29);
    expect(allocatable.cpuMilli).toBe(2000 - 70);
    expect(allocatable.memoryBytes).toBeLessThan(8 * 2 ** 30 - (255 + 11 * 29 + 100) * 2 ** 20);
  });
});

describe('node template', () => {
  it('copies an existing node without its per-node label and transient taints', () => {
    const template = templateFromNode(
      node('n1', {
        taints: [
          { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
          { key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
        ],
      }),
    );
    expect(template.labels).toEqual({ pool: 'general' });
    expect(template.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
    expect(template.allocatable.pods).toBe(58);
  });

  it('builds a group at zero from CA tags and the instance type table', () => {
    const result = templateFromTags(
      { [`${T}label/pool`]: 'batch', [`${T}taint/dedicated`]: 'batch:NoSchedule', 'other-tag': 'x' },
      't3.medium',
    );
    expect('template' in result && result.template).toMatchObject({
      labels: { pool: 'batch', 'node.kubernetes.io/instance-type': 't3.medium' },
      taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
      allocatable: { pods: 17, cpuMilli: 1930 },
    });
  });

  it('resources tags override the table', () => {
    const result = templateFromTags({ [`${T}resources/cpu`]: '8', [`${T}resources/memory`]: '32Gi', [`${T}resources/pods`]: '110' }, undefined);
    expect('template' in result && result.template.allocatable).toEqual({ cpuMilli: 8000, memoryBytes: 32 * 2 ** 30, pods: 110 });
  });

  it('says which tags to add when the shape is unknown', () => {
    const result = templateFromTags({}, undefined);
    expect('error' in result && result.error).toMatch(/add the ASG tags k8s.io\/cluster-autoscaler\/node-template\/resources\/cpu, .*memory, .*pods/);
  });

  it('rejects a taint tag without a valid effect', () => {
    const result = templateFromTags({ [`${T}taint/dedicated`]: 'batch:Sometimes' }, 'm5.large');
    expect('error' in result && result.error).toMatch(/taint effect must be one of/);
  });
});
