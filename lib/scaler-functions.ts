/**
 * One scaler Lambda (pod scaler or node scaler): a NodejsFunction bundled locally with esbuild, its
 * own role (no AWS managed policies: each permission is added by the construct that needs it), and a
 * log group with bounded retention. The validated configuration is copied into the bundle.
 */
import { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from './config-bundle';
import { ESM_REQUIRE_BANNER, lambdaBundleAliases } from './lambda-bundle-aliases';
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
  readonly function: NodejsFunction;
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

    const configFile = props.configFile;
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: lockFileOf(props.projectRoot),
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
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle our pinned AWS SDK clients instead of the runtime's copy: the behaviour tested is
        // the behaviour deployed, whatever SDK version the runtime ships this month.
        externalModules: [],
        // Imports redirected for a smaller bundle and a faster start (lib/lambda-bundle-aliases.ts).
        esbuildArgs: { '--alias': Object.entries(lambdaBundleAliases(props.projectRoot)).map(([name, stub]) => `${name}=${stub}`) },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp ${shellQuote(configFile)} ${shellQuote(join(outputDir, CONFIG_FILE_NAME))}`,
            ...(props.configShardsDirectory
              ? [`cp -R ${shellQuote(props.configShardsDirectory)} ${shellQuote(join(outputDir, CONFIG_SHARDS_DIRECTORY))}`]
              : []),
          ],
        },
      },
    });
  }
}

/**
 * The lock file NodejsFunction asks for (it names the asset root; nothing is installed from it).
 * An installed package has no package-lock.json (npm never packs one), so its package.json stands in.
 */
function lockFileOf(projectRoot: string): string {
  const lockFile = join(projectRoot, 'package-lock.json');
  return existsSync(lockFile) ? lockFile : join(projectRoot, 'package.json');
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
