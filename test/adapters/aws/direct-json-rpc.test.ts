/**
 * The direct JSON-protocol path (lambdas/adapters/aws/json-rpc/) against moto, side by side with
 * the AWS SDK client it stands in for: every row sends the same command both ways and expects the
 * same output, or the same error (name, query-compatible Code, status, fault). Then, through the
 * wire-level fault proxy, the SDK's standard retries and timeouts as the client is configured, and
 * with moto's IAM checks on, a real signature verified (and a wrong one refused). Kinesis, which
 * moto's tier leaves to kinesalite in this repository, is compared against kinesalite.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BatchGetItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsErrorName, isMalformedAnswer } from '../../../lambdas/adapters/aws/aws-errors';
import { withDirectJsonRpc } from '../../../lambdas/adapters/aws/json-rpc/direct-json-rpc';
import { DYNAMODB_JSON_RPC } from '../../../lambdas/adapters/aws/json-rpc/dynamodb-json-rpc';
import { KINESIS_JSON_RPC } from '../../../lambdas/adapters/aws/json-rpc/kinesis-json-rpc';
import { SQS_JSON_RPC } from '../../../lambdas/adapters/aws/json-rpc/sqs-json-rpc';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import { startKinesalite, type RunningKinesalite } from '../../support/kinesalite';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';

const REGION = 'eu-west-1';
const TABLE = 'scaler-state';

/** Every attribute type DynamoDB has, binary ones included. */
const EVERY_TYPE: Record<string, AttributeValue> = {
  pk: { S: 'so#prod/orders' },
  version: { N: '12' },
  ratio: { N: '0.75' },
  active: { BOOL: true },
  gone: { NULL: true },
  blob: { B: new Uint8Array([0, 1, 2, 250, 255]) },
  tags: { SS: ['a', 'b'] },
  sizes: { NS: ['1', '2.5'] },
  blobs: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
  history: { L: [{ M: { at: { N: '1764740000000' }, replicas: { N: '3' }, raw: { B: new Uint8Array([9]) } } }, { S: 'x' }] },
  nested: { M: { B: { M: { B: { S: 'a map key named B is not binary' } } } } },
};

/** The state table's shape: a string hash key. */
async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
}

/** The output without what differs by nature between two calls (request id, retry timings). */
function comparable(output: unknown): unknown {
  const { $metadata, ...rest } = output as { $metadata: { httpStatusCode?: number; attempts?: number } };
  return { ...rest, status: $metadata.httpStatusCode, attempts: $metadata.attempts };
}

async function failureOf(call: Promise<unknown>): Promise<{ name: string; code: unknown; status: unknown; fault: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    const shaped = error as { Code?: unknown; $metadata?: { httpStatusCode?: number }; $fault?: unknown; message: string };
    return { name: awsErrorName(error), code: shaped.Code, status: shaped.$metadata?.httpStatusCode, fault: shaped.$fault, message: shaped.message };
  }
  throw new Error('the call succeeded');
}

