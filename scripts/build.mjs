// One bundler config for every entry: the CLI, the demo (and later the server and the Action).
import { build } from "esbuild";

await build({
  entryPoints: { cli: "src/cli.ts", demo: "src/surfaces/demo.ts", server: "src/server.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  minify: true,
  keepNames: true,
  legalComments: "none",
  // pino's worker-thread transports are not used; bundling keeps start-up to one file read.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: "warning",
});
