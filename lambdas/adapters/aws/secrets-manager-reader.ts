/**
 * Reads a credential from AWS Secrets Manager for a trigger (a TriggerAuthentication's
 * `awsSecretManager`, as KEDA's `aws_secretmanager_handler.go` reads it): `GetSecretValue` of the
 * secret, at the version or stage given, and with `secretKey` the string value of that key of the
 * secret's JSON. The value is kept in memory for five minutes, is never logged, never part of an
 * error message and never stored.
 *
 * Why five minutes: GetSecretValue is billed per call ($0.05 per 10,000), while a Kubernetes
 * Secret's GET is free and cached for one minute; a rotated key is picked up within the five
 * minutes (KEDA keeps it until it rebuilds the scaler). docs/performance.md prices it.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { partitionOf } from '../../engine/iam/iam-allowance';
import { secretArnPattern } from '../../engine/iam/secret-arns';
import { TriggerError, type AwsSecretRef } from '../../triggers/trigger-definition';
import { toTriggerError } from './aws-errors';

export const AWS_SECRET_CACHE_MS = 5 * 60_000;

export type AwsSecretReader = (ref: AwsSecretRef, signal?: AbortSignal) => Promise<string>;

export interface AwsSecretReaderOptions {
  /** The client for a region, reading as `roleArn` (or the scaler's own role when undefined). */
  clientFor(region: string, roleArn: string | undefined): SecretsManagerClient;
  /** The scaler's own region, for secrets named without one. */
  defaultRegion: string;
  /** The scaler's account, for the ARN in an AccessDenied fix when the secret is named, not ARN'd. */
  account?: string;
  now?: () => number;
}

export function createAwsSecretReader(options: AwsSecretReaderOptions): AwsSecretReader {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: string; until: number }>();
  return async (ref, signal) => {
    const region = ref.region ?? options.defaultRegion;
    const cacheKey = JSON.stringify([region, ref.roleArn, ref.secretId, ref.versionId, ref.versionStage, ref.secretKey]);
    const cached = cache.get(cacheKey);
    if (cached && cached.until > now()) return cached.value;

    const target = `AWS Secrets Manager secret ${ref.secretId}${ref.versionStage ? ` (stage ${ref.versionStage})` : ''}${ref.versionId ? ` (version ${ref.versionId})` : ''}`;
    let secretString: string | undefined;
    try {
      const answer = await options.clientFor(region, ref.roleArn).send(
        new GetSecretValueCommand({
          SecretId: ref.secretId,
          ...(ref.versionId ? { VersionId: ref.versionId } : {}),
          ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}),
        }),
        signal ? { abortSignal: signal } : {},
      );
      secretString = answer.SecretString;
    } catch (error) {
      throw toTriggerError(error, {
        operation: 'Secrets Manager GetSecretValue',
        iamAction: 'secretsmanager:GetSecretValue (and kms:Decrypt on its key if it is a customer-managed key)',
        resource: secretArnPattern(ref.secretId, { region, account: options.account ?? '<account>', partition: partitionOf(region) }),
        region,
        target,
        targetKeys: "the TriggerAuthentication's awsSecretManager.secrets[].name, versionId, versionStage and region",
        ...(ref.roleArn ? { roleArn: ref.roleArn } : {}),
        ...(signal ? { signal } : {}),
      });
    }
    if (secretString === undefined) {
      throw new TriggerError(`${target} holds a binary value, not a string: store the key as a secret string`, 'SecretNotString');
    }
    const value = ref.secretKey === undefined ? secretString : keyOf(secretString, ref.secretKey, target);
    cache.set(cacheKey, { value, until: now() + AWS_SECRET_CACHE_MS });
    return value;
  };
}

/** KEDA: the secret string parsed as a JSON object, and that key's value, which must be a string. */
function keyOf(secretString: string, secretKey: string, target: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // Never quote the secret itself: only say what shape was expected.
    throw new TriggerError(`${target} is not a JSON object, so secretKey "${secretKey}" cannot be read from it: store it as {"${secretKey}": "..."} or remove secretKey`, 'SecretNotJson');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TriggerError(`${target} is not a JSON object, so secretKey "${secretKey}" cannot be read from it: store it as {"${secretKey}": "..."} or remove secretKey`, 'SecretNotJson');
  }
  const value = (parsed as Record<string, unknown>)[secretKey];
  if (value === undefined) {
    const keys = Object.keys(parsed);
    throw new TriggerError(`${target} has no key "${secretKey}" (its keys: ${keys.length > 0 ? keys.join(', ') : 'none'}): fix awsSecretManager.secrets[].secretKey`, 'SecretKeyNotFound');
  }
  if (typeof value !== 'string') {
    throw new TriggerError(`${target}'s key "${secretKey}" is a ${value === null ? 'null' : typeof value}, not a string (KEDA: "SecretKey value is not a string"): store the key as a JSON string`, 'SecretKeyNotString');
  }
  return value;
}
