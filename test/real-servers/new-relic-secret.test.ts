/**
 * A new-relic trigger whose query key comes from a TriggerAuthentication `secretTargetRef`, on the
 * real kube-apiserver (the Secret read as the pod scaler's EKS identity, with the RBAC that
 * lib/permissions/trigger-rbac.ts derives: get on that Secret by name) and a NerdGraph-shaped server
 * on loopback, then through the real handler (test/pod-scaler/real-harness.ts). The key reaches New
 * Relic and nothing else: not the state table, not the invocation's results.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { createHttpReader } from '../../lambdas/adapters/http/http-reader';
import { createSecretKeyReader } from '../../lambdas/adapters/kubernetes/secret-key-reader';
import { newRelicTrigger } from '../../lambdas/triggers/new-relic';
import { TriggerError } from '../../lambdas/triggers/trigger-definition';
import { deriveTriggerRbac, triggerRbacYaml, TRIGGER_RBAC_ROLE } from '../../lib/permissions/trigger-rbac';
import { CLUSTER, configFrom, pollOnly } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { startNerdGraphServer, type NerdGraphServer } from '../support/nerdgraph-server';
import { POD_SCALER_IDENTITY } from '../support/real-kube-apiserver';

const KEY = 'NRAK-REALSECRETVALUE';
const NRQL = 'SELECT latest(queueDepth) FROM QueueSample WHERE queue = \'orders\'';
const MANIFESTS = `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: newrelic, namespace: shop}
spec:
  secretTargetRef:
    - {parameter: queryKey, name: newrelic, key: queryKey}
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
  await harness.kube.apply([
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'newrelic', namespace: 'shop' }, stringData: { queryKey: KEY } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: 'shop' }, stringData: { queryKey: 'not-for-the-scaler' } },
  ] as never);
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

async function readAsPodScaler(yaml: string): Promise<{ value: number } | TriggerError> {
  const trigger = configFrom(yaml).scaledObjects[0]!.triggers[0]!;
  const kubeConfigFor = async () => harness.kube.kubeConfigAs(POD_SCALER_IDENTITY);
  const http = createHttpReader({ readSecretKey: createSecretKeyReader(kubeConfigFor), originOverrides: origins() });
  const { readings } = await createTriggerReader({ clientFactory: new AwsClientFactory(), http })([{ id: 'x', trigger, cluster: CLUSTER }], Date.now());
  const reading = readings.get('x');
  if (reading instanceof TriggerError) return reading;
  try {
    return newRelicTrigger.toMetric(trigger, reading as never, 0);
  } catch (error) {
    return error as TriggerError;
  }
}

describe.skipIf(REAL_POD_SCALER_SKIP)('new-relic query key from a Secret, on the real kube-apiserver', () => {
  it('cannot read the Secret without the derived Role, and says which grant is missing', async () => {
    await harness.kube.apply(`{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: ${TRIGGER_RBAC_ROLE}, namespace: shop}, rules: []}`);
    const result = await readAsPodScaler(MANIFESTS);
    expect(result).toBeInstanceOf(TriggerError);
    expect((result as TriggerError).message).toContain('forbidden to read Secret shop/newrelic in cluster test-cluster: grant the pod scaler\'s group get on secrets named newrelic in namespace shop');
    expect(nr.requests).toHaveLength(0);
  });

  it('reads exactly that Secret with the derived Role, and no other', async () => {
    const rbac = triggerRbacYaml(deriveTriggerRbac(configFrom(MANIFESTS).scaledObjects));
    expect(rbac).toContain('- secrets');
    expect(rbac).toContain('- newrelic');
    await harness.kube.apply(rbac);
    nr.answer(NRQL, [{ 'latest.queueDepth': 12 }]);
    expect(await readAsPodScaler(MANIFESTS)).toEqual({ value: 12, active: true });
    expect(nr.requests.map((request) => request.apiKey)).toEqual([KEY]);
    const other = await readAsPodScaler(MANIFESTS.replace('name: newrelic, key: queryKey', 'name: other, key: queryKey'));
    expect((other as TriggerError).message).toContain('forbidden to read Secret shop/other');
  });

  it('scales through the real handler, and the key is in no state item and no result', async () => {
    await harness.kube.apply(triggerRbacYaml(deriveTriggerRbac(configFrom(MANIFESTS).scaledObjects)));
    await harness.putDeployment('orders', 0);
    nr.answer(NRQL, [{ 'latest.queueDepth': 35 }]); // 35 / 10 per replica: the HPA wants 4
    const summary = await harness.tick(harness.handlerFor(pollOnly(MANIFESTS), {}, {}, origins()));
    expect(summary).toMatchObject({ errors: 0 });
    expect(summary.calls.newrelic).toBeGreaterThan(0);
    expect(await harness.replicasOf('orders')).toBe(4);
    expect(nr.requests.every((request) => request.apiKey === KEY && request.accountId === 1234567)).toBe(true);
    const states = await harness.store.loadMany([`${CLUSTER}/shop/orders`]);
    expect(JSON.stringify([...states.states.values()])).not.toContain(KEY);
    expect(JSON.stringify(summary)).not.toContain(KEY);
  });
});
