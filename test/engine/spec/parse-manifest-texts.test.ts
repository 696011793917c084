import { describe, expect, it } from 'vitest';
import { parseManifestTexts } from '../../../lambdas/engine/spec/parse-manifests';

const object = (name: string, target: string, extra = '') => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: shop}
spec:
  scaleTargetRef: {name: ${target}}
  triggers:
    - type: aws-sqs-queue
${extra}
      metadata: {queueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/q", awsRegion: eu-west-1}
`;

describe('parseManifestTexts: several files, one configuration', () => {
  it('rejects two ScaledObjects on one workload across files, naming each file', () => {
    const result = parseManifestTexts([
      { text: object('a', 'worker'), file: 'a.yaml' },
      { text: object('b', 'worker'), file: 'b.yaml' },
    ]);
    expect(result.objects).toEqual([]);
    expect(result.errors.map((issue) => [issue.file, issue.objectId, issue.field])).toEqual([
      ['a.yaml', 'shop/a', 'spec.scaleTargetRef.name'],
      ['b.yaml', 'shop/b', 'spec.scaleTargetRef.name'],
    ]);
    expect(result.errors[0]?.message).toContain('also scaled by ScaledObject shop/b');
  });

  it('lets a TriggerAuthentication in one file serve a ScaledObject in another', () => {
    const auth = `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: reader, namespace: shop}
spec:
  podIdentity: {provider: aws, roleArn: "arn:aws:iam::123456789012:role/reader"}
`;
    const result = parseManifestTexts([
      { text: object('a', 'worker', '      authenticationRef: {name: reader}'), file: 'so.yaml' },
      { text: auth, file: 'auth.yaml' },
    ]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.objects[0]?.triggers[0]?.aws?.roleArn).toBe('arn:aws:iam::123456789012:role/reader');
    expect(result.objects[0]?.sourceFile).toBe('so.yaml');
  });
});
