/**
 * SASL exchanges for a Kafka connection: PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802/7677, as
 * Kafka implements them, no channel binding) and AWS_MSK_IAM (Amazon MSK IAM: a SigV4-presigned
 * `kafka-cluster:Connect` request sent as JSON, as AWS's aws-msk-iam-auth and kafka-go's
 * `aws_msk_iam_v2` send it). Each mechanism is a list of client messages, each computed from the
 * server's previous answer; secrets stay in these closures, never in an error or a log line.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** One SASL conversation: `next` takes the server's last answer (empty at first) and returns the next client message, or null when done. */
export interface SaslSession {
  mechanism: string;
  next(serverMessage: Buffer): Promise<Buffer | null>;
}

export function plainSession(username: string, password: string): SaslSession {
  let sent = false;
  return {
    mechanism: 'PLAIN',
    async next() {
      if (sent) return null;
      sent = true;
      return Buffer.from(`\0${username}\0${password}`, 'utf8');
    },
  };
}

/** SCRAM's `saslname`: `=` and `,` escaped. */
const saslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

export function scramSession(hash: 'sha256' | 'sha512', username: string, password: string, nonce: string = randomBytes(24).toString('base64')): SaslSession {
  const keyLength = hash === 'sha256' ? 32 : 64;
  const clientFirstBare = `n=${saslName(username)},r=${nonce}`;
  let step = 0;
  let serverSignature: Buffer | undefined;
  const hmac = (key: Buffer, text: string): Buffer => createHmac(hash, key).update(text).digest();
  return {
    mechanism: hash === 'sha256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512',
    async next(serverMessage) {
      step += 1;
      if (step === 1) return Buffer.from(`n,,${clientFirstBare}`, 'utf8');
      if (step === 2) {
        const serverFirst = serverMessage.toString('utf8');
        const fields = Object.fromEntries(serverFirst.split(',').map((part) => [part.slice(0, 1), part.slice(2)]));
        const serverNonce = fields.r ?? '';
        const iterations = Number(fields.i);
        if (!serverNonce.startsWith(nonce) || !fields.s || !Number.isInteger(iterations) || iterations < 1) throw new Error('the broker\'s SCRAM challenge is malformed');
        const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(fields.s, 'base64'), iterations, keyLength, hash);
        const clientKey = hmac(salted, 'Client Key');
        const storedKey = createHash(hash).update(clientKey).digest();
        const clientFinalWithoutProof = `c=biws,r=${serverNonce}`;
        const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
        const signature = hmac(storedKey, authMessage);
        const proof = Buffer.from(clientKey.map((byte, index) => byte ^ (signature[index] as number)));
        serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
        return Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8');
      }
      if (step === 3) {
        const verifier = /(?:^|,)v=([^,]*)/.exec(serverMessage.toString('utf8'))?.[1];
        const received = verifier === undefined ? Buffer.alloc(0) : Buffer.from(verifier, 'base64');
        if (!serverSignature || received.length !== serverSignature.length || !timingSafeEqual(received, serverSignature)) throw new Error('the broker\'s SCRAM signature does not verify (is it the broker you meant?)');
        return null;
      }
      return null;
    },
  };
}

/**
 * The AWS_MSK_IAM payload for one broker: a presigned `kafka-cluster:Connect` on `kafka://<host>/`
 * (empty-payload hash, 5 minutes), as JSON, as kafka-go's `sasl/aws_msk_iam_v2/msk_iam.go` builds it.
 */
export async function mskIamPayload(host: string, region: string, credentials: AwsCredentialIdentityProvider, now: Date, userAgent = 'eks-lambda-scaler'): Promise<Buffer> {
  const signer = new SignatureV4({ service: 'kafka-cluster', region, credentials, sha256: Sha256, applyChecksum: false });
  const presigned = await signer.presign(
    { method: 'GET', protocol: 'kafka:', hostname: host, path: '/', query: { Action: 'kafka-cluster:Connect' }, headers: { host } },
    { signingDate: now, expiresIn: 300 },
  );
  const payload: Record<string, string> = { version: '2020_10_22', host, 'user-agent': userAgent, action: 'kafka-cluster:Connect' };
  for (const [key, value] of Object.entries(presigned.query ?? {})) {
    if (key === 'Action') continue;
    payload[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export function mskIamSession(host: string, region: string, credentials: AwsCredentialIdentityProvider, now: () => Date): SaslSession {
  let sent = false;
  return {
    mechanism: 'AWS_MSK_IAM',
    async next() {
      if (sent) return null;
      sent = true;
      return mskIamPayload(host, region, credentials, now());
    },
  };
}
