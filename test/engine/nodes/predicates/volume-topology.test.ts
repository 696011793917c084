/**
 * Zonal volumes, rows from kube-scheduler's VolumeZone plugin test
 * (kubernetes/kubernetes pkg/scheduler/framework/plugins/volumezone/volume_zone_test.go, TestSingleZone
 * and TestMultiZone) and the bound-PV node affinity VolumeBinding checks (EBS CSI PVs carry
 * `topology.ebs.csi.aws.com/zone` or `topology.kubernetes.io/zone` in spec.nodeAffinity).
 */
import { describe, expect, it } from 'vitest';
import type { ClaimInfo, VolumeInfo } from '../../../../lambdas/engine/nodes/predicates/volume-topology';
import { resolveVolumeTopology, volumeTopologyBlocker } from '../../../../lambdas/engine/nodes/predicates/volume-topology';

const BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
const BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'topology.kubernetes.io/region';

const volumes: VolumeInfo[] = [
  { name: 'Vol_1', labels: { [BETA_ZONE]: 'us-west1-a' } },
  { name: 'Vol_2', labels: { [BETA_REGION]: 'us-west1', uselessLabel: 'none' } },
  { name: 'Vol_Stable_1', labels: { [ZONE]: 'us-west1-a' } },
  { name: 'Vol_Stable_2', labels: { [REGION]: 'us-west1', uselessLabel: 'none' } },
  { name: 'Vol_Stable_3', labels: { [ZONE]: 'us-west1-a', [REGION]: 'us-west1-a' } },
  { name: 'Vol_Multi', labels: { [ZONE]: 'us-west1-c__us-west1-a' } },
  { name: 'Vol_EBS', labels: {}, nodeAffinity: [{ matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['us-east-1b'] }] }] },
];
const claimOf = (name: string, volumeName?: string): ClaimInfo => ({ namespace: 'default', name, ...(volumeName ? { volumeName } : {}) });
const claims = new Map(
  [
    claimOf('PVC_1', 'Vol_1'),
    claimOf('PVC_2', 'Vol_2'),
    claimOf('PVC_4', 'Vol_not_exist'),
    claimOf('PVC_Stable_1', 'Vol_Stable_1'),
    claimOf('PVC_Stable_2', 'Vol_Stable_2'),
    claimOf('PVC_Stable_3', 'Vol_Stable_3'),
    claimOf('PVC_Multi', 'Vol_Multi'),
    claimOf('PVC_EBS', 'Vol_EBS'),
    claimOf('PVC_WaitSC'),
  ].map((claim) => [`${claim.namespace}/${claim.name}`, claim]),
);
const byName = new Map(volumes.map((volume) => [volume.name, volume]));

function fits(claim: string, nodeLabels: Record<string, string>): boolean {
  const topology = resolveVolumeTopology({ namespace: 'default', claimNames: [claim] }, claims, byName);
  return volumeTopologyBlocker({ volumeTopology: topology }, nodeLabels) === undefined;
}

describe('VolumeZone (TestSingleZone, TestMultiZone)', () => {
  it.each<[string, string, Record<string, string>, boolean]>([
    ['TestSingleZone: node without labels', 'PVC_1', {}, true],
    ['TestSingleZone: beta zone label matched', 'PVC_1', { [BETA_ZONE]: 'us-west1-a', uselessLabel: 'none' }, true],
    ['TestSingleZone: beta region label matched', 'PVC_2', { [BETA_REGION]: 'us-west1', uselessLabel: 'none' }, true],
    ["TestSingleZone: beta region label doesn't match", 'PVC_2', { [BETA_REGION]: 'no_us-west1', uselessLabel: 'none' }, false],
    ["TestSingleZone: beta zone label doesn't match", 'PVC_1', { [BETA_ZONE]: 'no_us-west1-a', uselessLabel: 'none' }, false],
    ['TestSingleZone: zone label matched', 'PVC_Stable_1', { [ZONE]: 'us-west1-a', uselessLabel: 'none' }, true],
    ['TestSingleZone: region label matched', 'PVC_Stable_2', { [REGION]: 'us-west1', uselessLabel: 'none' }, true],
    ["TestSingleZone: region label doesn't match", 'PVC_Stable_2', { [REGION]: 'no_us-west1', uselessLabel: 'none' }, false],
    ["TestSingleZone: zone label doesn't match", 'PVC_Stable_1', { [ZONE]: 'no_us-west1-a', uselessLabel: 'none' }, false],
    ['TestSingleZone: pv with zone and region, node with only zone', 'PVC_Stable_3', { [ZONE]: 'us-west1-a' }, false],
    ['TestSingleZone: pv with zone,node with beta zone', 'PVC_Stable_1', { [BETA_ZONE]: 'us-west1-a' }, false],
    ['TestSingleZone: pv with beta label,node with ga label, matched', 'PVC_1', { [ZONE]: 'us-west1-a' }, true],
    ["TestSingleZone: pv with beta label,node with ga label, don't match", 'PVC_1', { [ZONE]: 'us-west1-b' }, false],
    ['TestMultiZone: zone label matched (a PV in us-west1-c__us-west1-a)', 'PVC_Multi', { [ZONE]: 'us-west1-a', uselessLabel: 'none' }, true],
    ['a claim whose PV does not exist adds no constraint (the scheduler reports it instead)', 'PVC_4', { [ZONE]: 'us-west1-b' }, true],
    ['an unbound WaitForFirstConsumer claim adds no constraint: its volume is made where the pod lands', 'PVC_WaitSC', { [ZONE]: 'us-west1-b' }, true],
    ['a bound EBS CSI volume: its node affinity zone matches', 'PVC_EBS', { 'topology.ebs.csi.aws.com/zone': 'us-east-1b' }, true],
    ['a bound EBS CSI volume: a node in another zone cannot attach it', 'PVC_EBS', { 'topology.ebs.csi.aws.com/zone': 'us-east-1a', [ZONE]: 'us-east-1a' }, false],
  ])('%s', (_name, claim, nodeLabels, expected) => {
    expect(fits(claim, nodeLabels)).toBe(expected);
  });
});
