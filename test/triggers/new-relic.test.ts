import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { createHttpReader } from '../../lambdas/adapters/http/http-reader';
import type { AuthParameterSource } from '../../lambdas/engine/spec/scaled-object';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import { newRelicTrigger, type NewRelicParams } from '../../lambdas/triggers/new-relic';
import { TriggerError, type ParsedTrigger, type TriggerParseInput } from '../../lambdas/triggers/trigger-definition';
import { startNerdGraphServer, type NerdGraphServer } from '../support/nerdgraph-server';

const KEDA_TEST = 'kedacore/keda pkg/scalers/newrelic_scaler_test.go';
const NRQL = "SELECT average(cpuUsedCores) as result FROM K8sContainerSample WHERE containerName='coredns'";
const base = { account: '0', threshold: '100', queryKey: 'somekey', nrql: NRQL };
const env = (envVar: string): AuthParameterSource => ({ from: 'env', envVar });

function parse(metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}) {
  return newRelicTrigger.parse({ objectId: 'shop/web', index: extra.index ?? 0, fieldPath: 'spec.triggers[0].metadata', metadata, ...extra });
}

function trigger(metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}): ParsedTrigger {
  const result = parse(metadata, extra);
  if (!result.parsed) throw new Error(result.errors.map(formatIssue).join('; '));
  const { envRefs, ...parsed } = result.parsed;
  return { index: extra.index ?? 0, type: 'new-relic', metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...parsed };
}

