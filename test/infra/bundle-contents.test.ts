/**
 * What the Lambda bundles may not contain: the client-node package index (every API group,
 * attach/exec over `ws`, cp over `tar`), the YAML parsers, which the Lambdas never need (their
 * configuration is JSON validated at synth time), the packages KubeConfig imports for kubeconfig
 * features the scalers never use (stubbed by lib/lambda-bundle-aliases.ts), and in the pod scaler
 * client-node's generated API classes (it calls through kubernetes-rest.ts) and model classes; nor undici's package
 * index or an ESM import of node:http, which load Node's internal undici. Composition only; size
 * and start-up time are measured by bench/cold-start.ts, never by tests.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBECONFIG_PACKAGES_LEFT_OUT, lambdaEsbuildOptions } from '../../lib/lambda-bundle-aliases';
import { REPO_ROOT } from './support/scaler-stack';

interface Bundled {
  bytes: Map<string, number>;
  inputs: string[];
  text: string;
}

/** One build per entry for the whole file, shared by its tests. */
const builds = new Map<string, Promise<Bundled>>();

/** Bytes each input file puts in the bundle (unminified), for the files that put any, and the bundle's text. */
function bundled(entry: string): Promise<Bundled> {
  let pending = builds.get(entry);
  if (!pending) {
    pending = buildOnce(entry);
    builds.set(entry, pending);
  }
  return pending;
}

async function buildOnce(entry: string): Promise<Bundled> {
  const result = await build({
    ...lambdaEsbuildOptions(REPO_ROOT),
    entryPoints: [join(REPO_ROOT, entry)],
    outfile: 'bundle.mjs',
    write: false,
    metafile: true,
  });
  // A module reached but tree-shaken away contributes 0 bytes.
  const bytes = new Map(
    Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input, { bytesInOutput }]) => [input, bytesInOutput] as const),
    ),
  );
  return { bytes, inputs: [...bytes.keys()], text: result.outputFiles.map((file) => file.text).join('\n') };
}

async function bundledBytes(entry: string): Promise<Map<string, number>> {
  return (await bundled(entry)).bytes;
}

async function bundledInputs(entry: string): Promise<string[]> {
  return (await bundled(entry)).inputs;
}

describe.each(['lambdas/pod-scaler/handler.ts', 'lambdas/node-scaler/handler.ts'])('%s bundle', (entry) => {
  it('leaves out the YAML parser, ws, tar and client-node\'s package index', async () => {
    const inputs = await bundledInputs(entry);
    const from = (packagePath: string) => inputs.filter((input) => input.includes(`node_modules/${packagePath}`));
    expect(from('yaml/')).toEqual([]);
    expect(from('ws/')).toEqual([]);
    expect(from('tar-stream/')).toEqual([]);
    expect(from('@kubernetes/client-node/dist/index.js')).toEqual([]);
    expect(from('@kubernetes/client-node/dist/config.js')).toHaveLength(1);
    for (const left of KUBECONFIG_PACKAGES_LEFT_OUT) expect(from(`${left}/`)).toEqual([]);
  }, 60_000);

  it("takes undici's Agent and fetch, not its index, and imports node:http without Node's internal undici", async () => {
    const { inputs, text } = await bundled(entry);
    const undici = inputs.filter((input) => input.includes('/undici/'));
    expect(undici.some((input) => input.endsWith('undici/lib/dispatcher/agent.js'))).toBe(true);
    // The index, and its cookies module, which reads globalThis.Headers and so loads Node's own undici.
    expect(undici.filter((input) => input.endsWith('undici/index.js') || input.includes('undici/lib/web/cookies/'))).toEqual([]);
    // An ESM import of node:http reads its WebSocket getter, which loads Node's own undici as well.
    expect(text).not.toMatch(/from\s*["']node:http["']/);
    expect(inputs).toContain('lambdas/bundle/node-http-as-commonjs.cjs');
  }, 60_000);
});

describe('pod scaler bundle', () => {
  it("calls Kubernetes without client-node's generated API classes", async () => {
    const bytes = await bundledBytes('lambdas/pod-scaler/handler.ts');
    // What is left of them is their modules' import glue (about 10 KB unminified), not the ~2 MB of request code.
    const generated = [...bytes].filter(([input]) => /client-node\/dist\/gen\/(apis\/[A-Z]|types\/)/.test(input));
    expect(generated.reduce((sum, [, size]) => sum + size, 0)).toBeLessThan(20_000);
    expect(bytes.has('lambdas/adapters/kubernetes/kubernetes-rest.ts')).toBe(true);
  }, 60_000);

  it("leaves out client-node's generated model classes, which KubeConfig's import reaches and nothing uses", async () => {
    const bytes = await bundledBytes('lambdas/pod-scaler/handler.ts');
    const models = [...bytes.keys()].filter((input) => input.includes('@kubernetes/client-node/dist/gen/models/'));
    // About 760 modules and 340 KB minified without the plugin (lib/bundle/client-node-models-plugin.mjs).
    expect(models).toEqual([]);
    expect(bytes.has('node_modules/@kubernetes/client-node/dist/config.js')).toBe(true);
  }, 60_000);
});

describe('node scaler bundle', () => {
  it("keeps the model classes its generated API classes deserialize into", async () => {
    const inputs = await bundledInputs('lambdas/node-scaler/handler.ts');
    expect(inputs).toContain('node_modules/@kubernetes/client-node/dist/gen/models/V1Pod.js');
    expect(inputs).toContain('node_modules/@kubernetes/client-node/dist/gen/models/ObjectSerializer.js');
  }, 60_000);

  it('has no trigger clients: it reads no queues, streams or metrics', async () => {
    const inputs = await bundledInputs('lambdas/node-scaler/handler.ts');
    for (const client of ['client-sqs', 'client-kinesis', 'client-cloudwatch', 'client-dynamodb-streams']) {
      expect(inputs.filter((input) => input.includes(`@aws-sdk/${client}/`))).toEqual([]);
    }
    expect(inputs.some((input) => input.includes('lambdas/adapters/aws/aws-client-factory.ts'))).toBe(false);
  }, 60_000);
});
