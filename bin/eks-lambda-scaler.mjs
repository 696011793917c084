#!/usr/bin/env node
// Launcher for the TypeScript CLI: registers tsx's loader, then hands the process over to runCli.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../cli/main.ts');
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// Exit once both streams have flushed (piped output is asynchronous), even if an SDK client
// still holds a keep-alive socket.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
