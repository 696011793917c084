/**
 * AWS Signature Version 4 for one kind of request only: a POST of a JSON body to `/` of an AWS
 * JSON-protocol service (DynamoDB, SQS, Kinesis), with the headers `direct-json-rpc.ts` sends. Written out
 * rather than taken from @smithy/signature-v4 because that signer's generality (any method, query,
 * header set, presigning, its own hash classes) costs about a tenth of a millisecond of CPU per call,
 * and the busy tick signs some 780 of these (docs/performance.md §27). The result is checked
 * against @smithy/signature-v4 header for header (test/adapters/aws/sigv4-json-post.test.ts) and
 * by moto, which verifies signatures when its IAM checks are on.
 *
 * The derived signing key is cached per secret, day, region and service: it changes once a day, or
 * when the credentials rotate. It is kept as a KeyObject: Node 24's createHmac spends about 20 µs
 * checking whether a Buffer key is a KeyObject, ten times the HMAC itself. Nothing here is logged;
 * the secret key never leaves this module.
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface JsonPostToSign {
  /** `host[:port]` as sent in the Host header. */
  host: string;
  /** The request path, `/` for every JSON-protocol service. */
  path: string;
  region: string;
  /** The service's signing name: `dynamodb`, `sqs`. */
  service: string;
  contentType: string;
  /** `X-Amz-Target`: `DynamoDB_20120810.PutItem`. */
  target: string;
  /** Extra headers the service wants (SQS's `x-amzn-query-mode`), signed too; lower-case names. */
  extraHeaders?: Readonly<Record<string, string>>;
  body: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The last derived key: one region and service per client, so one entry is all a client needs. */
interface DerivedKey {
  secret: string;
  day: string;
  region: string;
  service: string;
  key: KeyObject;
}

export class SigV4JsonPostSigner {
  private derived: DerivedKey | undefined;

  /** The headers to send (Host excluded: the HTTP layer sets it from the same host). */
  sign(request: JsonPostToSign, credentials: SigningCredentials, now: Date): Record<string, string> {
    const amzDate = toAmzDate(now);
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
      'content-type': request.contentType,
      host: request.host,
      'x-amz-date': amzDate,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
      'x-amz-target': request.target,
      ...request.extraHeaders,
    };
    const names = Object.keys(headers).sort();
    const signedHeaders = names.join(';');
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${headers[name]!.trim()}\n`;
    const payloadHash = sha256Hex(request.body);
    const canonicalRequest = `POST\n${request.path}\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
    const scope = `${day}/${request.region}/${request.service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.signingKey(credentials.secretAccessKey, day, request.region, request.service)).update(stringToSign).digest('hex');
    delete headers.host;
    headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  private signingKey(secret: string, day: string, region: string, service: string): KeyObject {
    const cached = this.derived;
    if (cached && cached.secret === secret && cached.day === day && cached.region === region && cached.service === service) return cached.key;
    const key = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request'));
    this.derived = { secret, day, region, service, key };
    return key;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

let lastSecond = Number.NaN;
let lastAmzDate = '';

/** `20261203T051200Z`: ISO 8601 basic format, whole seconds, UTC (the same for a whole second, so kept). */
function toAmzDate(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== lastSecond) {
    const iso = now.toISOString();
    lastAmzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    lastSecond = second;
  }
  return lastAmzDate;
}
