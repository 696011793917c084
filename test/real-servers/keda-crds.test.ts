/**
 * deploy/crds/ on a real kube-apiserver: the CRDs are accepted (structural schemas, CEL rules within
 * the server's cost budget), `kubectl get so` shows KEDA's columns through the server's Table form,
 * the CEL rules refuse what KEDA's admission webhook refuses (each row cites the webhook function in
 * kedacore/keda v2.20 apis/keda/v1alpha1/) and accept what it accepts, including every example in
 * examples/. deploy/rbac-live-objects.yaml is proved allow/deny with the pod scaler's EKS identity.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import {
  NODE_SCALER_IDENTITY,
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  statusOf,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';
import { applyKedaCrds, repoFile } from '../support/keda-crds';

const EXAMPLE_FILES = readdirSync(new URL('../../examples/', import.meta.url)).filter((file) => file.endsWith('.yaml'));
const NS = 'jobs';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const KEDA = { group: 'keda.sh', version: 'v1alpha1' };

type Spec = Record<string, unknown>;
const SQS = { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.us-east-1.amazonaws.com/111122223333/orders', queueLength: '5' } };
const CPU = { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } };
const MEMORY = { type: 'memory', metricType: 'Utilization', metadata: { value: '70' } };

let objectCount = 0;
function scaledObject(spec: Spec, name = `so-${++objectCount}`): KubernetesObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NS },
    spec: { scaleTargetRef: { name: 'web' }, triggers: [SQS], ...spec },
  } as KubernetesObject;
}

function triggerAuthentication(spec: Spec): KubernetesObject {
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: `ta-${++objectCount}`, namespace: NS }, spec } as KubernetesObject;
}

/** The server's refusal message, or 'accepted'. */
async function applyOutcome(kube: RealKubeApiServer, object: KubernetesObject): Promise<string> {
  try {
    await kube.apply([object]);
    return 'accepted';
  } catch (error) {
    const { body, message } = error as { body?: unknown; message?: string };
    return typeof body === 'string' ? body : JSON.stringify(body ?? message);
  }
}

