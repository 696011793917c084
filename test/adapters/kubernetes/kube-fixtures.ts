import type { KubeObject } from '../../support/kube-api-server';

export function deployment(namespace: string, name: string, replicas: number, env: unknown[] = []): KubeObject {
  return {
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'main', image: 'example/app:1', env },
            { name: 'sidecar', image: 'example/sidecar:1', env: [{ name: 'SIDE', value: 'car' }] },
          ],
        },
      },
    },
    status: { replicas },
  };
}

export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  phase: string,
  ready: boolean,
  nodeName = 'node-a',
): KubeObject {
  return {
    metadata: { name, namespace, labels },
    spec: { nodeName, containers: [{ name: 'main', image: 'example/app:1' }] },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}
