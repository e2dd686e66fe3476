// @ts-check
/**
 * `npm run mutation`: mutation testing of the core and the PromQL builder. Stryker's own instrumenter
 * (TypeScript 7 has no JS API, so no typescript-checker: type-invalid mutants simply get killed or
 * survive as runtime behaviour); the tests are the in-process ones in vitest.mutation.config.ts.
 * Too slow for CI (hours on a shared 2-core machine; README, Development): run it by hand.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // Stryker rewrites tsconfig.json paths through TypeScript's JS API, which TypeScript 7 lacks; our
  // tsconfig has no extends/references to rewrite, so point it at a file that does not exist.
  tsconfigFile: "no-tsconfig-rewrite.json",
  mutate: ["src/core/**/*.ts", "src/adapters/prometheus/promql.ts"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  // Static mutants (662 of 4845: module-level zod schemas and constant tables, mostly description
  // strings) each rerun every test; Stryker estimated them at 54% of the run. Left out.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 75, break: null },
};
