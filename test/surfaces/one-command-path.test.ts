import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERB_NEEDS } from "../../src/core/commands/authorize.ts";
import { runAction } from "../action/runner.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { commentPayload, FULL, startGitHubApp } from "../helpers/github-harness.ts";
import { tempRepo } from "../helpers/temp-repo.ts";
import { type SlackHarness, startSlackHarness, textOf } from "../slack/slack-harness.ts";

/**
 * One command path: the same command from Slack, a PR comment, the Action and the CLI reaches the
 * same rule. The settings name one person (Slack user U0PAUSER, GitHub login `pauser`, who has only
 * read access) under `permissions.pause` and nothing else. For every verb — tick and the kill switch
 * included — each surface says "may not" exactly where the one verb → permission map says the verb
 * needs more than reading or pausing. The CLI on a checkout trusts its user (as git does) everywhere.
 */

const PAUSER_SLACK = "U0PAUSER";
const PAUSER_GITHUB = "pauser";
const SETTINGS = `permissions:
  pause: { slack_users: [${PAUSER_SLACK}], github_users: [${PAUSER_GITHUB}] }
`;
const PLAN = CHECKOUT_PLAN.replace("automation:\n  auto_advance: true\n", "");
const FILES = {
  ".github/rollout-bot.yml": SETTINGS,
  [ROLLOUT_PATH]: PLAN,
  "config.py": CONFIG_PY,
};

/** Every verb as a user types it after `/rollout` (or `rollout`). */
const COMMANDS: Record<keyof typeof VERB_NEEDS, string> = {
  help: "help",
  status: "status checkout",
  list: "list",
  history: "history checkout",
  validate: "validate",
  advance: "advance checkout",
  rollback: "rollback checkout to 0 testing",
  pause: "pause checkout testing",
  resume: "resume checkout",
  "rollback-all": "rollback all testing",
  tick: "tick",
};
const VERBS = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];
const allowedFor = (verb: keyof typeof COMMANDS) =>
  VERB_NEEDS[verb] === "read" || VERB_NEEDS[verb] === "pause";
const refused = (text: string) => /may not|disabled until permissions/.test(text);

describe("one command path: the same verdict on every surface", () => {
  const verdicts: Record<string, Record<string, boolean>> = { slack: {}, comment: {}, action: {}, cli: {} };

  describe("Slack", () => {
    let h: SlackHarness;
    beforeAll(async () => {
      h = await startSlackHarness({ repos: { [FULL]: FILES } });
    }, 30_000);
    afterAll(() => h.close());
    it.each(VERBS)("/rollout %s", async (verb) => {
      h.responses.received.length = 0;
      const before = h.store.files.get(ROLLOUT_PATH);
      const response = await h.command(COMMANDS[verb], PAUSER_SLACK);
      const ack = await response.text();
      await h.idle();
      const replies = h.responses.received.map((r) => textOf(r.body.blocks) || String(r.body.text));
      verdicts.slack![verb] = !refused([ack, ...replies].join("\n"));
      // A refused verb changed nothing.
      if (!verdicts.slack![verb]) expect(h.store.files.get(ROLLOUT_PATH)).toBe(before);
    });
  });

  describe("PR comment", () => {
    let h: Awaited<ReturnType<typeof startGitHubApp>>;
    beforeAll(async () => {
      h = await startGitHubApp({ files: FILES, collaborators: { [PAUSER_GITHUB]: "read" } });
    }, 30_000);
    afterAll(async () => {
      h.fake.assertClean();
      await h.close();
    });
    it.each(VERBS)("/rollout %s", async (verb) => {
      const before = h.fake.state.repo(FULL).comments.length;
      await h.send("issue_comment", await commentPayload(h, `/rollout ${COMMANDS[verb]}`, PAUSER_GITHUB));
      const replies = h.fake.state
        .repo(FULL)
        .comments.slice(before)
        .filter((c) => c.user !== PAUSER_GITHUB)
        .map((c) => c.body);
      expect(replies).toHaveLength(1);
      verdicts.comment![verb] = !refused(replies[0]!);
    });
  });

  describe("the Action", () => {
    let fake: FakeGitHub;
    let repo = 0;
    beforeAll(async () => {
      fake = await startFakeGitHub();
    });
    afterAll(async () => {
      fake.assertClean();
      await fake.close();
    });
    it.each(VERBS)(
      "command: %s",
      async (verb) => {
        const name = `shop-${++repo}`;
        fake.state.seedRepo({
          owner: "acme",
          name,
          files: FILES,
          collaborators: { [PAUSER_GITHUB]: "read" },
        });
        const [command, ...rest] = COMMANDS[verb].split(" ");
        const inputs: Record<string, string> = {
          command: command === "rollback" && rest[0] === "all" ? "rollback" : command!,
        };
        if (rest[0] === "all") inputs.rollout = "all";
        else if (rest[0] && !["testing"].includes(rest[0])) inputs.rollout = rest[0];
        if (rest.includes("to")) inputs.to = rest[rest.indexOf("to") + 1]!;
        if (rest.includes("testing")) inputs.reason = "testing";
        const result = await runAction(inputs, {
          repository: `acme/${name}`,
          apiUrl: fake.url,
          env: { GITHUB_ACTOR: PAUSER_GITHUB, GITHUB_TRIGGERING_ACTOR: PAUSER_GITHUB },
        });
        verdicts.action![verb] = !refused(result.stdout + result.stderr);
      },
      20_000,
    );
  });

  describe("the CLI on a checkout", () => {
    it.each(VERBS)("rollout %s", async (verb) => {
      const dir = tempRepo(FILES);
      const result = await new Promise<string>((resolve) => {
        execFile(
          process.execPath,
          [join(import.meta.dirname, "../../dist/cli.js"), ...COMMANDS[verb].split(" "), "--dir", dir],
          { encoding: "utf8", env: { PATH: process.env.PATH ?? "", USER: PAUSER_GITHUB } },
          (_error, stdout, stderr) => resolve(stdout + stderr),
        );
      });
      verdicts.cli![verb] = !refused(result);
    });
  });

  afterAll(() => {
    const expected = Object.fromEntries(VERBS.map((v) => [v, allowedFor(v)]));
    expect(verdicts.slack).toEqual(expected);
    expect(verdicts.comment).toEqual(expected);
    expect(verdicts.action).toEqual(expected);
    expect(verdicts.cli).toEqual(Object.fromEntries(VERBS.map((v) => [v, true])));
  });
});
