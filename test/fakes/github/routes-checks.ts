import type { Annotation, CheckRun, Repo } from "./model.ts";
import {
  GitHubError,
  intParam,
  notFound,
  ok,
  paginate,
  type RouteContext,
  type RouteHandler,
  repoOf,
} from "./route-kit.ts";
import { nodeId, stableId, type Urls, userJson } from "./shapes-common.ts";
import type { FakeGitHubState } from "./state.ts";

/** Check runs, created and updated by the App. */

export function appJson(state: FakeGitHubState, urls: Urls) {
  const { app } = state;
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    client_id: `Iv1.${app.id}`,
    owner: userJson(state.installation.account, urls),
    name: app.slug,
    description: "Progressive rollouts from a YAML file",
    external_url: "https://example.invalid/rollout-bot",
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    permissions: {
      checks: "write",
      contents: "write",
      pull_requests: "write",
      issues: "write",
      actions: "write",
      metadata: "read",
    },
    events: ["check_run", "pull_request", "pull_request_review", "issue_comment", "push"],
  };
}

function checkRunJson(state: FakeGitHubState, repo: Repo, run: CheckRun, urls: Urls) {
  const url = `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}`;
  const minimal = (sha: string, ref: string) => ({
    ref,
    sha,
    repo: { id: repo.id, url: `${urls.api}/repos/${repo.fullName}`, name: repo.name },
  });
  const pulls = [...repo.pulls.values()].filter(
    (p) => p.state === "open" && state.headSha(repo, p) === run.headSha,
  );
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CheckRun", run.id),
    external_id: run.externalId,
    url,
    html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: stableId(`suite:${repo.fullName}:${run.headSha}`) },
    app: appJson(state, urls),
    pull_requests: pulls.map((p) => ({
      id: p.id,
      number: p.number,
      url: `${urls.api}/repos/${repo.fullName}/pulls/${p.number}`,
      head: minimal(run.headSha, p.head.ref),
      base: minimal(state.resolveRef(repo, p.base.ref) ?? "", p.base.ref),
    })),
  };
}

interface CheckInput {
  name?: string;
  head_sha?: string;
  details_url?: string;
  external_id?: string;
  status?: string;
  started_at?: string;
  conclusion?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: Annotation[] };
}

/** Apply create/update fields; annotations are appended, as GitHub does on every update. */
function applyCheckInput(ctx: RouteContext, run: CheckRun, input: CheckInput): void {
  if (input.name !== undefined) run.name = input.name;
  if (input.details_url !== undefined) run.detailsUrl = input.details_url;
  if (input.external_id !== undefined) run.externalId = input.external_id;
  if (input.started_at !== undefined) run.startedAt = input.started_at;
  if (input.status !== undefined) run.status = input.status;
  if (input.conclusion !== undefined) {
    run.conclusion = input.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") {
    if (run.conclusion === null) {
      throw new GitHubError(
        422,
        "Invalid request.\n\n`conclusion` is required when `status` is `completed`.",
      );
    }
    run.completedAt = input.completed_at ?? run.completedAt ?? ctx.state.clock.stamp();
  }
  if (input.output) {
    run.output.title = input.output.title ?? run.output.title;
    run.output.summary = input.output.summary ?? run.output.summary;
    run.output.text = input.output.text ?? run.output.text;
    run.output.annotations.push(...(input.output.annotations ?? []));
  }
}

function createCheckRun(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const input = ctx.body as unknown as CheckInput & { name: string; head_sha: string };
  if (!repo.objects.commits.has(input.head_sha)) {
    throw new GitHubError(422, "Validation Failed", {
      errors: [
        {
          resource: "CheckRun",
          code: "invalid",
          field: "head_sha",
          message: `No commit found for SHA: ${input.head_sha}`,
        },
      ],
    });
  }
  const run: CheckRun = {
    id: ctx.state.nextId(),
    name: input.name,
    headSha: input.head_sha,
    status: "queued",
    conclusion: null,
    startedAt: ctx.state.clock.stamp(),
    completedAt: null,
    detailsUrl: null,
    externalId: null,
    app: ctx.actor,
    output: { title: null, summary: null, text: null, annotations: [] },
  };
  applyCheckInput(ctx, run, input);
  repo.checkRuns.push(run);
  return ok(checkRunJson(ctx.state, repo, run, ctx.urls), 201);
}

function runOf(ctx: RouteContext, repo: Repo): CheckRun {
  const run = repo.checkRuns.find((r) => r.id === intParam(ctx, "check_run_id"));
  if (!run) throw notFound();
  return run;
}

function updateCheckRun(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const run = runOf(ctx, repo);
  applyCheckInput(ctx, run, ctx.body as unknown as CheckInput);
  return ok(checkRunJson(ctx.state, repo, run, ctx.urls));
}

function getCheckRun(ctx: RouteContext) {
  const repo = repoOf(ctx);
  return ok(checkRunJson(ctx.state, repo, runOf(ctx, repo), ctx.urls));
}

function listForRef(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const sha = ctx.state.resolveRef(repo, ctx.params.ref ?? "");
  if (!sha) throw new GitHubError(422, `No commit found for SHA: ${ctx.params.ref}`);
  const { check_name, status, filter = "latest" } = ctx.query;
  let runs = repo.checkRuns.filter(
    (r) =>
      r.headSha === sha &&
      (check_name === undefined || r.name === check_name) &&
      (status === undefined || r.status === status),
  );
  // `filter=latest` (the default) keeps only the most recent run of each name.
  if (filter === "latest") runs = runs.filter((r) => runs.findLast((other) => other.name === r.name) === r);
  const newest = [...runs].reverse();
  return paginate(ctx, newest, (page) => ({
    total_count: newest.length,
    check_runs: page.map((r) => checkRunJson(ctx.state, repo, r, ctx.urls)),
  }));
}

export const checkRoutes: Record<string, RouteHandler> = {
  "checks/create": createCheckRun,
  "checks/update": updateCheckRun,
  "checks/get": getCheckRun,
  "checks/list-for-ref": listForRef,
};
