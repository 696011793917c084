/**
 * The `readBatch` of triggers that query a server over HTTP (prometheus, new-relic): each distinct
 * request is one call through the read plan's HTTP port, under the plan's signal and the call's own
 * timeout; the raw answer becomes the reading, and a failed exchange the trigger's own error.
 */
import { TriggerError, type HttpReadPort, type Reading, type ReadRequest } from './trigger-definition';

type HttpService = 'prometheus' | 'newrelic';
type HttpRequest<S extends HttpService> = Extract<ReadRequest, { service: S }>;
type AnyHttpRequest = Extract<ReadRequest, { service: HttpService }>;

export async function readHttpRequests<S extends HttpService>(
  requests: readonly ReadRequest[],
  service: S,
  options: { signal?: AbortSignal; http?: HttpReadPort },
  failure: (request: HttpRequest<S>, error: unknown, signal: AbortSignal) => TriggerError,
): Promise<Map<string, Reading | TriggerError>> {
  const out = new Map<string, Reading | TriggerError>();
  const signal = options.signal ?? AbortSignal.timeout(5_000);
  const mine = requests.filter((request): request is AnyHttpRequest => request.service === service);
  await Promise.all(
    mine.map(async (request) => {
      if (!options.http) return void out.set(request.key, new TriggerError(`no HTTP reader is wired into this read plan, so ${service} triggers cannot be read`, 'NoReader'));
      const callSignal = request.call.timeoutMs !== undefined ? AbortSignal.any([signal, AbortSignal.timeout(request.call.timeoutMs)]) : signal;
      try {
        const answer = await options.http.get(request.call, callSignal, request.source);
        out.set(request.key, { service, status: answer.status, body: answer.body } as Reading);
      } catch (error) {
        out.set(request.key, error instanceof TriggerError ? error : failure(request as HttpRequest<S>, error, callSignal));
      }
    }),
  );
  return out;
}
