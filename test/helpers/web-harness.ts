import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { createApp } from "../../src/main/app.ts";
import { localServices } from "../../src/main/coordination.ts";
import { createGitHubSurface, GITHUB_WEBHOOKS_PATH } from "../../src/main/github.ts";
import { createWebSurface, liveUpdates, mountWeb } from "../../src/main/web.ts";
import type { MetricsSource } from "../../src/ports.ts";
import type { RouteHandler } from "../../src/surfaces/http/app-server.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import type { Permission } from "../fakes/github/state.ts";
import { WORKFLOWS } from "./github-harness.ts";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const SESSION_SECRET = "session-secret-for-tests-0123456789abcdef";

/**
 * The real server with the GitHub App and the status page (sign-in through the App's OAuth client),
 * against the fake GitHub over HTTP: several tenants' repositories in its installation, on the wall
 * clock (so charts can read a real Prometheus).
 */
export async function startWebApp(options: {
  repos: {
    owner: string;
    name: string;
    files: Record<string, string>;
    collaborators: Record<string, Permission>;
  }[];
  metrics: MetricsSource;
}) {
  const fake: FakeGitHub = await startFakeGitHub();
  fake.state.clock.set(new Date());
  for (const repo of options.repos) fake.state.seedRepo({ ...repo, files: { ...WORKFLOWS, ...repo.files } });
  const notifier = new RecordingNotifier();
  const live = liveUpdates(silentLogger, 60_000);
  const services = localServices({
    metrics: () => options.metrics,
    notifier: live.watch(notifier),
    clock: { now: () => new Date() },
    logger: silentLogger,
  });
  const env = {
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: "webhook-secret-for-tests",
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http" as const,
    LOG_LEVEL: "fatal",
  };
  const github = await createGitHubSurface(env as NodeJS.ProcessEnv, services, { throttle: false });
  for (const repo of options.repos) github.registry.seen(1, repo.owner, repo.name);
  const routes = new Map<string, RouteHandler>([[GITHUB_WEBHOOKS_PATH, github.route]]);
  const app = createApp({ services, registry: github.registry, alertToken: undefined, extraRoutes: routes });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // The App's OAuth client, its callback registered at this server's public URL.
  fake.state.oauth.callbackUrls = [`${url}/auth/callback`];
  const web = createWebSurface({
    env: {
      PUBLIC_URL: url,
      GITHUB_CLIENT_ID: fake.state.oauth.clientId,
      GITHUB_CLIENT_SECRET: fake.state.oauth.clientSecret,
      SESSION_SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
    },
    services,
    registry: github.registry,
    live,
    localMode: false,
  });
  mountWeb(routes, web, true);
  return {
    fake,
    app,
    url,
    web,
    notifier,
    close: async () => {
      web.close();
      await app.close();
      await fake.close();
    },
  };
}
