/**
 * `npx tsx bench/prometheus-reads.ts`: what prometheus triggers cost per pass through the real read
 * plan and HTTP adapter, against the loopback Prometheus HTTP API server of the tests. N objects ask
 * Q distinct queries (objects of one service share theirs, as dashboards' queries are shared); prints
 * the HTTP calls per pass (what the server, or the API server's service proxy, sees) and the pass's
 * wall time, median of 20 passes.
 */
import { performance } from 'node:perf_hooks';
import { AwsClientFactory } from '../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../lambdas/adapters/aws/read-plan';
import { createHttpReader } from '../lambdas/adapters/http/http-reader';
import { prometheusTrigger } from '../lambdas/triggers/prometheus';
import type { ParsedTrigger } from '../lambdas/triggers/trigger-definition';
import { startPrometheusApiServer } from '../test/support/prometheus-api-server';

const prom = await startPrometheusApiServer();
const PASSES = 20;

function trigger(query: string, index: number): ParsedTrigger {
  const metadata = { serverAddress: prom.url, query, threshold: '10' };
  const { parsed } = prometheusTrigger.parse({ objectId: `bench/o${index}`, index: 0, fieldPath: 'spec.triggers[0].metadata', metadata });
  const { envRefs, ...rest } = parsed!;
  return { index: 0, type: 'prometheus', metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...rest };
}

console.log('objects  distinct queries  HTTP calls/pass  server requests/pass  ms/pass (median)');
for (const [objects, queries] of [[10, 10], [1_000, 50], [1_000, 1_000], [5_000, 250]] as const) {
  for (let q = 0; q < queries; q += 1) prom.answer(`sum(rate(requests_total{service="s${q}"}[2m]))`, q);
  const items = Array.from({ length: objects }, (_, i) => ({ id: `o${i}#0`, trigger: trigger(`sum(rate(requests_total{service="s${i % queries}"}[2m]))`, i), cluster: 'bench' }));
  const read = createTriggerReader({ clientFactory: new AwsClientFactory(), http: createHttpReader({}) });
  const times: number[] = [];
  let calls = 0;
  prom.requests.length = 0;
  for (let pass = 0; pass < PASSES; pass += 1) {
    const began = performance.now();
    const outcome = await read(items, Date.UTC(2026, 11, 2) + pass * 15_000);
    times.push(performance.now() - began);
    calls = outcome.calls.prometheus ?? 0;
  }
  times.sort((a, b) => a - b);
  const perPass = prom.requests.length / PASSES;
  console.log(`${String(objects).padStart(7)}  ${String(queries).padStart(16)}  ${String(calls).padStart(15)}  ${String(perPass).padStart(20)}  ${times[PASSES / 2]!.toFixed(1).padStart(16)}`);
}
await prom.close();
