import { describe, expect, it } from 'vitest';
import { podDrainDecision } from '../../../lambdas/engine/nodes/drainability';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import type { PdbInfo, PodInfo } from '../../../lambdas/engine/nodes/node-model';
import { pod } from './fixtures';

const SAFE = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const pdb = (allowed: number, namespace = 'apps'): PdbInfo => ({ namespace, name: 'budget', selector: { matchLabels: { app: 'web' } }, disruptionsAllowed: allowed });
const NOW = 1_800_000_000_000;
const MINUTE = 60_000;
/** Pods in the table were created 10 minutes before NOW unless a row says otherwise. */
const RECENT = NOW - 10 * MINUTE;

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
    ['a kube-system pod without PDB blocks until 1h after its creation', { namespace: 'kube-system', createdAt: NOW - 59 * MINUTE }, [], 'UnmovableKubeSystemPod'],
    ['a kube-system pod without PDB created 1h ago moves (blocking-system-pod-distruption-timeout)', { namespace: 'kube-system', createdAt: NOW - 60 * MINUTE }, [], 'move'],
    ['a kube-system pod without PDB created 30 days ago moves', { namespace: 'kube-system', createdAt: NOW - 30 * 24 * 60 * MINUTE }, [], 'move'],
    ['safe-to-evict "on-completion" blocks (BlockedByOnCompletionPod)', { annotations: { [SAFE]: 'on-completion' } }, [], 'BlockedByOnCompletionPod'],
    ['a PDB with a null selector matches no pod', {}, [{ ...pdb(0), selector: null }], 'move'],
    ['a PDB with an empty selector matches every pod', {}, [{ ...pdb(0), selector: {} }], 'NotEnoughPdb'],
    ['a kube-system pod with a PDB moves', { namespace: 'kube-system' }, [pdb(1, 'kube-system')], 'move'],
    ['safe-to-evict "false" blocks', { annotations: { [SAFE]: 'false' } }, [], 'NotSafeToEvictAnnotation'],
    ['an emptyDir on disk blocks', { localStorageVolumes: ['scratch'] }, [], 'LocalStorageRequested'],
    ['a local volume listed as safe moves', { localStorageVolumes: ['scratch'], annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'scratch' } }, [], 'move'],
    ['a PDB with no disruptions left blocks', {}, [pdb(0)], 'NotEnoughPdb'],
    ['safe-to-evict "true" skips the PDB rule in simulation', { annotations: { [SAFE]: 'true' } }, [pdb(0)], 'move'],
  ])('%s', (_name, overrides, pdbs, expected) => {
    const decision = podDrainDecision(pod('web-1', 100, 100, { createdAt: RECENT, ...overrides }), pdbs, DEFAULT_NODE_GROUP_KNOBS, NOW);
    expect(decision.kind === 'block' ? decision.reason : decision.kind).toBe(expected);
  });

  it('system pods and local storage can be allowed by knobs', () => {
    const knobs = { ...DEFAULT_NODE_GROUP_KNOBS, skipNodesWithSystemPods: false, skipNodesWithLocalStorage: false };
    expect(podDrainDecision(pod('dns', 1, 1, { namespace: 'kube-system', localStorageVolumes: ['tmp'], createdAt: RECENT }), [], knobs, NOW).kind).toBe('move');
  });

  it('blockingSystemPodDisruptionTimeoutSeconds sets how long a kube-system pod blocks', () => {
    const knobs = { ...DEFAULT_NODE_GROUP_KNOBS, blockingSystemPodDisruptionTimeoutSeconds: 7200 };
    const dns = pod('dns', 1, 1, { namespace: 'kube-system', createdAt: NOW - 90 * MINUTE });
    expect(podDrainDecision(dns, [], knobs, NOW)).toMatchObject({ kind: 'block', reason: 'UnmovableKubeSystemPod' });
    expect(podDrainDecision(dns, [], DEFAULT_NODE_GROUP_KNOBS, NOW).kind).toBe('move');
  });
});
