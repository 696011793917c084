/**
 * One scaler Lambda (pod scaler or node scaler): a function bundled locally with esbuild, its
 * own role (no AWS managed policies: each permission is added by the construct that needs it), and a
 * log group with bounded retention. The validated configuration is copied into the bundle.
 */
import { AssetHashType, DockerImage, Duration, type ILocalBundling } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from './config-bundle';
import { DEPLOYED_ENTRY_NAME, lambdaDeployedJsonOptions } from './lambda-bundle-aliases';
import { METRIC_NAMESPACE } from '../lambdas/util/scaler-metrics';
import { CONFIG_SHARDS_DIRECTORY } from '../lambdas/config/load-config';

/** Where the config lands in the Lambda: beside the bundled handler, in the task root. */
export const CONFIG_PATH_IN_LAMBDA = `/var/task/${CONFIG_FILE_NAME}`;

/** The EMF namespace the handlers publish under (dashboards and alarms read it). */
/** The namespace both Lambdas emit their embedded metrics in (one definition, shared with them). */
export const METRICS_NAMESPACE = METRIC_NAMESPACE;

export interface ScalerNetwork {
  vpc: IVpc;
  subnets?: SubnetSelection;
  securityGroup: ISecurityGroup;
}

export interface ScalerFunctionProps {
  /** The handler's TypeScript entry file. */
  entry: string;
  /** The repository root: esbuild runs there and resolves node_modules from it. */
  projectRoot: string;
  /** Synth-time configuration file copied into the bundle as scaler-config.json. */
  configFile: string;
  /** Per-shard slices, copied beside it as scaler-config-shards/ (large deployments only). */
  configShardsDirectory?: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  logRetention: RetentionDays;
  environment: Record<string, string>;
  /** Receives asynchronous invocations that failed after Lambda's own retries. */
  failureQueue: IQueue;
  network?: ScalerNetwork;
  /** Invocations allowed at once; undefined = the account's unreserved pool. */
  reservedConcurrentExecutions?: number;
  /** Run as this role (another function's, for a second entry into the same scaler); default a role of its own. */
  role?: Role;
}

export class ScalerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ScalerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role =
      props.role ??
      new Role(this, 'Role', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `${props.description} (eks-lambda-scaler)`,
      });
    // Instead of AWSLambdaBasicExecutionRole (any log group): only this function's own group.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    if (props.network && !props.role) {
      // Lambda needs these to attach its network interfaces; AWS maintains the policy.
      this.role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }

    this.function = new LambdaFunction(this, 'Function', {
      code: bundledCode(props),
      handler: `${DEPLOYED_ENTRY_NAME}.handler`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      // Lambda's own retries are enough; a tick that failed twice is stale by the next one.
      retryAttempts: 2,
      maxEventAge: Duration.minutes(5),
      onFailure: new SqsDestination(props.failureQueue),
      environment: {
        SCALER_CONFIG_FILE: CONFIG_PATH_IN_LAMBDA,
        // Stack traces point at the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [props.network.securityGroup],
          }
        : {}),
    });
  }
}

/**
 * The Lambda's code: the handler bundled on this machine by lib/bundle/build-lambda.mjs with the
 * options of lambdaDeployedJsonOptions (our pinned AWS SDK clients bundled instead of the runtime's
 * copy, so the behaviour tested is the behaviour deployed), and the configuration beside it. The
 * asset is hashed by its output, so an unchanged bundle is not uploaded again. Stacks whose bundling
 * CDK skips (`cdk deploy OtherStack`, or `aws:cdk:bundling-stacks`) are never built.
 */
function bundledCode(props: ScalerFunctionProps): Code {
  return Code.fromAsset(props.projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by CDK's type, never pulled: the local bundling below always builds or throws.
      image: DockerImage.fromRegistry('dummy'),
      local: new LocalHandlerBundling(props.projectRoot, props.entry, props.configFile, props.configShardsDirectory),
    },
  });
}

/**
 * Bundles one handler and copies its configuration beside it. Its inputs are public fields on
 * purpose: CDK caches staged assets for the whole app under a key made with JSON.stringify of the
 * bundling options, which drops functions, so without them every scaler function (and every
 * EksLambdaScaler in the app) would share the first one's bundle.
 */
export class LocalHandlerBundling implements ILocalBundling {
  constructor(
    readonly projectRoot: string,
    readonly entry: string,
    readonly configFile: string,
    readonly configShardsDirectory: string | undefined,
  ) {}

  tryBundle(outputDir: string): boolean {
    bundleHandler(this.projectRoot, this.entry, outputDir);
    copyFileSync(this.configFile, join(outputDir, CONFIG_FILE_NAME));
    if (this.configShardsDirectory) cpSync(this.configShardsDirectory, join(outputDir, CONFIG_SHARDS_DIRECTORY), { recursive: true });
    return true;
  }
}

/** Longest one Lambda's bundling may take (about 2 s on a 2-core machine) before synth gives up on it. */
const BUNDLING_TIMEOUT_MS = 300_000;

/** Runs the bundling script in a child process (CDK's bundling hook is synchronous; esbuild's plugins are not). */
export function bundleHandler(projectRoot: string, entry: string, outdir: string): void {
  const script = join(projectRoot, 'lib', 'bundle', 'build-lambda.mjs');
  const options = lambdaDeployedJsonOptions(projectRoot, entry, outdir);
  const result = spawnSync(process.execPath, [script, JSON.stringify(options)], {
    cwd: projectRoot,
    // esbuild's messages go to stderr, as CDK's own bundling messages do; nothing mixes into stdout.
    stdio: ['ignore', 2, 'inherit'],
    timeout: BUNDLING_TIMEOUT_MS,
  });
  // ETIMEDOUT after BUNDLING_TIMEOUT_MS, or the script could not be started.
  if (result.error) throw new Error(`eks-lambda-scaler: bundling ${entry} with ${script} did not finish: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`eks-lambda-scaler: bundling ${entry} failed (${result.signal ?? `exit ${result.status}`}); esbuild's errors are printed above it`);
  }
}
