import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import { httpCall, prometheusTrigger, queryString, type PrometheusParams } from '../../lambdas/triggers/prometheus';
import { parseServerAddress } from '../../lambdas/triggers/prometheus-server';
import { TriggerError, type ParsedTrigger, type TriggerParseInput } from '../../lambdas/triggers/trigger-definition';

const KEDA_TEST = 'kedacore/keda pkg/scalers/prometheus_scaler_test.go';
const base = { serverAddress: 'http://localhost:9090', metricName: 'http_requests_total', threshold: '100', query: 'up' };

function parse(metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}) {
  return prometheusTrigger.parse({ objectId: 'shop/web', index: extra.index ?? 0, fieldPath: 'spec.triggers[0].metadata', metadata, ...extra });
}

function trigger(metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}): ParsedTrigger {
  const result = parse(metadata, extra);
  if (!result.parsed) throw new Error(result.errors.map(formatIssue).join('; '));
  const { envRefs, ...parsed } = result.parsed;
  return { index: extra.index ?? 0, type: 'prometheus', metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...parsed };
}

describe('prometheus parse: KEDA testPromMetadata rows', () => {
  // Each row: KEDA's metadata and whether KEDA's parsePrometheusMetadata fails (source: KEDA_TEST, testPromMetadata).
  it.each([
    ['empty metadata', {}, true],
    ['all properly formed', base, false],
    ['with namespace', { serverAddress: 'http://localhost:9090', threshold: '100', query: 'up', namespace: 'foo' }, false],
    ['with ignoreNullValues', { ...base, ignoreNullValues: 'false' }, false],
    ['with activationThreshold', { ...base, activationThreshold: '50' }, false],
    ['missing serverAddress', { ...base, serverAddress: '' }, true],
    ['missing threshold', { serverAddress: 'http://localhost:9090', metricName: 'http_requests_total', query: 'up' }, true],
    ['malformed threshold', { ...base, threshold: 'one' }, true],
    ['malformed activationThreshold', { ...base, activationThreshold: 'one' }, true],
    ['missing query', { ...base, query: '' }, true],
    ['ignoreNullValues with wrong value', { ...base, ignoreNullValues: 'xxxx' }, true],
    ['unsafeSsl', { ...base, serverAddress: 'https://localhost:9090', unsafeSsl: 'true' }, false],
    ['customHeaders', { ...base, customHeaders: 'key1=value1,key2=value2' }, false],
    ['customHeaders with wrong format', { ...base, customHeaders: 'key1=value1,key2' }, true],
    ['queryParameters', { ...base, queryParameters: 'key1=value1,key2=value2' }, false],
    ['queryParameters with wrong format', { ...base, queryParameters: 'key1=value1,key2' }, true],
    ['valid custom http client timeout', { ...base, timeout: '1000' }, false],
    ['negative timeout', { ...base, timeout: '-1' }, true],
    ['timeout not a number', { ...base, timeout: 'a' }, true],
  ])(`%s (${KEDA_TEST})`, (_name, metadata, isError) => {
    const result = parse(metadata as Record<string, string>);
    expect(result.errors.length > 0).toBe(isError);
    expect(result.parsed === undefined).toBe(isError);
  });

  it('names the metric s<index>-prometheus (KEDA prometheusMetricIdentifiers)', () => {
    expect(trigger(base, { index: 0 }).metricName).toBe('s0-prometheus');
    expect(trigger(base, { index: 1 }).metricName).toBe('s1-prometheus');
  });

  it('applies KEDA defaults: activationThreshold 0, ignoreNullValues true, unsafeSsl false; target rounded to milli-units', () => {
    const parsed = trigger({ ...base, threshold: '2.0004' });
    expect(parsed).toMatchObject({ target: 2, activationTarget: 0 });
    expect(parsed.params).toMatchObject({ ignoreNullValues: true, unsafeSsl: false, queryParameters: [], customHeaders: [] });
    expect(parsed.aws).toBeUndefined();
  });

  it('says what is wrong and how to fix it', () => {
    const result = parse({ ...base, customHeaders: 'key1=value1,key2', timeout: 'soon' });
    expect(result.errors.map((issue) => [issue.field, issue.message, issue.fix])).toEqual([
      ['spec.triggers[0].metadata.customHeaders', 'expected format key=value, got "key2"', 'write customHeaders as comma-separated key=value pairs, e.g. "key1=value1,key2=value2"'],
      ['spec.triggers[0].metadata.timeout', '"soon" is neither a duration such as "30s" or "5m" nor a number of milliseconds', 'write the timeout as a duration such as "3s" or as milliseconds such as "3000"'],
    ]);
  });

  it.each([
    ['Go duration', '1m30s', 90_000],
    ['milliseconds', '2500', 2500],
    ['zero means the default', '0', undefined],
  ])('timeout as %s', (_name, timeout, timeoutMs) => {
    expect((trigger({ ...base, timeout }).params as unknown as PrometheusParams).timeoutMs).toBe(timeoutMs);
  });

  it('refuses a header the route owns, and a header name Node could never send', () => {
    const result = parse({ ...base, customHeaders: 'Authorization=Bearer x,Bad Name=1' });
    expect(result.errors.map((issue) => issue.message)).toEqual([
      'header "Authorization" is set by the scaler for the request\'s route (service proxy or SigV4), so a custom value could never reach the server',
      '"Bad Name" is not a valid HTTP header name',
    ]);
  });
});