describe.skipIf(REAL_KUBE_SKIP)('deploy/crds/ on a real kube-apiserver', () => {
  let kube: RealKubeApiServer;

  beforeAll(async () => {
    kube = await startRealKubeApiServer();
    await applyKedaCrds(kube);
    // media: examples/sqs-scaledjob.yaml (issue 17).
    await kube.apply(['shop', 'billing', 'analytics', 'batch', 'web', 'media', 'payments', NS].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  }, REAL_KUBE_START_TIMEOUT_MS);
  afterAll(() => kube?.close());

  it('serves the ScaledJob kind (issue 17) with KEDA names, short name and status subresource', async () => {
    const discovery = JSON.parse(await kube.adminGet('/apis/keda.sh/v1alpha1')) as {
      resources: Array<{ name: string; kind: string; namespaced: boolean; shortNames?: string[] }>;
    };
    const byName = Object.fromEntries(discovery.resources.map((resource) => [resource.name, resource]));
    expect(byName.scaledjobs).toMatchObject({ kind: 'ScaledJob', namespaced: true, shortNames: ['sj'] });
    expect(byName['scaledjobs/status']).toBeDefined();
  });

  it('serves the three kinds with KEDA names and short names', async () => {
    const discovery = JSON.parse(await kube.adminGet('/apis/keda.sh/v1alpha1')) as {
      resources: Array<{ name: string; kind: string; namespaced: boolean; shortNames?: string[] }>;
    };
    const byName = Object.fromEntries(discovery.resources.map((resource) => [resource.name, resource]));
    expect(byName.scaledobjects).toMatchObject({ kind: 'ScaledObject', namespaced: true, shortNames: ['so'] });
    expect(byName['scaledobjects/status']).toBeDefined();
    expect(byName.triggerauthentications).toMatchObject({ kind: 'TriggerAuthentication', namespaced: true, shortNames: ['ta', 'triggerauth'] });
    expect(byName.clustertriggerauthentications).toMatchObject({
      kind: 'ClusterTriggerAuthentication',
      namespaced: false,
      shortNames: ['cta', 'clustertriggerauth'],
    });
  });

  it('`kubectl get so` (the server Table) shows KEDA columns filled from spec and status', async () => {
    const object = scaledObject({ minReplicaCount: 1, maxReplicaCount: 7 }, 'orders-worker');
    await kube.apply([object]);
    await kube.writeStatus(object, {
      scaleTargetKind: 'apps/v1.Deployment',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ScaledObjectReady' },
        { type: 'Active', status: 'False', reason: 'ScalerNotActive' },
        { type: 'Fallback', status: 'False', reason: 'NoFallbackFound' },
        { type: 'Paused', status: 'False', reason: 'ScaledObjectUnpaused' },
      ],
      triggersTypes: 'aws-sqs-queue',
      authenticationsTypes: 'orders-queue-reader',
    });
    const table = JSON.parse(
      await kube.adminGet(`/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/orders-worker`, 'application/json;as=Table;v=v1;g=meta.k8s.io'),
    ) as { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[] }> };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((column) => column.name.toUpperCase())).toEqual([
      'NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'TRIGGERS', 'AUTHENTICATIONS', 'AGE',
    ]);
    expect(table.rows[0].cells.slice(0, 11)).toEqual([
      'orders-worker', 'apps/v1.Deployment', 'web', 1, 7, 'True', 'False', 'False', 'False', 'aws-sqs-queue', 'orders-queue-reader',
    ]);
  });

  it.each(EXAMPLE_FILES)('accepts every object in examples/%s', async (file) => {
    const stored = await kube.apply(repoFile(`examples/${file}`));
    expect(stored.filter((object) => object.apiVersion === 'keda.sh/v1alpha1').length).toBeGreaterThan(0);
  });

  it('refuses examples/broken/min-greater-than-max.yaml, as KEDA does', async () => {
    await expect(kube.apply(repoFile('examples/broken/min-greater-than-max.yaml'))).rejects.toMatchObject({
      body: expect.stringContaining('spec.minReplicaCount must be less than or equal to spec.maxReplicaCount'),
    });
  });

  // Each row: what KEDA's webhook refuses (function in apis/keda/v1alpha1/), and the CEL message.
  const refused: Array<{ case: string; source: string; object: () => KubernetesObject; message: string }> = [
    { case: 'min above max', source: 'scaledobject_types.go CheckReplicaCountBoundsAreValid (verifyReplicaCount)', object: () => scaledObject({ minReplicaCount: 5, maxReplicaCount: 3 }), message: 'minReplicaCount must be less than or equal' },
    { case: 'min above the default max of 100', source: 'CheckReplicaCountBoundsAreValid (GetHPAMaxReplicas default 100)', object: () => scaledObject({ minReplicaCount: 101 }), message: 'minReplicaCount must be less than or equal' },
    { case: 'idle equal to min', source: 'CheckReplicaCountBoundsAreValid', object: () => scaledObject({ idleReplicaCount: 2, minReplicaCount: 2 }), message: 'idleReplicaCount must be less than spec.minReplicaCount' },
    { case: 'idle above min', source: 'CheckReplicaCountBoundsAreValid', object: () => scaledObject({ idleReplicaCount: 3, minReplicaCount: 2 }), message: 'idleReplicaCount must be less than' },
    { case: 'idle with no min (min counts as 0)', source: 'CheckReplicaCountBoundsAreValid', object: () => scaledObject({ idleReplicaCount: 0 }), message: 'idleReplicaCount must be less than' },
    { case: 'idle 1 with min 0 (min counts as 1)', source: 'CheckReplicaCountBoundsAreValid (GetHPAMinReplicas)', object: () => scaledObject({ idleReplicaCount: 1, minReplicaCount: 0 }), message: 'idleReplicaCount must be less than' },
    { case: 'fallback with only cpu/memory triggers', source: 'scaledobject_types.go CheckFallbackValid (verifyFallback)', object: () => scaledObject({ minReplicaCount: 1, triggers: [CPU, MEMORY], fallback: { failureThreshold: 3, replicas: 2 } }), message: 'spec.fallback needs at least one trigger that is not cpu or memory' },
    { case: 'negative fallback replicas', source: 'CheckFallbackValid (and the OpenAPI minimum)', object: () => scaledObject({ fallback: { failureThreshold: 3, replicas: -1 } }), message: 'should be greater than or equal to 0' },
    { case: 'negative fallback failureThreshold', source: 'CheckFallbackValid (and the OpenAPI minimum)', object: () => scaledObject({ fallback: { failureThreshold: -1, replicas: 1 } }), message: 'should be greater than or equal to 0' },
    { case: 'fallback behavior scalingModifiers without a formula', source: 'scaledobject_webhook.go verifyScaledObjects', object: () => scaledObject({ fallback: { failureThreshold: 3, replicas: 2, behavior: 'scalingModifiers' } }), message: 'requires spec.advanced.scalingModifiers.formula' },
    { case: 'pollingInterval 0', source: 'scaledobject_types.go ScaledObjectSpec.PollingInterval Minimum=1', object: () => scaledObject({ pollingInterval: 0 }), message: 'should be greater than or equal to 1' },
    { case: 'maxReplicaCount 0', source: 'ScaledObjectSpec.MaxReplicaCount Minimum=1', object: () => scaledObject({ maxReplicaCount: 0 }), message: 'should be greater than or equal to 1' },
    { case: 'no triggers', source: 'scaletriggers_types.go ValidateTriggers (verifyTriggers)', object: () => scaledObject({ triggers: [] }), message: 'should have at least 1 items' },
    { case: 'two triggers with one name', source: 'ValidateTriggers', object: () => scaledObject({ triggers: [{ ...SQS, name: 'a' }, { ...SQS, name: 'a' }] }), message: 'spec.triggers[].name must be unique' },
    { case: 'useCachedMetrics on a cron trigger', source: 'ValidateTriggers', object: () => scaledObject({ triggers: [SQS, { type: 'cron', useCachedMetrics: true, metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: '2' } }] }), message: 'useCachedMetrics is not supported' },
    { case: 'only cpu/memory triggers and min 0', source: 'scaledobject_webhook.go verifyCPUMemoryScalers', object: () => scaledObject({ minReplicaCount: 0, triggers: [CPU] }), message: 'only cpu/memory triggers needs spec.minReplicaCount of at least 1' },
    { case: 'only cpu/memory triggers and no min', source: 'verifyCPUMemoryScalers', object: () => scaledObject({ triggers: [CPU, MEMORY] }), message: 'only cpu/memory triggers' },
    { case: 'scalingModifiers formula without target', source: 'scaledobject_webhook.go validateScalingModifiersFormula', object: () => scaledObject({ advanced: { scalingModifiers: { formula: 'a + b' } } }), message: 'formula is given but target is empty' },
    { case: 'scalingModifiers target without formula', source: 'scaledobject_webhook.go ValidateAndCompileScalingModifiers', object: () => scaledObject({ advanced: { scalingModifiers: { target: '5' } } }), message: 'formula is mandatory' },
    { case: 'scalingModifiers metricType Utilization', source: 'ScalingModifiers.MetricType Enum (validateScalingModifiersTarget)', object: () => scaledObject({ advanced: { scalingModifiers: { formula: 'a', target: '5', metricType: 'Utilization' } } }), message: 'Unsupported value' },
    { case: 'a name longer than 63 characters', source: 'scaledobject_webhook.go verifyName', object: () => scaledObject({}, 'n'.repeat(64)), message: 'metadata.name must be at most 63 characters' },
    { case: 'a name making keda-hpa-<name> longer than 63', source: 'verifyName (getHpaName)', object: () => scaledObject({}, 'n'.repeat(60)), message: 'would exceed 63 characters' },
    { case: 'an empty scaleTargetRef.name', source: 'ScaleTarget.Name MinLength=1', object: () => scaledObject({ scaleTargetRef: { name: '' } }), message: 'should be at least 1 chars long' },
    { case: 'an unknown fallback behavior', source: 'Fallback.Behavior Enum', object: () => scaledObject({ fallback: { failureThreshold: 3, replicas: 2, behavior: 'sometimes' } }), message: 'Unsupported value' },
    { case: 'TriggerAuthentication: aws roleArn with identityOwner workload', source: 'triggerauthentication_webhook.go validateSpec', object: () => triggerAuthentication({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/r', identityOwner: 'workload' } }), message: 'roleArn cannot be set when identityOwner is workload' },
    { case: 'TriggerAuthentication: aws externalID without roleArn', source: 'validateSpec', object: () => triggerAuthentication({ podIdentity: { provider: 'aws', externalID: 'x' } }), message: 'externalID requires' },
    { case: 'TriggerAuthentication: azure-workload empty identityId', source: 'validateSpec', object: () => triggerAuthentication({ podIdentity: { provider: 'azure-workload', identityId: '' } }), message: 'identityId must not be empty' },
    { case: 'TriggerAuthentication: azure authority host without tenant', source: 'validateSpec', object: () => triggerAuthentication({ podIdentity: { provider: 'azure-workload', identityAuthorityHost: 'https://login.example' } }), message: 'identityTenantId must be set' },
    { case: 'TriggerAuthentication: oauth2 without clientId', source: 'validateSpec (oauth2)', object: () => triggerAuthentication({ oauth2: { type: 'clientCredentials', tokenUrl: 'https://idp.example/token' } }), message: 'oauth2.clientId is required' },
    { case: 'TriggerAuthentication: an unknown podIdentity provider', source: 'AuthPodIdentity.Provider Enum', object: () => triggerAuthentication({ podIdentity: { provider: 'aws-kiam' } }), message: 'Unsupported value' },
  ];

  it.each(refused)('refuses $case ($source)', async ({ object, message }) => {
    const outcome = await applyOutcome(kube, object());
    expect(outcome).toContain(message);
  });

  // What KEDA's webhook lets through must pass too: the edges of the same functions.
  const accepted: Array<{ case: string; source: string; object: () => KubernetesObject }> = [
    { case: 'min equal to max', source: 'CheckReplicaCountBoundsAreValid', object: () => scaledObject({ minReplicaCount: 3, maxReplicaCount: 3 }) },
    { case: 'idle 0 with min 0 (min counts as 1)', source: 'CheckReplicaCountBoundsAreValid (GetHPAMinReplicas)', object: () => scaledObject({ idleReplicaCount: 0, minReplicaCount: 0 }) },
    { case: 'idle 0 with min 1', source: 'CheckReplicaCountBoundsAreValid', object: () => scaledObject({ idleReplicaCount: 0, minReplicaCount: 1 }) },
    { case: 'min 100 with no max', source: 'CheckReplicaCountBoundsAreValid (GetHPAMaxReplicas default 100)', object: () => scaledObject({ minReplicaCount: 100 }) },
    { case: 'fallback with a cpu and an SQS trigger', source: 'CheckFallbackValid', object: () => scaledObject({ minReplicaCount: 1, triggers: [CPU, SQS], fallback: { failureThreshold: 3, replicas: 2 } }) },
    { case: 'fallback with only cpu triggers under scalingModifiers', source: 'CheckFallbackValid (IsUsingModifiers)', object: () => scaledObject({ minReplicaCount: 1, triggers: [CPU], advanced: { scalingModifiers: { formula: 'x', target: '2' } }, fallback: { failureThreshold: 3, replicas: 2 } }) },
    { case: 'fallback behavior scalingModifiers with a formula', source: 'verifyScaledObjects', object: () => scaledObject({ triggers: [{ ...SQS, name: 'q' }], advanced: { scalingModifiers: { formula: 'q * 2', target: '5' } }, fallback: { failureThreshold: 3, replicas: 2, behavior: 'scalingModifiers' } }) },
    { case: 'only cpu triggers with min 1', source: 'verifyCPUMemoryScalers', object: () => scaledObject({ minReplicaCount: 1, triggers: [CPU] }) },
    { case: 'unnamed triggers of one type', source: 'ValidateTriggers (only names given are compared)', object: () => scaledObject({ triggers: [SQS, SQS] }) },
    { case: 'a 60-character name with a short HPA name', source: 'verifyName', object: () => scaledObject({ advanced: { horizontalPodAutoscalerConfig: { name: 'short' } } }, 'n'.repeat(60)) },
    { case: 'an HPA behavior section kept whole', source: 'HorizontalPodAutoscalerConfig.Behavior', object: () => scaledObject({ advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } } } } }) },
    { case: 'TriggerAuthentication: aws roleArn', source: 'validateSpec', object: () => triggerAuthentication({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/r' } }) },
    { case: 'TriggerAuthentication: a hashiCorpVault provider, kept as written', source: 'TriggerAuthenticationSpec.HashiCorpVault', object: () => triggerAuthentication({ hashiCorpVault: { address: 'https://vault.example', authentication: 'token', secrets: [{ parameter: 'p', key: 'k', path: 'secret/x' }] } }) },
  ];

  it.each(accepted)('accepts $case ($source)', async ({ object }) => {
    expect(await applyOutcome(kube, object())).toBe('accepted');
  });

  it('keeps providers it does not type (hashiCorpVault) instead of pruning them', async () => {
    const object = triggerAuthentication({ hashiCorpVault: { address: 'https://vault.example', authentication: 'token', secrets: [{ parameter: 'p', key: 'k', path: 'secret/x' }] } });
    await kube.apply([object]);
    const stored = await kube.read<KubernetesObject & { spec: Spec }>('keda.sh/v1alpha1', 'TriggerAuthentication', NS, object.metadata!.name!);
    expect(stored?.spec.hashiCorpVault).toMatchObject({ address: 'https://vault.example' });
  });

  describe('deploy/rbac-live-objects.yaml', () => {
    let asPodScaler: KubeConfig;
    let asNodeScaler: KubeConfig;
    const target = 'rbac-target';
    const list = (config: KubeConfig, plural: string) => config.makeApiClient(CustomObjectsApi).listClusterCustomObject({ ...KEDA, plural });

    beforeAll(async () => {
      await kube.apply(repoFile('deploy/rbac.yaml'));
      await kube.apply([scaledObject({}, target)]);
      asPodScaler = kube.kubeConfigAs(POD_SCALER_IDENTITY);
      asNodeScaler = kube.kubeConfigAs(NODE_SCALER_IDENTITY);
    });

    it('is needed: with deploy/rbac.yaml alone the pod scaler cannot list ScaledObjects', async () => {
      expect(await statusOf(() => list(asPodScaler, 'scaledobjects'))).toBe(403);
    });

    describe('once applied', () => {
      beforeAll(async () => {
        await kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
      });

      it.each(['scaledobjects', 'scaledjobs', 'triggerauthentications', 'clustertriggerauthentications'])('lets the pod scaler list %s in every namespace', async (plural) => {
        expect(await statusOf(() => list(asPodScaler, plural))).toBe(200);
      });

      it('lets the pod scaler get a ScaledObject, and watch the three kinds (SelfSubjectAccessReview on the real authorizer)', async () => {
        const api = asPodScaler.makeApiClient(CustomObjectsApi);
        expect(await statusOf(() => api.getNamespacedCustomObject({ ...KEDA, plural: 'scaledobjects', namespace: NS, name: target }))).toBe(200);
        const authorization = asPodScaler.makeApiClient((await import('@kubernetes/client-node')).AuthorizationV1Api);
        for (const resource of ['scaledobjects', 'triggerauthentications', 'clustertriggerauthentications']) {
          const review = await authorization.createSelfSubjectAccessReview({
            body: { spec: { resourceAttributes: { group: 'keda.sh', resource, verb: 'watch' } } },
          });
          expect(review.status?.allowed, resource).toBe(true);
        }
      });

      it('lets the pod scaler update scaledobjects/status', async () => {
        const api = asPodScaler.makeApiClient(CustomObjectsApi);
        const current = (await api.getNamespacedCustomObject({ ...KEDA, plural: 'scaledobjects', namespace: NS, name: target })) as KubernetesObject & { status?: Spec };
        const body = { ...current, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ScaledObjectReady' }] } };
        expect(await statusOf(() => api.replaceNamespacedCustomObjectStatus({ ...KEDA, plural: 'scaledobjects', namespace: NS, name: target, body }))).toBe(200);
      });

      it('lets the pod scaler create an Event on a ScaledObject and patch it (a repeat count)', async () => {
        const events = asPodScaler.makeApiClient(CoreV1Api);
        const name = `${target}.scaled`;
        await events.createNamespacedEvent({
          namespace: NS,
          body: { metadata: { name }, involvedObject: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: target, namespace: NS }, reason: 'KEDAScaleTargetActivated', message: 'scaled', type: 'Normal', count: 1 },
        });
        expect(await statusOf(() => events.patchNamespacedEvent({ name, namespace: NS, body: { count: 2 } }, MERGE_PATCH))).toBe(200);
      });

      const forbidden: Array<{ action: string; call: () => Promise<unknown> }> = [
        { action: 'create a ScaledObject', call: () => asPodScaler.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...KEDA, plural: 'scaledobjects', namespace: NS, body: scaledObject({}, 'intruder') }) },
        { action: 'patch a ScaledObject spec', call: () => asPodScaler.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ ...KEDA, plural: 'scaledobjects', namespace: NS, name: target, body: { spec: { maxReplicaCount: 50 } } }, MERGE_PATCH) },
        { action: 'delete a ScaledObject', call: () => asPodScaler.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ ...KEDA, plural: 'scaledobjects', namespace: NS, name: target }) },
        { action: 'patch scaledobjects/status (only update is granted)', call: () => asPodScaler.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus({ ...KEDA, plural: 'scaledobjects', namespace: NS, name: target, body: { status: { hpaName: 'x' } } }, MERGE_PATCH) },
        { action: 'create a TriggerAuthentication', call: () => asPodScaler.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...KEDA, plural: 'triggerauthentications', namespace: NS, body: triggerAuthentication({ podIdentity: { provider: 'aws' } }) }) },
        // ScaledJobs are read since issue 17, never written: only their status is.
        { action: 'patch a ScaledJob spec', call: () => asPodScaler.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ ...KEDA, plural: 'scaledjobs', namespace: NS, name: 'any', body: { spec: { maxReplicaCount: 50 } } }, MERGE_PATCH) },
        { action: 'delete a ScaledJob', call: () => asPodScaler.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ ...KEDA, plural: 'scaledjobs', namespace: NS, name: 'any' }) },
        { action: 'delete an Event', call: () => asPodScaler.makeApiClient(CoreV1Api).deleteNamespacedEvent({ name: `${target}.scaled`, namespace: NS }) },
        { action: 'read a Secret a TriggerAuthentication names', call: () => asPodScaler.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'credentials', namespace: NS }) },
        { action: '(as the node scaler) list ScaledObjects', call: () => list(asNodeScaler, 'scaledobjects') },
      ];

      it.each(forbidden)('refuses: the pod scaler may not $action (403)', async ({ call }) => {
        expect(await statusOf(call)).toBe(403);
      });
    });
  });
});
