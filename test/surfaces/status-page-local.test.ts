import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { runCommand } from "../../src/commands/run-command.ts";
import { createApp } from "../../src/main/app.ts";
import { localServices } from "../../src/main/coordination.ts";
import { createWebSurface, liveUpdates } from "../../src/main/web.ts";
import { CookieSigner, Session } from "../../src/surfaces/web/session.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";

/** The status page in local mode (the demo, ROLLOUT_REPO_DIR) over HTTP: no sign-in on loopback only. */

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(options: { localMode?: boolean } = {}) {
  const now = new Date("2026-11-22T10:00:00Z");
  const store = new MemoryRepoStore(
    "acme/shop",
    { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
    () => now,
  );
  const live = liveUpdates(silentLogger, 60_000);
  const services = localServices({
    metrics: () => new SimulatedMetrics({ error_rate: () => 0.002 }),
    notifier: live.watch(new RecordingNotifier()),
    clock: { now: () => now },
    logger: silentLogger,
  });
  const registry = new StaticRegistry([store]);
  const web = createWebSurface({ env: {}, services, registry, live, localMode: options.localMode ?? true });
  const app = createApp({ services, registry, alertToken: undefined, extraRoutes: web.routes });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  close = async () => {
    web.close();
    await app.close();
  };
  return { url, store, services, registry, web };
}

/** A first visit: the local session's cookie and the page's CSRF token. */
async function visit(url: string) {
  const response = await fetch(`${url}/rollout?repo=acme%2Fshop&id=checkout`);
  const html = await response.text();
  const cookie = (response.headers.get("set-cookie") ?? "").split(";", 1)[0] ?? "";
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? "";
  return { response, html, cookie, csrf };
}

const action = (url: string, headers: Record<string, string>, body: Record<string, string>) =>
  fetch(`${url}/rollout/action`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("status page, local mode", () => {
  it("needs no sign-in on loopback: the local viewer sees the rollout and acts as the CLI would", async () => {
    const { url, store } = await start();
    const { response, html, cookie, csrf } = await visit(url);
    expect(response.status).toBe(200);
    expect(html).toContain("Viewing as <strong>local</strong>");
    expect(html).toMatch(/<span class="percent">10%<\/span>/);
    const paused = await action(
      url,
      { cookie, "x-csrf-token": csrf },
      { verb: "pause", repo: "acme/shop", id: "checkout", reason: "lunch" },
    );
    expect(await paused.json()).toMatchObject({ ok: true, kind: "applied" });
    expect(store.commits.map((c) => c.message.split("\n", 1)[0])).toEqual([
      "rollout(checkout): pause at 10%",
    ]);
  });

  it("refuses a state change without the CSRF token, and changes nothing", async () => {
    const { url, store } = await start();
    const { cookie } = await visit(url);
    const refused = await action(
      url,
      { cookie },
      { verb: "rollback", repo: "acme/shop", id: "checkout", reason: "x" },
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/CSRF token/);
    // Without a session at all, nothing is even tried.
    const anonymous = await action(
      url,
      {},
      { verb: "rollback", repo: "acme/shop", id: "checkout", reason: "x" },
    );
    expect(anonymous.status).toBe(401);
    expect(store.commits).toHaveLength(0);
  });

  it("answers loopback names only: a DNS-rebinding page (another Host) gets nothing", async () => {
    const { url } = await start();
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/", headers: { host: "rebind.attacker.example" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it("without local mode or sign-in the page is closed and says what to configure", async () => {
    const { url } = await start({ localMode: false });
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and SESSION_SECRET");
  });

  it("pushes the new state to an open page when another surface changes the rollout", async () => {
    const { url, services, registry } = await start();
    const { cookie } = await visit(url);
    const events = await fetch(`${url}/events?repo=acme%2Fshop&id=checkout`, { headers: { cookie } });
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    const frames: string[] = [];
    const read = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        frames.push(decoder.decode(value));
        if (frames.join("").includes("rolled_back")) return;
      }
    })();
    // A rollback from the CLI's path (as Slack or an alert would): the notifier's post refreshes the page.
    await runCommand(services, {
      command: { verb: "rollback", rollout: { id: "checkout" }, reason: "from elsewhere" },
      principal: { kind: "local", user: "cli:bob" },
      scope: registry,
    });
    await read;
    const update = frames
      .join("")
      .split("\n\n")
      .find((f) => f.startsWith("event: update"));
    expect(update).toContain('data-percent=\\"0\\" data-phase=\\"rolled_back\\"');
    await reader.cancel();
  });
});

describe("signed cookies", () => {
  const signer = new CookieSigner("s".repeat(40), () => Date.parse("2026-11-22T10:00:00Z"));
  const session: Session = {
    v: 1,
    kind: "github",
    login: "alice",
    csrf: "c".repeat(43),
    exp: signer.expiresIn(60),
  };

  it("read back only as signed, unexpired, and under their own name", () => {
    const value = signer.sign("rb_session", session);
    expect(signer.verify("rb_session", value, Session)).toEqual(session);
    const [body, mac] = value.split(".");
    const forged = Buffer.from(JSON.stringify({ ...session, login: "mallory" })).toString("base64url");
    expect(signer.verify("rb_session", `${forged}.${mac}`, Session)).toBeUndefined();
    expect(signer.verify("rb_oauth", value, Session)).toBeUndefined();
    expect(new CookieSigner("t".repeat(40)).verify("rb_session", value, Session)).toBeUndefined();
    expect(signer.verify("rb_session", `${body}.${mac}.x`, Session)).toBeUndefined();
    const expired = signer.sign("rb_session", { ...session, exp: signer.expiresIn(-1) });
    expect(signer.verify("rb_session", expired, Session)).toBeUndefined();
  });
});
