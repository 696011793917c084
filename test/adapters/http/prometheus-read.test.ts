/**
 * The prometheus trigger's reads through the real read plan and HTTP adapter, against a loopback
 * server speaking the Prometheus HTTP API (test/support/prometheus-api-server.ts): direct, TLS with
 * and without unsafeSsl, SigV4 verified by the server, timeouts and oversized answers. The
 * in-cluster route through the API server's service proxy is in
 * test/real-servers/prometheus-service-proxy.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { createHttpReader, type HttpReaderOptions } from '../../../lambdas/adapters/http/http-reader';
import { formatIssue } from '../../../lambdas/engine/spec/issues';
import { prometheusTrigger } from '../../../lambdas/triggers/prometheus';
import { TriggerError, type ParsedTrigger, type TriggerParseInput } from '../../../lambdas/triggers/trigger-definition';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../../support/kube-tls-fixture';
import { startPrometheusApiServer, type PrometheusApiServer } from '../../support/prometheus-api-server';

const NOW = Date.parse('2026-12-02T07:00:30.250Z');
const servers: PrometheusApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(options: Parameters<typeof startPrometheusApiServer>[0] = {}): Promise<PrometheusApiServer> {
  const started = await startPrometheusApiServer(options);
  servers.push(started);
  return started;
}

function trigger(metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}, index = 0): ParsedTrigger {
  const result = prometheusTrigger.parse({ objectId: 'shop/web', index, fieldPath: `spec.triggers[${index}].metadata`, metadata, ...extra });
  if (!result.parsed) throw new Error(result.errors.map(formatIssue).join('; '));
  const { envRefs, ...parsed } = result.parsed;
  return { index, type: 'prometheus', metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...parsed };
}

function reader(options: HttpReaderOptions = {}, callTimeoutMs?: number) {
  return createTriggerReader({ clientFactory: new AwsClientFactory(), http: createHttpReader(options), ...(callTimeoutMs ? { callTimeoutMs } : {}) });
}

async function readOne(t: ParsedTrigger, options: HttpReaderOptions = {}) {
  const { readings } = await reader(options)([{ id: 'a', trigger: t, cluster: 'prod' }], NOW);
  const reading = readings.get('a');
  if (reading instanceof TriggerError) throw reading;
  return prometheusTrigger.toMetric(t, reading, NOW);
}

describe('prometheus reads against a Prometheus HTTP API server', () => {
  it('sends KEDA\'s query (query, time, namespace, queryParameters, customHeaders) and reads the sample', async () => {
    const prom = await server();
    prom.answer('sum(rate(nginx_ingress_controller_requests{ingress="shop"}[2m]))', 37.5);
    const t = trigger({
      serverAddress: prom.url,
      query: 'sum(rate(nginx_ingress_controller_requests{ingress="shop"}[2m]))',
      threshold: '10',
      namespace: 'team-a',
      queryParameters: 'dedup=true',
      customHeaders: 'X-Scope-OrgID=tenant-a',
    });
    expect(await readOne(t)).toEqual({ value: 37.5, active: true });
    expect(prom.requests).toHaveLength(1);
    expect(prom.requests[0]).toMatchObject({
      path: '/api/v1/query',
      query: [
        ['query', 'sum(rate(nginx_ingress_controller_requests{ingress="shop"}[2m]))'],
        ['time', '2026-12-02T07:00:30Z'],
        ['namespace', 'team-a'],
        ['dedup', 'true'],
      ],
      headers: { 'x-scope-orgid': 'tenant-a' },
    });
  });

  it('reads one query once per pass however many triggers ask it, and counts the call', async () => {
    const prom = await server();
    prom.answer('up', 3);
    const a = trigger({ serverAddress: prom.url, query: 'up', threshold: '1' });
    const b = trigger({ serverAddress: prom.url, query: 'up', threshold: '2', activationThreshold: '5' }, {}, 1);
    const c = trigger({ serverAddress: prom.url, query: 'down', threshold: '2' }, {}, 2);
    const { readings, calls } = await reader()(
      [
        { id: 'shop/web#0', trigger: a, cluster: 'prod' },
        { id: 'shop/api#1', trigger: b, cluster: 'prod' },
        { id: 'shop/api#2', trigger: c, cluster: 'prod' },
      ],
      NOW,
    );
    expect(prom.requests.map((request) => request.query[0]?.[1])).toEqual(expect.arrayContaining(['up', 'down']));
    expect(prom.requests).toHaveLength(2);
    expect(calls).toEqual({ prometheus: 2 });
    expect(prometheusTrigger.toMetric(b, readings.get('shop/api#1') as never, NOW)).toEqual({ value: 3, active: false });
    // An empty vector with ignoreNullValues (default true) reads 0, as KEDA.
    expect(prometheusTrigger.toMetric(c, readings.get('shop/api#2') as never, NOW)).toEqual({ value: 0, active: false });
  });

  it('keeps a path prefix in serverAddress (Thanos, a proxy path)', async () => {
    const prom = await server({ pathPrefix: '/prometheus' });
    prom.answer('up', 1);
    expect(await readOne(trigger({ serverAddress: prom.url, query: 'up', threshold: '1' }))).toEqual({ value: 1, active: true });
    expect(prom.requests[0]?.path).toBe('/prometheus/api/v1/query');
  });

  it('explains a Prometheus error answer with its status and body', async () => {
    const prom = await server();
    prom.answer('rate(x[', { status: 400, body: '{"status":"error","errorType":"bad_data","error":"parse error: unclosed left bracket"}' });
    await expect(readOne(trigger({ serverAddress: prom.url, query: 'rate(x[', threshold: '1' }))).rejects.toThrow(/status: 400 .*unclosed left bracket/);
  });

  it('verifies TLS unless unsafeSsl is true', async () => {
    const prom = await server({ tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY } });
    prom.answer('up', 2);
    await expect(readOne(trigger({ serverAddress: prom.url, query: 'up', threshold: '1' }))).rejects.toMatchObject({ code: 'PrometheusUnreachable' });
    expect(await readOne(trigger({ serverAddress: prom.url, query: 'up', threshold: '1', unsafeSsl: 'true' }))).toEqual({ value: 2, active: true });
  });

  it('ends a call that never answers at the trigger\'s timeout, and one at the read plan\'s limit', async () => {
    const prom = await server();
    prom.answer('slow', 'hang');
    const started = performance.now();
    await expect(readOne(trigger({ serverAddress: prom.url, query: 'slow', threshold: '1', timeout: '200ms' }))).rejects.toMatchObject({
      code: 'PrometheusTimeout',
      message: expect.stringContaining('(timeout 200 ms)'),
    });
    const { readings } = await reader({}, 300)([{ id: 'a', trigger: trigger({ serverAddress: prom.url, query: 'slow', threshold: '1' }), cluster: 'prod' }], NOW);
    expect(readings.get('a')).toBeInstanceOf(TriggerError);
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('refuses an answer larger than the cap instead of buffering it', async () => {
    const prom = await server();
    prom.answer('huge', { status: 200, body: JSON.stringify({ data: { result: [{ value: [1, '1'], metric: { pad: 'x'.repeat(5000) } }] } }) });
    await expect(readOne(trigger({ serverAddress: prom.url, query: 'huge', threshold: '1' }), { maxBodyBytes: 1024 })).rejects.toThrow(/larger than 1024 bytes/);
  });

  it('says where it could not connect', async () => {
    const prom = await server();
    const url = prom.url;
    await prom.close();
    servers.length = 0;
    await expect(readOne(trigger({ serverAddress: url, query: 'up', threshold: '1' }))).rejects.toMatchObject({ code: 'PrometheusUnreachable', message: expect.stringContaining(`${url}/api/v1/query`) });
  });
});

describe('prometheus SigV4 (Amazon Managed Service for Prometheus), verified by the server', () => {
  const identity = { accessKeyId: 'AKIDAMPREADER', secretAccessKey: 'amp-reader-secret' };
  const sigv4 = { ...identity, region: 'eu-west-1', service: 'aps' };

  it('signs every query so the server verifies it, odd characters in the query included', async () => {
    const prom = await server({ pathPrefix: '/workspaces/ws-1234', sigv4 });
    const query = 'sum(rate(http_requests_total{job="api", code=~"5.."}[5m])) * 100';
    prom.answer(query, 12);
    const t = trigger({ serverAddress: prom.url, query, threshold: '5', awsRegion: 'eu-west-1', customHeaders: 'X-Trace=1' }, { podIdentityProvider: 'aws' });
    expect(await readOne(t, { credentialsFor: () => async () => identity, now: () => NOW })).toEqual({ value: 12, active: true });
    expect(prom.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDAMPREADER\/20261202\/eu-west-1\/aps\/aws4_request/);
  });

  it('is refused by the server with the wrong secret, and the error says so', async () => {
    const prom = await server({ pathPrefix: '/workspaces/ws-1234', sigv4 });
    const t = trigger({ serverAddress: prom.url, query: 'up', threshold: '5', awsRegion: 'eu-west-1' }, { podIdentityProvider: 'aws' });
    await expect(readOne(t, { credentialsFor: () => async () => ({ ...identity, secretAccessKey: 'wrong' }) })).rejects.toMatchObject({
      code: 'Prometheus403',
      message: expect.stringContaining('the signature does not match the request'),
    });
  });

  it('signs with the credentials of the trigger\'s source (the podIdentity role)', async () => {
    const prom = await server({ sigv4 });
    prom.answer('up', 1);
    const role = 'arn:aws:iam::111122223333:role/amp-reader';
    const seen: unknown[] = [];
    const t = trigger({ serverAddress: prom.url, query: 'up', threshold: '1', awsRegion: 'eu-west-1' }, { podIdentityProvider: 'aws', podIdentityRoleArn: role });
    await readOne(t, { credentialsFor: (source) => (seen.push(source), async () => identity) });
    expect(seen).toEqual([{ region: 'eu-west-1', roleArn: role }]);
  });
});
