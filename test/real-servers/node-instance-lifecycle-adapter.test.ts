/**
 * The interruption handler's Auto Scaling adapter (AwsInstanceLifecycleApi) over the real SDK
 * client against moto: which group an instance is in (DescribeAutoScalingInstances), a hook's
 * heartbeat timeout (PutLifecycleHook, DescribeLifecycleHooks). CompleteLifecycleAction, which moto
 * does not implement, is answered at the wire by test/support/lifecycle-action-emulator.ts with Auto
 * Scaling's own answers; an access denial comes from the fault proxy in Auto Scaling's error shape.
 */
import { AutoScalingClient, PutLifecycleHookCommand } from '@aws-sdk/client-auto-scaling';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsInstanceLifecycleApi } from '../../lambdas/adapters/autoscaling/aws-instance-lifecycle-api';
import { useMotoBehindProxy } from '../support/fault-proxy';
import { emulateCompleteLifecycleAction } from '../support/lifecycle-action-emulator';
import { MOTO_SKIP } from '../support/moto-server';

const REGION = 'us-east-1';

describe.skipIf(MOTO_SKIP)('AwsInstanceLifecycleApi against moto', () => {
  const served = useMotoBehindProxy('aws-query');
  const api = () => new AwsInstanceLifecycleApi(new AutoScalingClient({ ...served().moto.clientConfig(REGION), endpoint: served().proxy.url }));
  afterEach(() => served().proxy.reset());

  it('finds the group of an instance, and none for an instance in no group', async () => {
    const [instanceId] = await served().moto.createAutoScalingGroup({ name: 'lifecycle-a', maxSize: 3, desiredCapacity: 1, region: REGION });
    expect(await api().groupOfInstance(instanceId!)).toBe('lifecycle-a');
    expect(await api().groupOfInstance('i-0000000000000dead')).toBeUndefined();
  });

  it("reads a hook's heartbeat timeout; a hook the group does not have is unknown", async () => {
    await served().moto.createAutoScalingGroup({ name: 'lifecycle-b', maxSize: 3, desiredCapacity: 0, region: REGION });
    const client = new AutoScalingClient(served().moto.clientConfig(REGION));
    await client.send(
      new PutLifecycleHookCommand({ AutoScalingGroupName: 'lifecycle-b', LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 90, DefaultResult: 'CONTINUE' }),
    );
    client.destroy();
    expect(await api().heartbeatTimeoutSeconds('lifecycle-b', 'drain')).toBe(90);
    expect(await api().heartbeatTimeoutSeconds('lifecycle-b', 'other')).toBeUndefined();
  });

  it('continues a pending lifecycle action once; a second completion is reported as no longer pending', async () => {
    const emulator = emulateCompleteLifecycleAction(served().proxy);
    emulator.pending({ group: 'lifecycle-c', hook: 'drain', token: 'tok-1', instanceId: 'i-1' });
    const input = { autoScalingGroupName: 'lifecycle-c', hookName: 'drain', token: 'tok-1', instanceId: 'i-1' };
    expect(await api().continueLifecycleAction(input)).toEqual({ outcome: 'completed' });
    expect(emulator.completed).toEqual([expect.objectContaining({ AutoScalingGroupName: 'lifecycle-c', LifecycleHookName: 'drain', LifecycleActionToken: 'tok-1', InstanceId: 'i-1', LifecycleActionResult: 'CONTINUE' })]);
    expect(await api().continueLifecycleAction(input)).toEqual({ outcome: 'not-pending', message: expect.stringContaining('No active Lifecycle Action found with token tok-1') });
    expect(emulator.completed).toHaveLength(1);
  });

  it('an access denial names the IAM action to grant', async () => {
    served().proxy.inject({ match: (request) => request.operation === 'DescribeAutoScalingInstances', fault: 'denied' });
    await expect(api().groupOfInstance('i-1')).rejects.toThrow(/grant autoscaling:DescribeAutoScalingInstances on i-1 to the node scaler's role/);
  });
});