describe.skipIf(MOTO_SKIP)('direct JSON-protocol calls against moto, beside the SDK client', () => {
  let moto: MotoServer;
  let sdkDynamoDb: DynamoDBClient;
  let directDynamoDb: DynamoDBClient;
  let sdkSqs: SQSClient;
  let directSqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    moto = await startMoto();
    sdkDynamoDb = new DynamoDBClient(moto.clientConfig(REGION));
    directDynamoDb = withDirectJsonRpc(new DynamoDBClient(moto.clientConfig(REGION)), DYNAMODB_JSON_RPC);
    sdkSqs = new SQSClient({ ...moto.clientConfig(REGION), useQueueUrlAsEndpoint: false });
    directSqs = withDirectJsonRpc(new SQSClient({ ...moto.clientConfig(REGION), useQueueUrlAsEndpoint: false }), SQS_JSON_RPC);
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const client of [sdkDynamoDb, directDynamoDb, sdkSqs, directSqs]) client?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    await createTable(sdkDynamoDb);
    queueUrl = (await sdkSqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
    await sdkSqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'work' }));
    await moto.recordRequests();
  });

  it('writes an item of every attribute type that reads back the same through either path', async () => {
    await directDynamoDb.send(new PutItemCommand({ TableName: TABLE, Item: EVERY_TYPE }));
    const key = { pk: EVERY_TYPE.pk! };
    const throughSdk = await sdkDynamoDb.send(new GetItemCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
    const direct = await directDynamoDb.send(new GetItemCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
    expect(throughSdk.Item).toEqual(EVERY_TYPE);
    expect(comparable(direct)).toEqual(comparable(throughSdk));
    expect(direct.Item!.blob!.B).toBeInstanceOf(Uint8Array);
  });

  // One row per outcome the state store and the triggers branch on.
  const SAME_BOTH_WAYS: Array<{ name: string; send(client: DynamoDBClient | SQSClient, queueUrl: string): Promise<unknown> }> = [
    {
      name: 'PutItem whose condition holds',
      send: (client) => (client as DynamoDBClient).send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'new' } }, ConditionExpression: 'attribute_not_exists(pk)' })),
    },
    {
      name: 'PutItem whose condition fails (a lost race: ConditionalCheckFailedException)',
      send: (client) => (client as DynamoDBClient).send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'so#prod/orders' } }, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': { N: '11' } } })),
    },
    {
      name: 'PutItem to a table that does not exist (ResourceNotFoundException)',
      send: (client) => (client as DynamoDBClient).send(new PutItemCommand({ TableName: 'no-such-table', Item: { pk: { S: 'x' } } })),
    },
    {
      name: 'PutItem that DynamoDB refuses as invalid (ValidationException)',
      send: (client) => (client as DynamoDBClient).send(new PutItemCommand({ TableName: TABLE, Item: { other: { S: 'no key' } } })),
    },
    {
      name: 'BatchGetItem of a present and an absent key',
      send: (client) =>
        (client as DynamoDBClient).send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [{ pk: { S: 'so#prod/orders' } }, { pk: { S: 'absent' } }], ConsistentRead: true } } })),
    },
    {
      name: 'DeleteItem returning the old item',
      send: (client) => (client as DynamoDBClient).send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: 'so#prod/orders' } }, ReturnValues: 'ALL_OLD' })),
    },
    {
      name: 'SQS GetQueueAttributes of a queue',
      send: (client, url) => (client as SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
    },
    {
      name: 'SQS GetQueueAttributes of a queue that does not exist (QueueDoesNotExist)',
      send: (client, url) => (client as SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: url.replace('orders', 'deleted'), AttributeNames: ['ApproximateNumberOfMessages'] })),
    },
  ];

  it.each(SAME_BOTH_WAYS)('$name: the same answer as the SDK', async ({ name, send }) => {
    const isSqs = name.startsWith('SQS');
    const outcome = async (client: DynamoDBClient | SQSClient) => {
      await moto.reset();
      await createTable(sdkDynamoDb);
      await sdkDynamoDb.send(new PutItemCommand({ TableName: TABLE, Item: { ...EVERY_TYPE } }));
      const url = (await sdkSqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
      await sdkSqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'work' }));
      try {
        return { ok: comparable(await send(client, url)) };
      } catch {
        return { failed: await failureOf(send(client, url)) };
      }
    };
    const throughSdk = await outcome(isSqs ? sdkSqs : sdkDynamoDb);
    const direct = await outcome(isSqs ? directSqs : directDynamoDb);
    expect(direct).toEqual(throughSdk);
  });
});

