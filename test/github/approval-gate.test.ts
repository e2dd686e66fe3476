import { afterEach, describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/run-command.ts";
import { GATE_CHECK } from "../../src/core/messages/bump-pr.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { commentPayload, FULL, pullPayload, startGitHubApp } from "../helpers/github-harness.ts";

/**
 * Issue 12, item 6: the approval gate cannot be bypassed quietly. The writer who asked for the
 * advance cannot approve it alone; an advance that skips a stage's bake is refused; a stage can ask
 * for approvals from named teams; a bump PR merged with its gate closed is announced as an override
 * and recorded in the rollout's history; the bot says when its gate is not a required check.
 */

const PLAN = CHECKOUT_PLAN.replace("automation:\n  auto_advance: true\n", "");
const files = { [ROLLOUT_PATH]: PLAN, "config.py": CONFIG_PY };
let harness: Awaited<ReturnType<typeof startGitHubApp>> | undefined;
afterEach(async () => {
  const h = harness;
  harness = undefined;
  try {
    h?.fake.assertClean();
  } finally {
    await h?.close();
  }
});

type Harness = NonNullable<typeof harness>;
const bump = (h: Harness) => h.fake.state.openPulls(FULL).find((p) => p.head.ref === "rollout/checkout")!;
const gate = (h: Harness) =>
  h.fake.state
    .repo(FULL)
    .checkRuns.filter((c: { name: string }) => c.name === GATE_CHECK)
    .at(-1);
async function review(h: Harness, user: string) {
  h.fake.state.addReview(FULL, bump(h).number, { user, state: "APPROVED" });
  await h.send(
    "pull_request_review",
    await pullPayload(h, "pull_request_review", "submitted", bump(h).number, user),
  );
}
const botReplies = (h: Harness) =>
  h.fake.state
    .repo(FULL)
    .comments.filter((c) => c.user === "rollout-bot[bot]")
    .map((c) => c.body);

describe("the approval gate", () => {
  it("the writer who asked for the advance does not count as its approval", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    await review(h, "alice");
    expect(gate(h)).toMatchObject({ conclusion: "failure" });
    expect(gate(h)?.output?.summary).toContain("**approvals**: 0 of 1 approvals");
    await review(h, "bob");
    expect(gate(h)).toMatchObject({ conclusion: "success" });
  });

  it("an advance that skips a stage's bake is refused, and says how it could be done", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout to 100%", "alice"));
    expect(botReplies(h).at(-1)).toContain("advance to 100% skips the 50% stage's bake");
    expect(bump(h)).toBeUndefined();
  });

  it("a stage that asks for a team's approval waits for one of its members", async () => {
    const withTeam = PLAN.replace(
      "  - percent: 50\n    bake: 2h\n",
      "  - percent: 50\n    bake: 2h\n    approvals_from: [acme/qa]\n",
    );
    harness = await startGitHubApp({ files: { ...files, [ROLLOUT_PATH]: withTeam } });
    const h = harness;
    h.fake.state.seedTeam("acme", "qa", ["carol"]);
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    await review(h, "bob");
    expect(gate(h)).toMatchObject({ conclusion: "failure" });
    expect(gate(h)?.output?.summary).toContain("1 of 1 approvals; still needs one from acme/qa");
    await review(h, "carol");
    expect(gate(h)).toMatchObject({ conclusion: "success" });
  });

  it("a bump PR merged with its gate closed is an override: announced loudly, recorded in the history", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    const number = bump(h).number;
    await h.send("pull_request", await pullPayload(h, "pull_request", "synchronize", number));
    expect(gate(h)).toMatchObject({ conclusion: "failure", output: { title: "gate closed: approvals" } });
    await h.carol.rest.pulls.merge({ owner: "acme", repo: "shop", pull_number: number });
    await h.send("pull_request", await pullPayload(h, "pull_request", "closed", number));
    expect(h.notifier.messages.at(-1)?.headline).toBe(
      `🚨 override: checkout 10% → 50% — PR #${number} merged by carol while the gate was closed (approvals)`,
    );
    const head = h.fake.state.commitsOn(FULL, "main")[0];
    expect(head?.message).toContain("Rollout-Action: override\n");
    const history = await runCommand(h.services, {
      command: { verb: "history", rollout: { id: "checkout" } },
      principal: { kind: "local", user: "test" },
      scope: (await h.github.registry.find(FULL))!,
    });
    if (history.kind !== "history") throw new Error(history.kind);
    expect(history.entries[0]?.audit).toMatchObject({ action: "override", from: 10, to: 50, actor: "carol" });
    expect(history.entries[0]?.audit?.reason).toContain("while the gate was closed (approvals)");
  });

  it("says on the bump PR when its gate is not a required check, and not once it is", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    expect(bump(h).body).toContain('"rollout gate" is not a required status check on the default branch');
    h.fake.state.requireChecks(FULL, "main", [GATE_CHECK]);
    h.fake.state.clock.advance(60_000);
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    expect(bump(h).body).not.toContain("is not a required status check");
  });
});
