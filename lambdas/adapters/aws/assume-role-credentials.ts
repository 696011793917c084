/**
 * Credentials for a named role through STS AssumeRole, cached per role until five minutes before
 * they expire. Every client of every source that names the role shares one cache entry, and
 * concurrent reads share one in-flight AssumeRole, so a pass assumes each role at most once.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { TriggerError } from '../../triggers/trigger-definition';
import { awsErrorName, isMalformedAnswer, isServerError, isThrottlingError, isTimeoutError } from './aws-errors';
import { recordAwsCall } from './call-counter';

/** The shape SDK clients accept as `credentials`. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<Credentials>;

export const SESSION_NAME = 'eks-lambda-scaler';
/** Refresh this long before expiry, so no call is signed with credentials about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export class AssumeRoleCredentials {
  private readonly cached = new Map<string, Credentials>();
  private readonly inFlight = new Map<string, Promise<Credentials>>();

  constructor(
    private readonly sts: STSClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while an AssumeRole for `roleArn` (any external ID) is waiting for STS (so a timeout is STS's, not the service's). */
  isAssuming(roleArn: string): boolean {
    return [...this.inFlight.keys()].some((key) => key.startsWith(`${roleArn}|`));
  }

  /**
   * A provider for `roleArn` (with the `externalId` its trust policy may require), suitable as an
   * SDK client's `credentials`.
   */
  providerFor(roleArn: string, externalId?: string): CredentialsProvider {
    return () => this.get(roleArn, externalId);
  }

  async get(roleArn: string, externalId?: string): Promise<Credentials> {
    // As KEDA's getCacheKey: one entry per role and external ID.
    const key = `${roleArn}|${externalId ?? ''}`;
    const cached = this.cached.get(key);
    if (cached?.expiration && cached.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS > this.now()) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const request = this.assume(key, roleArn, externalId).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  private async assume(key: string, roleArn: string, externalId: string | undefined): Promise<Credentials> {
    recordAwsCall('sts');
    let answer;
    try {
      answer = await this.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, ...(externalId ? { ExternalId: externalId } : {}) }));
    } catch (error) {
      const name = awsErrorName(error);
      const detail = error instanceof Error ? error.message : String(error);
      if (isMalformedAnswer(error)) throw notFromSts(roleArn);
      if (isTimeoutError(error)) throw stsTimeout(roleArn);
      if (isThrottlingError(error)) {
        throw new TriggerError(`STS throttled AssumeRole for ${roleArn} even after retries (${name}): retried next pass; raise the STS quota if it persists`, name);
      }
      if (isServerError(error)) {
        throw new TriggerError(`cannot assume role ${roleArn}: STS answered with a server error (${name}: ${detail}); retried next pass`, name);
      }
      throw new TriggerError(
        `cannot assume role ${roleArn}${externalId ? ' with the external ID of podIdentity.externalID' : ''}: grant sts:AssumeRole on it to the scaler's IAM role, and let the role's trust policy trust the scaler's role${externalId ? ' with that sts:ExternalId' : ''} (${name}: ${detail})`,
        name === 'Error' ? 'AssumeRoleFailed' : name,
      );
    }
    const issued = answer.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) throw notFromSts(roleArn);
    const credentials: Credentials = {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken ? { sessionToken: issued.SessionToken } : {}),
      ...(issued.Expiration ? { expiration: new Date(issued.Expiration) } : {}),
    };
    this.cached.set(key, credentials);
    return credentials;
  }
}

/** An answer without credentials is not STS's (a proxy or captive-portal page parsed as empty). */
function notFromSts(roleArn: string): TriggerError {
  return new TriggerError(
    `AssumeRole for ${roleArn} returned no credentials: the answer was not STS's; check the STS endpoint (regional STS, VPC endpoint, proxy); retried next pass`,
    'AssumeRoleFailed',
  );
}

/** STS did not answer: the read that needed the role never started, and the service it reads is not to blame. */
export function stsTimeout(roleArn: string | undefined): TriggerError {
  return new TriggerError(
    `STS AssumeRole for ${roleArn} got no answer in time, so the read could not start: check that the Lambda can reach STS ` +
      '(an STS VPC endpoint or a NAT) and that STS is not throttling the scaler; the read is retried next pass',
    'StsTimeout',
  );
}