describe('new-relic parse: KEDA testNewRelicMetadata rows', () => {
  // KEDA passes authParams as resolved strings; here a TriggerAuthentication parameter comes from
  // the target's container env (an `env` entry), resolved as at tick time.
  it.each([
    ['empty', {}, {}, true],
    ['all properly formed', base, {}, false],
    ['with region and activationThreshold', { ...base, region: 'EU', activationThreshold: '20' }, {}, false],
    ['account passed via auth params', { region: 'EU', threshold: '100', queryKey: 'somekey', nrql: NRQL }, { account: '0' }, false],
    ['region passed via auth params', base, { region: 'EU' }, false],
    ['account as String', { ...base, account: 'ABC' }, {}, true],
    ['missing account', { threshold: '100', queryKey: 'somekey', nrql: NRQL }, {}, true],
    ['malformed threshold', { ...base, threshold: 'one' }, {}, true],
    ['malformed activationThreshold', { ...base, activationThreshold: 'notanint' }, {}, true],
    ['missing threshold', { account: '0', queryKey: 'somekey', nrql: NRQL }, {}, true],
    ['missing query', { account: '0', threshold: '100', queryKey: 'somekey' }, {}, true],
    ['noDataError invalid value', { ...base, noDataError: 'invalid' }, {}, true],
    ['noDataError true', { ...base, noDataError: 'true' }, {}, false],
    ['noDataError false', { ...base, noDataError: 'false' }, {}, false],
    ['noDataError 0', { ...base, noDataError: '0' }, {}, false],
    ['noDataError 1', { ...base, noDataError: '1' }, {}, false],
  ])(`%s (${KEDA_TEST})`, (_name, metadata, authValues, isError) => {
    const authParams = Object.fromEntries(Object.keys(authValues).map((name) => [name, env(`NR_${name.toUpperCase()}`)]));
    const resolvedEnv = Object.fromEntries(Object.entries(authValues).map(([name, value]) => [`NR_${name.toUpperCase()}`, value]));
    const result = parse(metadata as Record<string, string>, { authParams, resolvedEnv });
    expect(result.errors.length > 0).toBe(isError);
  });

  it('names the metric s<index>-new-relic (KEDA newrelicMetricIdentifiers) and applies the defaults', () => {
    expect(trigger(base, { index: 1 })).toMatchObject({ metricName: 's1-new-relic', target: 100, activationTarget: 0 });
    expect(trigger(base).params).toMatchObject({ account: 0, region: 'US', noDataError: false, nrql: NRQL });
  });

  it('prefers the TriggerAuthentication\'s account over metadata (order=authParams;triggerMetadata)', () => {
    const parsed = trigger({ ...base, account: '1' }, { authParams: { account: env('NR_ACCOUNT') }, resolvedEnv: { NR_ACCOUNT: '2' } });
    expect((parsed.params as unknown as NewRelicParams).account).toBe(2);
  });

  it('refuses a region other than US and EU', () => {
    expect(parse({ ...base, region: 'APAC' }).errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.region', fix: 'use "US" (the default) or "EU"' });
  });
});

describe('new-relic queryKey: where the credential comes from', () => {
  const { queryKey: _dropped, ...withoutKey } = base;

  it('names exactly the Secret key of a TriggerAuthentication secretTargetRef, never a value', () => {
    const parsed = trigger(withoutKey, { authParams: { queryKey: { from: 'secret', name: 'newrelic', key: 'queryKey' } }, authenticationKind: 'TriggerAuthentication' });
    expect((parsed.params as unknown as NewRelicParams).queryKey).toEqual({ from: 'secret', namespace: 'shop', name: 'newrelic', key: 'queryKey' });
    const request = newRelicTrigger.readRequest(parsed, 0, { cluster: 'prod' });
    expect(request?.key).toBe(`newrelic|US|0|secret:prod/shop/newrelic/queryKey|${NRQL}`);
  });

  it.each(['TriggerAuthentication', 'ClusterTriggerAuthentication'] as const)('names the AWS Secrets Manager secret of a %s awsSecretManager, for the adapter to read at call time', (authenticationKind) => {
    const source = { from: 'awsSecretManager', secretId: 'nr', versionStage: 'AWSCURRENT', secretKey: 'queryKey', region: 'eu-west-1' } as AuthParameterSource;
    const parsed = trigger(withoutKey, { authParams: { queryKey: source }, authenticationKind });
    expect((parsed.params as unknown as NewRelicParams).queryKey).toEqual({ from: 'aws-secret', secretId: 'nr', versionStage: 'AWSCURRENT', secretKey: 'queryKey', region: 'eu-west-1' });
    const request = newRelicTrigger.readRequest(parsed, 0, {});
    expect(request?.service === 'newrelic' && request.call.secretHeader).toEqual({ header: 'API-Key', awsSecret: { secretId: 'nr', versionStage: 'AWSCURRENT', secretKey: 'queryKey', region: 'eu-west-1' } });
    expect(request?.key).toBe(`newrelic|US|0|aws-secret:["eu-west-1",null,"nr",null,"AWSCURRENT","queryKey"]|${NRQL}`);
  });

  it('warns that a metadata key is plain text, and keeps it out of the request key', () => {
    const result = parse(base);
    expect(result.warnings[0]).toMatchObject({ field: 'spec.triggers[0].metadata.queryKey', message: 'the query key is written in the ScaledObject in plain text' });
    expect(newRelicTrigger.readRequest(trigger(base), 0, {})?.key).not.toContain('somekey');
  });

  it.each([
    ['a ClusterTriggerAuthentication Secret (KEDA\'s namespace)', { queryKey: { from: 'secret', name: 'nr', key: 'k' } as AuthParameterSource }, 'ClusterTriggerAuthentication' as const, 'whose Secrets live in KEDA\'s own namespace'],
    ['a ConfigMap', { queryKey: { from: 'configMap', name: 'nr', key: 'k' } as AuthParameterSource }, 'TriggerAuthentication' as const, 'no place for a credential'],
  ])('refuses %s', (_name, authParams, authenticationKind, message) => {
    const result = parse(withoutKey, { authParams, authenticationKind });
    expect(result.parsed).toBeUndefined();
    expect(result.errors[0]?.message).toContain(message);
  });

  it('is required somewhere', () => {
    expect(parse(withoutKey).errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.queryKey', message: 'missing required parameter "queryKey"' });
  });
});

describe('new-relic metric step (KEDA executeNewRelicQuery)', () => {
  const lenient = trigger(base);
  const strict = trigger({ ...base, noDataError: 'true' });
  const nerdGraph = (results: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ data: { actor: { account: { nrql: { results } } } }, ...extra });
  const outcome = (t: ParsedTrigger, body: string, status = 200): number | string => {
    try {
      return newRelicTrigger.toMetric(t, { service: 'newrelic', status, body }, 0).value;
    } catch (error) {
      return (error as TriggerError).code;
    }
  };

  // [name, trigger, answer body, status, value or error code]; source: KEDA newrelic_scaler.go executeNewRelicQuery.
  it.each([
    ['the first numeric value of the first row', lenient, nerdGraph([{ result: 42.5 }, { result: 1 }]), 200, 42.5],
    ['a row whose first value is text: the first number', lenient, nerdGraph([{ name: 'coredns', result: 3 }]), 200, 3],
    ['no rows, noDataError false: 0', lenient, nerdGraph([]), 200, 0],
    ['no rows, noDataError true: error', strict, nerdGraph([]), 200, 'NewRelicNoData'],
    ['no numeric value, noDataError false: 0', lenient, nerdGraph([{ result: null }]), 200, 0],
    ['no numeric value, noDataError true: error', strict, nerdGraph([{ result: 'n/a' }]), 200, 'NewRelicNoData'],
    ['a GraphQL error (NRQL syntax)', lenient, JSON.stringify({ errors: [{ message: 'NRQL Syntax Error' }] }), 200, 'NewRelicQueryError'],
    ['a refused key', lenient, JSON.stringify({ errors: [{ message: 'Invalid API key' }] }), 401, 'NewRelic401'],
    ['a server error', lenient, 'oops', 502, 'NewRelic502'],
  ])('%s', (_name, t, body, status, expected) => {
    expect(outcome(t, body, status)).toBe(expected);
  });
});

describe('new-relic reads against a NerdGraph-shaped server', () => {
  let nr: NerdGraphServer;
  beforeAll(async () => {
    nr = await startNerdGraphServer({ apiKeys: ['NRAK-GOOD'], accounts: [1234567] });
  });
  afterAll(() => nr.close());

  it('POSTs KEDA\'s NerdGraph query with the API-Key header, once for equal queries, to the region\'s endpoint', async () => {
    const nrql = 'SELECT latest(queueDepth) FROM QueueSample';
    nr.answer(nrql, [{ 'latest.queueDepth': 17 }]);
    const a = trigger({ account: '1234567', threshold: '5', queryKey: 'NRAK-GOOD', nrql });
    const b = trigger({ account: '1234567', threshold: '9', queryKey: 'NRAK-GOOD', nrql }, { index: 1 });
    const eu = trigger({ account: '1234567', threshold: '5', queryKey: 'NRAK-GOOD', nrql, region: 'eu' });
    const read = createTriggerReader({
      clientFactory: new AwsClientFactory(),
      http: createHttpReader({ originOverrides: { 'https://api.newrelic.com': nr.origin, 'https://api.eu.newrelic.com': nr.origin } }),
    });
    const { readings, calls } = await read(
      [
        { id: 'a', trigger: a, cluster: 'prod' },
        { id: 'b', trigger: b, cluster: 'prod' },
        { id: 'eu', trigger: eu, cluster: 'prod' },
      ],
      0,
    );
    expect(calls).toEqual({ newrelic: 2 });
    expect(nr.requests.slice(-2).map(({ apiKey, accountId, nrql: sent }) => ({ apiKey, accountId, sent }))).toEqual([
      { apiKey: 'NRAK-GOOD', accountId: 1234567, sent: nrql },
      { apiKey: 'NRAK-GOOD', accountId: 1234567, sent: nrql },
    ]);
    expect(newRelicTrigger.toMetric(b, readings.get('b') as never, 0)).toEqual({ value: 17, active: true });
  });

  it('explains a refused key and an account without access, without the key in the message', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory(), http: createHttpReader({ originOverrides: { 'https://api.newrelic.com': nr.origin } }) });
    const bad = trigger({ account: '1234567', threshold: '5', queryKey: 'NRAK-BAD', nrql: 'SELECT 1' });
    const elsewhere = trigger({ account: '999', threshold: '5', queryKey: 'NRAK-GOOD', nrql: 'SELECT 1' });
    const { readings } = await read([{ id: 'bad', trigger: bad }, { id: 'elsewhere', trigger: elsewhere }], 0);
    const error = (t: ParsedTrigger, id: string) => {
      try {
        newRelicTrigger.toMetric(t, readings.get(id) as never, 0);
        return undefined;
      } catch (caught) {
        return caught as TriggerError;
      }
    };
    expect(error(bad, 'bad')).toMatchObject({ code: 'NewRelic401', message: expect.stringContaining('use a User key (NRAK-...)') });
    expect(error(bad, 'bad')?.message).not.toContain('NRAK-BAD');
    expect(error(elsewhere, 'elsewhere')).toMatchObject({ code: 'NewRelicQueryError', message: expect.stringContaining('Account not found or user does not have access') });
  });
});

describe('new-relic with its TriggerAuthentication missing from the input', () => {
  it('says the parameters it would supply are unknown (not that an IAM role is used)', async () => {
    const { parseManifests } = await import('../../lambdas/engine/spec/parse-manifests');
    const result = parseManifests(
      `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {name: web}
  triggers:
    - type: new-relic
      authenticationRef: {name: newrelic}
      metadata: {account: "1", nrql: "SELECT 1", threshold: "1"}
`,
      { file: 'test.yaml' },
    );
    expect(result.warnings.map((issue) => issue.message)).toEqual(['TriggerAuthentication "newrelic" in namespace shop is not in the input, so the parameters it supplies (its podIdentity, queryKey, account, region) are unknown']);
    expect(result.errors.map((issue) => issue.message)).toEqual(['missing required parameter "queryKey"']);
  });
});
