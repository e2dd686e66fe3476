import { defineConfig } from "vitest/config";

/**
 * The tests Stryker runs against each mutant (`npm run mutation`): those of the core and its use-cases,
 * the PromQL builder against a real Prometheus, and the seed examples. Left out: the surface tests
 * (GitHub App, Slack, alert inbox: 0.3-1.4 s a test for their servers and the 13 MB OpenAPI description,
 * re-imported for every mutant), tests that spawn the built CLI/server (dist/ would hold the mutated
 * sandbox once and never see a mutant switch), Redis, and the Alertmanager end-to-end test.
 */
export default defineConfig({
  test: {
    include: [
      "test/core/**/*.test.ts",
      "test/commands/**/*.test.ts",
      "test/adapters/promql.test.ts",
      "test/e2e/prometheus-promql.test.ts",
      "test/examples.test.ts",
    ],
    testTimeout: 20_000,
  },
});
