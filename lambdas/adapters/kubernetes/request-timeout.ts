/**
 * Every Kubernetes API request made through a KubeConfig gets a timeout. @kubernetes/client-node
 * 2.x has none of its own (a hung API server or a black-holed endpoint would hold the call until
 * the Lambda dies); the KubeConfig's authentication hook runs before every request of every API
 * client made from it, so arming an AbortSignal there covers them all in one place. A request that
 * already has a signal keeps it: KubernetesRest sets its own, with this timeout, on a timer it
 * clears once the answer is read (`requestTimeoutOf`).
 */
import type { KubeConfig } from '@kubernetes/client-node';

/** Longest one Kubernetes API request may take, ms. */
export const DEFAULT_KUBERNETES_CALL_TIMEOUT_MS = 5_000;

interface SignalContext {
  getSignal(): AbortSignal | undefined;
  setSignal(signal: AbortSignal): void;
}

/** The timeout each armed KubeConfig was given, for callers that arm and clear their own (kubernetes-rest.ts). */
const armed = new WeakMap<KubeConfig, number>();

/** Arms `kubeConfig` (once; later calls keep the first timeout) and returns it. */
export function withRequestTimeout(kubeConfig: KubeConfig, timeoutMs: number = DEFAULT_KUBERNETES_CALL_TIMEOUT_MS): KubeConfig {
  if (armed.has(kubeConfig)) return kubeConfig;
  armed.set(kubeConfig, timeoutMs);
  const authenticate = kubeConfig.applySecurityAuthentication.bind(kubeConfig);
  kubeConfig.applySecurityAuthentication = async (context) => {
    const request = context as unknown as SignalContext;
    if (!request.getSignal()) request.setSignal(AbortSignal.timeout(timeoutMs));
    await authenticate(context);
  };
  return kubeConfig;
}

/**
 * The timeout `withRequestTimeout` armed on `kubeConfig`, if any. A caller that knows when its answer
 * has been read sets its own clearable signal with it (util/call-deadline.ts); the hook above then
 * leaves the request alone. The hook's `AbortSignal.timeout` stays for client-node's generated
 * classes, whose answers this module never sees.
 */
export function requestTimeoutOf(kubeConfig: KubeConfig): number | undefined {
  return armed.get(kubeConfig);
}

/** True when `error` is a request that `withRequestTimeout` (or any abort) cut short. */
export function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
