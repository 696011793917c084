/**
 * `aws-sqs-queue` (KEDA `pkg/scalers/aws_sqs_queue_scaler.go`): the sum of a queue's visible
 * (+ in-flight, + delayed) message counts, with an AverageValue target of `queueLength` messages per pod.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toTriggerError } from '../adapters/aws/aws-errors';
import { resolveQueueUrl } from '../adapters/aws/queue-url-resolver';
import { AWS_AUTH_PARAMS, AWS_STATIC_CREDENTIAL_KEYS, assertEnvResolved, fieldOf, partitionOf, readAwsSource, requireAwsSource, namedResourceParsed, sourceKey } from './aws-common';
import { metadataReader } from './metadata-values';
import {
  TriggerError,
  type MetricOutcome,
  type ParsedTrigger,
  type Reading,
  type ReadRequest,
  type SqsAttributeName,
  type TriggerDefinition,
  type TriggerParseInput,
  type TriggerParseResult,
} from './trigger-definition';

export type SqsParams = {
  /** As written: KEDA sends it unchanged as `QueueUrl`. */
  queueUrl: string;
  queueName: string;
  queueLength: number;
  activationQueueLength: number;
  scaleOnInFlight: boolean;
  scaleOnDelayed: boolean;
  attributes: SqsAttributeName[];
};

/** Where a queueURL value points: a full URL, or a queue (maybe with its account) to look up. */
export type SqsQueueRef =
  | { kind: 'url'; queueName: string; accountId: string }
  | { kind: 'name'; queueName: string; accountId?: string };

/**
 * KEDA's rule: a value Go's `url.ParseRequestURI` rejects (`orders`) is a bare queue name;
 * otherwise the path must be exactly `/<account>/<name>`. The region is never taken from the URL.
 */
export function parseQueueUrl(raw: string): SqsQueueRef | { error: string } {
  const parsed = parseRequestUri(raw);
  if (parsed === undefined) return { kind: 'name', queueName: raw };
  const parts = parsed.path.split('/');
  if (parts.length !== 3 || parts[2] === '') {
    return { error: `cannot get the queue name from queueURL "${raw}": its path must be /<account id>/<queue name>` };
  }
  const [, accountId = '', queueName = ''] = parts;
  // A path without scheme and host (`/123456789012/orders`) still has to be looked up.
  if (!parsed.hasHost) return { kind: 'name', queueName, accountId };
  return { kind: 'url', queueName, accountId };
}

/** The queue's ARN, for IAM hints (`*` where the account is unknown). */
export function queueArn(ref: SqsQueueRef, region: string): string {
  return `arn:${partitionOf(region)}:sqs:${region || '*'}:${ref.accountId || '*'}:${ref.queueName}`;
}

function parse(input: TriggerParseInput): TriggerParseResult {
  // KEDA: QueueURL is the one parameter with order=triggerMetadata;resolvedEnv.
  const reader = metadataReader(input, ['queueURL'], AWS_AUTH_PARAMS);
  const queueUrl = reader.string('queueURL', { required: true });
  const queueLength = reader.int('queueLength', { default: 5 });
  const activationQueueLength = reader.int('activationQueueLength', { default: 0 });
  const scaleOnInFlight = reader.bool('scaleOnInFlight', { default: true });
  const scaleOnDelayed = reader.bool('scaleOnDelayed', { default: false });
  const aws = readAwsSource(reader, input);

  let queueName = queueUrl;
  if (queueUrl !== undefined) {
    const ref = parseQueueUrl(queueUrl);
    if ('error' in ref) {
      reader.error(fieldOf(input, 'queueURL'), ref.error, 'use the queue URL from the SQS console, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/orders, or the bare queue name');
    } else {
      queueName = ref.queueName;
    }
  }
  if (queueLength !== undefined && queueLength <= 0) {
    reader.error(fieldOf(input, 'queueLength'), `${queueLength} is not a positive number of messages per pod (the HPA rejects a target of 0 or less)`, 'set queueLength to 1 or more');
  }
  reader.finish(AWS_STATIC_CREDENTIAL_KEYS);
  if (reader.errors.length > 0 || queueLength === undefined || activationQueueLength === undefined || scaleOnInFlight === undefined || scaleOnDelayed === undefined) {
    return { errors: reader.errors, warnings: reader.warnings };
  }

  const attributes: SqsAttributeName[] = ['ApproximateNumberOfMessages'];
  if (scaleOnInFlight) attributes.push('ApproximateNumberOfMessagesNotVisible');
  if (scaleOnDelayed) attributes.push('ApproximateNumberOfMessagesDelayed');
  const params: SqsParams = {
    queueUrl: queueUrl ?? '',
    queueName: queueName ?? '',
    queueLength,
    activationQueueLength,
    scaleOnInFlight,
    scaleOnDelayed,
    attributes,
  };
  return namedResourceParsed(input, reader, { kind: 'sqs', param: 'queueURL', name: queueName }, {
    target: queueLength,
    activationTarget: activationQueueLength,
    params,
    aws,
  });
}

