import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Local protocol servers (dynalite, kinesalite, kube-apiserver, moto, the Kubernetes API test server) bind loopback
    // ports per test file; forks keep their native modules isolated.
    pool: 'forks',
    // The real-server tier (test/real-servers/README.md): builds the kube-apiserver harness and
    // installs moto once per run, before the workers start; a no-op once both are cached.
    globalSetup: ['test/support/real-servers-global-setup.ts'],
  },
});
