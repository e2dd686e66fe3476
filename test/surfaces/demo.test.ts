import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Where each of `lines` first appears in `text`, each after the one before; -1 where one is missing. */
function inOrder(text: string, lines: (string | RegExp)[]): number[] {
  let from = 0;
  return lines.map((line) => {
    const rest = text.slice(from);
    const match =
      typeof line === "string" ? { index: rest.indexOf(line), length: line.length } : line.exec(rest);
    const at = match && match.index >= 0 ? from + match.index : -1;
    if (at >= 0) from = at + (typeof line === "string" ? line.length : (match as RegExpExecArray)[0].length);
    return at;
  });
}

/** The README's first command: it must keep doing what the README says. */
describe("npm run demo", () => {
  let stdout = "";
  const demo = async () => {
    if (!stdout)
      ({ stdout } = await run(process.execPath, [join(import.meta.dirname, "../../dist/demo.js")], {
        env: { ...process.env, DEMO_DELAY_MS: "0" },
      }));
    return stdout;
  };

  it("advances through the stages, rolls back on the Alertmanager webhook, and leaves the audit trail in git", async () => {
    const out = await demo();
    const log = out.slice(out.indexOf("── the audit trail"));
    expect(log.match(/rollout\(checkout-v2\): [^\n]+/g)).toEqual([
      "rollout(checkout-v2): rollback 50% → 25%",
      "rollout(checkout-v2): advance 25% → 50%",
      "rollout(checkout-v2): advance 5% → 25%",
      "rollout(checkout-v2): advance 0% → 5%",
    ]);
    expect(out).toMatch(/⇢ Alertmanager → POST http:\/\/127\.0\.0\.1:\d+\/alerts\/alertmanager \(firing/);
    expect(out).toContain("⇠ 202: rolled_back");
    expect(out).toContain("🔴 rollback checkout-v2: 50% → 25% — alert CheckoutV2ErrorRate");
    expect(out).toContain("⇠ 202: resolved");
    expect(out).toContain("· cooldown: cooling down until 2026-11-26T18:00:00Z");
  }, 60_000);

  it("shows the approval gate: a bump PR waits with what it lacks, is approved, merged, and the stage bakes", async () => {
    const out = await demo();
    const check = (pr: number, text: string) => `⇢ check "rollout gate" on PR #${pr}: ${text}`;
    const first = [
      "🟢 checkout-v2: ready for 5% — approve and merge PR #1",
      check(1, "gate closed: approvals — 0 of 1 approvals"),
      "⇢ alice approves PR #1",
      check(1, "gate open: ready for 5%"),
      /⇢ PR #1 merged by rollout-bot\[bot\]: commit [0-9a-f]{8}/,
      "checkout-v2: stage 1/4 started at 5% (PR #1 merged by rollout-bot[bot])",
      "stage 1/4 · baking",
    ];
    expect(inOrder(out, first)).not.toContain(-1);
    // Two approvals before half the traffic: one is not enough.
    const half = [
      check(3, "gate closed: approvals — 0 of 2 approvals"),
      "⇢ alice approves PR #3",
      check(3, "gate closed: approvals — 1 of 2 approvals"),
      "⇢ bob approves PR #3",
      check(3, "gate open: ready for 50%"),
      "checkout-v2: stage 3/4 started at 50% (PR #3 merged by rollout-bot[bot])",
      "stage 3/4 · baking",
    ];
    expect(inOrder(out, half)).not.toContain(-1);
    // No stage starts before its PR merged: the git log's advance commits are those merges.
    expect(inOrder(out, ["⇢ bob approves PR #3", "advance 25% → 50%"])).not.toContain(-1);
  }, 60_000);

  it("claims no dispatch the local checkout did not make, and leaves nothing half done", async () => {
    const out = await demo();
    const mentions = out
      .split("\n")
      .filter((line) => /dispatch|\.yml\b/.test(line) && !/\.github\//.test(line));
    expect(mentions).toEqual([
      "   → start: deploy.yml (not dispatched: local)",
      "   → start: deploy.yml (not dispatched: local)",
      "   → start: deploy.yml (not dispatched: local)",
      expect.stringMatching(/^ {3}→ rollback: commit [0-9a-f]{8}, rollback\.yml \(not dispatched: local\)$/),
    ]);
    expect(out).not.toMatch(/interrupted/);
  }, 60_000);

  it("prints what the README's sample of it shows", async () => {
    const out = await demo();
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    const sample = /after the end \(Ctrl-C stops it\)\.\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    // Commit hashes differ from run to run; every other line is printed as shown, in that order.
    const lines = sample.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(5);
    const pattern = (l: string) =>
      new RegExp(
        l.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/commit [0-9a-f]{8}/, "commit [0-9a-f]{8}"),
      );
    expect(inOrder(out, lines.map(pattern))).not.toContain(-1);
  }, 60_000);
});
