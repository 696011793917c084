import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../lambdas/engine/spec/issues';
import { parseManifests } from '../lambdas/engine/spec/parse-manifests';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const yamlFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.yaml'));

function parseExample(path: string) {
  return parseManifests(readFileSync(join(EXAMPLES, path), 'utf8'), { file: path, strict: true });
}

describe('good examples', () => {
  it.each(yamlFiles(EXAMPLES))('%s parses with no errors or warnings (strict)', (name) => {
    const result = parseExample(name);
    expect(result.errors.map(formatIssue)).toEqual([]);
    expect(result.objects.length + result.scaledJobs.length).toBeGreaterThan(0);
  });

  it('sqs-scaledjob.yaml is a ScaledJob of one message per Job, its queue read with the TriggerAuthentication role', () => {
    const result = parseExample('sqs-scaledjob.yaml');
    expect(result.objects).toEqual([]);
    const [job] = result.scaledJobs;
    expect(job).toMatchObject({
      id: 'media/thumbnails',
      pollingInterval: 15,
      minReplicaCount: 0,
      maxReplicaCount: 50,
      successfulJobsHistoryLimit: 10,
      failedJobsHistoryLimit: 5,
      jobTargetRef: { parallelism: 1, completions: 1, activeDeadlineSeconds: 900, backoffLimit: 2 },
      scalingStrategy: { strategy: 'default', multipleScalersCalculation: 'max' },
    });
    expect(job!.triggers[0]).toMatchObject({ type: 'aws-sqs-queue', target: 1, aws: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/thumbnails-queue-reader' } });
  });

  it('cron-window.yaml is the quarter-hour Seoul window', () => {
    const [object] = parseExample('cron-window.yaml').objects;
    expect(object).toMatchObject({ id: 'batch/report-sync', minReplicaCount: 0, maxReplicaCount: 2 });
    expect(object!.triggers[0]).toMatchObject({
      type: 'cron',
      metricName: 's0-cron-Asia-Seoul-00Cm15Cm30Cm45xxxx-05Cm20Cm35Cm50xxxx',
      target: 1,
      params: { timezone: 'Asia/Seoul', start: '00,15,30,45 * * * *', end: '05,20,35,50 * * * *', desiredReplicas: 1 },
    });
  });

  it('sqs-worker.yaml assumes the TriggerAuthentication role and keeps its HPA behavior', () => {
    const result = parseExample('sqs-worker.yaml');
    const [object] = result.objects;
    expect(object).toMatchObject({ id: 'shop/orders-worker', minReplicaCount: 0, maxReplicaCount: 20 });
    expect(object!.cluster).toBeUndefined();
    expect(object!.behavior!.scaleUp!.policies).toHaveLength(2);
    expect(object!.triggers[0]).toMatchObject({ metricName: 's0-aws-sqs-orders', target: 5, aws: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/orders-queue-reader' } });
  });
});

describe('kafka examples', () => {
  it('kafka-consumer.yaml reads lag with SCRAM over TLS, its credentials named in a Secret (never copied)', () => {
    const [object] = parseExample('kafka-consumer.yaml').objects;
    expect(object).toMatchObject({ id: 'shop/order-consumer', minReplicaCount: 0, maxReplicaCount: 24 });
    expect(object!.triggers[0]).toMatchObject({
      type: 'kafka',
      metricName: 's0-kafka-orders',
      target: 50,
      activationTarget: 0,
      params: {
        bootstrapServers: ['kafka-0.kafka.internal:9093', 'kafka-1.kafka.internal:9093'],
        consumerGroup: 'order-consumer',
        topics: ['orders'],
        sasl: { mechanism: 'SCRAM-SHA-512', password: { from: 'secret', namespace: 'shop', name: 'kafka-credentials', key: 'password' } },
        tls: { insecure: false, ca: { from: 'secret', name: 'kafka-credentials', key: 'ca.crt' } },
      },
    });
  });

  it('kafka-msk-iam.yaml signs the MSK IAM login with the podIdentity role, over two topics', () => {
    const [object] = parseExample('kafka-msk-iam.yaml').objects;
    expect(object!.triggers[0]).toMatchObject({
      type: 'apache-kafka',
      metricName: 's0-kafka-settlements,refunds',
      target: 100,
      aws: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/msk-lag-reader' },
      params: { topics: ['settlements', 'refunds'], sasl: { mechanism: 'AWS_MSK_IAM', region: 'eu-west-1' }, tls: { insecure: false } },
    });
  });
});

describe('scheduled-floor.yaml', () => {
  it('combines a cron floor and an SQS queue with scalingModifiers', () => {
    const [object] = parseExample('scheduled-floor.yaml').objects;
    expect(object).toMatchObject({
      id: 'billing/invoice-worker',
      fallback: { failureThreshold: 3, replicas: 4, behavior: 'scalingModifiers' },
      scalingModifiers: { formula: 'max(floor * 5, queue ?? 20)', target: 5, activationTarget: 0, metricType: 'AverageValue' },
    });
    expect(object!.triggers.map((trigger) => trigger.name)).toEqual(['floor', 'queue']);
  });
});

describe('cron-plus-cpu.yaml', () => {
  it('combines a weekday cron floor with a cpu Utilization trigger, min 1 (cpu cannot wake from zero)', () => {
    const [object] = parseExample('cron-plus-cpu.yaml').objects;
    expect(object).toMatchObject({ id: 'web/php-apache', minReplicaCount: 1, maxReplicaCount: 10 });
    expect(object!.triggers[1]).toMatchObject({
      type: 'cpu',
      metricName: 's1-cpu',
      metricType: 'Utilization',
      target: 50,
      params: { resource: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
    });
  });
});

describe('broken examples', () => {
  const expected: Record<string, string[]> = {
    'unquoted-boolean.yaml': [
      'examples/broken/unquoted-boolean.yaml:15: error: shop/orders-worker: spec.triggers[0].metadata.scaleOnInFlight: must be a string, but YAML read the unquoted boolean false (quote it: scaleOnInFlight: "false")',
    ],
    'bad-queue-length.yaml': [
      'examples/broken/bad-queue-length.yaml:15: error: shop/orders-worker: spec.triggers[0].metadata.queueLength: "2.5" is not a whole number (set metadata.queueLength to a whole number such as "5" (no decimals, exponent, sign "+" or leading zeros))',
    ],
    'unknown-trigger-type.yaml': [
      'examples/broken/unknown-trigger-type.yaml:11: error: shop/mailer: spec.triggers[0].type: trigger type "rabbitmq" is not supported (use one of: aws-sqs-queue, aws-kinesis-stream, aws-cloudwatch, aws-dynamodb, aws-dynamodb-streams, cron, cpu, memory, prometheus, new-relic, kafka, apache-kafka)',
    ],
    'min-greater-than-max.yaml': [
      'examples/broken/min-greater-than-max.yaml:9: error: shop/checkout-api: spec.minReplicaCount: minReplicaCount 10 is greater than maxReplicaCount 5 (set minReplicaCount <= maxReplicaCount, e.g. raise maxReplicaCount to 10)',
    ],
    'legacy-api.yaml': [
      'examples/broken/legacy-api.yaml:2: error: shop/orders-worker: apiVersion: "keda.k8s.io/v1alpha1" is the KEDA v1 API, which KEDA 2 no longer serves (change apiVersion to keda.sh/v1alpha1, rename scaleTargetRef.deploymentName to scaleTargetRef.name and scaleTargetRef.containerName to scaleTargetRef.envSourceContainerName (see KEDA\'s "Migrating from KEDA v1 to v2" guide))',
    ],
    'two-objects-one-target.yaml': [
      'examples/broken/two-objects-one-target.yaml:9: error: shop/orders-by-queue: spec.scaleTargetRef.name: the workload Deployment shop/orders-worker is also scaled by ScaledObject shop/orders-by-schedule; only one ScaledObject may manage a workload (merge the triggers of shop/orders-by-queue and shop/orders-by-schedule into one ScaledObject)',
      'examples/broken/two-objects-one-target.yaml:23: error: shop/orders-by-schedule: spec.scaleTargetRef.name: the workload Deployment shop/orders-worker is also scaled by ScaledObject shop/orders-by-queue; only one ScaledObject may manage a workload (merge the triggers of shop/orders-by-schedule and shop/orders-by-queue into one ScaledObject)',
    ],
    'scaled-job.yaml': [
      'examples/broken/scaled-job.yaml:10: error: media/thumbnails: spec.jobTargetRef.template.spec.restartPolicy: "Always" is not allowed for a Job (the API server accepts OnFailure or Never) (use restartPolicy: Never, or leave it unset for OnFailure as KEDA sets it)',
    ],
    'bad-cron-timezone.yaml': [
      'examples/broken/bad-cron-timezone.yaml:12: error: batch/report-sync: spec.triggers[0].metadata.timezone: "Asia/Seul" is not a known IANA time zone (use a name from the tz database such as "Asia/Seoul", "America/New_York" or "UTC")',
    ],
  };

  it('every broken example has an expected message', () => {
    expect(yamlFiles(join(EXAMPLES, 'broken')).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s fails with the actionable message', (name, messages) => {
    const result = parseManifests(readFileSync(join(EXAMPLES, 'broken', name), 'utf8'), { file: `examples/broken/${name}` });
    expect(result.objects).toEqual([]);
    expect(result.scaledJobs).toEqual([]);
    expect(result.errors.map(formatIssue)).toEqual(messages);
  });
});
