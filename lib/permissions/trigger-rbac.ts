/**
 * The Kubernetes RBAC that triggers need beyond deploy/rbac.yaml, derived from the ScaledObjects, in
 * the pod scaler's group and only by name:
 * - in-cluster `prometheus` servers: `get` on `services/proxy` in their namespaces, for the exact
 *   Services and ports (RBAC `resourceNames` in the API server's `<scheme>:<service>:<port>` form,
 *   which is the name a proxy request carries);
 * - `new-relic` query keys from a TriggerAuthentication `secretTargetRef`: `get` on exactly those
 *   Secrets (by name) in the ScaledObject's namespace. No list, no other Secret.
 * - `kafka` and `apache-kafka` SASL and TLS material (username, password, ca, cert, key,
 *   keyPassword) from a `secretTargetRef`: the same, `get` on exactly those Secrets.
 */
import { stringify } from 'yaml';
import type { ScaledObject } from '../../lambdas/engine/spec/scaled-object';
import type { KafkaParams } from '../../lambdas/triggers/kafka-common';
import type { NewRelicParams } from '../../lambdas/triggers/new-relic';
import type { PrometheusParams } from '../../lambdas/triggers/prometheus';
import { KUBERNETES_GROUP } from '../kubernetes-access';

export const TRIGGER_RBAC_ROLE = 'eks-lambda-scaler-triggers';

export interface NamespaceGrant {
  namespace: string;
  /** `<scheme>:<service>:<port>` for `get services/proxy`, sorted. */
  serviceProxies: string[];
  /** Secret names for `get secrets`, sorted. */
  secrets: string[];
}

export function deriveTriggerRbac(objects: readonly Pick<ScaledObject, 'triggers'>[]): NamespaceGrant[] {
  const byNamespace = new Map<string, { serviceProxies: Set<string>; secrets: Set<string> }>();
  const entry = (namespace: string) => {
    let grant = byNamespace.get(namespace);
    if (!grant) byNamespace.set(namespace, (grant = { serviceProxies: new Set(), secrets: new Set() }));
    return grant;
  };
  for (const object of objects) {
    for (const trigger of object.triggers) {
      if (trigger.type === 'prometheus') {
        const { server } = trigger.params as unknown as PrometheusParams;
        if (server.kind === 'service') entry(server.namespace).serviceProxies.add(`${server.scheme}:${server.service}:${server.port}`);
      } else if (trigger.type === 'new-relic') {
        const { queryKey } = trigger.params as unknown as NewRelicParams;
        if (queryKey.from === 'secret') entry(queryKey.namespace).secrets.add(queryKey.name);
      } else if (trigger.type === 'kafka' || trigger.type === 'apache-kafka') {
        const { sasl, tls } = trigger.params as unknown as KafkaParams;
        const credentials = [sasl && 'username' in sasl ? sasl.username : undefined, sasl && 'password' in sasl ? sasl.password : undefined, tls?.ca, tls?.cert, tls?.key, tls?.keyPassword];
        for (const credential of credentials) if (credential?.from === 'secret') entry(credential.namespace).secrets.add(credential.name);
      }
    }
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, grant]) => ({ namespace, serviceProxies: [...grant.serviceProxies].sort(), secrets: [...grant.secrets].sort() }));
}

/** A Role and RoleBinding per namespace, as YAML documents for `kubectl apply -f -`; empty when nothing is needed. */
export function triggerRbacYaml(grants: readonly NamespaceGrant[], group: string = KUBERNETES_GROUP): string {
  const labels = { 'app.kubernetes.io/name': 'eks-lambda-scaler' };
  return grants
    .flatMap(({ namespace, serviceProxies, secrets }) => [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: TRIGGER_RBAC_ROLE, namespace, labels },
        rules: [
          ...(serviceProxies.length > 0 ? [{ apiGroups: [''], resources: ['services/proxy'], resourceNames: serviceProxies, verbs: ['get'] }] : []),
          ...(secrets.length > 0 ? [{ apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: ['get'] }] : []),
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: TRIGGER_RBAC_ROLE, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: TRIGGER_RBAC_ROLE },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      },
    ])
    .map((document) => `---\n${stringify(document)}`)
    .join('');
}

/** One line per namespace: what the grants allow, for notes and messages. */
export function describeGrants(grants: readonly NamespaceGrant[]): string {
  return grants
    .map(({ namespace, serviceProxies, secrets }) =>
      [serviceProxies.length > 0 ? `services/proxy ${serviceProxies.join(', ')}` : '', secrets.length > 0 ? `secrets ${secrets.join(', ')}` : ''].filter(Boolean).join(' and ') + ` in ${namespace}`,
    )
    .join('; ');
}
