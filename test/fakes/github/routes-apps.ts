import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { Repo } from "./model.ts";
import {
  GitHubError,
  notFound,
  ok,
  paginate,
  type RouteContext,
  type RouteHandler,
  repoOf,
} from "./route-kit.ts";
import { appJson } from "./routes-checks.ts";
import { repoJson, type Urls, userJson } from "./shapes-common.ts";
import type { FakeGitHubState } from "./state.ts";

/**
 * GitHub App authentication (the installation, its repositories, minting installation tokens) and
 * team membership. App-level endpoints want the App's JWT, as on GitHub: a request there with an
 * installation token is answered 401, which catches using the wrong Octokit.
 */

const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

function requireJwt(ctx: RouteContext): void {
  const auth = String(ctx.headers.authorization ?? "");
  const [scheme, token = ""] = auth.split(/\s+/, 2);
  if (scheme?.toLowerCase() !== "bearer" || !JWT.test(token)) {
    throw new GitHubError(401, "A JSON web token could not be decoded");
  }
}

function accessibleRepos(state: FakeGitHubState): Repo[] {
  const { repositories } = state.installation;
  const all = [...state.repos.values()];
  if (repositories === "all") return all;
  const wanted = new Set(repositories.map((r) => r.toLowerCase()));
  return all.filter((r) => wanted.has(r.fullName.toLowerCase()));
}

function installationJson(state: FakeGitHubState, urls: Urls) {
  const { installation, app } = state;
  const account = { ...userJson(installation.account, urls), type: "Organization" };
  return {
    id: installation.id,
    account,
    repository_selection: installation.repositories === "all" ? "all" : "selected",
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/organizations/${installation.account}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    client_id: `Iv1.${app.id}`,
    target_id: account.id,
    target_type: "Organization",
    permissions: {
      checks: "write",
      contents: "write",
      pull_requests: "write",
      issues: "write",
      actions: "write",
      metadata: "read",
    },
    events: ["check_run", "pull_request", "pull_request_review", "issue_comment", "push"],
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function createAccessToken(ctx: RouteContext) {
  requireJwt(ctx);
  if (Number(ctx.params.installation_id) !== ctx.state.installation.id) throw notFound();
  const token = `ghs_fake${ctx.state.nextId()}${"x".repeat(24)}`;
  ctx.state.tokens.set(token, ctx.state.app.botLogin);
  const expires = new Date(ctx.state.clock.now().getTime() + 3600_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
  const json = installationJson(ctx.state, ctx.urls);
  return ok(
    {
      token,
      expires_at: expires,
      permissions: json.permissions,
      repository_selection: json.repository_selection,
    },
    201,
  );
}

function listInstallationRepos(ctx: RouteContext) {
  const repos = accessibleRepos(ctx.state);
  const json = installationJson(ctx.state, ctx.urls);
  return paginate(
    ctx,
    repos.map((r) => repoJson(r, ctx.urls, { admin: false, push: true, pull: true })),
    (page) => ({
      total_count: repos.length,
      repository_selection: json.repository_selection,
      repositories: page,
    }),
  );
}

function getRepoInstallation(ctx: RouteContext) {
  requireJwt(ctx);
  const repo = repoOf(ctx);
  if (!accessibleRepos(ctx.state).includes(repo)) throw notFound();
  return ok(installationJson(ctx.state, ctx.urls));
}

function listInstallations(ctx: RouteContext) {
  requireJwt(ctx);
  return ok([installationJson(ctx.state, ctx.urls)]);
}

function getInstallation(ctx: RouteContext) {
  requireJwt(ctx);
  if (Number(ctx.params.installation_id) !== ctx.state.installation.id) throw notFound();
  return ok(installationJson(ctx.state, ctx.urls));
}

function getAuthenticatedApp(ctx: RouteContext) {
  requireJwt(ctx);
  return ok({ ...appJson(ctx.state, ctx.urls), installations_count: 1 });
}

function teamMembership(ctx: RouteContext) {
  const { org = "", team_slug = "", username = "" } = ctx.params;
  const role = ctx.state.teams.get(`${org}/${team_slug}`.toLowerCase())?.get(username);
  if (!role) throw notFound();
  const url = `${ctx.urls.api}/organizations/${org}/team/${team_slug}/memberships/${username}`;
  return ok({ url, role, state: "active" });
}

/**
 * POST /app-manifests/{code}/conversions: no authentication (the code is the credential), each code
 * works once, and the answer carries the new App's private key and webhook secret.
 */
function createFromManifest(ctx: RouteContext) {
  const code = ctx.params.code ?? "";
  const entry = ctx.state.manifestCodes.get(code);
  if (!entry) throw notFound();
  ctx.state.manifestCodes.delete(code);
  const { manifest, owner } = entry;
  const id = ctx.state.nextId();
  const name = String(manifest.name ?? "app");
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const hook = manifest.hook_attributes as { url?: string } | undefined;
  return ok(
    {
      id,
      slug,
      node_id: `A_${id}`,
      client_id: `Iv23${id}`,
      client_secret: randomBytes(20).toString("hex"),
      webhook_secret: hook?.url ? randomBytes(20).toString("hex") : null,
      pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      owner: { ...userJson(owner, ctx.urls), type: "Organization" },
      name,
      description: String(manifest.description ?? ""),
      external_url: String(manifest.url ?? ""),
      html_url: `${ctx.urls.web}/apps/${slug}`,
      created_at: ctx.state.clock.stamp(),
      updated_at: ctx.state.clock.stamp(),
      permissions: (manifest.default_permissions ?? {}) as Record<string, string>,
      events: (manifest.default_events ?? []) as string[],
    },
    201,
  );
}

/** Operations GitHub answers without any authentication. */
export const ANONYMOUS_OPERATIONS: ReadonlySet<string> = new Set(["apps/create-from-manifest"]);

export const appRoutes: Record<string, RouteHandler> = {
  "apps/create-from-manifest": createFromManifest,
  "apps/create-installation-access-token": createAccessToken,
  "apps/list-repos-accessible-to-installation": listInstallationRepos,
  "apps/get-repo-installation": getRepoInstallation,
  "apps/list-installations": listInstallations,
  "apps/get-installation": getInstallation,
  "apps/get-authenticated": getAuthenticatedApp,
  "teams/get-membership-for-user-in-org": teamMembership,
};
