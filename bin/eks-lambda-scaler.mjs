#!/usr/bin/env node
// Launcher: runs the CLI built into dist/cli (plain JavaScript, fast to start), building it first
// when it is missing or older than one of its sources, then hands the process over to runCli.
import { Buffer } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [major, minor, patch] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && (minor < 18 || (minor === 18 && patch < 1)))) {
  // 20.18.1 is the floor of undici 7, the Kubernetes client's HTTP stack (package.json pins it
  // through `overrides`). The repository installs its own Node 24 (the `node` package); npx and npm
  // scripts put it first.
  process.stderr.write(
    `eks-lambda-scaler needs Node.js >= 20.18.1 (this is ${process.version}). Run it through npx ` +
      '(`npx eks-lambda-scaler ...`), which uses the Node 24 that `npm ci` installed.\n',
  );
  process.exit(2);
}

const repoRoot = new URL('..', import.meta.url).pathname;
const distDir = join(repoRoot, 'dist', 'cli');

/** The built entry when it is newer than every source it was built from; otherwise undefined. */
function freshBuild() {
  let pointer;
  try {
    pointer = JSON.parse(readFileSync(join(distDir, 'current.json'), 'utf8'));
    statSync(join(distDir, pointer.entry));
  } catch {
    return undefined;
  }
  // Installed from the package (npm pack / npm install): the build shipped with it is the one to
  // run; its bundled dependencies' paths name the clone's node_modules, which is not there.
  if (repoRoot.includes('/node_modules/')) return join(distDir, pointer.entry);
  for (const source of pointer.sources) {
    try {
      if (statSync(join(repoRoot, source)).mtimeMs > pointer.builtAt) return undefined;
    } catch {
      return undefined; // a source was removed or renamed
    }
  }
  return join(distDir, pointer.entry);
}

let entry = freshBuild();
if (!entry) {
  // The first run after a clone or an edit: about a second, once.
  const { buildCli } = await import('./build-cli.mjs');
  entry = await buildCli();
}
const { runCli } = await import(pathToFileURL(entry).href);
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  readStdin: async () => {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  },
});
// Exit once both streams have flushed (piped output is asynchronous), even if an SDK client
// still holds a keep-alive socket.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
