/** The real-server tier's one-time install/build lock and child-process stop (test/support/child-server.ts). */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onceUnderLock, readReadyLine, runCommand, stopByClosingStdin } from './child-server';

describe('child-server helpers', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'child-server-')));

  it('runs the work once for concurrent callers; the others wait until it is done', async () => {
    fresh();
    const done = join(dir, 'done');
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      writeFileSync(done, 'ok');
    };
    const options = { done: () => existsSync(done), deadline: Date.now() + 10_000, what: 'test install', pollMs: 10 };
    await Promise.all([onceUnderLock(join(dir, 'lock'), options, work), onceUnderLock(join(dir, 'lock'), options, work), onceUnderLock(join(dir, 'lock'), options, work)]);
    expect(runs).toBe(1);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock whose holder is dead, and gives up on a live one at the deadline', async () => {
    fresh();
    const lock = join(dir, 'lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), '2147483646'); // no such process
    let ran = false;
    await onceUnderLock(lock, { done: () => ran, deadline: Date.now() + 5_000, what: 'test install', pollMs: 10 }, async () => {
      ran = true;
    });
    expect(ran).toBe(true);

    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    await expect(onceUnderLock(lock, { done: () => false, deadline: Date.now() + 100, what: 'test install', pollMs: 10 }, async () => {})).rejects.toThrow(/test install: gave up waiting for .*lock/);
  });

  it('reports a failed command with its output and the hint', async () => {
    await expect(runCommand(process.execPath, ['-e', 'console.error("no index"); process.exit(3)'], { deadline: Date.now() + 10_000, what: 'test install', hint: 'PyPI must be reachable' })).rejects.toThrow(
      /test install: .* failed \(exit 3\); PyPI must be reachable:\nno index/,
    );
  });

  it('reads the ready line and stops the child by closing its stdin', async () => {
    const child = spawn(process.execPath, ['-e', 'console.log(JSON.stringify({ port: 1234 })); process.stdin.resume(); process.stdin.on("end", () => process.exit(0));'], { stdio: ['pipe', 'pipe', 'pipe'] });
    expect(await readReadyLine<{ port: number }>(child, { timeoutMs: 10_000, what: 'test server', stderr: () => '' })).toEqual({ port: 1234 });
    await stopByClosingStdin(child, 5_000);
    expect(child.exitCode).toBe(0);
  });
});
