import { GitHubError, ok, type RouteContext, type RouteHandler } from "./route-kit.ts";
import { userJson } from "./shapes-common.ts";

/** `GET /user`: who a user token acts as (the status page's sign-in asks it once). */
function getAuthenticated(ctx: RouteContext) {
  // An installation token is the App's bot, not a person: GitHub refuses it here.
  if (ctx.actor === ctx.state.app.botLogin)
    throw new GitHubError(403, "Resource not accessible by integration");
  const created = "2020-01-01T00:00:00Z";
  return ok({
    ...userJson(ctx.actor, ctx.urls),
    user_view_type: "private",
    name: null,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: created,
    updated_at: created,
    collaborators: 0,
    disk_usage: 0,
    owned_private_repos: 0,
    private_gists: 0,
    total_private_repos: 0,
    two_factor_authentication: true,
  });
}

export const userRoutes: Record<string, RouteHandler> = {
  "users/get-authenticated": getAuthenticated,
};
