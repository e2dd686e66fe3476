import { startUnleash as startUnleashClient } from "unleash-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlagServiceRegistry } from "../../src/adapters/flags/flag-target-registry.ts";
import { inRollout } from "../../src/bucketing/index.ts";
import { reconcileFlags } from "../../src/commands/reconcile-flags.ts";
import { FlagTargetsFile } from "../../src/core/config/flag-targets-schema.ts";
import { parseRolloutFile, type Rollout } from "../../src/core/config/rollout-file.ts";
import {
  ADMIN_TOKEN,
  CLIENT_TOKEN,
  startUnleash,
  type UnleashServer,
  unleashAvailable,
} from "../helpers/unleash.ts";

/**
 * The Unleash target end to end: a real unleash-server on a real PostgreSQL, written through its
 * Admin API by reconcileFlags, and read back by the real unleash-client SDK, which must let in
 * exactly the users rollout-bot/bucketing's `unleash` mode lets in.
 */

const FLAG = "new-checkout";
const STRATEGIES = `/api/admin/projects/default/features/${FLAG}/environments/production/strategies`;

const rollout = (state: string, flag = FLAG): Rollout => {
  const text = `stages:
  - percent: 5
  - percent: 12.5
  - percent: 25
  - percent: 100
flags:
  - { target: unleash-prod, flag: ${flag}, environment: production }
state:
${state}`;
  const parsed = parseRolloutFile(".github/rollouts/checkout.yml", text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.value;
};

describe.runIf(unleashAvailable())("Unleash target against a real unleash-server", () => {
  let unleash: UnleashServer;
  const registry = (token = ADMIN_TOKEN) =>
    createFlagServiceRegistry(
      FlagTargetsFile.parse({
        targets: {
          "unleash-prod": { type: "unleash", url: unleash.url, token_env: "UNLEASH_TOKEN", owners: ["acme"] },
        },
      }),
      { UNLEASH_TOKEN: token },
    );
  const rolloutOf = async () => {
    const { json } = await unleash.admin("GET", STRATEGIES);
    return (json as { parameters: { rollout: string } }[])[0]?.parameters.rollout;
  };

  beforeAll(async () => {
    unleash = await startUnleash();
    const create = async (name: string, strategies: number) => {
      expect((await unleash.admin("POST", "/api/admin/projects/default/features", { name })).status).toBe(
        201,
      );
      for (let i = 0; i < strategies; i++) {
        const path = `/api/admin/projects/default/features/${name}/environments/production/strategies`;
        const strategy = {
          name: "flexibleRollout",
          parameters: { rollout: "0", stickiness: "default", groupId: name },
        };
        expect((await unleash.admin("POST", path, strategy)).status).toBe(200);
      }
      await unleash.admin("POST", `/api/admin/projects/default/features/${name}/environments/production/on`);
    };
    await create(FLAG, 1);
    await create("two-rollouts", 2);
  }, 120_000);
  afterAll(async () => {
    console.log(`unleash-server + PostgreSQL ready in ${unleash?.startupMs} ms`);
    await unleash?.stop();
  });

  it("sets the gradual rollout to the file's percentage; the real SDK then lets in the users inRollout does", async () => {
    const reports = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout("  percent: 25\n  phase: baking\n"),
      services: registry(),
    });
    expect(reports).toEqual([
      {
        target: "unleash-prod",
        flag: FLAG,
        environment: "production",
        desired: 25,
        observed: 0,
        state: "ok",
        changed: true,
      },
    ]);
    expect(await rolloutOf()).toBe("25");

    // Resolves once the client has fetched the flags from the server.
    const client = await startUnleashClient({
      url: `${unleash.url}/api/`,
      appName: "rollout-bot-test",
      customHeaders: { Authorization: CLIENT_TOKEN },
      disableMetrics: true,
      refreshInterval: 60_000,
    });
    const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const theirs = users.map((userId) => client.isEnabled(FLAG, { userId }));
    client.destroy();
    expect(theirs).toEqual(
      users.map((userId) => inRollout({ salt: FLAG, percent: 25, userId, mode: "unleash" })),
    );
    expect(theirs.filter(Boolean).length).toBeGreaterThan(400);
  });

  it("writes nothing when the service already holds the value", async () => {
    const [report] = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout("  percent: 25\n  phase: baking\n"),
      services: registry(),
    });
    expect(report).toMatchObject({ state: "ok", changed: false, observed: 25 });
  });

  it("shows a change made in Unleash as drifted, and the next pass puts the file's value back", async () => {
    await unleash.admin("PATCH", `${STRATEGIES}/${await strategyId()}`, [
      { op: "replace", path: "/parameters/rollout", value: "40" },
    ]);
    const input = {
      repo: "acme/shop",
      rollout: rollout("  percent: 25\n  phase: baking\n"),
      services: registry(),
    };
    expect((await reconcileFlags({ ...input, mode: "check" }))[0]).toMatchObject({
      state: "drifted",
      observed: 40,
    });
    expect(await rolloutOf()).toBe("40");
    expect((await reconcileFlags(input))[0]).toMatchObject({ state: "ok", changed: true, observed: 40 });
    expect(await rolloutOf()).toBe("25");
  });

  it("follows a rollback to the lower stage", async () => {
    const reports = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout("  percent: 5\n  phase: rolled_back\n"),
      services: registry(),
    });
    expect(reports[0]).toMatchObject({ state: "ok", desired: 5, changed: true });
    expect(await rolloutOf()).toBe("5");
  });

  it("reports failures plainly, without the token, and changes nothing", async () => {
    const run = async (state: string, services = registry(), repo = "acme/shop", flag = FLAG) =>
      (await reconcileFlags({ repo, rollout: rollout(state, flag), services }))[0];
    const badToken = await run("  percent: 25\n", registry("*:*.wrong-token"));
    expect(badToken).toMatchObject({
      state: "failed",
      detail: `unleash-prod: GET ${STRATEGIES} answered 401: check the target's token`,
    });
    expect(JSON.stringify(badToken)).not.toContain("wrong-token");
    expect(await run("  percent: 12.5\n")).toMatchObject({
      state: "failed",
      detail: "unleash-prod: Unleash takes a whole percentage for 'new-checkout', not 12.5",
    });
    expect(await run("  percent: 25\n", registry(), "acme/shop", "missing-flag")).toMatchObject({
      state: "failed",
      detail: expect.stringMatching(/answered 404: no such flag, project or environment$/),
    });
    expect(await run("  percent: 25\n", registry(), "acme/shop", "two-rollouts")).toMatchObject({
      state: "failed",
      detail:
        "unleash-prod: flag 'two-rollouts' in production has 2 gradual rollout strategies; rollout-bot sets exactly one (add one in Unleash)",
    });
    expect(await run("  percent: 25\n", registry(), "other-org/app")).toMatchObject({
      state: "failed",
      detail: "unknown flag target 'unleash-prod' (the operator's FLAG_TARGETS offers: none)",
    });
    expect(await rolloutOf()).toBe("5");
  });

  async function strategyId(): Promise<string> {
    const { json } = await unleash.admin("GET", STRATEGIES);
    return (json as { id: string }[])[0]?.id ?? "";
  }
});
