/**
 * The Kubernetes RBAC that in-cluster `prometheus` servers need, derived from the ScaledObjects:
 * the pod scaler's group may `get` `services/proxy` only in the namespaces those servers live in,
 * and only for the exact Services and ports named (RBAC `resourceNames` in the API server's
 * `<scheme>:<service>:<port>` form, which is the name the proxy request carries). Nothing else of
 * the Service, and no other Service, is reachable through the proxy.
 */
import { stringify } from 'yaml';
import type { ScaledObject } from '../../lambdas/engine/spec/scaled-object';
import type { PrometheusParams } from '../../lambdas/triggers/prometheus';
import { KUBERNETES_GROUP } from '../kubernetes-access';

export const SERVICE_PROXY_ROLE = 'eks-lambda-scaler-prometheus';

export interface ServiceProxyGrant {
  namespace: string;
  /** `<scheme>:<service>:<port>`, sorted. */
  resourceNames: string[];
}

export function deriveServiceProxyGrants(objects: readonly ScaledObject[]): ServiceProxyGrant[] {
  const byNamespace = new Map<string, Set<string>>();
  for (const object of objects) {
    for (const trigger of object.triggers) {
      if (trigger.type !== 'prometheus') continue;
      const { server } = trigger.params as unknown as PrometheusParams;
      if (server.kind !== 'service') continue;
      const names = byNamespace.get(server.namespace) ?? new Set<string>();
      names.add(`${server.scheme}:${server.service}:${server.port}`);
      byNamespace.set(server.namespace, names);
    }
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, names]) => ({ namespace, resourceNames: [...names].sort() }));
}

/** A Role and RoleBinding per namespace, as YAML documents for `kubectl apply -f -`; empty when no grant is needed. */
export function serviceProxyRbacYaml(grants: readonly ServiceProxyGrant[], group: string = KUBERNETES_GROUP): string {
  const labels = { 'app.kubernetes.io/name': 'eks-lambda-scaler' };
  return grants
    .flatMap(({ namespace, resourceNames }) => [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: SERVICE_PROXY_ROLE, namespace, labels },
        rules: [{ apiGroups: [''], resources: ['services/proxy'], resourceNames, verbs: ['get'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: SERVICE_PROXY_ROLE, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SERVICE_PROXY_ROLE },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      },
    ])
    .map((document) => `---\n${stringify(document)}`)
    .join('');
}
