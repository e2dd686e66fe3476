import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlagServiceRegistry } from "../../../src/adapters/flags/flag-target-registry.ts";
import { memoryFlagLedger, reconcileFlags } from "../../../src/commands/reconcile-flags.ts";
import { FlagTargetsFile } from "../../../src/core/config/flag-targets-schema.ts";
import { parseRolloutFile, type Rollout } from "../../../src/core/config/rollout-file.ts";
import { startFakeFlagsmith } from "../../fakes/flags/fake-flagsmith.ts";
import { startFakeLaunchDarkly } from "../../fakes/flags/fake-launchdarkly.ts";
import { startFakeVercel } from "../../fakes/flags/fake-vercel.ts";

/**
 * LaunchDarkly, Flagsmith, Vercel Edge Config and generic HTTP targets through reconcileFlags, each
 * against a fake that checks every request: LaunchDarkly's against its official client's API
 * description, the others against their documented request shapes.
 */

const SECRETS = {
  LD_TOKEN: "api-ld-secret-0001",
  FS_KEY: "fs-secret-0002",
  VERCEL_TOKEN: "vc-secret-0003",
  ADMIN: "Bearer admin-secret-0004",
};

const rollout = (flags: string, state: string): Rollout => {
  const parsed = parseRolloutFile(
    ".github/rollouts/checkout.yml",
    `stages:\n  - percent: 10\n  - percent: 50\n  - percent: 100\nflags:\n${flags}\nstate:\n${state}`,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.value;
};

describe("LaunchDarkly", () => {
  let ld: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
  const registry = () =>
    createFlagServiceRegistry(
      FlagTargetsFile.parse({
        targets: { ld: { type: "launchdarkly", url: ld.url, token_env: "LD_TOKEN", project: "shop" } },
      }),
      SECRETS,
    );
  beforeAll(async () => {
    ld = await startFakeLaunchDarkly(SECRETS.LD_TOKEN);
    ld.flags.set("shop/new-checkout", {
      key: "new-checkout",
      variations: [{ value: true }, { value: false }],
      environments: {
        production: { on: true, fallthrough: { variation: 1 } },
        test: { on: true, fallthrough: { variation: 0 } },
      },
    });
  });
  afterAll(() => ld.close());
  const entry = "  - { target: ld, flag: new-checkout, environment: production }";

  it("turns the fallthrough into a percentage rollout, in thousandths, with an audit comment", async () => {
    const reports = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout(entry, "  percent: 10\n"),
      services: registry(),
    });
    expect(reports).toEqual([
      {
        target: "ld",
        flag: "new-checkout",
        environment: "production",
        desired: 10,
        observed: 0,
        state: "ok",
        changed: true,
      },
    ]);
    expect(ld.flags.get("shop/new-checkout")?.environments.production?.fallthrough).toEqual({
      rollout: {
        variations: [
          { variation: 0, weight: 10_000 },
          { variation: 1, weight: 90_000 },
        ],
      },
    });
    const patch = ld.requests.find((r) => r.method === "PATCH");
    expect((patch?.body as { comment?: string } | undefined)?.comment).toBe(
      "rollout-bot: acme/shop checkout advance to 10%",
    );
    // The test environment is left alone.
    expect(ld.flags.get("shop/new-checkout")?.environments.test?.fallthrough).toEqual({ variation: 0 });
    ld.assertClean();
  });

  it("reads a 12.5% rollout back and leaves it alone", async () => {
    const input = { repo: "acme/shop", rollout: rollout(entry, "  percent: 50\n"), services: registry() };
    await reconcileFlags(input);
    const before = ld.requests.length;
    expect((await reconcileFlags(input))[0]).toMatchObject({ state: "ok", changed: false, observed: 50 });
    expect(ld.requests.slice(before).map((r) => r.method)).toEqual(["GET"]);
    ld.assertClean();
  });

  it("fails plainly on LaunchDarkly errors, never repeating the token LaunchDarkly echoed", async () => {
    ld.failNext(503, 1);
    const [report] = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout(entry, "  percent: 10\n"),
      services: registry(),
    });
    expect(report).toMatchObject({
      state: "failed",
      detail: "ld: GET /api/v2/flags/shop/new-checkout answered 503: the service failed",
    });
    expect(JSON.stringify(report)).not.toContain(SECRETS.LD_TOKEN);
    const typed = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout(
        "  - { target: ld, flag: new-checkout, environment: production, value: { stages: { 10: true } } }",
        "  percent: 10\n",
      ),
      services: registry(),
    });
    const noEnvironment = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout("  - { target: ld, flag: new-checkout }", "  percent: 10\n"),
      services: registry(),
    });
    expect(noEnvironment[0]).toMatchObject({
      state: "failed",
      detail: "ld: flag 'new-checkout' needs an environment",
    });
    expect(typed[0]).toMatchObject({
      state: "failed",
      detail: "ld: LaunchDarkly rollouts take the percentage for 'new-checkout', not true",
    });
  });
});

