/**
 * Extended resources (GPUs), as kube-scheduler's NodeResourcesFit compares them
 * (kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit_test.go, TestEnoughRequests:
 * "extended resource fits", "extended resource capacity enforced", "extended resource allocatable enforced"),
 * and a group's template, as Cluster Autoscaler reads `resources/<name>` ASG tags (cloudprovider/aws
 * aws_manager.go extractAllocatableResourcesFromAsg).
 */
import { describe, expect, it } from 'vitest';
import { templateFromTags } from '../../../../lambdas/engine/nodes/node-template';
import { extendedResourcesBlocker } from '../../../../lambdas/engine/nodes/predicates/extended-resources';

const GPU = 'nvidia.com/gpu';

describe('NodeResourcesFit for extended resources (TestEnoughRequests)', () => {
  it.each<[string, Record<string, number> | undefined, Record<string, number> | undefined, boolean]>([
    ['extended resource fits', { [GPU]: 1 }, { [GPU]: 5 }, true],
    ['extended resource capacity enforced', { [GPU]: 10 }, { [GPU]: 5 }, false],
    ['extended resource allocatable enforced (all 5 already requested on the node)', { [GPU]: 1 }, { [GPU]: 0 }, false],
    ['a node that does not advertise the resource has none of it', { [GPU]: 1 }, undefined, false],
    ['a pod that asks for none fits a node without any', undefined, undefined, true],
    ['a zero request never blocks', { [GPU]: 0 }, undefined, true],
  ])('%s', (_name, requests, free, fits) => {
    expect(extendedResourcesBlocker(requests, free) === undefined).toBe(fits);
  });

  it('names the resource and the shortfall', () => {
    expect(extendedResourcesBlocker({ [GPU]: 2 }, { [GPU]: 1 })).toBe('insufficient nvidia.com/gpu (requests 2, 1 free)');
  });
});

describe('a group template from tags (CA reads resources/<name> tags)', () => {
  const T = 'k8s.io/cluster-autoscaler/node-template/';
  it('puts GPUs and other extended resources on the template, and the group zone on its labels', () => {
    const result = templateFromTags({ [`${T}resources/${GPU}`]: '4', [`${T}resources/ephemeral-storage`]: '100Gi' }, 'm5.xlarge', undefined, 'us-east-1b');
    if (!('template' in result)) throw new Error(result.error);
    expect(result.template.extendedAllocatable).toEqual({ [GPU]: 4 });
    expect(result.template.labels).toMatchObject({ 'topology.kubernetes.io/zone': 'us-east-1b', 'topology.kubernetes.io/region': 'us-east-1' });
  });

  it('a zone label tag wins over the group zone', () => {
    const result = templateFromTags({ [`${T}label/topology.kubernetes.io/zone`]: 'us-east-1c' }, 'm5.xlarge', undefined, 'us-east-1a');
    if (!('template' in result)) throw new Error(result.error);
    expect(result.template.labels['topology.kubernetes.io/zone']).toBe('us-east-1c');
  });
});
