#!/usr/bin/env node
/**
 * Builds the CLI into plain JavaScript (`npm run build:cli`; the launcher runs it by itself when the
 * build is missing or older than a source), so a command starts in node alone instead of compiling
 * TypeScript through tsx on every run. Each command is its own chunk, loaded when it runs.
 *
 * Output: dist/cli/<build id>/main.mjs and chunks, and dist/cli/current.json naming that build and
 * every source file it was made from (the launcher compares their times). A build never rewrites
 * files another process may be running: it writes a new folder, then swaps current.json.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_DIST = join(REPO_ROOT, 'dist', 'cli');
export const CURRENT_BUILD = join(CLI_DIST, 'current.json');

/**
 * Dependencies stay in node_modules, except the AWS SDK and yaml: the manifest parser reaches the
 * SDK's command classes through the trigger modules, and resolving the SDK's hundreds of small
 * files costs more start-up time than the rest of `validate` (bench/cli-start.ts). Bundled, only
 * what is used is kept, in the chunk of the command that uses it. Node's own modules stay outside.
 */
const BUNDLED_PACKAGES = /^(@aws-sdk|@smithy|@aws-crypto|@aws\/|yaml$)/;
const NODE_BUILTIN = /^node:/;
const keepInNodeModules = {
  name: 'keep-in-node-modules',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      // What a bundled package imports is bundled with it (its own imports need no file extension).
      if (NODE_BUILTIN.test(args.path)) return { path: args.path, external: true };
      if (BUNDLED_PACKAGES.test(args.path) || args.importer.includes('/node_modules/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Builds the CLI and returns the path of its entry module. */
export async function buildCli() {
  const { build } = await import('esbuild');
  const id = `${Date.now()}-${process.pid}`;
  const outdir = join(CLI_DIST, id);
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { main: 'cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.18',
    plugins: [keepInNodeModules],
    // The ES module builds of the bundled packages (tree-shaken); CommonJS ones that remain get a
    // require for node's built-in modules.
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
    outExtension: { '.js': '.mjs' },
  });
  const sources = [...Object.keys(result.metafile.inputs), 'package.json', relative(REPO_ROOT, fileURLToPath(import.meta.url))];
  const pointer = { entry: join(id, 'main.mjs'), builtAt: Date.now(), sources: [...new Set(sources)] };
  const temporary = `${CURRENT_BUILD}.${id}`;
  await writeFile(temporary, JSON.stringify(pointer, null, 2));
  await rename(temporary, CURRENT_BUILD);
  await removeOldBuilds(id);
  return join(outdir, 'main.mjs');
}

/** Best effort: older builds go, unless they are younger than a minute (another process may be starting from one). */
async function removeOldBuilds(keep) {
  const minuteAgo = Date.now() - 60_000;
  for (const entry of await readdir(CLI_DIST, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const builtAt = Number(entry.name.split('-')[0]);
    if (Number.isFinite(builtAt) && builtAt < minuteAgo) await rm(join(CLI_DIST, entry.name), { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await mkdir(CLI_DIST, { recursive: true });
  const entry = await buildCli();
  process.stdout.write(`built ${relative(REPO_ROOT, entry)}\n`);
}
