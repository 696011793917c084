/**
 * The example CDK app: point it at your cluster and ScaledObject files with context values (in
 * cdk.json or `-c key=value`), then `npx cdk deploy`. It needs no AWS lookups, so `npx cdk synth`
 * works offline without credentials. See docs/deploy.md.
 *
 * Context keys (all optional; cdk.json holds the defaults):
 *   eks-lambda-scaler:clusters       EKS clusters: JSON list of { name, region?, objectSource?, namespaces? },
 *                                    or names (`a,b`, `name@region`); the first is the default  (my-cluster)
 *   eks-lambda-scaler:region         region of the stack (and of clusters without one) (us-east-1)
 *   eks-lambda-scaler:account        account to pin the stack to           (none: account-agnostic)
 *   eks-lambda-scaler:scaledObjects  YAML files, folders or globs, JSON list or comma-separated; `none` when
 *                                    every cluster reads its objects from the cluster        (examples/*.yaml)
 *   eks-lambda-scaler:clusterObjectPermissions  JSON { queueArns?, streamArns?, tableArns?, roleArns?,
 *                                    cloudWatchMetrics? }: ARN patterns cluster ScaledObjects may read (none)
 *   eks-lambda-scaler:nodeGroups     JSON list of { cluster, autoScalingGroupName, ... } ([])
 *   eks-lambda-scaler:alarmTopicArn  SNS topic every alarm notifies        (none)
 *   eks-lambda-scaler:stackName      CloudFormation stack name             (EksLambdaScaler)
 *   eks-lambda-scaler:nag            run cdk-nag (AwsSolutions, Serverless) at synth ("true")
 */
import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { globSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EksLambdaScaler, ScaledObjectSource } from '../lib';
import type { ClusterObjectPermissions, ClusterProps, NodeGroupConfig, NodeInterruptionOptions } from '../lib';

const app = new App();

function context(key: string): unknown {
  return app.node.tryGetContext(`eks-lambda-scaler:${key}`);
}

/** `-c key=value` gives strings; cdk.json gives JSON. Accept a JSON list, a comma list or a list. */
function listContext(key: string, fallback: string[]): string[] {
  const value = context(key);
  if (value === undefined || value === '') return fallback;
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text.split(',').map((part) => part.trim()).filter(Boolean);
}

