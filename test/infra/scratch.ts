import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EksLambdaScaler, ScaledObjectSource } from '../../lib';
const app = new App({ outdir: '/tmp/h6-out' });
const stack = new Stack(app, 'T', { env: { account: '111111111111', region: 'us-east-1' } });
const entry = '/work/main/test/infra/fixtures/stand-in-handler.ts';
new EksLambdaScaler(stack, 'Scaler', {
  clusters: [{ name: 'prod' }],
  scaledObjects: [ScaledObjectSource.fromFile('/work/main/test/infra/fixtures/sqs-worker.yaml')],
  nodeGroups: [{ cluster: 'prod', autoScalingGroupName: 'prod-workers' }],
  handlerEntries: { podScaler: entry, nodeScaler: entry },
});
const t = Template.fromStack(stack).toJSON();
console.log(Object.entries(t.Resources).map(([k, v]: any) => `${k} ${v.Type}`).join('\n'));
for (const [k, v] of Object.entries(t.Resources) as any) if (v.Type === 'AWS::IAM::Policy') console.log(k, JSON.stringify(v.Properties.PolicyDocument, null, 1));
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
  const report = pack.validateScope(app);
  console.log(pack.name, JSON.stringify(report, null, 1).slice(0, 6000));
}
