/** A bad spec fails synth with the engine's message (object, field, fix), before anything reaches AWS. */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import { EksLambdaScaler, ScaledObjectSource, ScaledObjectValidationError } from '../../lib';
import type { ScaledObjectManifest } from '../../lib';
import { buildScaler, sqsScaledObject } from './support/scaler-stack';

const BAD_QUEUE_LENGTH = sqsScaledObject('orders', 'https://sqs.us-east-1.amazonaws.com/123456789012/orders', { queueLength: '1.5' });

function synthError(build: () => unknown): ScaledObjectValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof ScaledObjectValidationError) return error;
    throw error;
  }
  throw new Error('synth succeeded');
}

describe('synth-time validation', () => {
  it('fails with exactly the engine\'s messages for a bad ScaledObject', () => {
    const error = synthError(() => buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(BAD_QUEUE_LENGTH, 'orders.yaml')] }));
    const engine = parseManifests(BAD_QUEUE_LENGTH, { file: 'orders.yaml' }).errors;
    expect(engine.length).toBeGreaterThan(0);
    expect(error.issues).toEqual(engine);
    for (const issue of engine) expect(error.message).toContain(formatIssue(issue));
    expect(error.message).toContain('jobs/orders');
    expect(error.message).toContain('spec.triggers[0].metadata.queueLength');
  });

  it('reports every broken example file, naming the file and line', () => {
    const error = synthError(() =>
      buildScaler({
        scaledObjects: ['bad-queue-length.yaml', 'min-greater-than-max.yaml', 'unquoted-boolean.yaml'].map((file) =>
          ScaledObjectSource.fromFile(`examples/broken/${file}`),
        ),
      }),
    );
    for (const file of ['bad-queue-length.yaml', 'min-greater-than-max.yaml', 'unquoted-boolean.yaml']) {
      expect(error.message).toContain(`examples/broken/${file}`);
    }
  });

  it('validates manifests written as objects the same way', () => {
    const manifest: ScaledObjectManifest = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'orders', namespace: 'jobs' },
      spec: {
        scaleTargetRef: { name: 'orders' },
        minReplicaCount: 5,
        maxReplicaCount: 2,
        triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: 'orders', awsRegion: 'us-east-1' } }],
      },
    };
    const error = synthError(() => buildScaler({ scaledObjects: [ScaledObjectSource.fromManifests([manifest], 'app.ts')] }));
    expect(error.message).toContain('jobs/orders');
    expect(error.message).toMatch(/minReplicaCount|maxReplicaCount/);

    const fixed = buildScaler({ scaledObjects: [ScaledObjectSource.fromManifests([{ ...manifest, spec: { ...manifest.spec, minReplicaCount: 0 } }])] });
    expect(fixed.scaler.config.scaledObjects.map((object) => object.id)).toEqual(['jobs/orders']);
  });

  it('rejects an object annotated with a cluster the scaler is not deployed for', () => {
    const yaml = sqsScaledObject('orders', 'orders').replace(
      '  namespace: jobs\n',
      '  namespace: jobs\n  annotations:\n    eks-lambda-scaler.io/cluster: staging\n',
    );
    const error = synthError(() => buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(yaml)] }));
    expect(error.issues).toEqual([
      expect.objectContaining({
        objectId: 'jobs/orders',
        field: 'metadata.annotations["eks-lambda-scaler.io/cluster"]',
        fix: expect.stringContaining('"prod"'),
      }),
    ]);
  });

  it('rejects the same object, or two objects on one workload, spread over two files', () => {
    const orders = sqsScaledObject('orders', 'orders');
    const twice = synthError(() =>
      buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(orders, 'a.yaml'), ScaledObjectSource.fromYaml(orders, 'b.yaml')] }),
    );
    // The engine's parser sees all sources as one configuration and names both files.
    expect(twice.issues).toEqual([
      expect.objectContaining({ objectId: 'jobs/orders', field: 'metadata.name', file: 'a.yaml' }),
      expect.objectContaining({ objectId: 'jobs/orders', field: 'metadata.name', file: 'b.yaml' }),
    ]);

    const rival = orders.replace('  name: orders\n', '  name: orders-too\n');
    const fight = synthError(() =>
      buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(orders, 'a.yaml'), ScaledObjectSource.fromYaml(rival, 'b.yaml')] }),
    );
    expect(fight.issues).toEqual([
      expect.objectContaining({ objectId: 'jobs/orders', field: 'spec.scaleTargetRef.name', file: 'a.yaml', message: expect.stringContaining('jobs/orders-too') }),
      expect.objectContaining({ objectId: 'jobs/orders-too', field: 'spec.scaleTargetRef.name', file: 'b.yaml', message: expect.stringContaining('jobs/orders;') }),
    ]);
  });

  it('rejects a node group of an unknown cluster', () => {
    expect(() => buildScaler({ nodeGroups: [{ cluster: 'staging', autoScalingGroupName: 'workers' }] })).toThrow(
      /nodeGroups\[0\] \(workers\): cluster "staging" is not in the construct's clusters/,
    );
  });

  it('a missing file names the path', () => {
    expect(() => buildScaler({ scaledObjects: [ScaledObjectSource.fromFile('no/such/file.yaml')] })).toThrow(
      /cannot read ScaledObject file no\/such\/file\.yaml/,
    );
  });

  it('asks for a region when neither the stack nor the cluster has one', () => {
    expect(() => buildScaler({}, { env: {} })).toThrow(/cluster "prod" has no region and the stack .* is region-agnostic/);
  });

  it('creates no resource at all when validation fails', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Fails', { env: { region: 'us-east-1' } });
    expect(
      () => new EksLambdaScaler(stack, 'Scaler', { clusters: [{ name: 'prod' }], scaledObjects: [ScaledObjectSource.fromYaml(BAD_QUEUE_LENGTH)] }),
    ).toThrow(ScaledObjectValidationError);
    expect(stack.node.findAll().filter((construct) => CfnResource.isCfnResource(construct))).toEqual([]);
  });
});

describe('synth-time validation across sources', () => {
  it('resolves a TriggerAuthentication from another source, and grants AssumeRole on its role', () => {
    const auth = `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: reader, namespace: jobs}
spec:
  podIdentity: {provider: aws, roleArn: "arn:aws:iam::222222222222:role/queue-reader"}
`;
    const object = sqsScaledObject('orders', 'orders').replace('      metadata:\n', '      authenticationRef: {name: reader}\n      metadata:\n');
    const { scaler } = buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(object, 'so.yaml'), ScaledObjectSource.fromYaml(auth, 'auth.yaml')] });
    expect(scaler.config.scaledObjects[0]?.triggers[0]?.aws?.roleArn).toBe('arn:aws:iam::222222222222:role/queue-reader');
    expect(scaler.triggerResources.assumeRoleArns).toEqual(['arn:aws:iam::222222222222:role/queue-reader']);
  });
});

describe('hpaSyncPeriodSeconds', () => {
  it('ships in the configuration, and a value out of range fails synth', () => {
    expect(buildScaler({ hpaSyncPeriodSeconds: 0 }).scaler.config.hpaSyncPeriodSeconds).toBe(0);
    expect(buildScaler({}).scaler.config.hpaSyncPeriodSeconds).toBeUndefined();
    expect(() => buildScaler({ hpaSyncPeriodSeconds: 2.5 })).toThrow(/hpaSyncPeriodSeconds must be a whole number of seconds from 0 to 60/);
  });
});