describe.skipIf(MOTO_SKIP)('direct JSON-protocol calls through the fault proxy: the client’s own retries and timeouts', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  const clients: DynamoDBClient[] = [];

  /** As awsTransport() configures the scaler's clients, with a short timeout for the hang rows. */
  const directClient = (timeoutMs = 5_000, maxAttempts = 3) => {
    const client = withDirectJsonRpc(
      new DynamoDBClient({
        ...moto.clientConfig(REGION),
        endpoint: proxy.url,
        maxAttempts,
        retryMode: 'standard',
        requestHandler: new NodeHttpHandler({ requestTimeout: timeoutMs, throwOnRequestTimeout: true, socketTimeout: timeoutMs, connectionTimeout: 3_000 }),
      }),
      DYNAMODB_JSON_RPC,
    );
    clients.push(client);
    return client;
  };
  const putItem = (pk = 'so#prod/orders') => new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk } } });

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-json' });
    await createTable(new DynamoDBClient(moto.clientConfig(REGION)));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await proxy?.close();
    await moto?.stop();
  });
  beforeEach(() => proxy.reset());

  it('sends the listed operations itself, and every other command through the SDK client', async () => {
    const client = directClient();
    await client.send(putItem());
    await client.send(new DescribeTableCommand({ TableName: TABLE }));
    const agents = proxy.requests.map((request) => [request.operation, /aws-sdk-js/.test(String(request.headers['user-agent']))]);
    expect(agents).toEqual([
      ['PutItem', false],
      ['DescribeTable', true],
    ]);
  });

  it('leaves a client with middleware of someone else’s (a meter, a tracer) to the SDK whole', async () => {
    const client = directClient();
    let metered = 0;
    client.middlewareStack.add((next) => async (args) => {
      metered += 1;
      return next(args);
    }, { step: 'initialize', name: 'someonesMeter' });
    await client.send(putItem());
    expect(metered).toBe(1);
    expect(/aws-sdk-js/.test(String(proxy.requests[0]!.headers['user-agent']))).toBe(true);
  });

  it('notices middleware added after calls went direct, and takes the client back to the SDK until it is removed', async () => {
    const client = directClient();
    await client.send(putItem('before'));
    let metered = 0;
    client.middlewareStack.add((next) => async (args) => {
      metered += 1;
      return next(args);
    }, { step: 'initialize', name: 'someonesMeter' });
    await client.send(putItem('metered'));
    client.middlewareStack.remove('someonesMeter');
    await client.send(putItem('after'));
    expect(metered).toBe(1);
    expect(proxy.requests.map((request) => /aws-sdk-js/.test(String(request.headers['user-agent'])))).toEqual([false, true, false]);
  });

  it('checks a replaced middleware stack too', async () => {
    const client = directClient();
    await client.send(putItem('before'));
    const replaced = client.middlewareStack.clone();
    replaced.add((next) => async (args) => next(args), { step: 'build', name: 'someonesTracer' });
    client.middlewareStack = replaced;
    await client.send(putItem('traced'));
    expect(proxy.requests.map((request) => /aws-sdk-js/.test(String(request.headers['user-agent'])))).toEqual([false, true]);
  });

  it('still sends directly through a frozen stack, which it then checks at every call', async () => {
    const client = directClient();
    client.middlewareStack = Object.freeze(client.middlewareStack.clone());
    await client.send(putItem('first'));
    await client.send(putItem('second'));
    expect(proxy.requests.map((request) => /aws-sdk-js/.test(String(request.headers['user-agent'])))).toEqual([false, false]);
  });

  it('sends the X-Ray trace header inside Lambda, as the SDK’s recursion detection does', async () => {
    const saved = { name: process.env.AWS_LAMBDA_FUNCTION_NAME, trace: process.env._X_AMZN_TRACE_ID };
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'pod-scaler';
    process.env._X_AMZN_TRACE_ID = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      await directClient().send(putItem());
      await new DynamoDBClient({ ...moto.clientConfig(REGION), endpoint: proxy.url }).send(putItem('through-the-sdk'));
      expect(proxy.requests.map((request) => request.headers['x-amzn-trace-id'])).toEqual([process.env._X_AMZN_TRACE_ID, process.env._X_AMZN_TRACE_ID]);
    } finally {
      for (const [key, value] of [['AWS_LAMBDA_FUNCTION_NAME', saved.name], ['_X_AMZN_TRACE_ID', saved.trace]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('corrects a skewed clock from the answer’s Date and signs the retry with it, as the SDK does', async () => {
    const serverAhead = Date.now() + 3_600_000;
    proxy.inject({
      match: (request) => request.operation === 'PutItem',
      times: 1,
      fault: {
        respond: () => ({
          status: 400,
          headers: { 'content-type': 'application/x-amz-json-1.0', date: new Date(serverAhead).toUTCString() },
          body: JSON.stringify({ __type: 'com.amazon.coral.service#InvalidSignatureException', message: 'Signature expired: 20261203T060000Z is now earlier than 20261203T065500Z (20261203T070000Z - 5 min.)' }),
        }),
      },
    });
    const output = await directClient().send(putItem());
    expect(output.$metadata.attempts).toBe(2);
    const signedAt = proxy.requests.map((request) => Date.parse(String(request.headers['x-amz-date']).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')));
    expect(signedAt[1]! - signedAt[0]!).toBeGreaterThan(3_590_000);
  });

  // What the SDK's standard mode does with each fault (@smithy/core retry: THROTTLING, TRANSIENT and
  // SERVER_ERROR are retried, CLIENT_ERROR is not); the direct path must do the same.
  it.each([
    { fault: 'throttle' as const, times: 1, expected: { ok: true, attempts: 2 } },
    { fault: '5xx' as const, times: 2, expected: { ok: true, attempts: 3 } },
    { fault: '5xx' as const, times: undefined, expected: { ok: false, name: 'InternalServerError', attempts: 3, fault: 'server' } },
    { fault: 'throttle' as const, times: undefined, expected: { ok: false, name: 'ThrottlingException', attempts: 3, fault: 'client' } },
    { fault: 'denied' as const, times: undefined, expected: { ok: false, name: 'AccessDeniedException', attempts: 1, fault: 'client' } },
  ])('$fault ×$times: $expected', async ({ fault, times, expected }) => {
    proxy.inject({ match: (request) => request.operation === 'PutItem', fault, ...(times ? { times } : {}) });
    try {
      const output = await directClient().send(putItem());
      expect({ ok: true, attempts: output.$metadata.attempts }).toEqual(expected);
    } catch (error) {
      const shaped = error as { $metadata?: { attempts?: number }; $fault?: string };
      expect({ ok: false, name: awsErrorName(error), attempts: shaped.$metadata?.attempts, fault: shaped.$fault }).toEqual(expected);
    }
    expect(proxy.requests.filter((request) => request.operation === 'PutItem')).toHaveLength(expected.attempts);
  });

  it('reports an HTML page in a 200 as a malformed answer, as for the SDK', async () => {
    proxy.inject({ match: (request) => request.operation === 'PutItem', fault: 'malformed' });
    const failure = await directClient(5_000, 1).send(putItem()).catch((error: unknown) => error);
    expect(isMalformedAnswer(failure)).toBe(true);
  });

  it('bounds a hung answer by the client’s per-attempt timeout, retried as the SDK retries a timeout', async () => {
    proxy.inject({ match: (request) => request.operation === 'PutItem', fault: 'hang' });
    const failure = await directClient(300, 2).send(putItem()).catch((error: unknown) => error);
    expect(awsErrorName(failure)).toBe('TimeoutError');
    expect(proxy.requests.filter((request) => request.operation === 'PutItem')).toHaveLength(2);
  });

  it('stops at once, without retrying, when the caller’s signal fires', async () => {
    proxy.inject({ match: (request) => request.operation === 'PutItem', fault: 'hang' });
    const controller = new AbortController();
    const call = directClient(10_000, 3).send(putItem(), { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const failure = await call.catch((error: unknown) => error);
    expect(awsErrorName(failure)).toBe('AbortError');
    expect(proxy.requests.filter((request) => request.operation === 'PutItem')).toHaveLength(1);
  });
});

describe.skipIf(MOTO_SKIP)('direct JSON-protocol signatures, verified by moto', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMoto();
  }, MOTO_START_TIMEOUT_MS);
  afterAll(() => moto?.stop());

  it('signs as an IAM user moto checks, and a wrong secret is refused as the SDK’s would be', async () => {
    await moto.reset();
    const setup = new DynamoDBClient(moto.clientConfig(REGION));
    await createTable(setup);
    const user = await moto.createIamUser('state-writer', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: '*' }] });
    await moto.enforceIam(true);
    try {
      const signed = withDirectJsonRpc(new DynamoDBClient(moto.clientConfig(REGION, user.credentials)), DYNAMODB_JSON_RPC);
      await signed.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'signed' } } }));
      expect((await signed.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'signed' } } }))).Item).toEqual({ pk: { S: 'signed' } });

      const wrongSecret = { ...user.credentials, secretAccessKey: `${user.credentials.secretAccessKey}x` };
      const direct = await failureOf(withDirectJsonRpc(new DynamoDBClient(moto.clientConfig(REGION, wrongSecret)), DYNAMODB_JSON_RPC).send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'forged' } } })));
      const throughSdk = await failureOf(new DynamoDBClient(moto.clientConfig(REGION, wrongSecret)).send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'forged' } } })));
      // moto answers a bad signature with a 403 whose body is not JSON: both paths read it alike.
      expect({ ...direct, message: undefined }).toEqual({ ...throughSdk, message: undefined });
      expect(direct.status).toBe(403);
    } finally {
      await moto.enforceIam(false);
    }
  });
});

