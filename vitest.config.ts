import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { readFile } from 'node:fs/promises'
import { configDefaults, defineConfig } from 'vitest/config'
// The IP-to-country database that `npm start` and `npm run deploy` upload to R2 (edge/enrich/geoip.ts).
import { GEO_DB_FILE } from './scripts/geo-db.mjs'
// Native DuckDB (Node only) as a service of the worker tests: the reference reader of what the consumer wrote.
import { duckdbRows } from './warehouse/testing/duckdb-service.ts'

// Three kinds of test, one command (`npm test`):
//   unit     Node: schema, Parquet round trips, SQL against native DuckDB
//   workers  inside workerd with Miniflare's real Queues and R2 (edge/**; edge/**/*.multi-queue.test.ts
//            with two event queues, project workers-queues)
//   e2e      the real local stack (wrangler dev) and real headless Chromium (test/**)
export default defineConfig({
  test: {
    // The JSON report gives .ci/run its closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'warehouse/**/*.test.ts',
            'sdk/**/*.test.ts',
            'dashboard/src/**/*.test.ts',
            'examples/**/*.test.ts',
            'cli/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { DASHBOARD_TOKEN: 'test-token', SITE_KEYS: JSON.stringify({ demo: 'demo-server-key' }), LEDGER_FLUSH_MS: '0' },
              // Lets worker tests read the real geo database from node_modules (workerd has no file system).
              serviceBindings: { TEST_GEO_DB: async () => new Response(await readFile(GEO_DB_FILE)), TEST_DUCKDB: duckdbRows },
            },
          }),
        ],
        test: { name: 'workers', include: ['edge/**/*.test.ts'], exclude: [...configDefaults.exclude, 'edge/**/*.multi-queue.test.ts'] },
      },
      {
        // The collector over two event queues: its own wrangler config, with a second producer and consumer.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './edge/multi-queue.wrangler.toml' },
            miniflare: {
              bindings: { DASHBOARD_TOKEN: 'test-token', SITE_KEYS: JSON.stringify({ demo: 'demo-server-key' }), LEDGER_FLUSH_MS: '0' },
              serviceBindings: { TEST_GEO_DB: async () => new Response(await readFile(GEO_DB_FILE)) },
            },
          }),
        ],
        test: { name: 'workers-queues', include: ['edge/**/*.multi-queue.test.ts'] },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
