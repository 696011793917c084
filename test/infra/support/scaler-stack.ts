/**
 * Builds the construct in a fresh App for the infra tests. Bundling is skipped unless asked for
 * (esbuild takes seconds); when it runs, it bundles the real handlers.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EksLambdaScaler, ScaledObjectSource } from '../../../lib';
import type { EksLambdaScalerProps } from '../../../lib';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

export interface BuiltScaler {
  app: App;
  stack: Stack;
  scaler: EksLambdaScaler;
  template: Template;
}

export interface BuildOptions {
  bundle?: boolean;
  /** Default: an account- and region-pinned stack. */
  env?: { account?: string; region?: string };
}

/** `props` may be a function of the stack, for props that are constructs themselves (a VPC...). */
export function buildScaler(
  props: Partial<EksLambdaScalerProps> | ((stack: Stack) => Partial<EksLambdaScalerProps>) = {},
  options: BuildOptions = {},
): BuiltScaler {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'eks-lambda-scaler-infra-')),
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, 'ScalerTest', { env: options.env ?? { account: ACCOUNT, region: REGION } });
  const scaler = new EksLambdaScaler(stack, 'Scaler', {
    clusters: [{ name: 'prod' }],
    scaledObjects: [ScaledObjectSource.fromFile(join(FIXTURES, 'scaled-objects.yaml'))],
    nodeGroups: [{ cluster: 'prod', autoScalingGroupName: 'prod-workers' }],
    ...(typeof props === 'function' ? props(stack) : props),
  });
  return { app, stack, scaler, template: Template.fromStack(stack) };
}

/** One ScaledObject reading an SQS queue, as YAML. */
export function sqsScaledObject(name: string, queueUrl: string, extraMetadata: Record<string, string> = {}): string {
  const metadata = { queueURL: queueUrl, awsRegion: 'us-east-1', ...extraMetadata };
  return [
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    'metadata:',
    `  name: ${name}`,
    '  namespace: jobs',
    'spec:',
    '  scaleTargetRef:',
    `    name: ${name}`,
    '  triggers:',
    '    - type: aws-sqs-queue',
    '      metadata:',
    ...Object.entries(metadata).map(([key, value]) => `        ${key}: "${value}"`),
    '',
  ].join('\n');
}

type PolicyStatementJson = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

/** Every statement of every IAM policy attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): PolicyStatementJson[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(rolePrefix)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

export function statementBySid(template: Template, rolePrefix: string, sid: string): PolicyStatementJson | undefined {
  return statementsOfRole(template, rolePrefix).find((statement) => statement.Sid === sid);
}

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
