/**
 * `aws-dynamodb` (KEDA `pkg/scalers/aws_dynamodb_scaler.go`): the `Count` of one DynamoDB Query
 * (`keyConditionExpression`, `expressionAttributeNames`, `expressionAttributeValues`, optional
 * `indexName` and `filterExpression`), with an AverageValue target of `targetValue` items per pod.
 * As KEDA, one Query call: its Count covers the first page (up to 1 MB read), not the whole result.
 */
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toTriggerError } from '../adapters/aws/aws-errors';
import { readEachRequest, AWS_AUTH_PARAMS, AWS_STATIC_CREDENTIAL_KEYS, assertEnvResolved, fieldOf, partitionOf, readAwsSource, requireAwsSource, sourceKey } from './aws-common';
import { metadataReader, normalizeMetricNamePart } from './metadata-values';
import {
  TriggerError,
  type DynamoDbQuery,
  type MetricOutcome,
  type ParsedTrigger,
  type Reading,
  type ReadRequest,
  type TriggerDefinition,
  type TriggerParseInput,
  type TriggerParseResult,
} from './trigger-definition';

export type DynamoDbParams = DynamoDbQuery & {
  targetValue: number;
  activationTargetValue: number;
};

const ATTRIBUTE_TYPES = ['S', 'N', 'BOOL', 'B', 'L', 'M', 'NULL'];
const VALUES_EXAMPLE = '\'{":status": {"S": "pending"}}\'';

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, [], AWS_AUTH_PARAMS);
  const tableName = reader.string('tableName', { required: true });
  const keyConditionExpression = reader.string('keyConditionExpression', { required: true });
  const indexName = reader.string('indexName');
  const filterExpression = reader.string('filterExpression');
  const namesText = reader.string('expressionAttributeNames');
  const valuesText = reader.string('expressionAttributeValues');
  const targetValue = reader.int('targetValue');
  const activationTargetValue = reader.int('activationTargetValue', { default: 0 });
  const aws = readAwsSource(reader, input);

  // KEDA's order: names, then values, then the target (ErrAwsDynamoNo... errors).
  let names: Record<string, string> | undefined;
  if (namesText === undefined) reader.error('expressionAttributeNames', 'no expressionAttributeNames given', 'set it to a JSON map, e.g. \'{"#k": "status"}\'');
  else names = parseNames(reader, namesText);
  let values: Record<string, unknown> | undefined;
  if (valuesText === undefined) reader.error('expressionAttributeValues', 'no expressionAttributeValues given', `set it to a JSON map of DynamoDB values, e.g. ${VALUES_EXAMPLE}`);
  else values = parseValues(reader, valuesText);
  if (targetValue === undefined && !reader.has('targetValue')) {
    reader.error('targetValue', 'no targetValue given', 'set the items per pod, e.g. targetValue: "10"');
  } else if (targetValue !== undefined && targetValue <= 0) {
    reader.error(fieldOf(input, 'targetValue'), `${targetValue} is not a positive number of items per pod (the HPA rejects a target of 0 or less)`, 'set targetValue to 1 or more');
  }
  reader.finish(AWS_STATIC_CREDENTIAL_KEYS);
  if (reader.errors.length > 0 || !tableName || !keyConditionExpression || !names || !values || targetValue === undefined || activationTargetValue === undefined) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: DynamoDbParams = {
    tableName,
    keyConditionExpression,
    expressionAttributeNames: names,
    expressionAttributeValues: values,
    ...(indexName ? { indexName } : {}),
    ...(filterExpression ? { filterExpression } : {}),
    targetValue,
    activationTargetValue,
  };
  return {
    parsed: {
      metricName: `s${input.index}-${normalizeMetricNamePart(`aws-dynamodb-${tableName}`)}`,
      target: targetValue,
      activationTarget: activationTargetValue,
      params,
      aws,
      envRefs: { ...reader.envRefs },
    },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

/** `json2Map`: a non-empty JSON object of strings. */
function parseNames(reader: ReturnType<typeof metadataReader>, text: string): Record<string, string> | undefined {
  const parsed = parseJsonObject(text);
  const fix = 'write a JSON object of placeholder to attribute name, e.g. \'{"#k": "status"}\'';
  if (!parsed || !Object.values(parsed).every((value) => typeof value === 'string')) {
    reader.error('expressionAttributeNames', 'invalid expressionAttributeNames: not a JSON object of strings', fix);
    return undefined;
  }
  if (Object.keys(parsed).length === 0) {
    reader.error('expressionAttributeNames', 'expressionAttributeNames is an empty map', fix);
    return undefined;
  }
  return parsed as Record<string, string>;
}

/** `json2DynamoMap`: a JSON object of DynamoDB attribute values ({"S": ...}, {"N": "5"}, ...). */
function parseValues(reader: ReturnType<typeof metadataReader>, text: string): Record<string, unknown> | undefined {
  const parsed = parseJsonObject(text);
  if (!parsed) {
    reader.error('expressionAttributeValues', 'invalid expressionAttributeValues: not a JSON object', `write a JSON map of DynamoDB values, e.g. ${VALUES_EXAMPLE}`);
    return undefined;
  }
  for (const [key, value] of Object.entries(parsed)) {
    const problem = attributeProblem(value);
    if (problem) {
      reader.error('expressionAttributeValues', `invalid expressionAttributeValues: ${key}: ${problem}`, `write each value as {"<type>": value} with type ${ATTRIBUTE_TYPES.join(', ')}, e.g. ${VALUES_EXAMPLE}`);
      return undefined;
    }
  }
  return parsed;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a JSON value is not an attribute value KEDA's `attributeValueFromInterface` accepts, or undefined. */
function attributeProblem(value: unknown, depth = 0): string | undefined {
  if (depth > 32) return 'nested too deeply';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'unsupported data type for attribute value (expected {"<type>": value})';
  const entries = Object.entries(value);
  if (entries.length !== 1) return `needs exactly one type key, got ${entries.length}`;
  const [type, inner] = entries[0]!;
  switch (type) {
    case 'S':
    case 'B':
      return typeof inner === 'string' ? undefined : `${type} needs a string`;
    case 'N':
      return typeof inner === 'string' ? undefined : 'N needs a number written as a string, e.g. {"N": "5"}';
    case 'BOOL':
      return typeof inner === 'boolean' ? undefined : 'BOOL needs true or false';
    case 'NULL':
      return undefined;
    case 'L':
      if (!Array.isArray(inner)) return 'L needs a list';
      return inner.map((item) => attributeProblem(item, depth + 1)).find((problem) => problem !== undefined);
    case 'M':
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return 'M needs an object';
      return Object.values(inner).map((item) => attributeProblem(item, depth + 1)).find((problem) => problem !== undefined);
    default:
      return `unsupported data type for attribute value: ${type}`;
  }
}

/** The validated JSON form to the SDK's AttributeValue (B is the string's bytes, as KEDA). */
function toAttributeValue(value: unknown): AttributeValue {
  const [type, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  switch (type) {
    case 'S':
      return { S: inner as string };
    case 'N':
      return { N: inner as string };
    case 'BOOL':
      return { BOOL: inner as boolean };
    case 'B':
      return { B: new TextEncoder().encode(inner as string) };
    case 'L':
      return { L: (inner as unknown[]).map(toAttributeValue) };
    case 'M':
      return { M: Object.fromEntries(Object.entries(inner as Record<string, unknown>).map(([key, item]) => [key, toAttributeValue(item)])) };
    default:
      return { NULL: true };
  }
}

function readRequest(trigger: ParsedTrigger): ReadRequest {
  assertEnvResolved(trigger);
  const { targetValue: _target, activationTargetValue: _activation, ...query } = trigger.params as DynamoDbParams;
  const source = requireAwsSource(trigger);
  // Triggers asking the same question of the same table share one Query.
  return { service: 'dynamodb', key: `dynamodb|${sourceKey(source)}|${JSON.stringify(query)}`, source, query };
}

function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as DynamoDbParams;
  if (reading?.service !== 'dynamodb') throw new TriggerError(`no DynamoDB reading for table ${params.tableName}`, 'NoReading');
  return { value: reading.count, active: reading.count > params.activationTargetValue };
}

async function readBatch(requests: ReadRequest[], clients: { dynamodb(): DynamoDBClient }, options: { signal?: AbortSignal }): Promise<Map<string, Reading | TriggerError>> {
  const client = clients.dynamodb();
  return readEachRequest(requests, 'dynamodb', (request) => query(client, request, options.signal));
}

async function query(client: DynamoDBClient, request: Extract<ReadRequest, { service: 'dynamodb' }>, signal?: AbortSignal): Promise<Reading | TriggerError> {
  const { region, roleArn } = request.source;
  const { query: spec } = request;
  try {
    const answer = await client.send(
      new QueryCommand({
        TableName: spec.tableName,
        KeyConditionExpression: spec.keyConditionExpression,
        ExpressionAttributeNames: spec.expressionAttributeNames,
        ExpressionAttributeValues: Object.fromEntries(Object.entries(spec.expressionAttributeValues).map(([key, value]) => [key, toAttributeValue(value)])),
        ...(spec.indexName ? { IndexName: spec.indexName } : {}),
        ...(spec.filterExpression ? { FilterExpression: spec.filterExpression } : {}),
        // The same Count KEDA reads, without shipping the items back.
        Select: 'COUNT',
      }),
      signal ? { abortSignal: signal } : {},
    );
    if (typeof answer.Count !== 'number') return new TriggerError(`Query returned no Count for table ${spec.tableName}`, 'MissingCount');
    return { service: 'dynamodb', count: answer.Count };
  } catch (error) {
    return toTriggerError(error, {
      operation: 'DynamoDB Query',
      iamAction: 'dynamodb:Query',
      resource: `arn:${partitionOf(region)}:dynamodb:${region}:*:table/${spec.tableName}${spec.indexName ? `/index/${spec.indexName}` : ''}`,
      region,
      target: `table ${spec.tableName}`,
      targetKeys: 'tableName',
      ...(roleArn ? { roleArn } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

export const awsDynamoDbTrigger: TriggerDefinition = {
  type: 'aws-dynamodb',
  parse,
  readRequest,
  toMetric,
  readBatch,
};
