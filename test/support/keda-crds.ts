/**
 * deploy/crds/ on a real kube-apiserver: applied, then waited on until the server serves them (its
 * establishing controller runs asynchronously, so an object applied at once could get a 404).
 */
import { readFileSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { RealKubeApiServer } from './real-kube-apiserver';

export const KEDA_CRD_FILES = ['scaledobjects.keda.sh.yaml', 'triggerauthentications.keda.sh.yaml', 'clustertriggerauthentications.keda.sh.yaml'];

/** A file of this repository, as text. */
export const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

export async function applyKedaCrds(kube: RealKubeApiServer): Promise<void> {
  for (const file of KEDA_CRD_FILES) await kube.apply(repoFile(`deploy/crds/${file}`));
  for (const file of KEDA_CRD_FILES) await waitForEstablished(kube, file.replace(/\.yaml$/, ''));
}

async function waitForEstablished(kube: RealKubeApiServer, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const crd = await kube.read<KubernetesObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(
      'apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
    if (crd?.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')) return;
    // The server's own establishing controller runs asynchronously; this polls it, no timing is asserted.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`CRD ${name} was not Established`);
}
