import type { WorkflowDispatch } from "./model.ts";
import { newestFirst, paginate, type RouteContext, type RouteHandler, repoOf } from "./route-kit.ts";
import { nodeId, repoJson, stableId, userJson } from "./shapes-common.ts";

/**
 * Workflow runs: each recorded dispatch is one run that never leaves `queued` (the fake runs
 * nothing). Listed by workflow with GitHub's `event`, `created`, `head_sha` and `branch` filters.
 */

/** GitHub's `created` qualifier: `>=T`, `>T`, `<=T`, `<T`, `A..B`, or a date prefix. */
function createdMatches(filter: string | undefined, at: string): boolean {
  if (!filter) return true;
  const t = Date.parse(at);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range) return t >= Date.parse(range[1]!) && t <= Date.parse(range[2]!);
  const op = /^(>=|<=|>|<)(.+)$/.exec(filter);
  if (op) {
    const bound = Date.parse(op[2]!);
    if (op[1] === ">=") return t >= bound;
    if (op[1] === ">") return t > bound;
    if (op[1] === "<=") return t <= bound;
    return t < bound;
  }
  return at.startsWith(filter);
}

function listWorkflowRuns(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const id = ctx.params.workflow_id ?? "";
  const runs = repo.dispatches.filter(
    (d): d is WorkflowDispatch & { runId: number; path: string } =>
      d.runId !== undefined &&
      d.path !== undefined &&
      (d.path === `.github/workflows/${id}` ||
        String(stableId(`workflow:${repo.fullName}:${d.path}`)) === id),
  );
  const { event, created, head_sha: headSha, branch } = ctx.query;
  const matching = runs.filter(
    (d) =>
      (event === undefined || event === "workflow_dispatch") &&
      createdMatches(created, d.at) &&
      (headSha === undefined || d.headSha === headSha) &&
      (branch === undefined || d.ref.replace(/^refs\/heads\//, "") === branch),
  );
  const api = `${ctx.urls.api}/repos/${repo.fullName}`;
  const numbers = new Map(runs.map((d, i) => [d.runId, i + 1]));
  return paginate(
    ctx,
    newestFirst(matching, (d) => d.at),
    (page) => ({
      total_count: matching.length,
      workflow_runs: page.map((d) => {
        const workflowId = stableId(`workflow:${repo.fullName}:${d.path}`);
        const run = `${api}/actions/runs/${d.runId}`;
        return {
          id: d.runId,
          name: d.path.replace(/^.*\//, ""),
          node_id: nodeId("WorkflowRun", d.runId),
          head_branch: d.ref.replace(/^refs\/heads\//, ""),
          head_sha: d.headSha ?? "",
          path: d.path,
          display_title: d.path.replace(/^.*\//, ""),
          run_number: numbers.get(d.runId) ?? 1,
          run_attempt: 1,
          event: "workflow_dispatch",
          status: "queued",
          conclusion: null,
          workflow_id: workflowId,
          url: run,
          html_url: `${ctx.urls.web}/${repo.fullName}/actions/runs/${d.runId}`,
          pull_requests: [],
          created_at: d.at,
          updated_at: d.at,
          run_started_at: d.at,
          actor: userJson(d.actor, ctx.urls),
          triggering_actor: userJson(d.actor, ctx.urls),
          jobs_url: `${run}/jobs`,
          logs_url: `${run}/logs`,
          check_suite_url: `${api}/check-suites/${d.runId}`,
          artifacts_url: `${run}/artifacts`,
          cancel_url: `${run}/cancel`,
          rerun_url: `${run}/rerun`,
          previous_attempt_url: null,
          workflow_url: `${api}/actions/workflows/${workflowId}`,
          head_commit: null,
          repository: repoJson(repo, ctx.urls),
          head_repository: repoJson(repo, ctx.urls),
        };
      }),
    }),
  );
}

export const runRoutes: Record<string, RouteHandler> = {
  "actions/list-workflow-runs": listWorkflowRuns,
};
