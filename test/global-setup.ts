import { execFileSync } from "node:child_process";

/** Tests that run the CLI as users do need the bundle: build it once per test run. */
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