describe('direct Kinesis reads (DescribeStreamSummary, ListShards) against kinesalite, beside the SDK client', () => {
  let kinesis: RunningKinesalite;
  let direct: KinesisClient;

  beforeAll(async () => {
    kinesis = await startKinesalite();
    await kinesis.createStream('clicks', 3);
    direct = withDirectJsonRpc(
      new KinesisClient({ endpoint: kinesis.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 }),
      KINESIS_JSON_RPC,
    );
  });
  afterAll(async () => {
    direct?.destroy();
    await kinesis?.close();
  });

  // The two reads a Kinesis trigger makes (aws-kinesis-stream.ts), each on a live stream and a missing one.
  const describeSummary = (stream: string) => new DescribeStreamSummaryCommand({ StreamName: stream });
  const listOpenShards = (stream: string) => new ListShardsCommand({ StreamName: stream, ShardFilter: { Type: 'AT_LATEST' }, MaxResults: 1000 });
  it.each([
    { operation: 'DescribeStreamSummary', stream: 'clicks', command: describeSummary, check: (ok: object) => expect((ok as { StreamDescriptionSummary: { StreamCreationTimestamp: unknown } }).StreamDescriptionSummary.StreamCreationTimestamp).toBeInstanceOf(Date) },
    { operation: 'DescribeStreamSummary', stream: 'deleted', command: describeSummary },
    { operation: 'ListShards', stream: 'clicks', command: listOpenShards, check: (ok: object) => expect((ok as { Shards: unknown[] }).Shards).toHaveLength(3) },
    { operation: 'ListShards', stream: 'deleted', command: listOpenShards },
  ])('$operation of stream $stream: the same answer or error as the SDK', async ({ stream, command, check }) => {
    const outcome = async (client: KinesisClient) => {
      try {
        return { ok: comparable(await client.send(command(stream) as DescribeStreamSummaryCommand)) as object };
      } catch (error) {
        return { failed: await failureOf(Promise.reject(error)) };
      }
    };
    const throughSdk = await outcome(kinesis.client);
    expect(await outcome(direct)).toEqual(throughSdk);
    // A missing stream fails both ways (ResourceNotFoundException); a live one answers.
    expect('ok' in throughSdk).toBe(stream === 'clicks');
    if ('ok' in throughSdk && throughSdk.ok) check?.(throughSdk.ok);
  });

  it('ListShards: the direct path sends the request the SDK sends (kinesalite drops the filter, so the body is compared on the wire)', async () => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint, protocol: 'aws-json' });
    const viaProxy = (client: KinesisClient) => client.send(listOpenShards('clicks'));
    const config = { endpoint: proxy.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 };
    const sdk = new KinesisClient(config);
    const directOnProxy = withDirectJsonRpc(new KinesisClient(config), KINESIS_JSON_RPC);
    try {
      await viaProxy(sdk);
      await viaProxy(directOnProxy);
      const [throughSdk, direct] = proxy.requests.map((request) => ({ target: request.headers['x-amz-target'], body: JSON.parse(request.body) as unknown }));
      expect(direct).toEqual(throughSdk);
      expect(throughSdk?.body).toEqual({ StreamName: 'clicks', ShardFilter: { Type: 'AT_LATEST' }, MaxResults: 1000 });
    } finally {
      sdk.destroy();
      directOnProxy.destroy();
      await proxy.close();
    }
  });
});

describe('a send someone replaced', () => {
  // The behaviour is about a replaced `send` itself, so a client mock is the real part here.
  it('is kept: the direct path steps aside for aws-sdk-client-mock', async () => {
    const client = new SQSClient({ region: REGION, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' } });
    const mock = mockClient(client);
    try {
      mock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '7' } });
      const wrapped = withDirectJsonRpc(client, SQS_JSON_RPC);
      const answer = await wrapped.send(new GetQueueAttributesCommand({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(answer.Attributes).toEqual({ ApproximateNumberOfMessages: '7' });
      expect(mock.commandCalls(GetQueueAttributesCommand)).toHaveLength(1);
    } finally {
      mock.restore();
    }
  });
});
