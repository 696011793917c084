#!/usr/bin/env node
// Launcher for the TypeScript CLI: registers tsx's loader, then hands the process over to runCli.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  // The repository installs its own Node 24 (the `node` package); npx and npm scripts put it first.
  process.stderr.write(
    `eks-lambda-scaler needs Node.js >= 22.12 (this is ${process.version}). Run it through npx ` +
      '(`npx eks-lambda-scaler ...`), which uses the Node 24 that `npm ci` installed.\n',
  );
  process.exit(2);
}
import { Buffer } from 'node:buffer';
const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../cli/main.ts');
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