function jsonContext<T>(key: string, fallback: T): T {
  const value = context(key);
  if (value === undefined || value === '') return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function stringContext(key: string, fallback?: string): string | undefined {
  const value = context(key);
  return value === undefined || value === '' ? fallback : String(value);
}

/**
 * Files, globs or folders (every .yaml and .yml under it), relative to the folder the CDK CLI runs
 * the app in: the one with cdk.json. When nothing matches, the message says where it looked and
 * offers a path that exists, not the same glob again.
 */
function scaledObjectFiles(patterns: string[], cwd = process.cwd()): string[] {
  return patterns.flatMap((pattern) => {
    const files = (isFolder(pattern, cwd) ? [`${pattern}/**/*.yaml`, `${pattern}/**/*.yml`] : [pattern]).flatMap((glob) => globSync(glob, { cwd })).sort();
    if (files.length === 0) throw new Error(noScaledObjectFiles(pattern, cwd));
    return files;
  });
}

function isFolder(path: string, cwd: string): boolean {
  try {
    return statSync(resolve(cwd, path)).isDirectory();
  } catch {
    return false;
  }
}

function noScaledObjectFiles(pattern: string, cwd: string): string {
  // The folder before the first glob character (or the file's folder), to say whether it exists.
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((part) => /[*?[{]/.test(part));
  const folder = firstGlob < 0 ? dirname(pattern) : parts.slice(0, firstGlob).join('/');
  const missingFolder = folder !== '' && folder !== '.' && !isFolder(folder, cwd) ? ` The folder ${folder} does not exist there.` : '';
  return (
    `eks-lambda-scaler:scaledObjects: no file matches "${pattern}" in ${cwd} (paths are relative to the folder of cdk.json).${missingFolder} ` +
    'Give your own ScaledObject YAML files, a folder of them, or a glob in quotes, relative to that folder or absolute, ' +
    "e.g. -c eks-lambda-scaler:scaledObjects='examples/*.yaml' (the repository's examples) or -c eks-lambda-scaler:scaledObjects=/path/to/k8s/scaledobjects"
  );
}

function clustersContext(): ClusterProps[] {
  const value = context('clusters');
  if (Array.isArray(value)) return value as ClusterProps[];
  // `-c` gives a string: a JSON list of { name, region? } objects is parsed, not split on commas.
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    const parsed = JSON.parse(value) as unknown[];
    return parsed.map((entry) => (typeof entry === 'string' ? { name: entry } : (entry as ClusterProps)));
  }
  return listContext('clusters', ['my-cluster']).map((entry) => {
    const [name = '', clusterRegion] = entry.split('@');
    return clusterRegion ? { name, region: clusterRegion } : { name };
  });
}

/** `none`: nothing bundled (every cluster reads its ScaledObjects from the cluster itself). */
function bundledFiles(): string[] {
  const patterns = listContext('scaledObjects', ['examples/*.yaml']);
  return patterns.length === 1 && patterns[0] === 'none' ? [] : scaledObjectFiles(patterns);
}

const region = stringContext('region', 'us-east-1') ?? 'us-east-1';
const account = stringContext('account');
const stack = new Stack(app, stringContext('stackName', 'EksLambdaScaler') ?? 'EksLambdaScaler', {
  env: { region, ...(account ? { account } : {}) },
  description: 'eks-lambda-scaler: KEDA-compatible autoscaling for EKS on AWS Lambda',
});

const alarmTopicArn = stringContext('alarmTopicArn');
let scaler: EksLambdaScaler;
try {
  scaler = new EksLambdaScaler(stack, 'Scaler', {
    clusters: clustersContext(),
    scaledObjects: bundledFiles().map((file) => ScaledObjectSource.fromFile(file)),
    nodeGroups: jsonContext<NodeGroupConfig[]>('nodeGroups', []),
    alarmTopics: alarmTopicArn ? [Topic.fromTopicArn(stack, 'AlarmTopic', alarmTopicArn)] : [],
    ...(context('clusterObjectPermissions') === undefined ? {} : { clusterObjectPermissions: jsonContext<ClusterObjectPermissions>('clusterObjectPermissions', {}) }),
    // `true`, `false` or JSON options ({"lifecycleHooks":true}); -c gives a string.
    ...(context('nodeInterruptions') === undefined ? {} : { nodeInterruptions: jsonContext<boolean | NodeInterruptionOptions>('nodeInterruptions', false) }),
  });
} catch (error) {
  // A person reads this: the message names each file, object, field and fix; a stack trace would
  // bury it.
  console.error((error as Error).message);
  process.exit(1);
}

new CfnOutput(stack, 'StateTableName', { value: scaler.table.tableName });
new CfnOutput(stack, 'PodScalerFunctionName', { value: scaler.podScaler.functionName });
if (scaler.nodeScaler) new CfnOutput(stack, 'NodeScalerFunctionName', { value: scaler.nodeScaler.functionName });
new CfnOutput(stack, 'PodScalerRoleArn', { value: scaler.podScalerRole.roleArn });
if (scaler.nodeScalerRole) new CfnOutput(stack, 'NodeScalerRoleArn', { value: scaler.nodeScalerRole.roleArn });
if (scaler.nodeInterruptionHandler) new CfnOutput(stack, 'NodeInterruptionsFunctionName', { value: scaler.nodeInterruptionHandler.functionName });
new CfnOutput(stack, 'FailedInvocationsQueueUrl', { value: scaler.failureQueue.queueUrl });
new CfnOutput(stack, 'DashboardName', { value: scaler.dashboard.dashboardName });

if (stringContext('nag', 'true') === 'true') {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
