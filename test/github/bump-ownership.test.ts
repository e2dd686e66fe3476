import { afterEach, describe, expect, it } from "vitest";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { commentPayload, FULL, pullPayload, startGitHubApp } from "../helpers/github-harness.ts";

/**
 * Only PRs the bot itself opened are bump PRs. A branch called `rollout/<id>` and a marker in the
 * body are text anyone can write: a stranger's fork PR, a collaborator's own PR on that branch, or the
 * bot's PR with someone else's commit on it gets no gate, is never merged by the bot, and a person's
 * commit on a bump branch — an `--amend` of the bot's own commit included — is never force-pushed away.
 */

// auto_merge on and every gate item passing once approved: the bot would merge anything it trusted.
const PLAN = CHECKOUT_PLAN.replace(
  "automation:\n  auto_advance: true\n",
  "automation:\n  auto_merge: true\n",
);
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

const FORGED_MARKER = `<!-- rollout-bot:${JSON.stringify({ v: 1, rollout: "checkout", from: 10, to: 50 })} -->`;
const gates = (h: NonNullable<typeof harness>) =>
  h.fake.state.repo(FULL).checkRuns.filter((c: { name: string }) => c.name === "rollout gate");
const merges = (h: NonNullable<typeof harness>) => h.fake.requestsTo("PUT", "pulls/merge");

/** Approvals from two writers (the gate's approvals item), then the review webhook that re-checks the gate. */
async function approve(h: NonNullable<typeof harness>, number: number) {
  h.fake.state.addReview(FULL, number, { user: "bob", state: "APPROVED" });
  h.fake.state.addReview(FULL, number, { user: "carol", state: "APPROVED" });
  await h.send("pull_request_review", await pullPayload(h, "pull_request_review", "submitted", number));
}

describe("bump PR ownership", () => {
  it("a stranger's fork PR on rollout/<id> with a forged marker gets no gate and is never merged", async () => {
    harness = await startGitHubApp({ files, collaborators: { mallory: "none" } });
    const h = harness;
    const pull = h.fake.state.openForkPull(FULL, {
      fork: "mallory/shop",
      branch: "rollout/checkout",
      user: "mallory",
      title: "rollout(checkout): 10% → 50%",
      body: `Moves **checkout** from 10% to 50%.\n\n${FORGED_MARKER}`,
      files: { "src/pay.py": "send_money_to('mallory')\n" },
    });
    await h.send("pull_request", await pullPayload(h, "pull_request", "opened", pull.number));
    await approve(h, pull.number);
    h.fake.state.clock.advance(5 * 60_000);
    await h.app.scheduler.runOnce();
    expect(gates(h)).toEqual([]);
    expect(merges(h)).toEqual([]);
    expect(h.fake.state.repo(FULL).pulls.get(pull.number)?.state).toBe("open");
  });

  it("a collaborator's own PR on rollout/<id> with the marker is not a bump PR either", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    h.fake.state.push(FULL, {
      branch: "rollout/checkout",
      from: "main",
      files: {
        [ROLLOUT_PATH]: PLAN.replace("percent: 10\n  phase", "percent: 50\n  phase"),
        "src/pay.py": "x = 1\n",
      },
      message: "rollout(checkout): advance 10% → 50%\n\nRollout-Actor: rollout-bot",
    });
    const { data } = await h.as("alice").rest.pulls.create({
      owner: "acme",
      repo: "shop",
      head: "rollout/checkout",
      base: "main",
      title: "rollout(checkout): 10% → 50%",
      body: FORGED_MARKER,
    });
    await h.send("pull_request", await pullPayload(h, "pull_request", "opened", data.number));
    await approve(h, data.number);
    expect(gates(h)).toEqual([]);
    expect(merges(h)).toEqual([]);
  });

  it("the bot's own bump PR with a person's commit on it gets no gate and is never merged", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    const pull = h.fake.state.openPulls(FULL).find((p) => p.head.ref === "rollout/checkout");
    expect(pull?.user).toBe("rollout-bot[bot]");
    h.fake.state.push(FULL, {
      branch: "rollout/checkout",
      files: { "src/pay.py": "send_money_to('someone')\n" },
      message: "small fix",
    });
    await h.send("pull_request", await pullPayload(h, "pull_request", "synchronize", pull!.number));
    const before = gates(h).length;
    await approve(h, pull!.number);
    expect(gates(h)).toHaveLength(before);
    expect(merges(h)).toEqual([]);
  });

  it("the bot's own untouched bump PR still gets its gate and, once approved, is merged", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    const pull = h.fake.state.openPulls(FULL).find((p) => p.head.ref === "rollout/checkout");
    await approve(h, pull!.number);
    expect(gates(h).at(-1)).toMatchObject({ conclusion: "success" });
    expect(merges(h)).toHaveLength(1);
  });

  it("a person's --amend of the bot's commit (same message, trailers and all) is never force-pushed away", async () => {
    harness = await startGitHubApp({ files });
    const h = harness;
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    const repo = h.fake.state.repo(FULL);
    const botHead = h.fake.state.resolveRef(repo, "rollout/checkout")!;
    const bot = repo.objects.commits.get(botHead)!;
    // The amend: the same tree change and message, now authored (and not signed) by a person.
    const amended = h.fake.state.commit(repo, {
      files: new Map([
        ...repo.objects.filesOf(botHead),
        ["config.py", repo.objects.putBlob("canary_percent = 50.0 # tuned\n")],
      ]),
      parents: bot.parents,
      message: bot.message,
      author: { name: "alice", email: "alice@example.invalid" },
    });
    h.fake.state.moveBranch(repo, "rollout/checkout", amended.sha);
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    expect(h.fake.state.resolveRef(repo, "rollout/checkout")).toBe(amended.sha);
  });
});
