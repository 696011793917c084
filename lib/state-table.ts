/**
 * The DynamoDB table both Lambdas keep their state in: one item per ScaledObject (`pk` =
 * `<cluster>/<namespace>/<name>`), per ScaledJob (`scaledjob/...`), per node group
 * (`nodegroup/<cluster>/<asg>`) and per Kinesis stream a constrained pod scaler reads
 * (`kinesis-reading/<hash>`, its last open shard count). On-demand, because the load is a few small
 * writes a minute; TTL removes objects that left the configuration and readings a day old.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Key and TTL attributes the DynamoDB state stores (lambdas/adapters/state) read and write. */
export const STATE_TABLE_PARTITION_KEY = 'pk';
export const STATE_TABLE_TTL_ATTRIBUTE = 'expiresAt';

export interface StateTableProps {
  /** Default RETAIN: the state (cooldowns, HPA history, fallback counters) outlives a stack update gone wrong. */
  removalPolicy?: RemovalPolicy;
}

export class StateTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StateTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE_PARTITION_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: STATE_TABLE_TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
