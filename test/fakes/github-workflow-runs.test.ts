import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "./github/fake-github.ts";
import { responseProblems } from "./github/openapi.ts";

/** The fake's workflow runs: one per dispatch, listed with GitHub's filters, in GitHub's documented shape. */

const WORKFLOW = "on:\n  workflow_dispatch:\n    inputs:\n      rollout: { required: true }\njobs: {}\n";
let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("fake GitHub: workflow runs", () => {
  it("records a run per dispatch, filterable by event and head sha, newest first", async () => {
    fake = await startFakeGitHub();
    fake.state.seedRepo({
      owner: "acme",
      name: "app",
      files: { ".github/workflows/rollback.yml": WORKFLOW },
    });
    const octokit = new Octokit({ auth: "t", baseUrl: fake.url });
    const first = fake.state.resolveRef(fake.state.repo("acme/app"), "main")!;
    const dispatch = (rollout: string) =>
      octokit.rest.actions.createWorkflowDispatch({
        owner: "acme",
        repo: "app",
        workflow_id: "rollback.yml",
        ref: "main",
        inputs: { rollout },
      });
    await dispatch("a");
    const second = fake.state.push("acme/app", { branch: "main", files: { "x.txt": "x" } }).sha;
    await dispatch("b");
    const list = (query: { head_sha?: string; event?: string }) =>
      octokit.rest.actions.listWorkflowRuns({
        owner: "acme",
        repo: "app",
        workflow_id: "rollback.yml",
        ...query,
      });
    const all = (await list({ event: "workflow_dispatch" })).data;
    expect(all.total_count).toBe(2);
    expect(all.workflow_runs.map((r) => r.head_sha)).toEqual([second, first]);
    expect((await list({ head_sha: first })).data.total_count).toBe(1);
    expect((await list({ event: "push" })).data.total_count).toBe(0);
    const problems = fake.requests
      .filter((r) => r.operationId && r.status === 200)
      .flatMap((r) => responseProblems(r.operationId!, r.status, r.response));
    expect(problems).toEqual([]);
    fake.assertClean();
  });
});
