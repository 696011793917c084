/**
 * kube-scheduler's NodePorts filter: a pod asking for a host port cannot go where a pod already binds
 * the same port and protocol on an overlapping address (0.0.0.0 overlaps every address).
 */
import type { HostPort } from '../node-model';
import type { PlacedPod } from './placed-pod';

const ANY_ADDRESS = '0.0.0.0';

function addressesOverlap(a: string, b: string): boolean {
  const left = a || ANY_ADDRESS;
  const right = b || ANY_ADDRESS;
  return left === ANY_ADDRESS || right === ANY_ADDRESS || left === right;
}

function conflicts(wanted: HostPort, used: HostPort): boolean {
  return wanted.port === used.port && wanted.protocol === used.protocol && addressesOverlap(wanted.hostIP, used.hostIP);
}

/** Why the ports are taken on a node holding these pods, or undefined when they are free. */
export function hostPortBlocker(wanted: readonly HostPort[] | undefined, podsOnNode: readonly PlacedPod[]): string | undefined {
  if (!wanted?.length) return undefined;
  for (const port of wanted) {
    for (const pod of podsOnNode) {
      if ((pod.hostPorts ?? []).some((used) => conflicts(port, used))) {
        return `host port ${port.protocol}/${port.hostIP || ANY_ADDRESS}:${port.port} is taken on the node`;
      }
    }
  }
  return undefined;
}
