/**
 * The HTTP port the prometheus trigger reads through (trigger-definition.ts `HttpReadPort`), for
 * its three routes:
 * - `direct`: a GET to the URL, verifying TLS unless the trigger says `unsafeSsl`.
 * - `service-proxy`: a GET to the cluster's Kubernetes API server, which proxies it to the Service;
 *   the scaler's KubeConfig for that cluster supplies the endpoint, CA and a fresh EKS token.
 * - `sigv4`: a GET signed with SigV4 (Amazon Managed Service for Prometheus), with the credentials
 *   of the trigger's AWS source (an assumed podIdentity role, or the scaler's own).
 * Every call is bounded by the caller's AbortSignal and by a cap on the body it reads; any HTTP
 * status resolves (the trigger explains it), only a failed exchange rejects.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { KubeConfig } from '@kubernetes/client-node';
import { recordAwsCall } from '../aws/call-counter';
import type { SecretKeyReader } from '../kubernetes/secret-key-reader';
import type { AwsSecretReader } from '../aws/secrets-manager-reader';
import type { AwsSource, HttpAnswer, HttpCall, HttpReadPort } from '../../triggers/trigger-definition';

/** A Prometheus instant query for one series answers in well under a kilobyte; this is ample. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** SHA-256 of the empty body, which KEDA's SigV4 round tripper signs for a GET. */
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface HttpReaderOptions {
  /** The scaler's KubeConfig for a cluster, by the name ScaledObjects use (service-proxy route). */
  kubeConfigFor?: (cluster: string) => Promise<KubeConfig>;
  /** Credentials that sign for a source (sigv4 route). */
  credentialsFor?: (source: AwsSource) => AwsCredentialIdentityProvider;
  /** Reads a Secret's key for a call's `secretHeader` (New Relic's query key). */
  readSecretKey?: SecretKeyReader;
  /** Reads an AWS Secrets Manager value for a call's `secretHeader`. */
  readAwsSecret?: AwsSecretReader;
  maxBodyBytes?: number;
  /** Signing clock, epoch ms (default Date.now). */
  now?: () => number;
  /** Origins to send elsewhere, e.g. `https://api.newrelic.com` to a test server (tests, proxies). */
  originOverrides?: Record<string, string>;
}

export function createHttpReader(options: HttpReaderOptions): HttpReadPort {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    async get(call: HttpCall, signal: AbortSignal, source?: AwsSource): Promise<HttpAnswer> {
      recordAwsCall(call.service);
      const headers = Object.fromEntries(call.headers);
      if (call.secretHeader) headers[call.secretHeader.header] = await readCredential(call.secretHeader, options, signal);
      const method = call.method ?? 'GET';
      const body = call.body;
      const url = redirected(call.url, options.originOverrides);
      switch (call.route.kind) {
        case 'direct':
          return send(url, { method, headers, rejectUnauthorized: !call.insecureTls }, signal, maxBodyBytes, body);
        case 'service-proxy': {
          if (!options.kubeConfigFor) throw new Error('no Kubernetes access is wired into this reader, so in-cluster Prometheus Services cannot be reached');
          const kubeConfig = await options.kubeConfigFor(call.route.cluster);
          const server = kubeConfig.getCurrentCluster()?.server;
          if (!server) throw new Error(`the KubeConfig of cluster ${call.route.cluster} names no API server`);
          // Endpoint CA, client certificate (if any) and a fresh bearer token, as every API call gets.
          const tls: RequestOptions & { headers?: Record<string, string> } = {};
          await kubeConfig.applyToHTTPSOptions(tls);
          return send(`${server.replace(/\/+$/, '')}${call.url}`, { ...tls, headers: { ...headers, ...tls.headers, Accept: 'application/json' } }, signal, maxBodyBytes);
        }
        case 'sigv4': {
          if (!options.credentialsFor || !source) throw new Error('no AWS credentials are wired into this reader, so SigV4-signed queries cannot be made');
          const signed = await sign({ ...call, url }, call.route, options.credentialsFor(source), options.now?.() ?? Date.now());
          return send(signed.url, { headers: signed.headers, rejectUnauthorized: !call.insecureTls }, signal, maxBodyBytes);
        }
      }
    },
  };
}

/** The credential a call's `secretHeader` names, from wherever it lives. */
async function readCredential(secretHeader: NonNullable<HttpCall['secretHeader']>, options: HttpReaderOptions, signal: AbortSignal): Promise<string> {
  if ('awsSecret' in secretHeader) {
    if (!options.readAwsSecret) throw new Error('no AWS Secrets Manager access is wired into this reader, so a credential from awsSecretManager cannot be read');
    return options.readAwsSecret(secretHeader.awsSecret, signal);
  }
  if (!options.readSecretKey) throw new Error('no Kubernetes access is wired into this reader, so a credential from a Secret cannot be read');
  return options.readSecretKey(secretHeader.secret);
}

/**
 * Signs the GET. The query is re-encoded the way SigV4 canonicalizes it (RFC 3986, "%20" for a
 * space), so the bytes sent are the bytes signed; Prometheus decodes both spellings alike.
 */
async function sign(call: HttpCall, route: { service: string; region: string }, credentials: AwsCredentialIdentityProvider, now: number): Promise<{ url: string; headers: Record<string, string> }> {
  const url = new URL(call.url);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const known = query[key];
    query[key] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  const signer = new SignatureV4({ service: route.service, region: route.region, credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...Object.fromEntries(call.headers), host: url.host, 'x-amz-content-sha256': EMPTY_BODY_SHA256 },
    },
    { signingDate: new Date(now) },
  );
  const encoded = [...url.searchParams].map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`).join('&');
  return { url: `${url.origin}${url.pathname}${encoded ? `?${encoded}` : ''}`, headers: signed.headers as Record<string, string> };
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function redirected(url: string, overrides: Record<string, string> | undefined): string {
  if (!overrides || !/^https?:/.test(url)) return url;
  const origin = new URL(url).origin;
  const target = overrides[origin];
  return target ? `${target}${url.slice(origin.length)}` : url;
}

function send(url: string, options: RequestOptions & { rejectUnauthorized?: boolean }, signal: AbortSignal, maxBodyBytes: number, body?: string): Promise<HttpAnswer> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const outgoing = request(url, { method: 'GET', ...options, signal }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          // Rejected first: the destroy below also fires "aborted", which must not win.
          reject(new Error(`the answer is larger than ${maxBodyBytes} bytes; an instant query for one series is far smaller (is the query aggregated?)`));
          response.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('the server closed the connection mid-answer')));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