function readRequest(trigger: ParsedTrigger): ReadRequest {
  assertEnvResolved(trigger);
  const params = trigger.params as SqsParams;
  const source = requireAwsSource(trigger);
  return {
    service: 'sqs',
    // Attributes are not part of the key: triggers on one queue share the call (their union is read).
    key: `sqs|${sourceKey(source)}|${params.queueUrl}`,
    source,
    queueUrl: params.queueUrl,
    attributes: params.attributes,
  };
}

function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as SqsParams;
  if (reading?.service !== 'sqs') throw new TriggerError(`no SQS reading for queue ${params.queueUrl}`, 'NoReading');
  let sum = 0;
  for (const attribute of params.attributes) {
    const text = reading.attributes[attribute];
    if (text === undefined) {
      throw new TriggerError(`GetQueueAttributes returned no ${attribute} for queue ${params.queueUrl}`, 'MissingAttribute');
    }
    const count = parseGoInt64(text);
    if (count === undefined) {
      throw new TriggerError(`GetQueueAttributes returned ${attribute}="${text}" for queue ${params.queueUrl}, not a whole number`, 'InvalidAttribute');
    }
    sum += count;
  }
  return { value: sum, active: sum > params.activationQueueLength };
}

async function readBatch(requests: ReadRequest[], clients: { sqs(): SQSClient }, options: { signal?: AbortSignal }): Promise<Map<string, Reading | TriggerError>> {
  const out = new Map<string, Reading | TriggerError>();
  const client = clients.sqs();
  // One call per distinct queue; the read plan normally hands over one queue at a time.
  await Promise.all(
    requests.map(async (request) => {
      if (request.service !== 'sqs') return;
      out.set(request.key, await readQueue(client, request, options.signal));
    }),
  );
  return out;
}

async function readQueue(client: SQSClient, request: Extract<ReadRequest, { service: 'sqs' }>, signal?: AbortSignal): Promise<Reading | TriggerError> {
  const ref = parseQueueUrl(request.queueUrl);
  if ('error' in ref) return new TriggerError(ref.error, 'InvalidQueueUrl');
  const { region, roleArn } = request.source;
  const common = { region, ...(roleArn ? { roleArn } : {}), ...(signal ? { signal } : {}), targetKeys: 'queueURL', resource: queueArn(ref, region) };
  let queueUrl = request.queueUrl;
  if (ref.kind === 'name') {
    try {
      queueUrl = await resolveQueueUrl(client, ref.queueName, ref.accountId, signal);
    } catch (error) {
      return toTriggerError(error, { ...common, operation: 'SQS GetQueueUrl', iamAction: 'sqs:GetQueueUrl', target: `queue ${ref.queueName}` });
    }
  }
  try {
    const answer = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: request.attributes }), signal ? { abortSignal: signal } : {});
    return { service: 'sqs', attributes: (answer.Attributes ?? {}) as Partial<Record<SqsAttributeName, string>> };
  } catch (error) {
    return toTriggerError(error, { ...common, operation: 'SQS GetQueueAttributes', iamAction: 'sqs:GetQueueAttributes', target: `queue ${queueUrl}` });
  }
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, int64 range. */
function parseGoInt64(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const big = BigInt(text);
  return big > INT64_MAX || big < INT64_MIN ? undefined : Number(big);
}

/**
 * Go's `url.ParseRequestURI`, reduced to what decides KEDA's queue-name rule: undefined when Go
 * rejects the text, else the unescaped path and whether an authority (host) was present.
 */
function parseRequestUri(raw: string): { path: string; hasHost: boolean } | undefined {
  // eslint-disable-next-line no-control-regex
  if (raw === '' || /[\x00-\x1f\x7f]/.test(raw)) return undefined;
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return undefined;
      scheme = raw.slice(0, i);
      rest = raw.slice(i + 1);
    }
    break;
  }
  rest = rest.endsWith('?') && rest.indexOf('?') === rest.length - 1 ? rest.slice(0, -1) : (rest.split('?')[0] as string);
  if (!rest.startsWith('/')) return scheme ? { path: '', hasHost: false } : undefined;
  let hasHost = false;
  if (scheme && rest.startsWith('//')) {
    const authorityEnd = rest.indexOf('/', 2);
    const authority = authorityEnd === -1 ? rest.slice(2) : rest.slice(2, authorityEnd);
    if (!isValidAuthority(authority)) return undefined;
    hasHost = true;
    rest = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  }
  const path = unescapePath(rest);
  return path === undefined ? undefined : { path, hasHost };
}

function isValidAuthority(authority: string): boolean {
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) return /^\[[0-9A-Fa-f:.%\w-]+\](:\d*)?$/.test(host);
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && !/^\d*$/.test(host.slice(colon + 1))) return false;
  return /^[A-Za-z0-9\-._~!$&'()*+,;=:%"<>[\]]*$/.test(host);
}

function unescapePath(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  try {
    return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => decodeURIComponent(run));
  } catch {
    // Go unescapes bytes, not UTF-8; an invalid sequence still yields a path of the same shape.
    return text;
  }
}

export const awsSqsQueueTrigger: TriggerDefinition = {
  type: 'aws-sqs-queue',
  parse,
  readRequest,
  toMetric,
  readBatch,
};
