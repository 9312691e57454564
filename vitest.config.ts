import { defineConfig } from 'vitest/config';

// Three projects so CI output says which layer failed: pure unit tests, broker
// integration tests (real Kafka/Redis/Elasticsearch), and end-to-end/fault tests
// that spawn the services as processes.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'infra/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'services/*/src/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/cluster/**', '**/node_modules/**'],
          setupFiles: ['test/namespace.setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        // Failover tests: only against the cluster topology (`stack.sh up --cluster`), a stage of scripts/test.sh.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          setupFiles: ['test/namespace.setup.ts'],
          testTimeout: 420_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
