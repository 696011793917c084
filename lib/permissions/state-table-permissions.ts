/**
 * Item-level access to the state table only: the calls the DynamoDB state stores make (batch and
 * single reads, conditional writes, the scan behind `status` and removal detection). No table
 * management, no streams, no other table.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';

export const STATE_TABLE_STATEMENT_ID = 'ReadWriteScalerState';

export const STATE_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export function grantStateTable(grantee: IGrantable, table: ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ sid: STATE_TABLE_STATEMENT_ID, actions: [...STATE_TABLE_ACTIONS], resources: [table.tableArn] }),
  );
}
