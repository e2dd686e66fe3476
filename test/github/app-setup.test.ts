import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isLoopback } from "../../src/surfaces/http/github-app-setup.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { responseProblems } from "../fakes/github/openapi.ts";
import { freePort, waitFor } from "../helpers/processes.ts";

/**
 * GitHub's app-manifest flow end to end: the real server (no APP_ID) shows the registration page,
 * the test plays the browser and github.com's "Create GitHub App" button, the server converts the
 * code on the OpenAPI-checked fake GitHub and writes .env; restarted, it runs as that App.
 */
const root = join(import.meta.dirname, "../..");
const running: ChildProcess[] = [];
let fake: FakeGitHub | undefined;
afterEach(async () => {
  for (const child of running.splice(0)) {
    child.kill("SIGTERM");
    await new Promise((done) => child.once("exit", done));
  }
  await fake?.close();
  fake = undefined;
});

async function startServer(cwd: string, ghe: string) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, "dist/server.js")], {
    cwd,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: "127.0.0.1",
      GHE_HOST: ghe,
      GHE_PROTOCOL: "http",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor("/healthz", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 15_000);
  return { base, log: () => out };
}

const unescapeHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

describe("GitHub App registration (manifest flow)", () => {
  it("registers the App from app.yml, writes .env, and the restarted server runs as it", async () => {
    fake = await startFakeGitHub({ webUrl: "http://github.example" });
    const dir = mkdtempSync(join(tmpdir(), "rollout-setup-"));
    copyFileSync(join(root, ".env.example"), join(dir, ".env"));
    const server = await startServer(dir, fake.host);

    const home = await fetch(`${server.base}/`, { redirect: "manual" });
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe("/setup");
    const html = await (await fetch(`${server.base}/setup`)).text();
    expect(html).toContain("Register GitHub App");
    const action = unescapeHtml(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? "");
    const manifest = JSON.parse(unescapeHtml(/name="manifest" value="([^"]+)"/.exec(html)?.[1] ?? "{}"));
    const target = new URL(action);
    expect(`${target.origin}${target.pathname}`).toBe(`http://${fake.host}/settings/apps/new`);
    const state = target.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[0-9a-f]{32}$/);
    const declared = parse(readFileSync(join(root, "app.yml"), "utf8"));
    expect(manifest).toEqual({
      ...declared,
      hook_attributes: { url: `${server.base}/api/github/webhooks`, active: true },
      redirect_url: `${server.base}/setup/callback`,
    });

    // github.com: the person presses "Create GitHub App"; the browser goes to redirect_url with a code.
    const code = fake.state.submitManifest(manifest);
    const forged = await fetch(`${manifest.redirect_url}?code=${code}&state=${"0".repeat(32)}`);
    expect(forged.status).toBe(400); // not a page this server drew: nothing converted
    expect(fake.requestsTo("POST", "apps/create-from-manifest")).toEqual([]);
    const done = await fetch(`${manifest.redirect_url}?code=${code}&state=${state}`);
    expect(done.status).toBe(201);
    expect(await done.text()).toContain("/installations/new");

    const [conversion] = fake.requestsTo("POST", "apps/create-from-manifest");
    expect(conversion?.path).toBe(`/app-manifests/${code}/conversions`);
    expect(responseProblems("apps/create-from-manifest", 201, conversion?.response)).toEqual([]);
    fake.assertClean();
    const app = conversion?.response as { id: number; pem: string; webhook_secret: string };

    const written = readFileSync(join(dir, ".env"), "utf8");
    const env = parseEnv(written);
    expect(env).toMatchObject({
      APP_ID: String(app.id),
      PRIVATE_KEY: app.pem,
      WEBHOOK_SECRET: app.webhook_secret,
    });
    expect(written).toContain("# Alert webhooks"); // the rest of the file is kept
    expect(written.match(/^APP_ID=/gm)).toHaveLength(1);
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    expect(server.log()).not.toContain(app.webhook_secret);
    expect(server.log()).not.toContain("PRIVATE KEY");

    // The same code again (a reload of the callback page) converts nothing.
    expect((await fetch(`${manifest.redirect_url}?code=${code}&state=${state}`)).status).toBe(409);
    expect(fake.requestsTo("POST", "apps/create-from-manifest")).toHaveLength(1);

    // Restarted: .env is read, the App is configured, the setup page is gone.
    for (const child of running.splice(0)) child.kill("SIGTERM");
    const again = await startServer(dir, fake.host);
    await waitFor("the listening line", async () => (again.log().includes("listening") ? true : undefined));
    expect(again.log()).toMatch(/"github":true/);
    expect((await fetch(`${again.base}/setup`)).status).toBe(404);
  });

  it("answers only requests from this machine", () => {
    expect(["127.0.0.1", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["10.0.0.7", "::ffff:172.17.0.1", undefined, "1.127.0.0.1"].some(isLoopback)).toBe(false);
  });
});

describe("app.yml", () => {
  const manifest = parse(readFileSync(join(root, "app.yml"), "utf8")) as { default_events: string[] };
  const source = readFileSync(join(root, "src/surfaces/github/github-app.ts"), "utf8");
  const handled = new Set(
    [...source.matchAll(/app\.on\(\s*(\[[^\]]*\]|"[^"]*")/g)]
      .flatMap((m) => [...m[1]!.matchAll(/"([a-z_]+)(?:\.[a-z_]+)?"/g)].map((e) => e[1]!))
      .filter((e) => !e.startsWith("installation")),
  );

  it("subscribes to every event the App handles (installation events come unasked)", () => {
    expect(handled.size).toBeGreaterThan(3);
    expect([...handled].filter((e) => !manifest.default_events.includes(e))).toEqual([]);
  });

  it("subscribes to check_run, so a gate check's Re-run reaches the App", () => {
    expect(manifest.default_events).toContain("check_run");
  });
});
