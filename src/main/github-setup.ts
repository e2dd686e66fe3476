import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Octokit } from "@octokit/rest";
import { updateEnvFile } from "../adapters/local/update-env-file.ts";
import type { Logger } from "../ports.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { type AppCredentials, githubAppSetupRoutes } from "../surfaces/http/github-app-setup.ts";
import type { ServerEnv } from "./server-env.ts";

/** app.yml beside dist/ (the bundle is dist/server.js): in a checkout, an npm install and the image. */
export const APP_MANIFEST_PATH = fileURLToPath(new URL("../app.yml", import.meta.url));

/** The manifest-flow routes for a server with no GitHub App yet, against github.com or GHE_HOST. */
export function githubSetupFromEnv(
  env: ServerEnv,
  logger: Logger,
  options: { cwd?: string; manifestPath?: string } = {},
): Map<string, RouteHandler> {
  const webUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : "https://github.com";
  const apiUrl = env.GHE_HOST ? `${webUrl}/api/v3` : "https://api.github.com";
  const envFile = join(options.cwd ?? process.cwd(), ".env");
  const manifestPath = options.manifestPath ?? APP_MANIFEST_PATH;
  if (!existsSync(manifestPath)) {
    logger.warn({ path: manifestPath }, "no app.yml: the GitHub App registration page is off");
    return new Map();
  }
  return githubAppSetupRoutes({
    manifestYaml: readFileSync(manifestPath, "utf8"),
    webUrl,
    logger,
    convert: async (code): Promise<AppCredentials> => {
      const octokit = new Octokit({ baseUrl: apiUrl, userAgent: "rollout-bot-setup" });
      const { data } = await octokit.rest.apps.createFromManifest({ code });
      if (!data.webhook_secret) throw new Error("GitHub returned no webhook secret");
      return {
        id: data.id,
        slug: data.slug ?? String(data.id),
        htmlUrl: data.html_url,
        pem: data.pem,
        webhookSecret: data.webhook_secret,
      };
    },
    save: (app) =>
      updateEnvFile(envFile, {
        APP_ID: String(app.id),
        PRIVATE_KEY: app.pem,
        WEBHOOK_SECRET: app.webhookSecret,
      }),
  });
}
