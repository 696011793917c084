/**
 * The trigger types the scaler supports, by KEDA `type` name. A ScaledObject using any other type
 * is rejected with this list in the message.
 */
import { apacheKafkaTrigger } from './apache-kafka';
import { awsCloudwatchTrigger } from './aws-cloudwatch';
import { awsDynamoDbTrigger } from './aws-dynamodb';
import { awsDynamoDbStreamsTrigger } from './aws-dynamodb-streams';
import { awsKinesisStreamTrigger } from './aws-kinesis-stream';
import { awsSqsQueueTrigger } from './aws-sqs-queue';
import { cpuTrigger, memoryTrigger } from './cpu-memory';
import { cronTrigger } from './cron';
import { kafkaTrigger } from './kafka';
import { newRelicTrigger } from './new-relic';
import { prometheusTrigger } from './prometheus';
import type { TriggerDefinition } from './trigger-definition';

const DEFINITIONS: readonly TriggerDefinition[] = [awsSqsQueueTrigger, awsKinesisStreamTrigger, awsCloudwatchTrigger, awsDynamoDbTrigger, awsDynamoDbStreamsTrigger, cronTrigger, cpuTrigger, memoryTrigger, prometheusTrigger, newRelicTrigger, kafkaTrigger, apacheKafkaTrigger];

const BY_TYPE = new Map(DEFINITIONS.map((definition) => [definition.type, definition]));

export const SUPPORTED_TRIGGER_TYPES: readonly string[] = DEFINITIONS.map((definition) => definition.type);

export function getTriggerDefinition(type: string): TriggerDefinition | undefined {
  return BY_TYPE.get(type);
}
