/**
 * moto (a Python emulator of AWS, https://github.com/getmoto/moto) in server mode on a loopback
 * port, for tests that talk to SQS, CloudWatch, Auto Scaling, EKS, STS and Lambda through the real
 * SDK clients: their own serialization, retries and timeouts, over HTTP.
 *
 * Usage (one server per test file; state is shared by the file's tests unless you reset it):
 *
 *   import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
 *
 *   describe.skipIf(MOTO_SKIP)('... against moto', () => {
 *     let moto: MotoServer;
 *     beforeAll(async () => { moto = await startMoto(); }, MOTO_START_TIMEOUT_MS);
 *     afterAll(() => moto?.stop());
 *     beforeEach(() => moto.reset());                        // where a test needs a clean account
 *
 *     const sqs = new SQSClient(moto.clientConfig('eu-west-1'));         // any SDK v3 client
 *     const factory = new AwsClientFactory(moto.awsClientFactoryOptions()); // the scaler's reads (SQS,
 *                                                     // CloudWatch, and STS AssumeRole) go to moto
 *   });
 *
 * The first start installs `moto[server]==MOTO_VERSION` from PyPI into a git-ignored virtualenv,
 * `.cache/real-servers/moto-venv-<version>/` (about 45 s; later starts take about 1 s). Parallel
 * vitest workers share one install through a lock directory. `installMoto()` does just the install,
 * for a vitest globalSetup; `motoGlobalSetup()` is a ready-made one that also prints the single
 * skip line when python3 is missing. Without python3 (or its venv module) MOTO_SKIP names what is
 * missing and the tier is skipped.
 *
 * Accounts and credentials: moto accepts any signature, and every call made with
 * MOTO_CREDENTIALS lands in account 123456789012 (moto's default). `enforceIam()` turns moto's IAM
 * checks on, so a call is allowed only by the IAM policies of the user whose access key signed it
 * (`createIamUser` makes one): that is how tests get a real AccessDenied.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsClientFactoryOptions } from '../../lambdas/adapters/aws/aws-client-factory';
import { onceUnderLock, readReadyLine, runCommand, stopByClosingStdin } from './child-server';

/** The moto release the tier is pinned to; changing it makes the next run reinstall. */
export const MOTO_VERSION = '5.2.5';
/** A beforeAll timeout that covers a first install from PyPI plus the start. */
export const MOTO_START_TIMEOUT_MS = 960_000;
/** moto's account for every call signed with MOTO_CREDENTIALS. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIDMOTOTEST', secretAccessKey: 'moto-test-secret' } as const;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE_DIR = join(REPO_ROOT, '.cache', 'real-servers');
const VENV_DIR = join(CACHE_DIR, `moto-venv-${MOTO_VERSION}`);
const INSTALLED_STAMP = join(VENV_DIR, '.installed');
const VENV_PYTHON = join(VENV_DIR, 'bin', 'python');
const LOCK_DIR = `${VENV_DIR}.lock`;
const LAUNCHER = join(REPO_ROOT, 'test', 'real-servers', 'moto', 'moto_launcher.py');
const PYTHON = process.env.PYTHON3 ?? 'python3';
// A cold install is about 45 s on an idle machine; a busy CI runner or a slow mirror can take many times that.
const INSTALL_TIMEOUT_MS = 900_000;
const LAUNCH_TIMEOUT_MS = 20_000;

/**
 * Why the moto tier cannot run on this machine, or undefined when it can. Only a missing python3
 * (or a python3 without the standard venv module) skips; a failing install is an error.
 */
export const MOTO_SKIP: string | undefined = findMissingPython();
/** Set by motoGlobalSetup once the skip line is printed, so test files stay quiet. */
const SKIP_REPORTED_ENV = 'MOTO_SKIP_REPORTED';