describe("Flagsmith", () => {
  let fs: Awaited<ReturnType<typeof startFakeFlagsmith>>;
  const registry = () =>
    createFlagServiceRegistry(
      FlagTargetsFile.parse({
        targets: { flagsmith: { type: "flagsmith", url: `${fs.url}/api/v1`, token_env: "FS_KEY" } },
      }),
      SECRETS,
    );
  beforeAll(async () => {
    fs = await startFakeFlagsmith(SECRETS.FS_KEY);
    fs.states.push(
      {
        id: 71,
        feature: 9,
        feature_name: "enabled_percentage",
        environment: "prodEnvKey",
        enabled: false,
        feature_state_value: 0,
      },
      {
        id: 72,
        feature: 9,
        feature_name: "enabled_percentage",
        environment: "stagingEnvKey",
        enabled: true,
        feature_state_value: 100,
      },
    );
  });
  afterAll(() => fs.close());

  it("sets the feature's value to the percentage and enables it, RepTate's enabled_percentage", async () => {
    const entry = "  - { target: flagsmith, flag: enabled_percentage, environment: prodEnvKey }";
    const input = { repo: "acme/shop", services: registry() };
    expect((await reconcileFlags({ ...input, rollout: rollout(entry, "  percent: 50\n") }))[0]).toMatchObject(
      {
        state: "ok",
        changed: true,
        observed: 0,
      },
    );
    expect(fs.states[0]).toMatchObject({ enabled: true, feature_state_value: 50 });
    expect(fs.states[1]).toMatchObject({ enabled: true, feature_state_value: 100 });
    await reconcileFlags({ ...input, rollout: rollout(entry, "  percent: 0\n  phase: rolled_back\n") });
    expect(fs.states[0]).toMatchObject({ enabled: false, feature_state_value: 0 });
    fs.assertClean();
  });

  it("says when the feature has no state in the environment", async () => {
    const [report] = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout("  - { target: flagsmith, flag: nope, environment: prodEnvKey }", "  percent: 50\n"),
      services: registry(),
    });
    expect(report).toMatchObject({
      state: "failed",
      detail: "flagsmith: feature 'nope' has 0 states in the environment, expected 1",
    });
  });
});

describe("Vercel Edge Config", () => {
  let vercel: Awaited<ReturnType<typeof startFakeVercel>>;
  const registry = () =>
    createFlagServiceRegistry(
      FlagTargetsFile.parse({
        targets: {
          edge: {
            type: "vercel-edge-config",
            url: vercel.url,
            edge_config_id: "ecfg_farmers1",
            team_id: "team_fm",
            token_env: "VERCEL_TOKEN",
          },
        },
      }),
      SECRETS,
    );
  beforeAll(async () => {
    vercel = await startFakeVercel(SECRETS.VERCEL_TOKEN, "ecfg_farmers1", "team_fm");
  });
  afterAll(() => vercel.close());

  it("upserts the item with the percentage (Farmers Market) and a typed item beside it", async () => {
    const flags = [
      "  - { target: edge, flag: edge_cache_percentage }",
      "  - { target: edge, flag: edge_cache_enabled, value: { stages: { 10: true }, rollback: false } }",
    ].join("\n");
    const reports = await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout(flags, "  percent: 10\n"),
      services: registry(),
    });
    expect(reports.map((r) => [r.flag, r.state, r.observed, r.desired])).toEqual([
      ["edge_cache_percentage", "ok", undefined, 10],
      ["edge_cache_enabled", "ok", undefined, true],
    ]);
    expect(Object.fromEntries(vercel.items)).toEqual({ edge_cache_percentage: 10, edge_cache_enabled: true });
    await reconcileFlags({
      repo: "acme/shop",
      rollout: rollout(flags, "  percent: 10\n  phase: rolled_back\n"),
      services: registry(),
    });
    expect(Object.fromEntries(vercel.items)).toEqual({
      edge_cache_percentage: 10,
      edge_cache_enabled: false,
    });
    vercel.assertClean();
  });

  it("refuses a token the operator did not set, naming only the env var", () => {
    const services = createFlagServiceRegistry(
      FlagTargetsFile.parse({
        targets: {
          edge: {
            type: "vercel-edge-config",
            url: vercel.url,
            edge_config_id: "ecfg_farmers1",
            token_env: "UNSET_TOKEN",
          },
        },
      }),
      {},
    );
    expect(services.forRepo("acme/shop", "edge")).toEqual({
      error: "flag target 'edge' has no credentials: env UNSET_TOKEN is not set",
    });
  });
});

