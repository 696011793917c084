/**
 * A new-relic trigger whose query key comes from a TriggerAuthentication's `awsSecretManager`
 * (issue 20 item 3), through the real pod scaler handler: the real kube-apiserver for the target,
 * moto's Secrets Manager for the key, and a NerdGraph-shaped server on loopback. The key reaches
 * New Relic and nothing else: not the state table, not the invocation's summary. The IAM grant the
 * construct derives for it is checked in test/engine/spec/aws-secret-manager.test.ts.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER, pollOnly, REGION } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { captureLogs } from '../support/capture-logs';
import { startNerdGraphServer, type NerdGraphServer } from '../support/nerdgraph-server';

const KEY = 'NRAK-FROMSECRETSMANAGER';
const NRQL = "SELECT latest(queueDepth) FROM QueueSample WHERE queue = 'orders'";
const manifests = (secret: string) => `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: newrelic, namespace: shop}
spec:
  awsSecretManager:
    podIdentity: {provider: aws}
    region: ${REGION}
    secrets:
      - {parameter: queryKey, name: ${secret}, secretKey: queryKey}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: orders, namespace: shop}
spec:
  scaleTargetRef: {name: orders}
  minReplicaCount: 0
  maxReplicaCount: 20
  triggers:
    - type: new-relic
      authenticationRef: {name: newrelic}
      metadata:
        account: "1234567"
        nrql: "${NRQL}"
        threshold: "10"
`;

let harness: RealHarness;
let nr: NerdGraphServer;
const origins = () => ({ 'https://api.newrelic.com': nr.origin });

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  [harness, nr] = await Promise.all([startRealHarness(), startNerdGraphServer({ apiKeys: [KEY], accounts: [1234567] })]);
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await nr?.close();
  await harness?.close();
});

beforeEach(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  await harness.reset();
  nr.requests.length = 0;
});

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  await new SecretsManagerClient(harness.moto.clientConfig(REGION)).send(new CreateSecretCommand({ Name: 'newrelic/scaler', SecretString: JSON.stringify({ queryKey: KEY }) }));
});

describe.skipIf(REAL_POD_SCALER_SKIP)('new-relic query key from AWS Secrets Manager, through the real handler', () => {
  it('scales on the NRQL value, and the key is in no state item and no summary', async () => {
    await harness.putDeployment('orders', 0);
    nr.answer(NRQL, [{ 'latest.queueDepth': 35 }]); // 35 / 10 per replica: the HPA wants 4
    const summary = await harness.tick(harness.handlerFor(pollOnly(manifests('newrelic/scaler')), {}, {}, origins()));
    expect(summary).toMatchObject({ errors: 0 });
    expect(summary.calls.secretsmanager).toBe(1);
    expect(await harness.replicasOf('orders')).toBe(4);
    expect(nr.requests.length).toBeGreaterThan(0);
    expect(nr.requests.every((request) => request.apiKey === KEY)).toBe(true);
    const states = await harness.store.loadMany([`${CLUSTER}/shop/orders`]);
    expect(JSON.stringify([...states.states.values()])).not.toContain(KEY);
    expect(JSON.stringify(summary)).not.toContain(KEY);
  });

  it('a missing secret fails only that object, with the secret named and nothing sent to New Relic', async () => {
    await harness.putDeployment('orders', 2);
    const { lines } = await captureLogs(() => harness.tick(harness.handlerFor(pollOnly(manifests('newrelic/absent')), {}, {}, origins())));
    expect(JSON.stringify(lines)).toContain('AWS Secrets Manager secret newrelic/absent does not exist in us-east-1');
    expect(nr.requests).toHaveLength(0);
    expect(await harness.replicasOf('orders')).toBe(2);
  });
});
