import { describe, expect, it } from "vitest";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { runCommand } from "../../src/commands/run-command.ts";
import type { Principal } from "../../src/core/commands/authorize.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

/**
 * `list` and `status` over every served repository: a repository that cannot be read has unread
 * settings, so nobody knows which Slack workspace or GitHub users may see it. Its name is told to the
 * operator's CLI (who serves every repository anyway) and to nobody else — on a shared server it may be
 * another tenant's.
 */

const start = new Date("2026-11-22T10:00:00Z");

class UnreadableStore extends MemoryRepoStore {
  override async listRolloutFiles(): Promise<never> {
    throw new Error("GitHub 500");
  }
}

function registry() {
  const { services, store } = memoryContext(
    {
      ".github/rollout-bot.yml": "slack:\n  workspace: T0OURS\n",
      [ROLLOUT_PATH]: CHECKOUT_PLAN,
      "config.py": CONFIG_PY,
    },
    { error_rate: () => 0.001 },
    start,
  );
  const theirs = new UnreadableStore("globex/secret-project", {}, () => start);
  return { services, scope: new StaticRegistry([store, theirs]) };
}

describe("reads across every served repository", () => {
  const slack: Principal = { kind: "slack", user: "U0ANY", team: "T0OURS" };
  const github: Principal = { kind: "github", login: "mallory" };
  const operator: Principal = { kind: "local", user: "ops" };

  it.each(["list", "status"] as const)(
    "`%s` from Slack does not name a repository it could not read",
    async (verb) => {
      const { services, scope } = registry();
      const outcome = await runCommand(services, { principal: slack, scope, command: { verb } });
      if (outcome.kind !== verb) throw new Error(outcome.kind);
      expect(outcome.unreadable).toEqual([]);
      const shown = "rollouts" in outcome ? outcome.rollouts : outcome.statuses;
      expect(shown.map((s) => s.rollout)).toEqual(["checkout"]);
    },
  );

  it("nor to a GitHub user", async () => {
    const { services, scope } = registry();
    const outcome = await runCommand(services, { principal: github, scope, command: { verb: "list" } });
    expect(outcome).toMatchObject({ kind: "list", unreadable: [] });
  });

  it("the operator's CLI is told which repository could not be read", async () => {
    const { services, scope } = registry();
    const outcome = await runCommand(services, { principal: operator, scope, command: { verb: "list" } });
    expect(outcome).toMatchObject({ kind: "list", unreadable: ["globex/secret-project"] });
  });
});
