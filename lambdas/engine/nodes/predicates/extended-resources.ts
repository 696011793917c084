/**
 * kube-scheduler's NodeResourcesFit for extended resources (`nvidia.com/gpu`, `vpc.amazonaws.com/pod-eni`,
 * hugepages...): every requested unit must be free on the node; a node that does not advertise the
 * resource has none of it. cpu, memory and pods are compared by the bin-packing itself.
 */
import type { ExtendedResources } from '../node-model';

export function extendedResourcesBlocker(requests: ExtendedResources | undefined, free: ExtendedResources | undefined): string | undefined {
  for (const [name, wanted] of Object.entries(requests ?? {})) {
    if (wanted <= 0) continue;
    const left = free?.[name] ?? 0;
    if (wanted > left) return `insufficient ${name} (requests ${wanted}, ${left} free)`;
  }
  return undefined;
}

export function subtractExtended(free: ExtendedResources | undefined, requests: ExtendedResources | undefined): ExtendedResources | undefined {
  if (!requests || Object.keys(requests).length === 0) return free;
  const left: ExtendedResources = { ...free };
  for (const [name, used] of Object.entries(requests)) left[name] = (left[name] ?? 0) - used;
  return left;
}

/** Extended resources a node offers once its pods' requests are taken off. */
export function extendedFreeOn(allocatable: ExtendedResources | undefined, podsRequests: ReadonlyArray<ExtendedResources | undefined>): ExtendedResources | undefined {
  let free = allocatable ? { ...allocatable } : undefined;
  for (const requests of podsRequests) free = subtractExtended(free, requests);
  return free;
}
