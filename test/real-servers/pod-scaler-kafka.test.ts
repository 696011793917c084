/**
 * A kafka trigger through the real pod scaler handler (test/pod-scaler/real-harness.ts: a real
 * kube-apiserver, state on dynalite) against a real Apache Kafka broker (test/support/kafka-broker.ts):
 * the SCRAM login's username and password read from a Secret as the pod scaler's EKS identity, with
 * the RBAC lib/permissions/trigger-rbac.ts derives, and KEDA's partition cap on the replicas.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deriveTriggerRbac, triggerRbacYaml } from '../../lib/permissions/trigger-rbac';
import { CLUSTER, configFrom, pollOnly } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { KAFKA_SKIP, KAFKA_START_TIMEOUT_MS, KAFKA_USERS, startKafka, type KafkaBroker } from '../support/kafka-broker';

const SKIP = REAL_POD_SCALER_SKIP || KAFKA_SKIP;
const manifests = (bootstrap: string) => `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: kafka-scram, namespace: shop}
spec:
  secretTargetRef:
    - {parameter: username, name: kafka-credentials, key: username}
    - {parameter: password, name: kafka-credentials, key: password}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: orders, namespace: shop}
spec:
  scaleTargetRef: {name: orders}
  minReplicaCount: 0
  maxReplicaCount: 20
  triggers:
    - type: kafka
      authenticationRef: {name: kafka-scram}
      metadata:
        bootstrapServers: "${bootstrap}"
        consumerGroup: workers
        topic: orders
        lagThreshold: "2"
        sasl: scram_sha512
`;

let harness: RealHarness;
let kafka: KafkaBroker;

beforeAll(async () => {
  if (SKIP) return;
  [harness, kafka] = await Promise.all([startRealHarness(), startKafka({ partitions: 3 })]);
  await harness.kube.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kafka-credentials', namespace: 'shop' }, stringData: KAFKA_USERS.scram }] as never);
  // 30 records consumed, then 12 more: lag 12 over 3 partitions.
  await kafka.produce('orders', 30);
  await kafka.resetGroup('workers', 'orders', '--to-latest');
  await kafka.produce('orders', 12);
}, Math.max(REAL_POD_SCALER_START_TIMEOUT_MS, KAFKA_START_TIMEOUT_MS));

afterAll(async () => {
  await kafka?.stop();
  await harness?.close();
});

beforeEach(async () => {
  if (SKIP) return;
  await harness.reset();
});

describe.skipIf(SKIP)('kafka lag through the real handler (real kube-apiserver, real Kafka broker)', () => {
  it('scales to the partition cap: lag 12 at lagThreshold 2 would be 6 pods, 3 partitions allow 3', async () => {
    const yaml = manifests(kafka.saslBootstrap);
    await harness.kube.apply(triggerRbacYaml(deriveTriggerRbac(configFrom(yaml).scaledObjects)));
    await harness.putDeployment('orders', 0);
    const summary = await harness.tick(harness.handlerFor(pollOnly(yaml)));
    expect(summary).toMatchObject({ errors: 0 });
    expect(summary.calls.kafka).toBeGreaterThan(0);
    expect(await harness.replicasOf('orders')).toBe(3);
    const states = await harness.store.loadMany([`${CLUSTER}/shop/orders`]);
    expect(JSON.stringify([...states.states.values()])).not.toContain(KAFKA_USERS.scram.password);
    expect(JSON.stringify(summary)).not.toContain(KAFKA_USERS.scram.password);
  });
});
