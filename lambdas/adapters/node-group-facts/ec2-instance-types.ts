/**
 * ec2:DescribeInstanceTypes as one SigV4-signed Query call over Node's HTTP client, instead of
 * @aws-sdk/client-ec2: that client adds about 570 KB (minified) to the node scaler's bundle for this
 * one call, a fifth of the bundle (docs/performance.md, "Node groups from EKS and EC2"). The answer
 * is parsed with the XML parser the Auto Scaling client already brings. Each request is bounded by a
 * timeout; a failure is retried by the next invocation (answers are cached, cached-node-group-facts.ts).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { parseXML } from '@aws-sdk/xml-builder';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { InstanceTypeCapacity } from '../../engine/nodes/eks-instance-types';
import { factsError } from './node-group-facts-api';

const API_VERSION = '2016-11-15';
/** DescribeInstanceTypes takes at most 100 names per call. */
const TYPES_PER_CALL = 100;
/** The answer for 100 types is about 300 KB; anything far larger is not EC2's. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Kubernetes' `kubernetes.io/arch` for EC2's architecture names. */
const ARCHITECTURES: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' };

export interface Ec2InstanceTypesOptions {
  credentials: AwsCredentialIdentityProvider;
  /** EC2's endpoint for a region; default `https://ec2.<region>.amazonaws.com` (`.com.cn` in China). */
  endpointFor?: (region: string) => string;
  /** Per-request timeout, ms (default 3000, as the node scaler's other AWS calls). */
  timeoutMs?: number;
  /** Signing clock, epoch ms (default Date.now). */
  now?: () => number;
}

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export function defaultEc2Endpoint(region: string): string {
  return `https://ec2.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export class Ec2InstanceTypes {
  constructor(private readonly options: Ec2InstanceTypesOptions) {}

  /** Capacities of the types EC2 knows; a type EC2 says does not exist is absent from the answer. */
  async describe(region: string, types: readonly string[]): Promise<Map<string, InstanceTypeCapacity>> {
    const found = new Map<string, InstanceTypeCapacity>();
    const unique = [...new Set(types)];
    for (let start = 0; start < unique.length; start += TYPES_PER_CALL) {
      const batch = unique.slice(start, start + TYPES_PER_CALL);
      try {
        await this.describeBatch(region, batch, found);
      } catch (error) {
        // One unknown name fails the whole call: ask for each name alone so the known ones still count.
        if (!(error instanceof Ec2Error && error.code === 'InvalidInstanceType' && batch.length > 1)) throw factsError(error, 'ec2:DescribeInstanceTypes', 'ec2:DescribeInstanceTypes', batch.join(', '));
        for (const type of batch) {
          try {
            await this.describeBatch(region, [type], found);
          } catch (single) {
            if (!(single instanceof Ec2Error && single.code === 'InvalidInstanceType')) throw factsError(single, 'ec2:DescribeInstanceTypes', 'ec2:DescribeInstanceTypes', type);
          }
        }
      }
    }
    return found;
  }

  private async describeBatch(region: string, types: readonly string[], found: Map<string, InstanceTypeCapacity>): Promise<void> {
    let token: string | undefined;
    do {
      const params = new URLSearchParams({ Action: 'DescribeInstanceTypes', Version: API_VERSION });
      types.forEach((type, index) => params.set(`InstanceType.${index + 1}`, type));
      if (token) params.set('NextToken', token);
      const answer = await this.call(region, params.toString());
      const response = (answer as { DescribeInstanceTypesResponse?: Record<string, unknown> }).DescribeInstanceTypesResponse;
      if (!response || typeof response !== 'object') throw new Ec2Error('MalformedResponse', 'the answer is not a DescribeInstanceTypesResponse (a proxy or endpoint override answering instead?)');
      for (const item of listOf((response.instanceTypeSet as { item?: unknown } | undefined)?.item)) {
        const capacity = capacityOf(item);
        if (capacity) found.set(capacity.type, capacity.capacity);
      }
      token = typeof response.nextToken === 'string' && response.nextToken !== '' ? response.nextToken : undefined;
    } while (token);
  }

  private async call(region: string, body: string): Promise<unknown> {
    const url = new URL((this.options.endpointFor ?? defaultEc2Endpoint)(region));
    const signer = new SignatureV4({ service: 'ec2', region, credentials: this.options.credentials, sha256: Sha256 });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname || '/',
        query: {},
        // A length, not chunked encoding, as every AWS SDK sends a Query body.
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) },
        body,
      },
      { signingDate: new Date(this.options.now?.() ?? Date.now()) },
    );
    const { status, text } = await post(url, signed.headers as Record<string, string>, body, this.options.timeoutMs ?? 3_000);
    let parsed: unknown;
    try {
      parsed = parseXML(text);
    } catch {
      throw new Ec2Error('MalformedResponse', `HTTP ${status} with an answer that is not XML (a proxy or endpoint override answering instead?)`);
    }
    if (status !== 200) {
      // EC2's own error shape, or the Query protocol's common one (a proxy or another endpoint answering).
      type ErrorBody = { Code?: string; Message?: string };
      const answer = parsed as { Response?: { Errors?: { Error?: ErrorBody } }; ErrorResponse?: { Error?: ErrorBody } };
      const error = answer.Response?.Errors?.Error ?? answer.ErrorResponse?.Error;
      throw new Ec2Error(error?.Code ?? `HTTP${status}`, error?.Message ?? `HTTP ${status}`);
    }
    return parsed;
  }
}

/** The parser gives a repeated element as an array, a single one as itself, an empty one as ''. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return (value && typeof value === 'object') || (typeof value === 'string' && value !== '') ? [value] : [];
}

function whole(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

/** One item, or undefined when a number is missing: such a type falls back to the built-in table, never to a zero. */
function capacityOf(item: unknown): { type: string; capacity: InstanceTypeCapacity } | undefined {
  const entry = item as Record<string, Record<string, unknown> | string | undefined>;
  const type = entry.instanceType;
  if (typeof type !== 'string') return undefined;
  const vcpu = whole((entry.vCpuInfo as Record<string, unknown> | undefined)?.defaultVCpus);
  const memoryMiB = whole((entry.memoryInfo as Record<string, unknown> | undefined)?.sizeInMiB);
  const network = entry.networkInfo as Record<string, unknown> | undefined;
  const maxEnis = whole(network?.maximumNetworkInterfaces);
  const ipv4PerEni = whole(network?.ipv4AddressesPerInterface);
  if (vcpu === undefined || memoryMiB === undefined || maxEnis === undefined || ipv4PerEni === undefined) return undefined;
  const architectures = listOf((entry.processorInfo as { supportedArchitectures?: { item?: unknown } } | undefined)?.supportedArchitectures?.item)
    .map((name) => ARCHITECTURES[String(name)])
    .filter((name): name is string => name !== undefined);
  // CA sums every GPU device as nvidia.com/gpu (ec2_instance_types getGpuCount); AMD's (g4ad) advertise amd.com/gpu, so only NVIDIA's count here.
  const nvidiaGpus = listOf((entry.gpuInfo as { gpus?: { item?: unknown } } | undefined)?.gpus?.item)
    .filter((gpu) => (gpu as Record<string, unknown>).manufacturer === 'NVIDIA')
    .reduce<number>((sum, gpu) => sum + (whole((gpu as Record<string, unknown>).count) ?? 0), 0);
  return {
    type,
    capacity: { vcpu, memoryMiB, maxEnis, ipv4PerEni, ...(architectures[0] ? { architecture: architectures[0] } : {}), ...(nvidiaGpus > 0 ? { nvidiaGpus } : {}) },
  };
}

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          reject(new Ec2Error('MalformedResponse', `the answer is larger than ${MAX_BODY_BYTES} bytes`));
          response.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
      response.on('aborted', () => reject(new Ec2Error('ConnectionClosed', 'the server closed the connection mid-answer')));
    });
    outgoing.on('error', (error) => reject(error.name === 'TimeoutError' || error.name === 'AbortError' ? new Ec2Error('TimeoutError', `no answer within ${timeoutMs} ms`) : error));
    outgoing.end(body);
  });
}
