/** The resources one `cdk deploy` creates, asserted on the synthesized template (bundled once). */
import { Match } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { buildScaler } from './support/scaler-stack';
import type { BuiltScaler } from './support/scaler-stack';

let built: BuiltScaler;

beforeAll(() => {
  built = buildScaler({}, { bundle: true });
}, 120_000);

function functionByDescription(fragment: string) {
  const functions = built.template.findResources('AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([, fn]) => String(fn.Properties.Description).includes(fragment));
  if (!entry) throw new Error(`no function described as ${fragment}`);
  return { logicalId: entry[0], properties: entry[1].Properties };
}

describe('state table', () => {
  it('is on-demand, encrypted, with point-in-time recovery and TTL, keyed as the state stores expect', () => {
    built.template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('scaler functions', () => {
  it('runs one node scaler at a time, so no two invocations act on one group from stale views', () => {
    expect(functionByDescription('node scaler').properties.ReservedConcurrentExecutions).toBe(1);
    expect(functionByDescription('pod scaler').properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it.each([
    ['pod scaler', 70],
    ['node scaler', 60],
  ])('the %s runs Node.js 24 on arm64 with explicit memory, timeout, tracing and bounded logs', (name, timeout) => {
    const fn = functionByDescription(name);
    expect(fn.properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: timeout,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(fn.properties.Environment.Variables).toMatchObject({
      SCALER_CONFIG_FILE: '/var/task/scaler-config.json',
      STATE_TABLE_NAME: { Ref: expect.stringMatching(/StateTable/) },
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('tells the pod scaler which function is the node scaler', () => {
    const pod = functionByDescription('pod scaler');
    const node = functionByDescription('node scaler');
    expect(pod.properties.Environment.Variables.NODE_SCALER_FUNCTION_NAME).toEqual({ Ref: node.logicalId });
  });

  it('keeps each log group for one month', () => {
    const groups = Object.values(built.template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('sends failed asynchronous invocations to the dead-letter queue', () => {
    built.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    built.template.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedInvocations'), 'Arn'] } } },
    });
  });

  it('ships the validated configuration inside each bundle, beside the handler', () => {
    for (const name of ['pod scaler', 'node scaler']) {
      const s3Key = functionByDescription(name).properties.Code.S3Key as string;
      const dir = join(built.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
      const config = JSON.parse(readFileSync(join(dir, 'scaler-config.json'), 'utf8')) as ScalerConfig;
      expect(config.defaultCluster).toEqual({ name: 'prod', region: 'us-east-1' });
      expect(config.scaledObjects.map((object) => object.id)).toEqual(['jobs/orders-worker', 'streams/clicks-consumer', 'jobs/partner-feed']);
      expect(config.nodeGroups).toEqual([{ cluster: 'prod', autoScalingGroupName: 'prod-workers' }]);
      // The ESM bundle loads in Node 24 as Lambda loads it, and exports the configured handler.
      const probe = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); console.log(typeof m.handler);`],
        { encoding: 'utf8', env: { ...process.env, SCALER_CONFIG_FILE: join(dir, 'scaler-config.json') } },
      );
      expect(probe.stderr).toBe('');
      expect(probe.stdout.trim()).toBe('function');
    }
  });

  it("bundles each function from its own handler (CDK's asset cache keys on the bundling inputs)", () => {
    const assetOf = (name: string) => functionByDescription(name).properties.Code.S3Key as string;
    expect(assetOf('pod scaler')).not.toBe(assetOf('node scaler'));
    const handlers = { 'pod scaler': 'lambdas/pod-scaler/handler.ts', 'node scaler': 'lambdas/node-scaler/handler.ts' } as const;
    for (const [name, handler] of Object.entries(handlers)) {
      const dir = join(built.app.outdir, `asset.${assetOf(name).replace(/\.zip$/, '')}`);
      const sources = (JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
      const bundledHandlers = Object.values(handlers).filter((file) => sources.some((source) => source.endsWith(`/${file}`)));
      expect(bundledHandlers).toEqual([handler]);
    }
  });
});

describe('invocation', () => {
  it('ticks each scaler every minute through EventBridge Scheduler, with retries and the dead-letter queue', () => {
    built.template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    built.template.allResourcesProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedInvocations'), 'Arn'] } },
        Input: Match.serializedJson(Match.objectLike({ 'detail-type': 'Scheduled Event' })),
      },
    });
  });

  it('lets the scheduler invoke exactly its function (no versions or aliases)', () => {
    const roles = built.template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } },
    });
    expect(Object.keys(roles)).toHaveLength(2);
    const policies = Object.values(built.template.findResources('AWS::IAM::Policy')).filter((policy) =>
      Object.keys(roles).includes(policy.Properties.Roles[0].Ref),
    );
    for (const policy of policies) {
      const invoke = policy.Properties.PolicyDocument.Statement.find((s: { Action: string }) => s.Action === 'lambda:InvokeFunction');
      expect(invoke.Resource).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    }
  });

  it('forwards CloudWatch alarms entering ALARM to the pod scaler, with retries and the dead-letter queue', () => {
    const pod = functionByDescription('pod scaler');
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['ALARM'] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [pod.logicalId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedInvocations'), 'Arn'] } },
        }),
      ],
    });
  });

  it('keeps failed invocations in an encrypted, TLS-only queue for 14 days', () => {
    built.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('Kubernetes access', () => {
  it('maps each scaler role to its own Kubernetes group with STANDARD access entries', () => {
    built.template.resourceCountIs('AWS::EKS::AccessEntry', 2);
    for (const [role, group] of [
      ['PodScalerRole', 'eks-lambda-scaler'],
      ['NodeScalerRole', 'eks-lambda-scaler-nodes'],
    ] as const) {
      built.template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: 'prod',
        Type: 'STANDARD',
        KubernetesGroups: [group],
        PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(role), 'Arn'] },
      });
    }
    // No access policy: what the group may do is deploy/rbac.yaml, nothing more.
    const entries = Object.values(built.template.findResources('AWS::EKS::AccessEntry'));
    for (const entry of entries) expect(entry.Properties.AccessPolicies).toBeUndefined();
  });
});

describe('alarms', () => {
  const alarmsOn = (metricName: string) =>
    Object.values(built.template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }));

  it.each(['Errors', 'Throttles'])('alarms on each scaler\'s %s', (metricName) => {
    const alarms = alarmsOn(metricName);
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1, TreatMissingData: 'notBreaching' });
  });

  it('alarms as soon as a message is in the dead-letter queue', () => {
    const [alarm] = alarmsOn('ApproximateNumberOfMessagesVisible');
    expect(alarm?.Properties).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it.each([
    ['ObjectsInFallback', 1, 'fallback'],
    ['ObjectsAtMaxReplicas', 15, 'at-max'],
  ])('alarms per cluster, not per ScaledObject, on %s, naming the rule that lists the objects', (metricName, periods, rule) => {
    const alarms = alarmsOn(metricName);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'EksLambdaScaler',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: periods,
      Threshold: 1,
      Dimensions: [{ Name: 'Cluster', Value: 'prod' }],
    });
    expect(alarms[0]?.Properties.AlarmDescription).toMatch(new RegExp(`Contributor Insights rule "[^"]+-${rule}"`));
    expect(alarms[0]?.Properties.AlarmDescription).toContain('objects-needing-attention');
  });

  it.each([
    ['fallback', 'fallback'],
    ['at-max', 'atMaxReplicas'],
  ])('has a Contributor Insights rule (%s) keyed by ScaledObject on the pod scaler\'s attention lines', (suffix, condition) => {
    const rules = Object.values(built.template.findResources('AWS::CloudWatch::InsightRule'));
    const rule = rules.find((candidate) => String(candidate.Properties.RuleName).endsWith(`-${suffix}`));
    const body = JSON.stringify(rule?.Properties.RuleBody);
    expect(body).toContain('$.scaledObject');
    expect(body).toContain(`\\"In\\":[\\"${condition}\\"]`);
    expect(body).toContain('scaled object needs attention');
  });

  it('saves a Logs Insights query listing the objects that need attention', () => {
    built.template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      QueryString: Match.stringLikeRegexp('filter message = "scaled object needs attention"'),
    });
  });
});

describe('dashboard', () => {
  function dashboardBody(): string {
    const [dashboard] = Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'));
    const body = dashboard?.Properties.DashboardBody;
    // The body is a Fn::Join of literal JSON and tokens; the literal parts are what we check.
    return (body['Fn::Join'][1] as unknown[]).filter((part): part is string => typeof part === 'string').join('');
  }

  it('shows each cluster\'s ScaledObject counts, not one graph per object', () => {
    const body = dashboardBody();
    expect(body).toContain('"title":"prod: ScaledObjects evaluated, active, scaled"');
    for (const metric of ['ObjectsEvaluated', 'ObjectsActive', 'ObjectsScaled', 'ObjectsInFallback', 'ObjectsAtMaxReplicas', 'ObjectsWithErrors']) {
      expect(body).toContain(`["EksLambdaScaler","${metric}","Cluster","prod"`);
    }
    expect(body).not.toContain('"ScaledObject"');
    expect(body).not.toContain('SEARCH(');
  });

  it('shows the node groups\' summed capacity per cluster', () => {
    const body = dashboardBody();
    expect(body).toContain('"title":"prod: node groups\' capacity"');
    expect(body).toContain('["EksLambdaScaler","DesiredCapacity","Cluster","prod"');
    expect(body).toContain('["EksLambdaScaler","InServiceInstances","Cluster","prod"');
  });
});