function findMissingPython(): string | undefined {
  // An installed venv whose python still resolves (it links to the system's) needs nothing more.
  if (existsSync(INSTALLED_STAMP) && existsSync(VENV_PYTHON)) return undefined;
  const probe = spawnSync(PYTHON, ['-c', 'import venv, ensurepip'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error) return `moto tier skipped: ${PYTHON} is not on PATH (install Python 3 to run the AWS tests against moto)`;
  if (probe.status !== 0) return `moto tier skipped: ${PYTHON} has no venv/ensurepip module (install python3-venv)`;
  return undefined;
}

/**
 * vitest globalSetup: installs moto once before any worker starts, or prints the one line saying
 * why the tier is skipped.
 */
export async function motoGlobalSetup(): Promise<void> {
  if (MOTO_SKIP) {
    console.log(MOTO_SKIP);
    process.env[SKIP_REPORTED_ENV] = '1';
    return;
  }
  await installMoto();
}

/** Installs the pinned moto into the cached virtualenv unless it is there; returns its python. */
export async function installMoto(): Promise<string> {
  const python = VENV_PYTHON;
  if (existsSync(INSTALLED_STAMP)) return python;
  if (MOTO_SKIP) throw new Error(MOTO_SKIP);
  mkdirSync(CACHE_DIR, { recursive: true });
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  const what = 'moto install';
  await onceUnderLock(LOCK_DIR, { done: () => existsSync(INSTALLED_STAMP), deadline, what }, async () => {
    // A venv without the stamp is a half-done install: start again.
    rmSync(VENV_DIR, { recursive: true, force: true });
    await runCommand(PYTHON, ['-m', 'venv', VENV_DIR], { deadline, what });
    await runCommand(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '--quiet', `moto[server]==${MOTO_VERSION}`], { deadline, what, hint: 'PyPI must be reachable' });
    writeFileSync(INSTALLED_STAMP, `${MOTO_VERSION}\n`);
  });
  return python;
}

export interface SdkClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
}

