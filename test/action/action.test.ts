import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { startFakeSlack } from "../fakes/slack/fake-slack.ts";
import { startRecorder } from "../helpers/attacker.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { ROOT } from "../helpers/examples.ts";
import { runAction, startPrometheus, TOKEN } from "./runner.ts";

/**
 * The bundled action (dist/action.js) run as a runner runs it, against the HTTP-level GitHub fake
 * (every request checked against GitHub's OpenAPI description) and a Prometheus stand-in.
 */

const OWNER = "acme";
const ROLLBACK_WORKFLOW = readFileSync(join(ROOT, "examples/workflows/rollback.yml"), "utf8");
const DEPLOY_WORKFLOW = `name: Deploy
on:
  workflow_dispatch:
    inputs:
      rollout: { type: string, required: true }
      from: { type: string, required: true }
      to: { type: string, required: true }
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
`;

/** The checkout plan at 10% for 3 hours (past its 1h bake), whatever the date today. */
function plan(edit: (text: string) => string = (t) => t): string {
  const started = new Date(Date.now() - 3 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return edit(CHECKOUT_PLAN.replace("started_at: 2026-11-22T08:00:00Z", `started_at: ${started}`));
}

let fake: FakeGitHub;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let repoCount = 0;

beforeAll(async () => {
  fake = await startFakeGitHub();
  prometheus = await startPrometheus();
});
afterAll(async () => {
  await fake.close();
  await prometheus.close();
});
afterEach(() => {
  prometheus.value.current = 0.002;
  fake.assertClean();
});

/** A fresh repository on the fake, with the checkout rollout, its sync file and both workflows. */
function seed(files: Record<string, string> = {}, settings?: string): string {
  repoCount += 1;
  const name = `shop-${repoCount}`;
  fake.state.seedRepo({
    owner: OWNER,
    name,
    files: {
      [ROLLOUT_PATH]: plan(),
      "config.py": CONFIG_PY,
      ".github/workflows/rollback.yml": ROLLBACK_WORKFLOW,
      ".github/workflows/deploy.yml": DEPLOY_WORKFLOW,
      ...(settings ? { ".github/rollout-bot.yml": settings } : {}),
      ...files,
    },
    collaborators: { alice: "write", bob: "read" },
  });
  return `${OWNER}/${name}`;
}

function run(repository: string, inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runAction(inputs, {
    repository,
    apiUrl: fake.url,
    env: { PROMETHEUS_URL: prometheus.url, ...env },
  });
}

const writes = (repository: string) =>
  fake.requests.filter((r) => r.method !== "GET" && r.path.startsWith(`/repos/${repository}/`));

describe("the action, run as a runner runs it", () => {
  it("status: outputs, a summary table, read-only requests, and the token only ever masked", async () => {
    const repo = seed();
    const result = await run(repo, { command: "status" });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toEqual({ percent: "10", health: "green", "pr-url": "", changed: "false" });
    expect(result.summary).toContain("### rollout-bot · `status` · acme/shop-");
    expect(result.summary).toContain("| Rollout | Percent | Stage | Phase | Health | Reasons |");
    expect(result.summary).toMatch(
      /\| `checkout` \| 10% \| 1\/3 \| baking \| 🟢 green \| ✓ error_rate 0\.2% /,
    );
    expect(writes(repo)).toEqual([]);
    // The runner masks what `::add-mask::` names; the token appears nowhere else.
    const output = result.stdout + result.stderr + result.summary;
    expect(output.split(TOKEN).length - 1).toBe(1);
    expect(result.stdout).toContain(`::add-mask::${TOKEN}`);
  });

  it("status of a rollout with no metrics is yellow with its reason; list and history work too", async () => {
    const repo = seed();
    const status = await run(repo, { command: "status", rollout: "checkout" }, { PROMETHEUS_URL: "" });
    expect(status.outputs.health).toBe("yellow");
    expect(status.summary).toContain("no metrics source");
    const list = await run(repo, { command: "list" });
    expect([list.code, list.outputs.percent, list.outputs.health]).toEqual([0, "10", "green"]);
    const history = await run(repo, { command: "history", rollout: "checkout" });
    expect(history.code).toBe(0);
    expect(history.stdout).toContain("Initial commit");
  });

  it("a metrics URL in a rollout file needs allow-repo-metrics-url, and then gets only ROLLOUT_METRICS_* vars", async () => {
    const attacker = await startRecorder();
    const withUrl = (variable: string) =>
      plan((t) =>
        t.replace(
          "metrics:\n",
          `metrics:\n  source:\n    url: ${attacker.url}\n    bearer_token_env: ${variable}\n`,
        ),
      );
    const refused = seed({ [ROLLOUT_PATH]: withUrl("GITHUB_TOKEN") });
    const plain = await run(refused, { command: "status" }, { GITHUB_TOKEN: TOKEN });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(
      /::error file=\.github\/rollouts\/checkout\.yml,line=4,col=\d+::metrics\.source: name a metrics source/,
    );
    const optedIn = await run(
      refused,
      { command: "status", "allow-repo-metrics-url": "true" },
      { GITHUB_TOKEN: TOKEN },
    );
    expect(optedIn.code).toBe(1);
    expect(optedIn.stdout).toContain(
      "metrics.source.bearer_token_env: must name a ROLLOUT_METRICS_* variable",
    );
    expect(attacker.received).toEqual([]);
    const allowed = seed({ [ROLLOUT_PATH]: withUrl("ROLLOUT_METRICS_TOKEN") });
    const used = await run(
      allowed,
      { command: "status", "allow-repo-metrics-url": "true" },
      { ROLLOUT_METRICS_TOKEN: "team-token" },
    );
    expect(used.code, used.stdout).toBe(0);
    expect(attacker.received.length).toBeGreaterThan(0);
    expect(attacker.received.every((r) => r.headers.authorization === "Bearer team-token")).toBe(true);
    expect(attacker.everything()).not.toContain(TOKEN);
    await attacker.close();
  });

  it("validate: a valid repository passes", async () => {
    const repo = seed();
    const result = await run(repo, { command: "validate" });
    expect(result.code).toBe(0);
    expect(result.summary).toContain("| `.github/rollouts/checkout.yml` | ✅ valid | — |");
    expect(result.outputs.changed).toBe("false");
  });

  it("validate: an invalid file fails the step with an annotation on its line", async () => {
    const broken = plan((t) => t.replace("bake: 2h", "bake: 2 hours"));
    const repo = seed({ ".github/rollouts/x.yml": broken });
    const result = await run(repo, { command: "validate" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^::error file=\.github\/rollouts\/x\.yml,line=11,col=11::stages\[1\]\.bake: expected a duration/m,
    );
    expect(result.stdout).toContain("::error::1 invalid rollout file(s): .github/rollouts/x.yml");
    expect(result.summary).toContain("| `.github/rollouts/x.yml` | ❌ invalid |");
    expect(result.summary).toContain("> [!CAUTION]");
  });

  it("validate: a schedule that would never fire and broken PromQL are annotated where they are", async () => {
    const broken = plan((t) =>
      t
        .replace("errors[5m]", "errors[5q]")
        .replace("automation:", 'notify: { schedule: "99 * * * FOO" }\nautomation:'),
    );
    const repo = seed({ ".github/rollouts/x.yml": broken });
    const result = await run(repo, { command: "validate" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^::error file=\.github\/rollouts\/x\.yml,line=4,col=\d+::.*PromQL syntax error/m,
    );
    expect(result.stdout).toMatch(
      /^::error file=\.github\/rollouts\/x\.yml,line=24,col=21::notify\.schedule: .*never run/m,
    );
  });

  it("validate reads the job's checkout when there is one (a pull request's files), not the API", async () => {
    const repo = seed();
    const before = fake.requests.length;
    const result = await runAction(
      { command: "validate" },
      {
        repository: repo,
        apiUrl: fake.url,
        workspace: { [ROLLOUT_PATH]: plan((t) => t.replace("  - percent: 100", "  - percnt: 100")) },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error file=\.github\/rollouts\/checkout\.yml,line=12,col=5::.*percnt/m);
    expect(fake.requests.length).toBe(before);
  });

  it("advance opens the bump pull request: the branch carries the state and sync edits, main is untouched", async () => {
    const repo = seed();
    const result = await run(repo, { command: "advance", rollout: "checkout" });
    expect(result.code, result.stdout).toBe(0);
    const [pull] = fake.state.openPulls(repo);
    expect(pull?.head.ref).toBe("rollout/checkout");
    expect(pull?.title).toContain("10% → 50%");
    expect(pull?.labels).toEqual(["rollout"]);
    expect(result.outputs).toMatchObject({
      "pr-url": `https://github.com/${repo}/pull/${pull?.number}`,
      changed: "true",
      percent: "10",
    });
    const main = fake.state.fileAt(repo, "main", ROLLOUT_PATH)!;
    const branch = fake.state.fileAt(repo, "rollout/checkout", ROLLOUT_PATH)!;
    expect(main).toBe(plan().replace(/started_at: .*/, main.match(/started_at: .*/)![0]));
    // A bump carries no start time: the stage starts when the PR merges.
    expect(diffLines(main, branch)).toEqual([
      ["  percent: 10", "  percent: 50"],
      [expect.stringMatching(/^ {2}started_at: /), undefined],
    ]);
    expect(fake.state.fileAt(repo, "rollout/checkout", "config.py")).toBe(
      "# traffic\ncanary_percent = 50.0\n",
    );
    expect(fake.state.fileAt(repo, "main", "config.py")).toBe(CONFIG_PY);
    expect(result.summary).toContain(`Opened [PR #${pull?.number}]`);
  });

  it("advance is refused with the gate's reasons when health holds it closed", async () => {
    const repo = seed();
    const result = await run(repo, { command: "advance", rollout: "checkout" }, { PROMETHEUS_URL: "" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error::refused: checkout: the gate is closed/m);
    expect(result.outputs.changed).toBe("false");
    expect(writes(repo)).toEqual([]);
  });

  it("rollback commits on main with audit trailers and dispatches the rollback workflow", async () => {
    const repo = seed();
    const result = await run(repo, { command: "rollback", rollout: "checkout", reason: "error spike" });
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ percent: "0", changed: "true", "pr-url": "" });
    const main = fake.state.fileAt(repo, "main", ROLLOUT_PATH)!;
    expect(main).toContain("  percent: 0\n  phase: rolled_back\n");
    expect(fake.state.fileAt(repo, "main", "config.py")).toBe("# traffic\ncanary_percent = 0.0\n");
    const [head] = fake.state.commitsOn(repo, "main");
    expect(head?.message).toContain("rollout(checkout): rollback 10% → 0%");
    expect(head?.message).toContain("Rollout-Actor: alice\nRollout-Reason: error spike\n");
    expect(fake.state.repo(repo).dispatches.map((d) => [d.workflowId, d.ref, d.inputs])).toEqual([
      ["rollback.yml", "main", { rollout: "checkout", from: "10", to: "0", reason: "error spike" }],
    ]);
    // Who asked was checked against the repository's permissions first.
    expect(fake.requestsTo("GET", "repos/get-collaborator-permission-level")).not.toHaveLength(0);
  });

  it("a dry run shows the plan and changes nothing", async () => {
    const repo = seed();
    const result = await run(repo, { command: "rollback", rollout: "checkout", "dry-run": "true" });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ changed: "false", percent: "10" });
    expect(result.summary).toContain("Dry run — would rollback checkout: 10% → 0%");
    expect(writes(repo)).toEqual([]);
  });

  it("pause then resume: one commit each on main", async () => {
    const repo = seed();
    const paused = await run(repo, { command: "pause", rollout: "checkout", reason: "holiday freeze" });
    expect(paused.code, paused.stdout).toBe(0);
    expect(paused.outputs.changed).toBe("true");
    expect(fake.state.fileAt(repo, "main", ROLLOUT_PATH)).toContain("  phase: paused\n");
    const resumed = await run(repo, { command: "resume", rollout: "checkout" });
    expect(resumed.code, resumed.stdout).toBe(0);
    expect(fake.state.fileAt(repo, "main", ROLLOUT_PATH)).toContain("  phase: baking\n");
    expect(fake.state.commitsOn(repo, "main").map((c) => c.message.split("\n")[0])).toEqual([
      "rollout(checkout): resume at 10%",
      "rollout(checkout): pause at 10%",
      "Initial commit",
    ]);
  });

  it("a person the settings do not list is refused, and nothing changes", async () => {
    const repo = seed({}, "permissions:\n  rollback:\n    github_users: [carol]\n");
    const result = await run(repo, { command: "rollback", rollout: "checkout" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::refused: @alice may not rollback/);
    expect(writes(repo)).toEqual([]);
  });

  it("tick rolls back a red rollout: commit, dispatch, red health", async () => {
    prometheus.value.current = 0.2;
    const repo = seed();
    const result = await run(repo, { command: "tick" });
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ percent: "0", health: "red", changed: "true" });
    expect(fake.state.fileAt(repo, "main", ROLLOUT_PATH)).toContain("  phase: rolled_back\n");
    const [head] = fake.state.commitsOn(repo, "main");
    expect(head?.message).toContain("Rollout-Actor: rollout-bot\n");
    expect(fake.state.repo(repo).dispatches.map((d) => d.workflowId)).toEqual(["rollback.yml"]);
    expect(result.summary).toContain("**checkout**: rollback");
  });

  it("tick advances a green rollout past its bake with auto_advance: a bump PR", async () => {
    const repo = seed();
    const result = await run(repo, { command: "tick" });
    expect(result.code, result.stdout).toBe(0);
    const [pull] = fake.state.openPulls(repo);
    expect(pull?.head.ref).toBe("rollout/checkout");
    expect(result.outputs).toMatchObject({
      changed: "true",
      percent: "10",
      "pr-url": expect.stringContaining("/pull/"),
    });
    // Run again: the PR is refreshed, never duplicated.
    const again = await run(repo, { command: "tick" });
    expect(again.code, again.stdout).toBe(0);
    expect(fake.state.openPulls(repo)).toHaveLength(1);
  });

  it("tick posts status only when the rollout's schedule fired within the interval", async () => {
    const hold = (schedule: string) =>
      plan((t) => t.replace("automation:\n  auto_advance: true\n", `notify:\n  schedule: "${schedule}"\n`));
    const due = await run(seed({ [ROLLOUT_PATH]: hold("* * * * *") }), { command: "tick", interval: "5m" });
    expect(due.code, due.stdout).toBe(0);
    expect(due.stdout).toMatch(/checkout at 10% \(baking\).*"colour":"green"/);
    const notDue = await run(seed({ [ROLLOUT_PATH]: hold("0 0 29 2 *") }), {
      command: "tick",
      interval: "5m",
    });
    expect(notDue.code).toBe(0);
    expect(notDue.stdout).not.toMatch(/"colour":"green"/);
  });

  it("with slack-token, the rollback is announced in the slack-channel, and the Slack token is masked", async () => {
    const slack = await startFakeSlack();
    try {
      const repo = seed();
      const result = await run(
        repo,
        {
          command: "rollback",
          rollout: "checkout",
          "slack-token": slack.token,
          "slack-channel": "C0ROLLOUT",
        },
        { SLACK_API_URL: slack.url },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const [posted] = slack.topLevel("C0ROLLOUT");
      expect(posted?.text).toContain("rollback checkout: 10% → 0%");
      expect(result.stdout).toContain(`::add-mask::${slack.token}`);
      expect((result.stdout + result.stderr + result.summary).split(slack.token).length - 1).toBe(1);
    } finally {
      await slack.close();
    }
  });

  it("bad inputs fail the step with what is wrong, before any request", async () => {
    const before = fake.requests.length;
    const result = await run(seed(), { command: "deploy", "dry-run": "yes" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("command must be one of status, advance, rollback");
    expect(result.stdout).toContain("dry-run must be true or false");
    const usage = await run(seed(), { command: "rollback" });
    expect(usage.code).toBe(1);
    expect(usage.stdout).toMatch(/::error::.*rollout id/i);
    expect(fake.requests.length).toBe(before);
  });

  it("reason and to are left out (with a warning) for commands that take none", async () => {
    const result = await run(seed(), { command: "status", reason: "why not", to: "50" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("::warning::input to is ignored by status");
  });
});

/** Pairs of [before, after] for the lines that differ, in order (a line-by-line diff of equal-length texts). */
function diffLines(before: string, after: string): [string | undefined, string | undefined][] {
  const a = before.split("\n");
  const b = after.split("\n");
  const out: [string | undefined, string | undefined][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (a[i] !== undefined && !b.includes(a[i]!)) {
      out.push([a[i], b[j] !== undefined && !a.includes(b[j]!) ? b[j++] : undefined]);
      i++;
    } else {
      out.push([undefined, b[j]]);
      j++;
    }
  }
  return out;
}