describe('prometheus parse: KEDA testPrometheusAuthMetadata rows are refused (credentials from Secrets are not read)', () => {
  // KEDA accepts these with the secrets in authParams (KEDA_TEST, testPrometheusAuthMetadata); the
  // scaler reads no Secrets for prometheus, so each is an error naming the routes that need none.
  it.each(['tls', 'bearer', 'basic', 'custom', 'tls, basic'])(`authModes %s (${KEDA_TEST})`, (authModes) => {
    const result = parse({ ...base, authModes });
    expect(result.parsed).toBeUndefined();
    expect(result.errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.authModes' });
    expect(result.errors[0]?.message).toContain('not supported');
  });
});

describe('prometheus serverAddress: which route reaches it', () => {
  it.each([
    ['http://prom-op-kube-prometheus-st-prometheus.prometheus.svc:9090', { kind: 'service', scheme: 'http', service: 'prom-op-kube-prometheus-st-prometheus', namespace: 'prometheus', port: 9090, pathPrefix: '' }],
    ['https://thanos.monitoring.svc.cluster.local/prom/', { kind: 'service', scheme: 'https', service: 'thanos', namespace: 'monitoring', port: 443, pathPrefix: '/prom' }],
    ['http://prometheus.monitoring:9090', { kind: 'service', scheme: 'http', service: 'prometheus', namespace: 'monitoring', port: 9090, pathPrefix: '' }],
    ['http://Prometheus.Monitoring.SVC', { kind: 'service', scheme: 'http', service: 'prometheus', namespace: 'monitoring', port: 80, pathPrefix: '' }],
    ['http://localhost:9090', { kind: 'url', baseUrl: 'http://localhost:9090' }],
    ['http://10.0.3.7:9090', { kind: 'url', baseUrl: 'http://10.0.3.7:9090' }],
    ['https://example.com.', { kind: 'url', baseUrl: 'https://example.com.' }],
    ['https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1', { kind: 'url', baseUrl: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1' }],
  ])('%s', (address, server) => {
    expect(parseServerAddress(address)).toEqual({ server });
  });

  it.each([
    ['prometheus:9090', 'is not an http(s) URL'],
    ['http://prometheus:9090', 'bare name'],
    ['http://a.b.c.svc:9090', 'ends in .svc but is not <service>.<namespace>.svc'],
    ['http://9prom.monitoring.svc', 'does not start with a letter'],
    ['http://prom.Bad_ns.svc', 'namespace'],
    ['http://user:pw@prom.monitoring.svc', 'user name or password'],
  ])('%s is refused (%s)', (address, problem) => {
    const parsed = parseServerAddress(address);
    expect('problem' in parsed && parsed.problem).toContain(problem);
  });
});

describe('prometheus request: the query KEDA builds', () => {
  const now = Date.parse('2026-12-02T06:51:52.731Z');

  it('escapes as Go url.QueryEscape, sends time as RFC 3339 seconds, then namespace, then queryParameters', () => {
    const params = trigger({ ...base, query: 'sum(rate(x{a="b c"}[1m]))*1', namespace: 'team-a', queryParameters: 'dedup=true,partial response=yes' }).params as unknown as PrometheusParams;
    expect(queryString(params, now)).toBe(
      'query=sum%28rate%28x%7Ba%3D%22b+c%22%7D%5B1m%5D%29%29%2A1&time=2026-12-02T06:51:52Z&namespace=team-a&dedup=true&partial+response=yes',
    );
  });

  it('goes through the service proxy of the object\'s cluster for an in-cluster Service', () => {
    const params = trigger({ ...base, serverAddress: 'http://prometheus-operated.monitoring.svc:9090', customHeaders: 'X-Scope-OrgID=a' }).params as unknown as PrometheusParams;
    expect(httpCall(params, now, { cluster: 'prod' })).toEqual({
      service: 'prometheus',
      route: { kind: 'service-proxy', cluster: 'prod' },
      url: `/api/v1/namespaces/monitoring/services/http:prometheus-operated:9090/proxy/api/v1/query?query=up&time=2026-12-02T06:51:52Z`,
      headers: [['X-Scope-OrgID', 'a']],
      insecureTls: false,
    });
    expect(() => httpCall(params, now, {})).toThrow(TriggerError);
  });

  it('deduplicates: equal queries of one pass have one key; another cluster or header is another read', () => {
    const web = trigger({ ...base, serverAddress: 'http://prom.monitoring.svc:9090' });
    const api = trigger({ ...base, serverAddress: 'http://prom.monitoring.svc:9090', threshold: '5' }, { index: 2 });
    const key = (t: ParsedTrigger, cluster: string) => prometheusTrigger.readRequest(t, now, { cluster })?.key;
    expect(key(web, 'prod')).toBe(key(api, 'prod'));
    expect(key(web, 'prod')).not.toBe(key(web, 'staging'));
    expect(key(trigger({ ...base, serverAddress: 'http://prom.monitoring.svc:9090', customHeaders: 'X-Scope-OrgID=b' }), 'prod')).not.toBe(key(web, 'prod'));
  });
});

describe('prometheus SigV4 (Amazon Managed Service for Prometheus), as KEDA signs with podIdentity provider aws', () => {
  const amp = { ...base, serverAddress: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234' };
  const role = 'arn:aws:iam::111122223333:role/amp-reader';

  it('signs with the podIdentity role in awsRegion', () => {
    const parsed = trigger({ ...amp, awsRegion: 'eu-west-1' }, { podIdentityProvider: 'aws', podIdentityRoleArn: role });
    expect(parsed.aws).toEqual({ region: 'eu-west-1', roleArn: role });
    expect(httpCall(parsed.params as unknown as PrometheusParams, 0).route).toEqual({ kind: 'sigv4', service: 'aps', region: 'eu-west-1' });
  });

  it('signs as the scaler itself when podIdentity names no role', () => {
    expect(trigger({ ...amp, awsRegion: 'eu-west-1' }, { podIdentityProvider: 'aws' }).aws).toEqual({ region: 'eu-west-1' });
  });

  it('takes awsRegion from the TriggerAuthentication too (order=triggerMetadata;authParams)', () => {
    const result = parse(amp, { podIdentityProvider: 'aws', authParams: { awsRegion: { from: 'env', envVar: 'REGION' } }, resolvedEnv: { REGION: 'eu-west-1' } });
    expect(result.parsed?.aws).toEqual({ region: 'eu-west-1' });
  });

  it.each([
    ['an AMP workspace without podIdentity', amp, {}, 'serverAddress', 'answers only SigV4-signed requests'],
    ['no awsRegion', amp, { podIdentityProvider: 'aws' }, 'awsRegion', 'is required to sign requests with SigV4'],
    ['awsRegion not the workspace\'s', { ...amp, awsRegion: 'us-east-1' }, { podIdentityProvider: 'aws' }, 'awsRegion', 'is not the workspace\'s region "eu-west-1"'],
    ['SigV4 for an in-cluster Service', { ...base, serverAddress: 'http://prom.monitoring.svc:9090', awsRegion: 'eu-west-1' }, { podIdentityProvider: 'aws' }, 'serverAddress', 'cannot be sent to it'],
  ])('refuses %s', (_name, metadata, extra, field, message) => {
    const result = parse(metadata, extra as Partial<TriggerParseInput>);
    expect(result.parsed).toBeUndefined();
    expect(result.errors[0]?.field).toBe(`spec.triggers[0].metadata.${field}`);
    expect(result.errors[0]?.message).toContain(message);
  });
});

describe('prometheus metric step: KEDA testPromQueryResult rows', () => {
  const withNulls = trigger(base);
  const strict = trigger({ ...base, ignoreNullValues: 'false' });
  const answer = (body: string, status = 200) => ({ service: 'prometheus' as const, status, body });
  const outcome = (t: ParsedTrigger, body: string, status = 200): number | string => {
    try {
      return prometheusTrigger.toMetric(t, answer(body, status), 0).value;
    } catch (error) {
      return (error as TriggerError).code;
    }
  };

  // Rows of KEDA_TEST testPromQueryResult (ExecutePromQuery in pkg/scalers/prometheus_scaler.go):
  // [name, body, status, ignoreNullValues, expected value or error code].
  it.each([
    ['no results', '{}', 200, true, 0],
    ['no values', '{"data":{"result":[]}}', 200, true, 0],
    ["no values but shouldn't ignore", '{"data":{"result":[]}}', 200, false, 'PrometheusEmptyResult'],
    ['value is empty list', '{"data":{"result":[{"value": []}]}}', 200, true, 0],
    ["value is empty list but shouldn't ignore", '{"data":{"result":[{"value": []}]}}', 200, false, 'PrometheusEmptyResult'],
    ['valid value', '{"data":{"result":[{"value": ["1", "2"]}]}}', 200, true, 2],
    ['not enough values', '{"data":{"result":[{"value": ["1"]}]}}', 200, true, 'PrometheusBadAnswer'],
    ['multiple results', '{"data":{"result":[{},{}]}}', 200, true, 'PrometheusMultipleSeries'],
    ['error status response', '{}', 400, true, 'Prometheus400'],
    ["+Inf but shouldn't ignore", '{"data":{"result":[{"value": ["1", "+Inf"]}]}}', 200, false, 'PrometheusNotANumber'],
    ["-Inf but shouldn't ignore", '{"data":{"result":[{"value": ["1", "-Inf"]}]}}', 200, false, 'PrometheusNotANumber'],
    ["NaN but shouldn't ignore", '{"data":{"result":[{"value": ["1", "NaN"]}]}}', 200, false, 'PrometheusNotANumber'],
  ])(`%s (${KEDA_TEST})`, (_name, body, status, ignoreNullValues, expected) => {
    expect(outcome(ignoreNullValues ? withNulls : strict, body, status)).toBe(expected);
  });

  // KEDA_TEST rows "+Inf", "-Inf", "NaN" with ignoreNullValues true expect 0: a deliberate
  // difference (docs/scaledobject-reference.md). A value that is not a finite number is an error.
  it.each(['+Inf', '-Inf', 'NaN'])('%s is an error even with ignoreNullValues true (KEDA reads 0)', (text) => {
    expect(outcome(withNulls, `{"data":{"result":[{"value": [1, "${text}"]}]}}`)).toBe('PrometheusNotANumber');
  });

  it.each([
    ['a null sample value (KEDA returns -1 unflagged)', '{"data":{"result":[{"value": [1, null]}]}}', 'PrometheusNotANumber'],
    ['a sample that is not a number', '{"data":{"result":[{"value": [1, "12 apples"]}]}}', 'PrometheusNotANumber'],
    ['a scalar result (KEDA fails to decode it)', '{"data":{"resultType":"scalar","result":[1, "3"]}}', 'PrometheusBadAnswer'],
    ['an HTML page', '<html>login</html>', 'PrometheusBadAnswer'],
  ])('%s is an error', (_name, body, code) => {
    expect(outcome(withNulls, body)).toBe(code);
  });

  it('is active above activationThreshold only (strictly greater)', () => {
    const t = trigger({ ...base, activationThreshold: '5' });
    expect(prometheusTrigger.toMetric(t, answer('{"data":{"result":[{"value":[1,"5"]}]}}'), 0)).toEqual({ value: 5, active: false });
    expect(prometheusTrigger.toMetric(t, answer('{"data":{"result":[{"value":[1,"5.5"]}]}}'), 0)).toEqual({ value: 5.5, active: true });
  });

  it('explains the API server\'s refusal to proxy (RBAC) with the fix', () => {
    const t = trigger({ ...base, serverAddress: 'http://prom.monitoring.svc:9090' });
    const forbidden = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'services "prom" is forbidden: User "x" cannot get resource "services/proxy"', code: 403 });
    expect(() => prometheusTrigger.toMetric(t, answer(forbidden, 403), 0)).toThrow(/refused to proxy .* 403 services "prom" is forbidden.*get on services\/proxy in namespace monitoring/);
  });
});