export interface MotoIamUser {
  name: string;
  arn: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** One request as it reached moto: after the SDK's serialization, one entry per attempt. */
export interface MotoRequest {
  /** e.g. `sqs`, `monitoring` (CloudWatch), `autoscaling`, `eks`, `sts`: from the signature's scope. */
  service: string;
  /** e.g. `GetQueueAttributes`: from X-Amz-Target or the query protocol's Action; `METHOD /path` for REST APIs. */
  operation: string;
  /** The access key id that signed it, and the region it was signed for. */
  accessKeyId: string;
  region: string;
  method: string;
  path: string;
  /** X-Amz-* headers, lower-case (`x-amz-invocation-type`...); never the session token. */
  amzHeaders: Record<string, string>;
  body: string;
}

export interface MotoLambdaInvocation {
  functionName: string;
  /** `Event` for asynchronous invocations; `RequestResponse` when the header is absent, as Lambda reads it. */
  invocationType: string;
  payload: unknown;
}

export interface MotoServer {
  /** http://127.0.0.1:<port>: one endpoint for every service. */
  endpoint: string;
  /** Config for any SDK v3 client (`new SQSClient(moto.clientConfig('eu-west-1'))`); one attempt, so a wrong call fails fast. */
  clientConfig(region?: string, credentials?: SdkClientConfig['credentials']): SdkClientConfig;
  /**
   * Options for the scaler's AwsClientFactory: SQS and CloudWatch reads and STS AssumeRole go to
   * moto (Kinesis stays on kinesalite: pass `endpoints.kinesis` in `overrides`).
   */
  awsClientFactoryOptions(overrides?: AwsClientFactoryOptions & { stsRegion?: string }): AwsClientFactoryOptions;
  /** Empties every service (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Turns moto's IAM checks on (true) or off (false, the default): see the header. */
  enforceIam(on: boolean): Promise<void>;
  /** An IAM user with an inline policy and an access key (made while IAM checks are off). */
  createIamUser(name: string, policy: { Version: string; Statement: unknown[] }): Promise<MotoIamUser>;
  /** Starts (or restarts, emptied) the log of requests moto receives. */
  recordRequests(): Promise<void>;
  /** The requests received since recordRequests(), optionally of one operation. */
  recordedRequests(operation?: string): Promise<MotoRequest[]>;
  /** The query-protocol requests (STS, Auto Scaling) of one operation since recordRequests(): their parameters, without Action and Version. */
  recordedQueryParams(operation: string): Promise<Array<Record<string, string>>>;
  /** The Lambda invocations moto received since recordRequests(), oldest first. */
  lambdaInvocations(functionName?: string): Promise<MotoLambdaInvocation[]>;
  /**
   * An Auto Scaling group from a launch configuration of `instanceType` (made once per type);
   * moto launches `desiredCapacity` InService instances with random ids. Returns their ids.
   */
  createAutoScalingGroup(group: { name: string; minSize?: number; maxSize: number; desiredCapacity: number; instanceType?: string; tags?: Record<string, string>; region?: string }): Promise<string[]>;
  /**
   * A Lambda function (with an IAM role for it) that Invoke can target. moto runs no code without
   * Docker: its Docker-free backend, switched on at start, answers Invoke (202 for `Event`) without
   * running anything, which is all the scaler's fire-and-forget invocations need.
   */
  createLambdaFunction(name: string, region?: string): Promise<string>;
  /** Sets the fields of an EKS cluster (made with CreateCluster) that moto otherwise invents. */
  seedEksCluster(seed: { region: string; name: string; endpoint?: string; certificateAuthorityData?: string; authenticationMode?: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP'; status?: string }): Promise<void>;
  stop(): Promise<void>;
}

/** Installs moto if needed, starts it on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const python = await installMoto();
  const child = spawn(python, [LAUNCHER], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4_000)));
  const { port } = await readReadyLine<{ port: number }>(child, { timeoutMs: LAUNCH_TIMEOUT_MS, what: 'moto', stderr: () => stderr });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitHealthy(endpoint);

  const post = async (path: string, body: string): Promise<void> => {
    const response = await fetch(`${endpoint}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`moto ${path} answered ${response.status}: ${await response.text()}`);
  };
  const clientConfig = (region = 'us-east-1', credentials: SdkClientConfig['credentials'] = MOTO_CREDENTIALS): SdkClientConfig => ({
    endpoint,
    region,
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 10_000 }),
  });

  const recordedRequests = async (operation?: string): Promise<MotoRequest[]> => {
    const response = await fetch(`${endpoint}/_eks-lambda-scaler/requests`, { signal: AbortSignal.timeout(10_000) });
    const requests = ((await response.json()) as RawRequest[]).map(describeRequest);
    return operation ? requests.filter((request) => request.operation === operation) : requests;
  };
  // No Docker here: Lambda Invoke answers without running the function (a moto setting that
  // survives /moto-api/reset).
  await post('/moto-api/config', JSON.stringify({ lambda: { use_docker: false } }));

  return {
    endpoint,
    clientConfig,
    awsClientFactoryOptions(overrides = {}) {
      const { endpoints, stsRegion, ...rest } = overrides;
      const baseCredentials = rest.baseCredentials ?? (async () => ({ ...MOTO_CREDENTIALS }));
      return {
        baseCredentials,
        stsClient: new STSClient({ ...clientConfig(stsRegion ?? 'us-east-1'), credentials: baseCredentials }),
        ...rest,
        endpoints: { sqs: endpoint, cloudwatch: endpoint, secretsmanager: endpoint, ...endpoints },
      };
    },
    reset: () => post('/moto-api/reset', ''),
    // moto counts requests before it starts checking; 0 means from the next request on.
    enforceIam: (on) => post('/moto-api/reset-auth', on ? '0' : 'inf'),
    createIamUser: (name, policy) => createIamUser(clientConfig(), name, policy),
    recordRequests: () => post('/_eks-lambda-scaler/requests/start', ''),
    recordedRequests,
    recordedQueryParams: async (operation) =>
      (await recordedRequests(operation)).map((request) => {
        const { Action: _action, Version: _version, ...params } = Object.fromEntries(new URLSearchParams(request.body));
        return params;
      }),
    async lambdaInvocations(functionName) {
      const invocations = (await recordedRequests()).flatMap((request): MotoLambdaInvocation[] => {
        const match = /^POST \/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.operation);
        if (!match) return [];
        const payload: unknown = request.body === '' ? undefined : JSON.parse(request.body);
        return [{ functionName: decodeURIComponent(match[1]!), invocationType: request.amzHeaders['x-amz-invocation-type'] ?? 'RequestResponse', payload }];
      });
      return functionName ? invocations.filter((invocation) => invocation.functionName === functionName) : invocations;
    },
    createAutoScalingGroup: (group) => createAutoScalingGroup(clientConfig(group.region), group),
    createLambdaFunction: (name, region) => createLambdaFunction(clientConfig(region), name),
    seedEksCluster: (seed) => post('/_eks-lambda-scaler/eks-cluster', JSON.stringify(seed)),
    // Closing stdin ends the launcher (its whole contract).
    stop: () => stopByClosingStdin(child, 5_000),
  };
}

interface RawRequest {
  method: string;
  path: string;
  query: string;
  target: string;
  amzHeaders: Record<string, string>;
  credential: string;
  body: string;
}

function describeRequest(raw: RawRequest): MotoRequest {
  // Credential=<key id>/<date>/<region>/<service>/aws4_request
  const [accessKeyId = '', , region = '', service = ''] = raw.credential.split('/');
  const action = new URLSearchParams(raw.body).get('Action') ?? new URLSearchParams(raw.query).get('Action');
  const operation = raw.target ? (raw.target.split('.').pop() ?? raw.target) : (action ?? `${raw.method} ${raw.path}`);
  return { service, operation, accessKeyId, region, method: raw.method, path: raw.path, amzHeaders: raw.amzHeaders, body: raw.body };
}

async function createAutoScalingGroup(
  config: SdkClientConfig,
  group: { name: string; minSize?: number; maxSize: number; desiredCapacity: number; instanceType?: string; tags?: Record<string, string> },
): Promise<string[]> {
  const { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, DescribeAutoScalingGroupsCommand, DescribeLaunchConfigurationsCommand } = await import('@aws-sdk/client-auto-scaling');
  const client = new AutoScalingClient(config);
  try {
    const instanceType = group.instanceType ?? 'm5.large';
    const launchConfiguration = `moto-test-${instanceType}`;
    const known = await client.send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [launchConfiguration] }));
    // moto does not check that the image exists.
    if (!known.LaunchConfigurations?.length) await client.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: launchConfiguration, ImageId: 'ami-12c6146b', InstanceType: instanceType }));
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: group.name,
        LaunchConfigurationName: launchConfiguration,
        MinSize: group.minSize ?? 0,
        MaxSize: group.maxSize,
        DesiredCapacity: group.desiredCapacity,
        AvailabilityZones: [`${config.region}a`],
        Tags: Object.entries(group.tags ?? {}).map(([Key, Value]) => ({ Key, Value, ResourceId: group.name, ResourceType: 'auto-scaling-group', PropagateAtLaunch: false })),
      }),
    );
    const described = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group.name] }));
    return (described.AutoScalingGroups?.[0]?.Instances ?? []).map((instance) => instance.InstanceId ?? '');
  } finally {
    client.destroy();
  }
}

async function createLambdaFunction(config: SdkClientConfig, name: string): Promise<string> {
  // Loaded on demand: only the invocation tests need them.
  const [{ CreateRoleCommand, GetRoleCommand, IAMClient }, { CreateFunctionCommand, LambdaClient }] = await Promise.all([import('@aws-sdk/client-iam'), import('@aws-sdk/client-lambda')]);
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  try {
    const roleName = 'moto-test-function';
    const existing = await iam.send(new GetRoleCommand({ RoleName: roleName })).catch(() => undefined);
    const role = existing ?? (await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) })));
    // An empty zip archive: moto stores the code and never runs it.
    const emptyZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role.Role?.Arn, Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: emptyZip } }));
    return created.FunctionArn ?? '';
  } finally {
    iam.destroy();
    lambda.destroy();
  }
}

async function createIamUser(config: SdkClientConfig, name: string, policy: { Version: string; Statement: unknown[] }): Promise<MotoIamUser> {
  // Loaded on demand: only the access-denied tests need IAM.
  const { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } = await import('@aws-sdk/client-iam');
  const iam = new IAMClient(config);
  try {
    const user = await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy`, PolicyDocument: JSON.stringify(policy) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return {
      name,
      arn: user.User?.Arn ?? '',
      credentials: { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' },
    };
  } finally {
    iam.destroy();
  }
}

async function waitHealthy(endpoint: string): Promise<void> {
  const deadline = Date.now() + LAUNCH_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto at ${endpoint} never answered its health check (${last})`);
}

/** The directory of the cached virtualenv (for README and cleanup scripts). */
export const MOTO_VENV_DIR = VENV_DIR;
