import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { deriveTriggerRbac, triggerRbacYaml } from '../../lib/permissions/trigger-rbac';

const object = (name: string, serverAddress: string) => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: shop}
spec:
  scaleTargetRef: {name: ${name}}
  triggers:
    - {type: prometheus, metadata: {serverAddress: "${serverAddress}", query: up, threshold: "1"}}
`;

describe('trigger RBAC: service proxies of prometheus triggers', () => {
  it('grants get on services/proxy per namespace, by exact <scheme>:<service>:<port>, deduplicated', () => {
    const { objects, errors } = parseManifests(
      [
        object('a', 'http://prometheus-operated.monitoring.svc:9090'),
        object('b', 'http://prometheus-operated.monitoring.svc.cluster.local:9090'),
        object('c', 'https://thanos-query.observability:10902'),
        object('d', 'http://10.0.0.5:9090'),
      ].join('---\n'),
      { file: 'test.yaml' },
    );
    expect(errors).toEqual([]);
    const grants = deriveTriggerRbac(objects);
    expect(grants).toEqual([
      { namespace: 'monitoring', serviceProxies: ['http:prometheus-operated:9090'], secrets: [] },
      { namespace: 'observability', serviceProxies: ['https:thanos-query:10902'], secrets: [] },
    ]);
    const documents = triggerRbacYaml(grants).split(/^---\n/m).filter(Boolean).map((text) => parse(text));
    expect(documents).toHaveLength(4);
    expect(documents[0]).toMatchObject({ kind: 'Role', metadata: { name: 'eks-lambda-scaler-triggers', namespace: 'monitoring' }, rules: [{ apiGroups: [''], resources: ['services/proxy'], resourceNames: ['http:prometheus-operated:9090'], verbs: ['get'] }] });
    expect(documents[1]).toMatchObject({ kind: 'RoleBinding', subjects: [{ kind: 'Group', name: 'eks-lambda-scaler' }], roleRef: { kind: 'Role', name: 'eks-lambda-scaler-triggers' } });
  });

  it('is empty when no trigger names an in-cluster Service', () => {
    expect(triggerRbacYaml(deriveTriggerRbac([]))).toBe('');
  });
});

describe('trigger RBAC: Secrets of kafka triggers', () => {
  it('grants get on exactly the Secrets a kafka TriggerAuthentication names (examples/kafka-consumer.yaml), none for MSK IAM', () => {
    const read = (name: string) => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
    const { objects, errors } = parseManifests(`${read('kafka-consumer.yaml')}\n---\n${read('kafka-msk-iam.yaml')}`, { file: 'examples.yaml' });
    expect(errors).toEqual([]);
    expect(deriveTriggerRbac(objects)).toEqual([{ namespace: 'shop', serviceProxies: [], secrets: ['kafka-credentials'] }]);
  });
});
