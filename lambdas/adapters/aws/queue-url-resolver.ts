/**
 * Resolves an SQS queue given by bare name (KEDA accepts `queueURL: orders`) to its URL through
 * GetQueueUrl, once per client for the container's life: a queue's URL never changes, and the
 * lookup would otherwise double the SQS calls of every pass.
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TriggerError } from '../../triggers/trigger-definition';

// Keyed by client: clients are cached per source (region, role, endpoint), which is exactly the
// scope a queue name is unique in.
const resolved = new WeakMap<SQSClient, Map<string, string>>();

export async function resolveQueueUrl(client: SQSClient, queueName: string, ownerAccountId: string | undefined, signal?: AbortSignal): Promise<string> {
  let urls = resolved.get(client);
  if (!urls) {
    urls = new Map();
    resolved.set(client, urls);
  }
  const cacheKey = `${ownerAccountId ?? ''}/${queueName}`;
  const known = urls.get(cacheKey);
  if (known) return known;
  const answer = await client.send(
    new GetQueueUrlCommand({ QueueName: queueName, ...(ownerAccountId ? { QueueOwnerAWSAccountId: ownerAccountId } : {}) }),
    signal ? { abortSignal: signal } : {},
  );
  if (!answer.QueueUrl) throw new TriggerError(`GetQueueUrl returned no URL for queue ${queueName}`, 'QueueUrlMissing');
  urls.set(cacheKey, answer.QueueUrl);
  return answer.QueueUrl;
}
