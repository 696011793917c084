/**
 * deploy/crds/ on a real kube-apiserver: applied, then waited on until the server serves them (its
 * establishing controller runs asynchronously, so an object applied at once could get a 404, and
 * its storage then answers 429 for a moment).
 */
import { readFileSync } from 'node:fs';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { KEDA_CRD_FILES, statusOf, waitForEstablished, type RealKubeApiServer } from './real-kube-apiserver';

/** A file of this repository, as text. */
export const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

export async function applyKedaCrds(kube: RealKubeApiServer): Promise<void> {
  for (const file of KEDA_CRD_FILES) await kube.apply(repoFile(`deploy/crds/${file}`));
  for (const file of KEDA_CRD_FILES) await waitForEstablished(kube, file.replace(/\.yaml$/, ''));
  // A just-Established CRD's storage answers 429 "storage is (re)initializing" for a moment: each
  // kind is listed until it answers (statusOf retries 429s), so the first real LIST of a test works.
  const custom = kube.adminKubeConfig().makeApiClient(CustomObjectsApi);
  for (const file of KEDA_CRD_FILES) {
    const plural = file.slice(0, file.indexOf('.'));
    const status = await statusOf(() => custom.listClusterCustomObject({ group: 'keda.sh', version: 'v1alpha1', plural }));
    if (status !== 200) throw new Error(`listing ${plural}.keda.sh answered ${status} after the CRD was Established`);
  }
}
