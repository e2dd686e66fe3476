import type { RouteHandler } from "./route-kit.ts";
import { actionRoutes } from "./routes-actions.ts";
import { appRoutes } from "./routes-apps.ts";
import { checkRoutes } from "./routes-checks.ts";
import { compareRoutes } from "./routes-compare.ts";
import { gitRoutes } from "./routes-git.ts";
import { issueRoutes } from "./routes-issues.ts";
import { pullRoutes } from "./routes-pulls.ts";
import { repoRoutes } from "./routes-repos.ts";
import { userRoutes } from "./routes-users.ts";

/**
 * Handlers by GitHub operationId. Routing is done by the OpenAPI description (see openapi.ts), so
 * no path is written twice; an operation the description knows but this table lacks is answered
 * 501 and reported as a violation.
 */
export const ROUTES: Readonly<Record<string, RouteHandler>> = {
  ...repoRoutes,
  ...compareRoutes,
  ...gitRoutes,
  ...pullRoutes,
  ...issueRoutes,
  ...checkRoutes,
  ...actionRoutes,
  ...appRoutes,
  ...userRoutes,
};

export const IMPLEMENTED_OPERATIONS: readonly string[] = Object.keys(ROUTES).sort();
