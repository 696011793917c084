/**
 * The node scaler's bundle, built with the CDK construct's options (lib/scaler-functions.ts: ESM,
 * node24, minified, the aliases of lib/lambda-bundle-aliases.ts) as one file rather than split into
 * chunks, so its bytes compare with the figures of docs/performance.md §17, and what the EKS/EC2 node-group
 * facts cost in it: bytes of the bundle, gzipped, and the output bytes of the packages and our
 * modules they bring. With `--with-ec2-sdk` it also bundles an entry that adds
 * @aws-sdk/client-ec2's DescribeInstanceTypesCommand (install it first, temporarily), to price the
 * SDK alternative to our signed Query call (docs/performance.md, "Node groups from EKS and EC2").
 *
 *   npx tsx bench/node-scaler-bundle.ts [--with-ec2-sdk]
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { lambdaEsbuildOptions } from '../lib/lambda-bundle-aliases';
import { OUT_DIR, REPO_ROOT } from './support/output';
import { formatNumber, formatTable } from './support/table';

const WATCHED = ['@aws-sdk/client-ec2', '@aws-sdk/client-eks', '@aws-sdk/xml-builder', 'lambdas/adapters/node-group-facts'];

async function bundle(name: string, entry: string): Promise<{ bytes: number; gzip: number; metafile: Metafile }> {
  // Not bundles/<name>/: bench/cold-start.ts writes the deployed, split bundles there.
  const outfile = join(OUT_DIR, 'bundles', 'node-group-facts', name, 'index.mjs');
  await mkdir(join(OUT_DIR, 'bundles', 'node-group-facts', name), { recursive: true });
  const result = await build({
    ...lambdaEsbuildOptions(REPO_ROOT),
    entryPoints: [entry],
    outfile,
    minify: true,
    metafile: true,
  });
  const code = await readFile(outfile);
  return { bytes: code.length, gzip: gzipSync(code).length, metafile: result.metafile };
}

function watchedBytes(metafile: Metafile, prefix: string): number {
  let bytes = 0;
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) if (input.includes(prefix)) bytes += bytesInOutput;
  }
  return bytes;
}

const rows: Array<[string, number, number, ...number[]]> = [];
const base = await bundle('node-scaler', join(REPO_ROOT, 'lambdas/node-scaler/handler.ts'));
rows.push(['node scaler (signed DescribeInstanceTypes)', base.bytes, base.gzip, ...WATCHED.map((prefix) => watchedBytes(base.metafile, prefix))]);
if (process.argv.includes('--with-ec2-sdk')) {
  const entry = join(REPO_ROOT, 'bench/out/node-scaler-with-ec2-sdk.ts');
  await mkdir(join(REPO_ROOT, 'bench/out'), { recursive: true });
  await writeFile(
    entry,
    "import { DescribeInstanceTypesCommand, EC2Client } from '@aws-sdk/client-ec2';\nexport { handler } from '../../lambdas/node-scaler/handler';\n" +
      "export const describe = () => new EC2Client({}).send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large'] }));\n",
  );
  const withSdk = await bundle('node-scaler-with-ec2-sdk', entry);
  await rm(entry);
  rows.push(['same + @aws-sdk/client-ec2 DescribeInstanceTypes', withSdk.bytes, withSdk.gzip, ...WATCHED.map((prefix) => watchedBytes(withSdk.metafile, prefix))]);
}
console.log(
  formatTable(
    'Node scaler bundle (esbuild as the construct builds it), bytes',
    ['bundle', 'bytes', 'gzipped', ...WATCHED],
    rows.map(([name, ...numbers]) => [name, ...numbers.map((value) => formatNumber(value))]),
  ),
);
