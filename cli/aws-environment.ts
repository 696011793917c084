/**
 * AWS settings for the commands that talk to a real account (dry-run, status), read from the
 * command's own environment rather than the process's, so tests can point them at local servers.
 * Credentials come from the SDK's default chain unless the environment names static keys.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { CliIo } from './io';

export function regionFrom(io: CliIo, flag: string | undefined): string | undefined {
  return flag ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
}

/** Static keys from the command's environment, if it has them; otherwise the default chain applies. */
export function staticCredentialsFrom(io: CliIo): AwsCredentialIdentity | undefined {
  const accessKeyId = io.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = io.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = io.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