describe("generic HTTP (DealerScope's POST /admin/feature-flags)", () => {
  const received: {
    method: string | undefined;
    url: string | undefined;
    auth: string | undefined;
    body: unknown;
  }[] = [];
  let status = 200;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method,
      url: req.url,
      auth: req.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString() || "null"),
    });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: status < 300, echo: req.headers.authorization }));
  });
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const registry = () =>
    createFlagServiceRegistry(
      FlagTargetsFile.parse({
        targets: {
          "dealerscope-admin": {
            type: "http",
            url: `${url}/admin/feature-flags`,
            headers: { "X-Source": "rollout-bot" },
            header_env: { Authorization: "ADMIN" },
            body: {
              flag: "{{flag}}",
              enabled: "{{enabled}}",
              reason: "{{rollout}} {{event}} to {{percent}}%",
            },
            owners: ["dealerscope"],
          },
        },
      }),
      SECRETS,
    );
  const entry =
    "  - { target: dealerscope-admin, flag: ENABLE_BROWSER_SCRAPER, value: { stages: { 0: false, 10: true }, rollback: false } }";

  it("sends the filled template once per change, remembering what it sent", async () => {
    const ledger = memoryFlagLedger();
    const input = { repo: "dealerscope/web", services: registry(), ledger };
    expect((await reconcileFlags({ ...input, rollout: rollout(entry, "  percent: 10\n") }))[0]).toMatchObject(
      { state: "ok", changed: true },
    );
    expect((await reconcileFlags({ ...input, rollout: rollout(entry, "  percent: 10\n") }))[0]).toMatchObject(
      { state: "ok", changed: false },
    );
    expect(
      (
        await reconcileFlags({
          ...input,
          rollout: rollout(entry, "  percent: 0\n  phase: rolled_back\n"),
          mode: "check",
        })
      )[0],
    ).toMatchObject({
      state: "drifted",
      detail: "not sent yet",
    });
    await reconcileFlags({ ...input, rollout: rollout(entry, "  percent: 0\n  phase: rolled_back\n") });
    expect(received).toEqual([
      {
        method: "POST",
        url: "/admin/feature-flags",
        auth: SECRETS.ADMIN,
        body: { flag: "ENABLE_BROWSER_SCRAPER", enabled: true, reason: "checkout advance to 10%" },
      },
      {
        method: "POST",
        url: "/admin/feature-flags",
        auth: SECRETS.ADMIN,
        body: { flag: "ENABLE_BROWSER_SCRAPER", enabled: false, reason: "checkout rollback to 0%" },
      },
    ]);
  });

  it("retries a failed send on the next pass; another owner cannot see the target", async () => {
    const ledger = memoryFlagLedger();
    status = 500;
    const input = {
      repo: "dealerscope/web",
      services: registry(),
      ledger,
      rollout: rollout(entry, "  percent: 10\n"),
    };
    const [failed] = await reconcileFlags(input);
    expect(failed).toMatchObject({
      state: "failed",
      detail: "dealerscope-admin: POST /admin/feature-flags answered 500: the service failed",
    });
    expect(JSON.stringify(failed)).not.toContain("admin-secret");
    status = 200;
    expect((await reconcileFlags(input))[0]).toMatchObject({ state: "ok", changed: true });
    expect((await reconcileFlags({ ...input, repo: "acme/shop" }))[0]).toMatchObject({
      state: "failed",
      detail: "unknown flag target 'dealerscope-admin' (the operator's FLAG_TARGETS offers: none)",
    });
  });
});

describe("the LaunchDarkly fake holds requests to LaunchDarkly's description", () => {
  it("flags an unknown operation, a misspelt field and a wrong type, answering 400", async () => {
    const ld = await startFakeLaunchDarkly("t");
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${ld.url}${path}`, {
        method,
        headers: { authorization: "t", "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await send("PATCH", "/api/v2/flags/shop/x", { patches: [] })).status).toBe(400);
    expect((await send("PATCH", "/api/v2/flags/shop/x", { patch: [{ op: 1, path: "/a" }] })).status).toBe(
      400,
    );
    expect((await send("POST", "/api/v2/flagz/shop/x", {})).status).toBe(400);
    expect(ld.violations).toEqual([
      "PATCH /api/v2/flags/shop/x: PatchWithComment.patch: required by PatchWithComment",
      "PATCH /api/v2/flags/shop/x: PatchWithComment.patches: not a field of PatchWithComment",
      "PATCH /api/v2/flags/shop/x: PatchWithComment.patch[0].op: expected string, got 1",
      "POST /api/v2/flagz/shop/x: no operation in LaunchDarkly's API description",
    ]);
    expect(() => ld.assertClean()).toThrow(/LaunchDarkly fake/);
    await ld.close();
  });
});

describe("request paths", () => {
  it("never let a key steer a request to another endpoint", async () => {
    const { serviceUrl } = await import("../../../src/adapters/flags/flag-http.ts");
    expect(serviceUrl("https://u.example.com/api", ["admin", "a/b", "x"]).pathname).toBe(
      "/api/admin/a%2Fb/x",
    );
    expect(() => serviceUrl("https://u.example.com", ["features", "..", "tokens"])).toThrow(
      "refusing a request path with an empty, . or .. segment",
    );
    expect(
      serviceUrl("https://f.example.com/api/v1", ["environments", "k", "featurestates", ""]).pathname,
    ).toBe("/api/v1/environments/k/featurestates/");
  });
});
