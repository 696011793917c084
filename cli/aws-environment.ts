/**
 * AWS settings for the commands that talk to a real account (dry-run, status), read from the
 * command's own environment rather than the process's, so tests can point them at local servers.
 * Credentials come from the SDK's default chain unless the environment names static keys.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { SetupError, UsageError } from './args';
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

/** The region a command needs, or a usage error (exit 2) that names both ways to give it. */
export function requireRegion(io: CliIo, flag: string | undefined, command: string): string {
  const region = regionFrom(io, flag);
  if (!region) throw new UsageError(`${command} needs an AWS region: give --region R (or set env AWS_REGION)`);
  return region;
}

const CREDENTIALS_TIMEOUT_MS = 10_000;

/**
 * Resolves the credentials once, before any AWS call, so a missing or expired login is one message
 * naming the fix (exit 2) rather than the same SDK error repeated for every object. The SDK's text
 * is kept after the fix: it says which sources were tried. Never prints a key.
 */
export async function requireCredentials(resolveCredentials: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CREDENTIALS_TIMEOUT_MS / 1000}s`)), CREDENTIALS_TIMEOUT_MS);
  });
  try {
    await Promise.race([resolveCredentials(), timeout]);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new SetupError(
      'no usable AWS credentials: log in first (aws sso login --profile P, then AWS_PROFILE=P), or set ' +
        `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the SDK said: ${reason})`,
    );
  } finally {
    clearTimeout(timer);
  }
}
