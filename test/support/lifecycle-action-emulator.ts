/**
 * CompleteLifecycleAction at the wire, for tests against moto: moto 5.2.5 stores lifecycle hooks
 * (PutLifecycleHook, DescribeLifecycleHooks) but does not implement CompleteLifecycleAction (checked
 * in moto/autoscaling/responses.py), so nothing else can produce its answers. Installed on the
 * fault proxy in front of moto's Auto Scaling (protocol aws-query), it answers that one operation
 * as Auto Scaling does: success once per pending action, then `ValidationError: No active Lifecycle
 * Action found with token <token>` (the action was completed, or timed out). Every other call still
 * reaches moto.
 */
import type { FaultProxy, ProxiedRequest } from './fault-proxy';

export interface PendingAction {
  group: string;
  hook: string;
  token: string;
  instanceId: string;
}

export interface LifecycleActionEmulator {
  /** An instance entering Terminating:Wait under this hook: its action is now pending. */
  pending(action: PendingAction): void;
  /** The completions Auto Scaling accepted, with their query parameters. */
  readonly completed: Array<Record<string, string>>;
  /** Every CompleteLifecycleAction call received, accepted or refused. */
  readonly calls: Array<Record<string, string>>;
}

const NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

export function emulateCompleteLifecycleAction(proxy: FaultProxy): LifecycleActionEmulator {
  const actions = new Map<string, PendingAction>();
  const emulator: LifecycleActionEmulator = {
    pending: (action) => void actions.set(action.token, action),
    completed: [],
    calls: [],
  };
  proxy.inject({
    match: (request) => request.operation === 'CompleteLifecycleAction',
    fault: {
      respond(request: ProxiedRequest) {
        const params = Object.fromEntries(new URLSearchParams(request.body));
        emulator.calls.push(params);
        const action = actions.get(params.LifecycleActionToken ?? '');
        const matches = action && action.group === params.AutoScalingGroupName && action.hook === params.LifecycleHookName && (!params.InstanceId || params.InstanceId === action.instanceId);
        if (!matches) {
          return {
            status: 400,
            headers: { 'content-type': 'text/xml' },
            body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>No active Lifecycle Action found with token ${params.LifecycleActionToken}</Message></Error><RequestId>lifecycle-emulator</RequestId></ErrorResponse>`,
          };
        }
        actions.delete(action.token);
        emulator.completed.push(params);
        return {
          status: 200,
          headers: { 'content-type': 'text/xml' },
          body: `<CompleteLifecycleActionResponse xmlns="${NAMESPACE}"><CompleteLifecycleActionResult/><ResponseMetadata><RequestId>lifecycle-emulator</RequestId></ResponseMetadata></CompleteLifecycleActionResponse>`,
        };
      },
    },
  });
  return emulator;
}
