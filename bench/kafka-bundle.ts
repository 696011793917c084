/**
 * What the Kafka triggers add to the pod scaler's Lambda bundle: the minified output bytes of every
 * input that is theirs (the protocol client in lambdas/adapters/kafka/, the two trigger files and
 * their shared module, the lag computation), out of the whole bundle, built as one file with the
 * construct's options. No npm package is involved: the client is the scaler's own. The deployed,
 * split bundle loads the protocol client only at the first Kafka read (docs/performance.md §31);
 * the trigger files and the lag computation load at every cold start.
 *
 *   npx tsx bench/kafka-bundle.ts
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaEsbuildOptions } from '../lib/lambda-bundle-aliases';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const KAFKA_INPUT = /^lambdas\/(adapters\/kafka\/|triggers\/(kafka|apache-kafka|kafka-common)\.ts$|engine\/keda\/kafka-lag\.ts$)/;

const result = await build({
  ...lambdaEsbuildOptions(REPO_ROOT),
  entryPoints: [join(REPO_ROOT, 'lambdas/pod-scaler/handler.ts')],
  minify: true,
  write: false,
  outfile: 'bundle.mjs',
  metafile: true,
});
let total = 0;
const kafka: [string, number][] = [];
for (const output of Object.values(result.metafile.outputs)) {
  if (!output.entryPoint) continue;
  total += output.bytes;
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) if (KAFKA_INPUT.test(input) && bytesInOutput > 0) kafka.push([input, bytesInOutput]);
}
const kafkaBytes = kafka.reduce((sum, [, bytes]) => sum + bytes, 0);
console.log('pod scaler bundle (minified)', total, 'bytes');
for (const [input, bytes] of kafka.sort((a, b) => b[1] - a[1])) console.log(`  ${input}`, bytes);
console.log(`Kafka triggers and client: ${kafkaBytes} bytes (${((100 * kafkaBytes) / total).toFixed(2)} % of the bundle)`);
