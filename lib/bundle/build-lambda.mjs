#!/usr/bin/env node
/**
 * Bundles one scaler Lambda: `node lib/bundle/build-lambda.mjs '<esbuild options as JSON>'`.
 *
 * The construct (lib/scaler-functions.ts) runs this at synth time. CDK's local bundling is
 * synchronous and esbuild takes plugins only in its asynchronous JS API, so the build runs in a
 * child process. The options come from lambdaDeployedJsonOptions (lib/lambda-bundle-aliases.ts),
 * which the cold-start bench builds with too; the plugins cannot be written as JSON and are added
 * here.
 */
import { build } from 'esbuild';
import { LAMBDA_ESBUILD_PLUGINS } from './lambda-plugins.mjs';

const [optionsJson] = process.argv.slice(2);
if (!optionsJson) {
  console.error("usage: node lib/bundle/build-lambda.mjs '<esbuild options as JSON>'");
  process.exit(2);
}
const options = JSON.parse(optionsJson);
try {
  await build({ ...options, plugins: LAMBDA_ESBUILD_PLUGINS });
} catch (error) {
  // esbuild has printed each error with its file and line (logLevel 'error'); this names the entry.
  const printed = Array.isArray(error?.errors) ? `${error.errors.length} error(s), printed above` : String(error?.message ?? error);
  console.error(`eks-lambda-scaler: esbuild could not bundle ${options.entryPoints?.join(', ')}: ${printed}`);
  process.exit(1);
}
