/**
 * An in-cluster Prometheus (`http://<svc>.<ns>.svc:9090`) read through the real kube-apiserver's
 * service proxy, as the pod scaler's EKS identity, with the RBAC that lib/permissions/
 * trigger-rbac.ts derives; then a ScaledObject scaled on it through the real handler
 * (test/pod-scaler/real-harness.ts: real apiserver, moto, dynalite).
 *
 * Why the test Prometheus listens on the host's own non-loopback address: the API server refuses
 * loopback endpoints. An EndpointSlice address in 127.0.0.0/8 or ::1 fails validation
 * (k8s.io/kubernetes pkg/apis/core/validation ValidateEndpointIP, called from
 * pkg/apis/discovery/validation validateEndpoints: "may not be in the loopback range"), and the
 * service proxy only dials endpoints that target a Pod whose status.podIPs holds the address
 * (pkg/registry/core/service/storage ResourceLocation, isValidAddress). So the server binds the
 * first non-internal IPv4 address of this machine and the Pod's status names it; packets to one's
 * own address never leave the host. The first test shows the loopback refusal itself.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { createHttpReader } from '../../lambdas/adapters/http/http-reader';
import { prometheusTrigger } from '../../lambdas/triggers/prometheus';
import { TriggerError, type Reading } from '../../lambdas/triggers/trigger-definition';
import { deriveTriggerRbac, triggerRbacYaml, TRIGGER_RBAC_ROLE } from '../../lib/permissions/trigger-rbac';
import { CLUSTER, configFrom, pollOnly, sqsObject } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { startPrometheusApiServer, type PrometheusApiServer } from '../support/prometheus-api-server';
import { POD_SCALER_IDENTITY } from '../support/real-kube-apiserver';

const HOST_IP = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
const SKIP = REAL_POD_SCALER_SKIP ?? (HOST_IP ? undefined : 'this machine has no non-loopback IPv4 address for the test Prometheus (the API server refuses loopback endpoints)');

const MONITORING = 'monitoring';
const QUERY = 'sum(rate(nginx_ingress_controller_requests{ingress="shop"}[2m]))';

/** A Pod "running" Prometheus at HOST_IP, its Service (port 9090, named web) and the EndpointSlice a controller would write. */
function prometheusWorld(service: string, targetPort: number, address: string): Record<string, unknown>[] {
  const pod = `${service}-0`;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MONITORING } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: MONITORING, labels: { app: service } }, spec: { containers: [{ name: 'prometheus', image: 'prom/prometheus:v3' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: service, namespace: MONITORING }, spec: { selector: { app: service }, ports: [{ name: 'web', port: 9090, targetPort: 'web' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${service}-slice`, namespace: MONITORING, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: MONITORING, name: pod } }],
      ports: [{ name: 'web', port: targetPort, protocol: 'TCP' }],
    },
  ];
}

function scaledObject(name: string, serverAddress: string, extra = ''): string {
  return `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: shop}
spec:
  scaleTargetRef: {name: ${name}}
  pollingInterval: 30
  minReplicaCount: 0
  maxReplicaCount: 20
  triggers:
    - type: prometheus
      metadata:
        serverAddress: ${serverAddress}
        query: '${QUERY}'
        threshold: "10"${extra}
`;
}

let harness: RealHarness;
let prom: PrometheusApiServer;

beforeAll(async () => {
  if (SKIP) return;
  [harness, prom] = await Promise.all([startRealHarness(), startPrometheusApiServer({ host: HOST_IP })]);
  for (const service of ['prometheus-operated', 'other']) {
    const [namespace, pod, ...rest] = prometheusWorld(service, prom.port, HOST_IP!);
    await harness.kube.apply([namespace, pod, ...rest] as never);
    await harness.kube.writeStatus(pod as never, { phase: 'Running', podIP: HOST_IP, podIPs: [{ ip: HOST_IP }] });
  }
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await prom?.close();
  await harness?.close();
});

beforeEach(async () => {
  if (SKIP) return;
  await harness.reset();
  prom.requests.length = 0;
});

/** Reads one ScaledObject's trigger as the pod scaler's identity, straight to the apiserver. */
async function readAsPodScaler(yaml: string): Promise<{ value: number } | TriggerError> {
  const object = configFrom(yaml).scaledObjects[0]!;
  const trigger = object.triggers[0]!;
  const http = createHttpReader({ kubeConfigFor: async () => harness.kube.kubeConfigAs(POD_SCALER_IDENTITY) });
  const read = createTriggerReader({ clientFactory: new AwsClientFactory(), http });
  const { readings } = await read([{ id: 'x', trigger, cluster: 'test' }], Date.now());
  const reading = readings.get('x');
  if (reading instanceof TriggerError) return reading;
  try {
    return prometheusTrigger.toMetric(trigger, reading as Reading, Date.now());
  } catch (error) {
    return error as TriggerError;
  }
}

describe.skipIf(SKIP)('prometheus through the real kube-apiserver service proxy', () => {
  it('the API server refuses an EndpointSlice on loopback, which is why the test server is on the host address', async () => {
    const [, , , slice] = prometheusWorld('loopback', 9090, '127.0.0.1');
    await expect(harness.kube.apply([{ ...slice!, metadata: { ...(slice!.metadata as object), name: 'loopback-slice' } }] as never)).rejects.toThrow(/may not be in the loopback range/);
  });

  it('is forbidden without the derived Role, and the error names the grant', async () => {
    await harness.kube.apply(`{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: ${TRIGGER_RBAC_ROLE}, namespace: ${MONITORING}}, rules: []}`);
    const result = await readAsPodScaler(scaledObject('web', 'http://prometheus-operated.monitoring.svc:9090'));
    expect(result).toBeInstanceOf(TriggerError);
    expect(result).toMatchObject({ code: 'ServiceProxy403', message: expect.stringMatching(/refused to proxy .*forbidden.*get on services\/proxy in namespace monitoring/) });
    expect(prom.requests).toHaveLength(0);
  });

  it('reads the query through the proxy with the derived Role; the Service it names and no other', async () => {
    const yaml = scaledObject('web', 'http://prometheus-operated.monitoring.svc:9090', '\n        customHeaders: X-Scope-OrgID=shop');
    const rbac = triggerRbacYaml(deriveTriggerRbac(configFrom(yaml).scaledObjects));
    expect(rbac).toContain('- http:prometheus-operated:9090');
    await harness.kube.apply(rbac);
    prom.answer(QUERY, 42);

    expect(await readAsPodScaler(yaml)).toEqual({ value: 42, active: true });
    expect(prom.requests).toHaveLength(1);
    expect(prom.requests[0]).toMatchObject({ path: '/api/v1/query', query: expect.arrayContaining([['query', QUERY]]), headers: { 'x-scope-orgid': 'shop' } });
    // The API server authenticates the scaler and does not pass its token on to the Service.
    expect(prom.requests[0]?.headers.authorization).toBeUndefined();

    // Same namespace, another Service: not in resourceNames, so forbidden.
    expect(await readAsPodScaler(scaledObject('web', 'http://other.monitoring.svc:9090'))).toMatchObject({ code: 'ServiceProxy403' });
    // The same Service in another form of its name is the same grant.
    expect(await readAsPodScaler(scaledObject('web', 'http://prometheus-operated.monitoring.svc.cluster.local:9090'))).toEqual({ value: 42, active: true });
  });

  it('says so when the Service has no such port', async () => {
    await harness.kube.apply(triggerRbacYaml([{ namespace: MONITORING, serviceProxies: ['http:prometheus-operated:9091'], secrets: [] }]));
    expect(await readAsPodScaler(scaledObject('web', 'http://prometheus-operated.monitoring.svc:9091'))).toMatchObject({
      code: 'ServiceProxy503',
      message: expect.stringContaining('no service port 9091 found'),
    });
  });

  it('scales a ScaledObject on the in-cluster address through the real handler', async () => {
    const yaml = scaledObject('orders', 'http://prometheus-operated.monitoring.svc:9090');
    await harness.kube.apply(triggerRbacYaml(deriveTriggerRbac(configFrom(yaml).scaledObjects)));
    await harness.putDeployment('orders', 0);
    prom.answer(QUERY, 35); // 35 / 10 per replica: the HPA wants 4
    const summary = await harness.tick(harness.handlerFor(pollOnly(yaml)));
    expect(summary).toMatchObject({ errors: 0 });
    expect(summary.calls.prometheus).toBeGreaterThan(0);
    expect(await harness.replicasOf('orders')).toBe(4);
    // Every read went through the scaler's path to the API server (here the harness's recording proxy).
    const proxied = harness.proxy.requests.filter((request) => request.path.includes('/proxy/'));
    // One read per KEDA poll (0 s and 30 s of the minute), each through the API server's service proxy.
    expect(proxied.map((request) => request.path)).toEqual(Array(2).fill('/api/v1/namespaces/monitoring/services/http:prometheus-operated:9090/proxy/api/v1/query'));
    expect(prom.requests).toHaveLength(2);
  });

  it('a service proxy that never answers fails only that object, within the read timeout; the others scale', async () => {
    const yaml = scaledObject('orders', 'http://prometheus-operated.monitoring.svc:9090') + '---\n' + sqsObject({ name: 'billing', queue: queueUrl('orders') });
    await harness.kube.apply(triggerRbacYaml(deriveTriggerRbac(configFrom(yaml).scaledObjects)));
    await harness.putDeployment('orders', 1);
    await harness.putDeployment('billing', 0);
    await harness.setBacklog(10); // billing: 10 / 5 per replica = 2
    harness.proxy.inject({ match: (request) => request.path.includes('/proxy/'), fault: 'hang' });
    const began = performance.now();
    const summary = await harness.tick(harness.handlerFor(pollOnly(yaml)));
    expect(performance.now() - began).toBeLessThan(30_000);
    expect(await harness.replicasOf('billing')).toBe(2);
    expect(await harness.replicasOf('orders')).toBe(1);
    expect(summary.errors).toBeGreaterThan(0);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.statusReason).toMatch(/prometheus query to the Kubernetes API server of cluster \S+ \(service proxy \/api\/v1\/namespaces\/monitoring\/services\/http:prometheus-operated:9090\/proxy\/api\/v1\/query\) did not answer (within|in time)/);
  });
});
