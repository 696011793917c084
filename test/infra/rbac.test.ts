/** deploy/rbac.yaml grants the scalers' Kubernetes group only what the scalers use. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_GROUP, NODE_SCALER_KUBERNETES_GROUP } from '../../lib';
import { REPO_ROOT } from './support/scaler-stack';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface RbacDoc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

function docs(text: string): RbacDoc[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as RbacDoc).filter(Boolean);
}

const shipped = docs(readFileSync(join(REPO_ROOT, 'deploy/rbac.yaml'), 'utf8'));

/** Every (group, resource, verb) a ClusterRole grants, as `group/resource:verb`. */
function grants(roleName: string, from: RbacDoc[] = shipped): string[] {
  const role = from.find((doc) => doc.kind === 'ClusterRole' && doc.metadata.name === roleName);
  return (role?.rules ?? [])
    .flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`))))
    .sort();
}

describe('deploy/rbac.yaml', () => {
  it('lets the pod scaler read and patch scale subresources, read and list workloads, HPAs, pods and their metrics, and record events', () => {
    expect(grants('eks-lambda-scaler-workloads')).toEqual(
      [
        'apps/deployments/scale:get',
        'apps/deployments/scale:patch',
        'apps/statefulsets/scale:get',
        'apps/statefulsets/scale:patch',
        'apps/deployments:get',
        'apps/deployments:list',
        'apps/statefulsets:get',
        'apps/statefulsets:list',
        'autoscaling/horizontalpodautoscalers:list',
        '/pods:get',
        '/pods:list',
        'metrics.k8s.io/pods:get',
        'metrics.k8s.io/pods:list',
        '/events:create',
        // ScaledJobs (issue 17): create, list, delete and watch on Jobs, nothing more.
        'batch/jobs:create',
        'batch/jobs:delete',
        'batch/jobs:list',
        'batch/jobs:watch',
      ].sort(),
    );
  });

  it('lets the node scaler read and patch nodes, evict pods, and read PDBs, DaemonSets, claims and volumes', () => {
    expect(grants('eks-lambda-scaler-nodes')).toEqual(
      [
        '/nodes:get',
        '/nodes:list',
        '/nodes:patch',
        '/pods:list',
        '/pods/eviction:create',
        'policy/poddisruptionbudgets:list',
        'apps/daemonsets:list',
        '/persistentvolumeclaims:list',
        '/persistentvolumes:list',
        'apps/deployments:get',
        'apps/statefulsets:get',
        'apps/replicasets:get',
      ].sort(),
    );
  });

  it('never grants secrets, configmaps, wildcards, or deletes beyond the ScaledJobs\' Jobs', () => {
    const all = [...grants('eks-lambda-scaler-workloads'), ...grants('eks-lambda-scaler-nodes')].filter((grant) => grant !== 'batch/jobs:delete').join(' ');
    expect(all).not.toMatch(/secrets|configmaps|:delete|:\*|\/\*/);
  });

  it('binds each role to its own scaler group, the ones the access entries map the scaler roles to', () => {
    const bindings = shipped.filter((doc) => doc.kind === 'ClusterRoleBinding');
    const groupOf = (role: string) => bindings.find((binding) => binding.roleRef?.name === role)?.subjects;
    expect(groupOf('eks-lambda-scaler-workloads')).toEqual([expect.objectContaining({ kind: 'Group', name: KUBERNETES_GROUP })]);
    expect(groupOf('eks-lambda-scaler-nodes')).toEqual([expect.objectContaining({ kind: 'Group', name: NODE_SCALER_KUBERNETES_GROUP })]);
    expect(bindings).toHaveLength(2);
  });
});

describe('deploy/rbac-for-namespaces.sh', () => {
  it('binds the workload role in the given namespaces only; node permissions stay cluster-wide', () => {
    const result = spawnSync('sh', [join(REPO_ROOT, 'deploy/rbac-for-namespaces.sh'), 'jobs', 'streams'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const generated = docs(result.stdout);
    expect(generated.map((doc) => `${doc.kind} ${doc.metadata.namespace ?? ''}${doc.metadata.name}`)).toEqual([
      'ClusterRole eks-lambda-scaler-workloads',
      'ClusterRole eks-lambda-scaler-nodes',
      'ClusterRoleBinding eks-lambda-scaler-nodes',
      'RoleBinding jobseks-lambda-scaler-workloads',
      'RoleBinding streamseks-lambda-scaler-workloads',
    ]);
    expect(grants('eks-lambda-scaler-workloads', generated)).toEqual(grants('eks-lambda-scaler-workloads'));
  });

  it('refuses to run without a namespace', () => {
    const result = spawnSync('sh', [join(REPO_ROOT, 'deploy/rbac-for-namespaces.sh')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage:');
  });
});
