/**
 * Credentials for a named role through STS AssumeRole, cached per role until five minutes before
 * they expire. Every client of every source that names the role shares one cache entry, and
 * concurrent reads share one in-flight AssumeRole, so a pass assumes each role at most once.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { TriggerError } from '../../triggers/trigger-definition';
import { awsErrorName } from './aws-errors';
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
      throw new TriggerError(
        `cannot assume role ${roleArn}${externalId ? ' with the external ID of podIdentity.externalID' : ''}: grant sts:AssumeRole on it to the scaler's IAM role, and let the role's trust policy trust the scaler's role${externalId ? ' with that sts:ExternalId' : ''} (${name}: ${detail})`,
        name === 'Error' ? 'AssumeRoleFailed' : name,
      );
    }
    const issued = answer.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
      throw new TriggerError(`AssumeRole for ${roleArn} returned no credentials`, 'AssumeRoleFailed');
    }
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
