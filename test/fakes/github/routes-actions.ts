import { parse as parseYaml } from "yaml";
import { GitHubError, notFound, ok, type RouteContext, type RouteHandler, repoOf } from "./route-kit.ts";
import { runRoutes } from "./routes-runs.ts";
import { stableId } from "./shapes-common.ts";

/** Workflow dispatches: validated like GitHub, recorded in the state, never run. */

/** The `on.workflow_dispatch` section of a workflow file, or undefined if it has none. */
function dispatchTrigger(
  text: string,
): { inputs?: Record<string, { required?: boolean; default?: unknown }> } | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const on = doc.on ?? doc.true;
  if (on === "workflow_dispatch") return {};
  if (Array.isArray(on)) return on.includes("workflow_dispatch") ? {} : undefined;
  if (on && typeof on === "object" && "workflow_dispatch" in on) {
    return ((on as Record<string, unknown>).workflow_dispatch ?? {}) as {
      inputs?: Record<string, { required?: boolean }>;
    };
  }
  return undefined;
}

/**
 * Like GitHub: the workflow must exist in `.github/workflows/` on the default branch (else 404),
 * declare `workflow_dispatch`, be given a real ref, and get only the inputs it declares.
 */
function dispatchWorkflow(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const input = ctx.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
  const id = ctx.params.workflow_id ?? "";
  const files = repo.objects.filesOf(repo.refs.get(`heads/${repo.defaultBranch}`) ?? "");
  const path = [...files.keys()].find(
    (p) =>
      /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p) &&
      (p === `.github/workflows/${id}` || String(stableId(`workflow:${repo.fullName}:${p}`)) === id),
  );
  if (!path) throw notFound();
  const trigger = dispatchTrigger(repo.objects.blobs.get(files.get(path) ?? "")?.toString("utf8") ?? "");
  if (!trigger) throw new GitHubError(422, "Workflow does not have 'workflow_dispatch' trigger");
  // A branch or tag name only: GitHub refuses a commit sha here.
  const bare = input.ref.replace(/^refs\//, "");
  if (![bare, `heads/${bare}`, `tags/${bare}`].some((ref) => repo.refs.has(ref))) {
    throw new GitHubError(422, `No ref found for: ${input.ref}`);
  }
  const declared = trigger.inputs ?? {};
  const given = input.inputs ?? {};
  const unexpected = Object.keys(given).filter((k) => !(k in declared));
  if (unexpected.length > 0)
    throw new GitHubError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  for (const [name, spec] of Object.entries(declared)) {
    if (spec?.required && spec.default === undefined && given[name] === undefined) {
      throw new GitHubError(422, `Required input '${name}' not provided`);
    }
  }
  const at = ctx.state.clock.stamp();
  const runId = ctx.state.nextId();
  const headSha = ctx.state.resolveRef(repo, input.ref) ?? "";
  repo.dispatches.push({
    workflowId: id,
    ref: input.ref,
    inputs: given,
    actor: ctx.actor,
    at,
    runId,
    path,
    headSha,
  });
  if (!input.return_run_details) return { status: 204 };
  return ok({
    workflow_run_id: runId,
    run_url: `${ctx.urls.api}/repos/${repo.fullName}/actions/runs/${runId}`,
    html_url: `${ctx.urls.web}/${repo.fullName}/actions/runs/${runId}`,
  });
}

export const actionRoutes: Record<string, RouteHandler> = {
  "actions/create-workflow-dispatch": dispatchWorkflow,
  ...runRoutes,
};
