/**
 * Item-level access to the state table only, and only the calls each scaler's state store makes:
 * no table management, no streams, no other table.
 *
 * - The pod scaler batch-loads its objects' items, writes them conditionally, and scans the table
 *   once per container to find objects removed from the configuration.
 * - The node scaler reads and conditionally writes one item per node group, and only items whose
 *   key starts with `nodegroup/` (dynamodb:LeadingKeys), so it can never touch an object's state.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { NODE_GROUP_KEY_PREFIX } from '../../lambdas/adapters/state/node-group-state-store';

export const STATE_TABLE_STATEMENT_ID = 'ReadWriteScalerState';

export const POD_SCALER_STATE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Scan'] as const;
export const NODE_SCALER_STATE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;

export function grantPodScalerState(grantee: IGrantable, table: ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ sid: STATE_TABLE_STATEMENT_ID, actions: [...POD_SCALER_STATE_ACTIONS], resources: [table.tableArn] }),
  );
}

export function grantNodeScalerState(grantee: IGrantable, table: ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: STATE_TABLE_STATEMENT_ID,
      actions: [...NODE_SCALER_STATE_ACTIONS],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${NODE_GROUP_KEY_PREFIX}*`] } },
    }),
  );
}
