/**
 * Builds the real kube-apiserver harness (test/real-servers/kube, Go) once into the git-ignored
 * `.cache/real-servers/` folder. The binary's name carries a hash of the harness's go.mod, go.sum
 * and Go sources, so an edit (or a Kubernetes bump) rebuilds and an unchanged tree reuses it.
 *
 * The vitest globalSetup builds before any worker starts; a test file run some other way builds on
 * first use. Either way a lock directory makes parallel builders wait for one build (child-server.ts).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onceUnderLock, runCommand } from './child-server';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KUBE_HARNESS_SOURCE_DIR = join(REPO_ROOT, 'test', 'real-servers', 'kube');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'real-servers');
const GO = process.env.GO ?? 'go';
/** A cold build compiles most of Kubernetes: 89 min measured on 2 cores at nice 19 under load average 22 (README, Development); the limit leaves room above that. */
export const KUBE_BUILD_TIMEOUT_MS = 150 * 60_000;

function sourceHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(KUBE_HARNESS_SOURCE_DIR)
    .filter((name) => name === 'go.mod' || name === 'go.sum' || name.endsWith('.go'))
    .sort();
  for (const name of files) {
    hash.update(name).update('\0').update(readFileSync(join(KUBE_HARNESS_SOURCE_DIR, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Where the binary for the current sources lives (it may not be built yet). */
export const KUBE_HARNESS_BINARY = join(CACHE_DIR, `kube-test-apiserver-${sourceHash()}`);
const LOCK_DIR = `${KUBE_HARNESS_BINARY}.lock`;

/**
 * Why the real kube-apiserver tier cannot run here, or undefined when it can: only a missing Go
 * toolchain skips (a failing build is an error, not a skip).
 */
export const REAL_KUBE_SKIP: string | undefined = findMissingGo();

function findMissingGo(): string | undefined {
  if (existsSync(KUBE_HARNESS_BINARY)) return undefined;
  const probe = spawnSync(GO, ['version'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error || probe.status !== 0) {
    return `real kube-apiserver tier skipped: \`${GO}\` is not on PATH (install Go >= 1.26 to build kube-apiserver from k8s.io/kubernetes)`;
  }
  return undefined;
}

/** Builds the harness unless the binary for the current sources exists; returns its path. */
export async function buildKubeHarness(): Promise<string> {
  if (existsSync(KUBE_HARNESS_BINARY)) return KUBE_HARNESS_BINARY;
  if (REAL_KUBE_SKIP) throw new Error(REAL_KUBE_SKIP);
  mkdirSync(CACHE_DIR, { recursive: true });
  const deadline = Date.now() + KUBE_BUILD_TIMEOUT_MS;
  const what = 'kube harness build';
  await onceUnderLock(LOCK_DIR, { done: () => existsSync(KUBE_HARNESS_BINARY), deadline, what, pollMs: 500 }, async () => {
    const partial = `${KUBE_HARNESS_BINARY}.partial-${process.pid}`;
    try {
      await runCommand(GO, ['build', '-o', partial, '.'], {
        deadline,
        what,
        hint: `in ${KUBE_HARNESS_SOURCE_DIR}; a cold build needs the Go module proxy`,
        cwd: KUBE_HARNESS_SOURCE_DIR,
      });
      // Renamed into place only when complete: a reader never sees half a binary.
      renameSync(partial, KUBE_HARNESS_BINARY);
    } finally {
      rmSync(partial, { force: true });
    }
  });
  return KUBE_HARNESS_BINARY;
}
