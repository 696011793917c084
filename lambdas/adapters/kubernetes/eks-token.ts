/**
 * EKS bearer tokens, built the way `aws eks get-token` and aws-iam-authenticator build them: a
 * SigV4-presigned STS GetCallerIdentity URL that also signs the `x-k8s-aws-id` header (the cluster
 * name), so a token for one cluster is useless on another. The API server hands the URL to STS to
 * learn the caller's IAM identity, then maps it through the cluster's access entries.
 *
 * Tokens are secrets: nothing here logs them, and error messages never include them.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HttpRequest } from '@smithy/types';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** What aws-iam-authenticator sends; the server accepts the URL for 15 minutes regardless. */
const PRESIGN_EXPIRES_SECONDS = 60;
/** The authenticator accepts a token for 15 minutes after signing; stop handing one out well before. */
const TOKEN_LIFETIME_MS = 14 * 60_000;
/** Refresh this long before the cached token's end, so a slow request never carries a dying token. */
const REFRESH_MARGIN_MS = 2 * 60_000;

export interface EksToken {
  token: string;
  /** Epoch ms after which the token must not be sent. */
  expiresAt: number;
}

/** Presigns STS GetCallerIdentity for `clusterName` in `region` at `signedAt` and wraps it as a token. */
export async function createEksToken(
  clusterName: string,
  region: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  signedAt: number,
): Promise<EksToken> {
  const resolved = typeof credentials === 'function' ? await credentials() : credentials;
  const hostname = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({ service: 'sts', region, credentials: resolved, sha256: Sha256 });
  const request: HttpRequest = {
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
  };
  const signed = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: new Date(signedAt) });
  const url = `https://${hostname}/?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
  let expiresAt = signedAt + TOKEN_LIFETIME_MS;
  // A URL signed with temporary credentials dies with them.
  if (resolved.expiration) expiresAt = Math.min(expiresAt, resolved.expiration.getTime());
  return { token: EKS_TOKEN_PREFIX + Buffer.from(url).toString('base64url'), expiresAt };
}

/**
 * One cluster's token, re-signed when it nears its end. Concurrent callers share one signing.
 */
export class EksTokenSource {
  private current?: EksToken;
  private pending?: Promise<EksToken>;

  constructor(
    private readonly clusterName: string,
    private readonly region: string,
    private readonly credentials: AwsCredentialIdentityProvider,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string> {
    const now = this.now();
    if (this.current && now < this.current.expiresAt - REFRESH_MARGIN_MS) return this.current.token;
    this.pending ??= createEksToken(this.clusterName, this.region, this.credentials, now).finally(() => {
      this.pending = undefined;
    });
    this.current = await this.pending;
    return this.current.token;
  }
}
