import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** The README's first command: it must keep doing what the README says. */
describe("npm run demo", () => {
  it("advances through the stages, rolls back on the Alertmanager webhook, and leaves the audit trail in git", async () => {
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, "../../dist/demo.js")], {
      env: { ...process.env, DEMO_DELAY_MS: "0" },
    });
    const log = stdout.slice(stdout.indexOf("── the audit trail"));
    expect(log.match(/rollout\(checkout-v2\): [^\n]+/g)).toEqual([
      "rollout(checkout-v2): rollback 50% → 25%",
      "rollout(checkout-v2): advance 25% → 50%",
      "rollout(checkout-v2): advance 5% → 25%",
      "rollout(checkout-v2): advance 0% → 5%",
    ]);
    expect(stdout).toMatch(/⇢ Alertmanager → POST http:\/\/127\.0\.0\.1:\d+\/alerts\/alertmanager \(firing/);
    expect(stdout).toContain("⇠ 202: rolled_back");
    expect(stdout).toContain("🔴 rollback checkout-v2: 50% → 25% — alert CheckoutV2ErrorRate");
    expect(stdout).toContain("⇠ 202: resolved");
    expect(stdout).toContain("· cooldown: cooling down until 2026-11-26T17:00:00Z");
  }, 60_000);
});
