/**
 * vitest globalSetup for the real-server tier: builds the kube-apiserver harness and installs moto
 * once, before any worker starts, so parallel test files never build twice. Where Go or Python is
 * missing it prints the one line naming what is missing, and those suites skip themselves.
 */
import { motoGlobalSetup } from './moto-server';
import { buildKubeHarness, REAL_KUBE_SKIP } from './real-kube-build';

async function kubeGlobalSetup(): Promise<void> {
  if (REAL_KUBE_SKIP) {
    console.log(REAL_KUBE_SKIP);
    return;
  }
  await buildKubeHarness();
}

export default async function setup(): Promise<void> {
  // Both run to their end even when one fails, so a failed install never leaves a build half done.
  const results = await Promise.allSettled([kubeGlobalSetup(), motoGlobalSetup()]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
