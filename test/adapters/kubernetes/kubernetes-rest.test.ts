/**
 * The request paths KubernetesRest builds, as the API server routes them
 * (k8s.io/apiserver pkg/endpoints/installer.go registerResourceHandlers: namespaced resources under
 * `namespaces/{namespace}`, cluster-scoped ones and all-namespace LISTs without it; the core group
 * under /api). The requests themselves run against the real kube-apiserver in test/real-servers/.
 */
import { describe, expect, it } from 'vitest';
import { urlPath, type ResourcePath } from '../../../lambdas/adapters/kubernetes/kubernetes-rest';

describe('urlPath', () => {
  it.each<[string, ResourcePath, string]>([
    ['core group, namespaced object', { group: '', version: 'v1', resource: 'secrets', namespace: 'web', name: 'newrelic' }, '/api/v1/namespaces/web/secrets/newrelic'],
    ['named group, subresource', { group: 'keda.sh', version: 'v1alpha1', resource: 'scaledobjects', namespace: 'web', name: 'worker', subresource: 'status' }, '/apis/keda.sh/v1alpha1/namespaces/web/scaledobjects/worker/status'],
    ['namespaced collection', { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespace: 'web' }, '/apis/metrics.k8s.io/v1beta1/namespaces/web/pods'],
    ['no namespace: all namespaces, or a cluster-scoped kind', { group: 'keda.sh', version: 'v1alpha1', resource: 'clustertriggerauthentications' }, '/apis/keda.sh/v1alpha1/clustertriggerauthentications'],
    ['segments are escaped, never joined raw', { group: '', version: 'v1', resource: 'events', namespace: 'web', name: 'a/b?c' }, '/api/v1/namespaces/web/events/a%2Fb%3Fc'],
  ])('%s', (_case, path, expected) => {
    expect(urlPath(path)).toBe(expected);
  });
});
