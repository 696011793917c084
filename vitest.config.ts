import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Local protocol servers (dynalite, kinesalite, the Kubernetes API test server) bind loopback
    // ports per test file; forks keep their native modules isolated.
    pool: 'forks',
  },
});
