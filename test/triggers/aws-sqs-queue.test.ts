import { describe, expect, it } from 'vitest';
import { awsSqsQueueTrigger, parseQueueUrl } from '../../lambdas/triggers/aws-sqs-queue';
import { TriggerError, type Reading } from '../../lambdas/triggers/trigger-definition';
import { parseWith, parsedTrigger, sqsUrl } from '../adapters/aws/trigger-fixtures';

const base = { queueURL: sqsUrl('orders'), awsRegion: 'eu-west-1' };

describe('aws-sqs-queue queueURL (KEDA: ParseRequestURI, then the path must be /<account>/<name>)', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/orders', { kind: 'url', queueName: 'orders', accountId: '123456789012' }],
    ['http://localhost:4566/000000000000/orders', { kind: 'url', queueName: 'orders', accountId: '000000000000' }],
    ['http://127.0.0.1:9324/queue/orders.fifo', { kind: 'url', queueName: 'orders.fifo', accountId: 'queue' }],
    ['orders', { kind: 'name', queueName: 'orders' }],
    ['orders.fifo', { kind: 'name', queueName: 'orders.fifo' }],
    // No scheme: Go rejects it as a request URI, so KEDA treats the whole text as a queue name.
    ['sqs.eu-west-1.amazonaws.com/123/orders', { kind: 'name', queueName: 'sqs.eu-west-1.amazonaws.com/123/orders' }],
    ['/123456789012/orders', { kind: 'name', queueName: 'orders', accountId: '123456789012' }],
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/orders?x=1', { kind: 'url', queueName: 'orders', accountId: '123456789012' }],
  ])('%s', (raw, expected) => {
    expect(parseQueueUrl(raw)).toEqual(expected);
  });

  it.each([
    'https://sqs.eu-west-1.amazonaws.com/123456789012',
    'https://sqs.eu-west-1.amazonaws.com',
    'https://sqs.eu-west-1.amazonaws.com/123456789012/orders/',
    'https://sqs.eu-west-1.amazonaws.com/a/b/c',
    'mailto:orders',
  ])('rejects %s', (raw) => {
    expect(parseQueueUrl(raw)).toHaveProperty('error');
  });

  it('treats a URL Go cannot parse (bad port) as a queue name, as KEDA does', () => {
    expect(parseQueueUrl('http://localhost:abc/1/q')).toEqual({ kind: 'name', queueName: 'http://localhost:abc/1/q' });
  });
});

