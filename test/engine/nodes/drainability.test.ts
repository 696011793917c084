import { describe, expect, it } from 'vitest';
import { podDrainDecision } from '../../../lambdas/engine/nodes/drainability';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import type { PdbInfo, PodInfo } from '../../../lambdas/engine/nodes/node-model';
import { pod } from './fixtures';

const SAFE = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const pdb = (allowed: number, namespace = 'apps'): PdbInfo => ({ namespace, name: 'budget', selector: { matchLabels: { app: 'web' } }, disruptionsAllowed: allowed });

describe('pod drainability (CA rule order)', () => {
  it.each<[string, Partial<PodInfo>, PdbInfo[], string]>([
    ['a ReplicaSet pod moves', {}, [], 'move'],
    ['a DaemonSet pod is skipped', { owner: { kind: 'DaemonSet', name: 'ds' } }, [], 'skip'],
    ['a mirror pod is skipped', { mirror: true, owner: undefined }, [], 'skip'],
    ['a finished pod is skipped', { phase: 'Succeeded', owner: undefined }, [], 'skip'],
    ['a bare pod blocks', { owner: undefined }, [], 'NotReplicated'],
    ['a custom controller blocks', { owner: { kind: 'Rollout', name: 'r' } }, [], 'NotReplicated'],
    ['a bare pod annotated safe-to-evict "true" moves', { owner: undefined, annotations: { [SAFE]: 'true' } }, [], 'move'],
    ['a kube-system pod without PDB blocks', { namespace: 'kube-system' }, [], 'UnmovableKubeSystemPod'],
    ['a kube-system pod with a PDB moves', { namespace: 'kube-system' }, [pdb(1, 'kube-system')], 'move'],
    ['safe-to-evict "false" blocks', { annotations: { [SAFE]: 'false' } }, [], 'NotSafeToEvictAnnotation'],
    ['an emptyDir on disk blocks', { localStorageVolumes: ['scratch'] }, [], 'LocalStorageRequested'],
    ['a local volume listed as safe moves', { localStorageVolumes: ['scratch'], annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'scratch' } }, [], 'move'],
    ['a PDB with no disruptions left blocks', {}, [pdb(0)], 'NotEnoughPdb'],
    ['safe-to-evict "true" skips the PDB rule in simulation', { annotations: { [SAFE]: 'true' } }, [pdb(0)], 'move'],
  ])('%s', (_name, overrides, pdbs, expected) => {
    const decision = podDrainDecision(pod('web-1', 100, 100, overrides), pdbs, DEFAULT_NODE_GROUP_KNOBS);
    expect(decision.kind === 'block' ? decision.reason : decision.kind).toBe(expected);
  });

  it('system pods and local storage can be allowed by knobs', () => {
    const knobs = { ...DEFAULT_NODE_GROUP_KNOBS, skipNodesWithSystemPods: false, skipNodesWithLocalStorage: false };
    expect(podDrainDecision(pod('dns', 1, 1, { namespace: 'kube-system', localStorageVolumes: ['tmp'] }), [], knobs).kind).toBe('move');
  });
});
