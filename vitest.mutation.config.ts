import { defineConfig } from "vitest/config";

/**
 * The tests Stryker runs against each mutant (`npm run mutation`): the in-process ones that exercise
 * src/core and the PromQL builder. Left out: tests that spawn the built CLI/server (they need dist/, which
 * would bundle the mutated sandbox once and never see a mutant switch), Redis, and the Alertmanager
 * end-to-end test, whose waits make every surviving mutant cost minutes.
 */
export default defineConfig({
  test: {
    include: [
      "test/core/**/*.test.ts",
      "test/commands/**/*.test.ts",
      "test/adapters/**/*.test.ts",
      "test/e2e/prometheus-promql.test.ts",
      "test/examples.test.ts",
      "test/github/**/*.test.ts",
      "test/slack/**/*.test.ts",
      "test/surfaces/alert-inbox.test.ts",
    ],
    exclude: ["test/slack/server-start.test.ts"],
    testTimeout: 20_000,
  },
});