describe('aws-sqs-queue parse', () => {
  it('applies KEDA defaults: queueLength 5, activation 0, in-flight counted, delayed not', () => {
    const trigger = parsedTrigger(awsSqsQueueTrigger, base, { index: 2 });
    expect(trigger).toMatchObject({
      metricName: 's2-aws-sqs-orders',
      target: 5,
      activationTarget: 0,
      aws: { region: 'eu-west-1' },
      params: { queueName: 'orders', attributes: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] },
    });
  });

  it.each([
    [{ scaleOnInFlight: 'false' }, ['ApproximateNumberOfMessages']],
    [{ scaleOnDelayed: 'true' }, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']],
    [{ scaleOnInFlight: 'F', scaleOnDelayed: '1' }, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed']],
  ])('attributes for %o', (metadata, attributes) => {
    expect(parsedTrigger(awsSqsQueueTrigger, { ...base, ...metadata }).params.attributes).toEqual(attributes);
  });

  it.each([
    ['q.fifo', 's0-aws-sqs-q-fifo'],
    ['DeleteArtifactQ', 's0-aws-sqs-DeleteArtifactQ'],
  ])('metric name for queue %s', (queue, name) => {
    expect(parsedTrigger(awsSqsQueueTrigger, { ...base, queueURL: sqsUrl(queue) }).metricName).toBe(name);
  });

  it.each([
    [{ queueURL: '' }, 'queueURL', 'missing required parameter'],
    [{ awsRegion: ' ' }, 'awsRegion', 'missing required parameter'],
    [{ queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012' }, 'queueURL', 'cannot get the queue name'],
    [{ queueLength: '1.5' }, 'queueLength', 'not a whole number'],
    [{ queueLength: '0' }, 'queueLength', 'not a positive number'],
    [{ activationQueueLength: 'ten' }, 'activationQueueLength', 'not a whole number'],
    [{ scaleOnInFlight: 'yes' }, 'scaleOnInFlight', 'not "true" or "false"'],
    [{ awsEndpoint: 'localhost:4566' }, 'awsEndpoint', 'has no scheme'],
    [{ awsRoleArn: 'my-role' }, 'awsRoleArn', 'not an IAM role ARN'],
  ])('%o is an error on %s', (metadata, field, message) => {
    const result = parseWith(awsSqsQueueTrigger, { ...base, ...metadata });
    expect(result.parsed).toBeUndefined();
    expect(result.errors).toContainEqual(expect.objectContaining({ objectId: 'jobs/orders', field: `spec.triggers[0].metadata.${field}`, message: expect.stringContaining(message), fix: expect.any(String) }));
  });

  it('reports every problem at once', () => {
    const result = parseWith(awsSqsQueueTrigger, { queueLength: 'x', scaleOnDelayed: 'maybe' });
    expect(result.errors.map((e) => e.field.split('.').pop())).toEqual(['queueURL', 'queueLength', 'scaleOnDelayed', 'awsRegion']);
  });

  it('accepts static credential keys without a second warning (the ScaledObject parser warns once)', () => {
    const result = parseWith(awsSqsQueueTrigger, { ...base, awsAccessKeyID: 'AKIA', awsSecretAccessKeyFromEnv: 'SECRET', awsSessionToken: 't', awsAccessKeyIDFromEnv: 'ID', identityOwner: 'operator' });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('warns about unknown keys and unknown identityOwner values', () => {
    const result = parseWith(awsSqsQueueTrigger, { ...base, queueLenght: '3', identityOwner: 'node' });
    expect(result.parsed).toBeDefined();
    expect(result.warnings.map((w) => w.field)).toEqual(['spec.triggers[0].metadata.identityOwner', 'spec.triggers[0].metadata.queueLenght']);
  });

  it('takes the role from awsRoleArn, and the podIdentity role over it', () => {
    const role = 'arn:aws:iam::123456789012:role/reader';
    const pod = 'arn:aws:iam::123456789012:role/pod-identity';
    expect(parsedTrigger(awsSqsQueueTrigger, { ...base, awsRoleArn: role, awsEndpoint: 'http://localhost:4566' }).aws).toEqual({ region: 'eu-west-1', roleArn: role, endpoint: 'http://localhost:4566' });
    const both = parseWith(awsSqsQueueTrigger, { ...base, awsRoleArn: role }, { podIdentityRoleArn: pod });
    expect(both.parsed?.aws?.roleArn).toBe(pod);
    expect(both.warnings).toHaveLength(1);
  });

  it('defers a queueURLFromEnv until the env is known, then reads it from the env', () => {
    const metadata = { queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' };
    const deferred = parseWith(awsSqsQueueTrigger, metadata);
    expect(deferred.parsed?.envRefs).toEqual({ queueURL: 'QUEUE_URL' });
    const trigger = { ...parsedTrigger(awsSqsQueueTrigger, metadata) };
    expect(() => awsSqsQueueTrigger.readRequest(trigger, 0)).toThrow(/QUEUE_URL/);

    const resolved = parseWith(awsSqsQueueTrigger, metadata, { resolvedEnv: { QUEUE_URL: sqsUrl('from-env') } });
    expect(resolved.parsed?.metricName).toBe('s0-aws-sqs-from-env');
    const bad = parseWith(awsSqsQueueTrigger, metadata, { resolvedEnv: { QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1' } });
    expect(bad.errors[0]?.field).toBe('spec.triggers[0].metadata.queueURLFromEnv');
  });
});

describe('aws-sqs-queue readRequest', () => {
  it('shares a key across triggers on one queue and source, whatever attributes they want', () => {
    const a = awsSqsQueueTrigger.readRequest(parsedTrigger(awsSqsQueueTrigger, base), 0);
    const b = awsSqsQueueTrigger.readRequest(parsedTrigger(awsSqsQueueTrigger, { ...base, scaleOnDelayed: 'true', queueLength: '9' }, { index: 3 }), 0);
    const otherRole = awsSqsQueueTrigger.readRequest(parsedTrigger(awsSqsQueueTrigger, { ...base, awsRoleArn: 'arn:aws:iam::123456789012:role/x' }), 0);
    const otherRegion = awsSqsQueueTrigger.readRequest(parsedTrigger(awsSqsQueueTrigger, { ...base, awsRegion: 'us-east-1' }), 0);
    expect(a?.key).toBe(b?.key);
    expect(new Set([a?.key, otherRole?.key, otherRegion?.key]).size).toBe(3);
  });
});

describe('aws-sqs-queue toMetric', () => {
  const reading = (attributes: Record<string, string>): Reading => ({ service: 'sqs', attributes });
  const all = { ApproximateNumberOfMessages: '7', ApproximateNumberOfMessagesNotVisible: '3', ApproximateNumberOfMessagesDelayed: '100' };

  it.each([
    [{}, all, 10, true],
    [{ scaleOnInFlight: 'false' }, all, 7, true],
    [{ scaleOnDelayed: 'true' }, all, 110, true],
    [{ activationQueueLength: '10' }, all, 10, false],
    [{ activationQueueLength: '9' }, all, 10, true],
    [{}, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' }, 0, false],
    [{}, { ApproximateNumberOfMessages: '+4', ApproximateNumberOfMessagesNotVisible: '-1' }, 3, true],
  ])('metadata %o, attributes %o -> %d (active %s)', (metadata, attributes, value, active) => {
    expect(awsSqsQueueTrigger.toMetric(parsedTrigger(awsSqsQueueTrigger, { ...base, ...metadata }), reading(attributes), 0)).toEqual({ value, active });
  });

  it.each([
    [{ ApproximateNumberOfMessages: '7' }, 'MissingAttribute'],
    [{ ApproximateNumberOfMessages: '7', ApproximateNumberOfMessagesNotVisible: '1.5' }, 'InvalidAttribute'],
    [{ ApproximateNumberOfMessages: '0x10', ApproximateNumberOfMessagesNotVisible: '1' }, 'InvalidAttribute'],
  ])('%o is a TriggerError %s', (attributes, code) => {
    const trigger = parsedTrigger(awsSqsQueueTrigger, base);
    expect(() => awsSqsQueueTrigger.toMetric(trigger, reading(attributes), 0)).toThrow(expect.objectContaining({ code }));
    expect(() => awsSqsQueueTrigger.toMetric(trigger, reading(attributes), 0)).toThrow(TriggerError);
  });
});
