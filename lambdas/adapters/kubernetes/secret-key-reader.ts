/**
 * Reads one key of one Secret for a trigger's credential (New Relic's query key from a
 * TriggerAuthentication `secretTargetRef`), as the pod scaler's Kubernetes identity: `get` on that
 * Secret by name, which is all the RBAC the scaler needs for it. The value is kept in memory for a
 * minute (a rotated key is picked up within that; KEDA keeps it until its scaler is rebuilt) and is
 * never logged, returned in an error or stored.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiException } from './client-node-parts';
import { KubernetesRest } from './kubernetes-rest';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import type { SecretKeyRef } from '../../triggers/trigger-definition';

export const SECRET_CACHE_MS = 60_000;

export type SecretKeyReader = (ref: SecretKeyRef) => Promise<string>;

export function createSecretKeyReader(kubeConfigFor: (cluster: string) => Promise<KubeConfig>, options: { now?: () => number; callTimeoutMs?: number } = {}): SecretKeyReader {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: string; until: number }>();
  return async (ref) => {
    const cacheKey = `${ref.cluster}/${ref.namespace}/${ref.name}/${ref.key}`;
    const cached = cache.get(cacheKey);
    if (cached && cached.until > now()) return cached.value;
    const kubeConfig = withRequestTimeout(await kubeConfigFor(ref.cluster), options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    const where = `Secret ${ref.namespace}/${ref.name} in cluster ${ref.cluster}`;
    let data: Record<string, string> | undefined;
    try {
      data = (await new KubernetesRest(kubeConfig).get<{ data?: Record<string, string> }>({ group: '', version: 'v1', resource: 'secrets', namespace: ref.namespace, name: ref.name })).data;
    } catch (error) {
      const code = error instanceof ApiException ? error.code : 0;
      if (code === 403) throw new Error(`forbidden to read ${where}: grant the pod scaler's group get on secrets named ${ref.name} in namespace ${ref.namespace} (eks-lambda-scaler rbac <your ScaledObjects> | kubectl apply -f -)`, { cause: error });
      if (code === 404) throw new Error(`${where} does not exist: create it, or fix the TriggerAuthentication's secretTargetRef`, { cause: error });
      throw new Error(`could not read ${where}: ${code ? `the API server answered ${code}` : error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const encoded = data?.[ref.key];
    if (encoded === undefined) {
      const keys = Object.keys(data ?? {});
      throw new Error(`${where} has no key "${ref.key}" (its keys: ${keys.length > 0 ? keys.join(', ') : 'none'}): fix the secretTargetRef's key`);
    }
    const value = Buffer.from(encoded, 'base64').toString('utf8').trim();
    cache.set(cacheKey, { value, until: now() + SECRET_CACHE_MS });
    return value;
  };
}
