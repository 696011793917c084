/**
 * The client factory's credential cache against moto's STS (fake clock for expiry), and its
 * transport: SDK retries and the per-read timeout, against a loopback server speaking SQS's JSON
 * protocol whose answers each test scripts (moto cannot throttle or hang on demand).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { countAwsCalls } from '../../../lambdas/adapters/aws/call-counter';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsSqsQueueTrigger } from '../../../lambdas/triggers/aws-sqs-queue';
import { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { parsedTrigger, sqsUrl } from './trigger-fixtures';
import { listenOnLoopback } from '../../../lambdas/util/listen-on-loopback';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';

const credentials = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
const role = 'arn:aws:iam::123456789012:role/reader';

describe.skipIf(MOTO_SKIP)('AssumeRole credentials (moto STS)', () => {
  let moto: MotoServer;
  let clock = 0;
  let factory: AwsClientFactory;
  beforeAll(async () => {
    moto = await startMoto();
  }, MOTO_START_TIMEOUT_MS);
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await moto.recordRequests();
    clock = Date.now();
    factory = new AwsClientFactory(moto.awsClientFactoryOptions({ now: () => clock }));
  });
  const provider = (roleArn = role) => factory.credentialsFor({ region: 'eu-west-1', roleArn })!;
  const assumeCalls = async () => (await moto.recordedRequests('AssumeRole')).map((request) => Object.fromEntries(new URLSearchParams(request.body)));

  // Time left before the first credentials' expiry (moto issues them for an hour) at the second read.
  it.each([
    [50 * 60_000, 1, 'the same key'],
    [5 * 60_000 + 1, 1, 'the same key'],
    // Five minutes before expiry the credentials are refreshed.
    [5 * 60_000, 2, 'a new key'],
    [-60 * 60_000, 2, 'a new key'],
  ])('%d ms before expiry: %d AssumeRole calls, %s', async (timeLeft, calls, key) => {
    const first = await provider()();
    expect(first.expiration!.getTime() - clock).toBeGreaterThan(55 * 60_000);
    clock = first.expiration!.getTime() - timeLeft;
    const second = await provider()();
    expect(second.accessKeyId === first.accessKeyId ? 'the same key' : 'a new key').toBe(key);
    expect(await assumeCalls()).toHaveLength(calls);
  });

  it('assumes once for concurrent reads, once per role, with the session name', async () => {
    const other = 'arn:aws:iam::123456789012:role/other';
    const { calls } = await countAwsCalls(() => Promise.all([provider()(), provider()(), provider()(), provider(other)()]));
    expect(calls).toEqual({ sts: 2 });
    expect((await assumeCalls()).map(({ RoleArn, RoleSessionName }) => ({ RoleArn, RoleSessionName })).sort((a, b) => a.RoleArn!.localeCompare(b.RoleArn!))).toEqual([
      { RoleArn: other, RoleSessionName: 'eks-lambda-scaler' },
      { RoleArn: role, RoleSessionName: 'eks-lambda-scaler' },
    ]);
  });

  it('explains a refused AssumeRole (a real AccessDenied) and retries it on the next read', async () => {
    const scaler = await moto.createIamUser('scaler', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }] });
    factory = new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: async () => scaler.credentials, now: () => clock }));
    await moto.enforceIam(true);
    let failure: unknown;
    try {
      failure = await provider()().catch((error: unknown) => error);
    } finally {
      await moto.enforceIam(false);
    }
    expect(failure).toBeInstanceOf(TriggerError);
    expect(failure).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining(`grant sts:AssumeRole on it to the scaler's IAM role`) });
    expect((failure as Error).message).not.toContain(scaler.credentials.secretAccessKey);
    expect((await provider()()).accessKeyId).toMatch(/^ASIA/);
    expect(await assumeCalls()).toHaveLength(2);
  });

  it('shares clients between equal sources and the scaler credentials without a role', () => {
    const own = new AwsClientFactory({ baseCredentials: credentials });
    expect(own.forSource({ region: 'eu-west-1' })).toBe(own.forSource({ region: 'eu-west-1' }));
    expect(own.forSource({ region: 'eu-west-1' })).not.toBe(own.forSource({ region: 'eu-west-1', roleArn: role }));
    expect(own.credentialsFor({ region: 'eu-west-1' })).toBe(credentials);
  });
});

/** A loopback SQS (JSON protocol) whose answers the test scripts, one per request. */
interface FakeSqs {
  endpoint: string;
  requests: { target: string; httpVersion: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

type Answer = (res: ServerResponse) => void;
const json = (status: number, body: unknown): Answer => (res) => {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify(body));
};
const throttled = json(400, { __type: 'com.amazonaws.sqs#ThrottlingException', message: 'Rate exceeded' });
const attributes = (visible: string) => json(200, { Attributes: { ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: '1' } });
const hang: Answer = () => {};

async function startFakeSqs(answers: Answer[]): Promise<FakeSqs> {
  const requests: FakeSqs['requests'] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      requests.push({ target: String(req.headers['x-amz-target']), httpVersion: req.httpVersion, body: JSON.parse(text || '{}') });
      open.add(res);
      (answers.shift() ?? json(500, { __type: 'InternalError', message: 'no scripted answer' }))(res);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('transport against a loopback SQS', () => {
  let fake: FakeSqs | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const item = (queue: string) => ({ id: `prod/jobs/${queue}#0`, trigger: parsedTrigger(awsSqsQueueTrigger, { queueURL: sqsUrl(queue), awsRegion: 'eu-west-1' }) });

  it('retries a throttled call (standard retry mode) and counts it as one call', async () => {
    fake = await startFakeSqs([throttled, attributes('6')]);
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { sqs: fake.endpoint } }) });
    const orders = item('orders');
    const { readings, calls } = await read([orders], 0);
    expect(readings.get(orders.id)).toEqual({ service: 'sqs', attributes: { ApproximateNumberOfMessages: '6', ApproximateNumberOfMessagesNotVisible: '1' } });
    expect(calls).toEqual({ sqs: 1 });
    expect(fake.requests.map((r) => [r.target, r.httpVersion])).toEqual([
      ['AmazonSQS.GetQueueAttributes', '1.1'],
      ['AmazonSQS.GetQueueAttributes', '1.1'],
    ]);
    expect(fake.requests[0]?.body).toEqual({ QueueUrl: sqsUrl('orders'), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
  });

  it('gives up after 3 attempts and says it was throttled', async () => {
    fake = await startFakeSqs([throttled, throttled, throttled]);
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { sqs: fake.endpoint } }) });
    const orders = item('orders');
    const { readings } = await read([orders], 0);
    expect(readings.get(orders.id)).toMatchObject({ code: 'ThrottlingException', message: expect.stringContaining('throttled') });
    expect(fake.requests).toHaveLength(3);
  });

  it('times a hung call out without holding the other reads', async () => {
    fake = await startFakeSqs([hang, attributes('2')]);
    const factory = new AwsClientFactory({ baseCredentials: credentials, endpoints: { sqs: fake.endpoint }, callTimeoutMs: 250, maxAttempts: 1 });
    const read = createTriggerReader({ clientFactory: factory, callTimeoutMs: 250, concurrency: 1 });
    const [stuck, fine] = [item('stuck'), item('fine')];
    const started = performance.now();
    const { readings } = await read([stuck, fine], 0);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(readings.get(stuck.id)).toMatchObject({ code: 'Timeout', message: expect.stringContaining('got no answer in time (region eu-west-1)') });
    expect(readings.get(fine.id)).toMatchObject({ service: 'sqs' });
  });
});
