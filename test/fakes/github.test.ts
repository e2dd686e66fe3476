import { createRequire } from "node:module";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "./github/fake-github.ts";
import { gitBlobSha } from "./github/git-objects.ts";
import { loadGitHubSpec, matchOperation, responseProblems, validateRequest } from "./github/openapi.ts";
import { IMPLEMENTED_OPERATIONS } from "./github/routes.ts";

/**
 * The GitHub fake, driven by a real @octokit/rest client the way the adapter will drive it.
 * Each test gets its own server (cheap); the OpenAPI description is loaded once per worker.
 */

const OWNER = "acme";
const REPO = "app";
const FULL = `${OWNER}/${REPO}`;
const ROLLOUT = ".github/rollouts/checkout.yml";
const WORKFLOW = [
  "name: rollback",
  "on:",
  "  workflow_dispatch:",
  "    inputs:",
  "      rollout: { required: true }",
  "      from: { required: true }",
  "      to: { required: true }",
  "      reason: { required: false }",
  "jobs: {}",
  "",
].join("\n");

let fake: FakeGitHub;
/** The server to close after the current test, if it started one. */
let running: FakeGitHub | undefined;
let octokit: Octokit;

async function start(options: Parameters<typeof startFakeGitHub>[0] = {}): Promise<void> {
  fake = await startFakeGitHub(options);
  running = fake;
  fake.state.seedRepo({
    owner: OWNER,
    name: REPO,
    files: {
      [ROLLOUT]: "name: checkout\nstage: 10\n",
      ".github/workflows/rollback.yml": WORKFLOW,
      ".github/workflows/ci.yml": "on: push\njobs: {}\n",
      "README.md": "# app\n",
    },
    collaborators: { alice: "admin", bob: "write", carol: "triage" },
  });
  octokit = new Octokit({ auth: "test-token", baseUrl: fake.url, log: quietLog });
}

const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The error a call rejects with (Octokit's RequestError carries `status` and `response`). */
async function failure(call: Promise<unknown>): Promise<{
  status: number;
  message: string;
  response?: { headers: Record<string, string>; data: unknown };
}> {
  try {
    await call;
  } catch (error) {
    return error as { status: number; message: string };
  }
  throw new Error("expected the request to fail");
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Every successful response the fake sent must match GitHub's documented response schema. */
function expectFaithfulResponses(): void {
  const problems = fake.requests
    // Raw media types (`mediaType: { format: "raw" }`) answer text, which has no JSON schema.
    .filter((r) => r.operationId && r.status >= 200 && r.status < 300 && typeof r.response === "object")
    .flatMap((r) => responseProblems(r.operationId!, r.status, r.response));
  expect(problems).toEqual([]);
}

afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("OpenAPI description", () => {
  beforeAll(() => {
    const { loadMs } = loadGitHubSpec();
    console.info(`GitHub OpenAPI description loaded in ${loadMs.toFixed(0)} ms`);
  });

  it("loads once, quickly, and every implemented route is a documented operation", () => {
    const spec = loadGitHubSpec();
    expect(spec.loadMs).toBeLessThan(5000);
    expect(loadGitHubSpec()).toBe(spec);
    for (const id of IMPLEMENTED_OPERATIONS) expect(spec.operations.has(id), id).toBe(true);
  });

  it("matches multi-segment parameters whether Octokit percent-encodes them or not", () => {
    const encoded = matchOperation("GET", "/repos/acme/app/contents/.github%2Frollouts%2Fcheckout.yml");
    const raw = matchOperation("GET", "/repos/acme/app/contents/.github/rollouts/checkout.yml");
    expect(encoded?.operationId).toBe("repos/get-content");
    expect(encoded?.params.path).toBe(".github/rollouts/checkout.yml");
    expect(raw?.params).toEqual(encoded?.params);
    expect(matchOperation("PATCH", "/repos/acme/app/git/refs/heads/rollout/checkout")?.params.ref).toBe(
      "heads/rollout/checkout",
    );
    // The more literal template wins over a greedy `{ref}`.
    expect(matchOperation("GET", "/repos/acme/app/commits/heads/main/check-runs")?.operationId).toBe(
      "checks/list-for-ref",
    );
    expect(matchOperation("GET", "/repos/acme/app/not-a-thing")).toBeUndefined();
    // `…/contents` with no path is the root directory; `/commits` is not `/commits/{ref}`.
    expect(matchOperation("GET", "/repos/acme/app/contents")?.params).toEqual({
      owner: "acme",
      repo: "app",
      path: "",
    });
    expect(matchOperation("GET", "/repos/acme/app/commits")?.operationId).toBe("repos/list-commits");
  });

  it("routes every documented operation back to itself", () => {
    const wrong: string[] = [];
    for (const op of loadGitHubSpec().operations.values()) {
      const match = matchOperation(op.method, op.pathTemplate.replace(/\{(\w+)\}/g, "x1"));
      if (match?.operationId !== op.operationId)
        wrong.push(`${op.method} ${op.pathTemplate} → ${match?.operationId}`);
    }
    // The one exception is a documented alias: `compare/{base}...{head}` is `compare/{basehead}`.
    expect(wrong).toEqual([
      "GET /repos/{owner}/{repo}/compare/{base}...{head} → repos/compare-commits-with-basehead",
    ]);
  });

  it("reports schema, parameter and content-type problems one line each", () => {
    const match = matchOperation("POST", "/repos/acme/app/pulls");
    const problems = validateRequest(match, {
      query: { bogus: "1" },
      body: { title: 5, head: "x" },
      headers: { "content-type": "application/json" },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "body/title must be string",
        "body must have required property 'base'",
        "query parameter 'bogus' is not declared for pulls/create (GitHub ignores it)",
      ]),
    );
    const wrongType = validateRequest(match, {
      query: {},
      body: "title=x",
      headers: { "content-type": "text/plain" },
    });
    expect(wrongType[0]).toMatch(/content-type 'text\/plain' is not one of application\/json/);
    const pullNumber = validateRequest(matchOperation("GET", "/repos/acme/app/pulls/abc"), {
      query: {},
      body: undefined,
      headers: {},
    });
    expect(pullNumber.join("\n")).toMatch(/path parameter 'pull_number' must be integer/);
  });
});

describe("fake GitHub over HTTP", () => {
  it("reads a file, and answers a conditional re-read with 304 that costs no rate limit", async () => {
    await start();
    const first = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ROLLOUT });
    const file = first.data as { type: string; content: string; sha: string; encoding: string };
    expect(file.type).toBe("file");
    expect(Buffer.from(file.content, "base64").toString()).toBe("name: checkout\nstage: 10\n");
    expect(file.sha).toBe(gitBlobSha(Buffer.from("name: checkout\nstage: 10\n")));
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);

    // Octokit does not treat 304 as success: @octokit/request throws a RequestError with
    // status 304 and message "Not modified" (response.data is empty). Callers must catch it.
    const again = await failure(
      octokit.rest.repos.getContent({
        owner: OWNER,
        repo: REPO,
        path: ROLLOUT,
        headers: { "if-none-match": etag },
      }),
    );
    expect(again.status).toBe(304);
    expect(again.message).toBe("Not modified");
    expect(fake.rateLimit).toEqual({ counted: 1, notModified: 1 });

    const raw = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: ROLLOUT,
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe("name: checkout\nstage: 10\n");
    const dir = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/workflows" });
    expect((dir.data as Array<{ name: string; type: string }>).map((e) => [e.name, e.type])).toEqual([
      ["ci.yml", "file"],
      ["rollback.yml", "file"],
    ]);
    const missing = await failure(
      octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "nope.yml" }),
    );
    expect(missing.status).toBe(404);
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("commits several files through the git data API, and refuses a stale parent (compare-and-swap)", async () => {
    await start();
    const main = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: "heads/main" });
    const parent = await octokit.rest.git.getCommit({
      owner: OWNER,
      repo: REPO,
      commit_sha: main.data.object.sha,
    });
    const tree = await octokit.rest.git.createTree({
      owner: OWNER,
      repo: REPO,
      base_tree: parent.data.tree.sha,
      tree: [
        { path: ROLLOUT, mode: "100644", type: "blob", content: "name: checkout\nstage: 25\n" },
        { path: "deploy/checkout.env", mode: "100644", type: "blob", content: "PERCENT=25\n" },
        { path: "README.md", mode: "100644", type: "blob", sha: null },
      ],
    });
    const commit = await octokit.rest.git.createCommit({
      owner: OWNER,
      repo: REPO,
      message: "checkout: 10% → 25%\n\nRollout-Actor: alice",
      tree: tree.data.sha,
      parents: [main.data.object.sha],
    });
    await octokit.rest.git.updateRef({
      owner: OWNER,
      repo: REPO,
      ref: "heads/main",
      sha: commit.data.sha,
      force: false,
    });
    expect(fake.state.fileAt(FULL, "main", ROLLOUT)).toBe("name: checkout\nstage: 25\n");
    expect(fake.state.fileAt(FULL, "main", "deploy/checkout.env")).toBe("PERCENT=25\n");
    expect(fake.state.fileAt(FULL, "main", "README.md")).toBeUndefined();
    expect(fake.state.commitsOn(FULL, "main").map((c) => c.message.split("\n")[0])).toEqual([
      "checkout: 10% → 25%",
      "Initial commit",
    ]);

    // A second writer built on the old parent: not a fast-forward any more.
    const stale = await octokit.rest.git.createCommit({
      owner: OWNER,
      repo: REPO,
      message: "racing write",
      tree: parent.data.tree.sha,
      parents: [main.data.object.sha],
    });
    const refused = await failure(
      octokit.rest.git.updateRef({
        owner: OWNER,
        repo: REPO,
        ref: "heads/main",
        sha: stale.data.sha,
        force: false,
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(/^Update is not a fast forward/);
    expect(fake.state.fileAt(FULL, "main", ROLLOUT)).toBe("name: checkout\nstage: 25\n");

    const recursive = await octokit.rest.git.getTree({
      owner: OWNER,
      repo: REPO,
      tree_sha: "main",
      recursive: "1",
    });
    expect(recursive.data.tree.map((e) => e.path)).toContain("deploy/checkout.env");
    const branch = await octokit.rest.git.createRef({
      owner: OWNER,
      repo: REPO,
      ref: "refs/heads/rollout/checkout",
      sha: commit.data.sha,
    });
    expect(branch.data.ref).toBe("refs/heads/rollout/checkout");
    const exists = await failure(
      octokit.rest.git.createRef({
        owner: OWNER,
        repo: REPO,
        ref: "refs/heads/rollout/checkout",
        sha: commit.data.sha,
      }),
    );
    expect([exists.status, exists.message]).toEqual([
      422,
      expect.stringMatching(/^Reference already exists/),
    ]);
    await octokit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: "heads/rollout/checkout" });
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("writes one file with PUT contents, refusing a stale or missing sha like GitHub", async () => {
    await start();
    const current = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ROLLOUT });
    const sha = (current.data as { sha: string }).sha;
    const put = (content: string, withSha?: string) =>
      octokit.rest.repos.createOrUpdateFileContents({
        owner: OWNER,
        repo: REPO,
        path: ROLLOUT,
        message: "bump",
        content: b64(content),
        ...(withSha ? { sha: withSha } : {}),
      });
    const updated = await put("stage: 50\n", sha);
    expect(updated.status).toBe(200);
    const stale = await failure(put("stage: 75\n", sha));
    expect(stale.status).toBe(409);
    expect(stale.message).toMatch(`${ROLLOUT} does not match ${sha}`);
    expect((await failure(put("stage: 75\n"))).status).toBe(422);
    const created = await octokit.rest.repos.createOrUpdateFileContents({
      owner: OWNER,
      repo: REPO,
      path: "new.txt",
      message: "add",
      content: b64("hi"),
    });
    expect(created.status).toBe(201);
    expect(fake.state.fileAt(FULL, "main", ROLLOUT)).toBe("stage: 50\n");

    // File history, newest first, as the commits API gives it.
    const history = await octokit.rest.repos.listCommits({ owner: OWNER, repo: REPO, path: ROLLOUT });
    expect(history.data.map((c) => c.commit.message)).toEqual(["bump", "Initial commit"]);
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("opens a PR once per head, lists it by owner:branch, merges it, and lists reviews", async () => {
    await start();
    fake.state.push(FULL, {
      branch: "rollout/checkout",
      files: { [ROLLOUT]: "name: checkout\nstage: 25\n" },
    });
    fake.state.push(FULL, { branch: "other", files: { "other.txt": "x" } });
    const pr = await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: "checkout: advance to 25%",
      head: "rollout/checkout",
      base: "main",
      body: "stage table",
    });
    expect(pr.status).toBe(201);
    expect(pr.data).toMatchObject({ number: 1, state: "open", mergeable: true, changed_files: 1 });
    const duplicate = await failure(
      octokit.rest.pulls.create({
        owner: OWNER,
        repo: REPO,
        title: "again",
        head: "rollout/checkout",
        base: "main",
      }),
    );
    expect(duplicate.status).toBe(422);
    expect(duplicate.message).toContain("A pull request already exists for acme:rollout/checkout.");
    await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: "other",
      head: "other",
      base: "main",
    });

    const byHead = await octokit.rest.pulls.list({ owner: OWNER, repo: REPO, head: "acme:rollout/checkout" });
    expect(byHead.data.map((p) => p.number)).toEqual([1]);
    // GitHub silently ignores a head filter without the owner prefix; so does the fake.
    const bare = await octokit.rest.pulls.list({ owner: OWNER, repo: REPO, head: "rollout/checkout" });
    expect(bare.data.map((p) => p.number)).toEqual([2, 1]);

    fake.state.addReview(FULL, 1, { user: "alice", state: "APPROVED" });
    fake.state.addReview(FULL, 1, { user: "bob", state: "CHANGES_REQUESTED", body: "wait" });
    const reviews = await octokit.rest.pulls.listReviews({ owner: OWNER, repo: REPO, pull_number: 1 });
    expect(reviews.data.map((r) => [r.user?.login, r.state])).toEqual([
      ["alice", "APPROVED"],
      ["bob", "CHANGES_REQUESTED"],
    ]);

    const wrongSha = await failure(
      octokit.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: 1, sha: "0".repeat(40) }),
    );
    expect(wrongSha.status).toBe(409);
    const merged = await octokit.rest.pulls.merge({
      owner: OWNER,
      repo: REPO,
      pull_number: 1,
      merge_method: "squash",
    });
    expect(merged.data.merged).toBe(true);
    expect(fake.state.fileAt(FULL, "main", ROLLOUT)).toBe("name: checkout\nstage: 25\n");
    expect((await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 1 })).data).toMatchObject({
      state: "closed",
      merged: true,
      merge_commit_sha: merged.data.sha,
    });
    expect(
      (await failure(octokit.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: 1 }))).status,
    ).toBe(405);
    expect(fake.state.openPulls(FULL).map((p) => p.number)).toEqual([2]);

    await octokit.rest.pulls.update({
      owner: OWNER,
      repo: REPO,
      pull_number: 2,
      state: "closed",
      title: "stale",
    });
    expect(fake.state.openPulls(FULL)).toEqual([]);
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("comments, labels and reacts on a PR", async () => {
    await start();
    fake.state.push(FULL, { branch: "rollout/checkout", files: { [ROLLOUT]: "stage: 25\n" } });
    await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: "t",
      head: "rollout/checkout",
      base: "main",
    });
    const comment = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 1,
      body: "gate: ok",
    });
    await octokit.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: 1,
      labels: ["rollout", "urgent"],
    });
    const reaction = await octokit.rest.reactions.createForIssueComment({
      owner: OWNER,
      repo: REPO,
      comment_id: comment.data.id,
      content: "eyes",
    });
    expect(reaction.status).toBe(201);
    const comments = await octokit.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 1 });
    expect(comments.data.map((c) => [c.body, c.reactions?.eyes])).toEqual([["gate: ok", 1]]);
    const pr = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 1 });
    expect(pr.data.labels.map((l) => l.name)).toEqual(["rollout", "urgent"]);
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("creates and updates a check run with annotations", async () => {
    await start();
    const head = fake.state.push(FULL, { branch: "rollout/checkout", files: { [ROLLOUT]: "stage: oops\n" } });
    const created = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: "rollout-bot / validate",
      head_sha: head.sha,
      status: "in_progress",
    });
    await octokit.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: created.data.id,
      conclusion: "failure",
      output: {
        title: "1 problem",
        summary: "stage must be a number",
        annotations: [
          {
            path: ROLLOUT,
            start_line: 1,
            end_line: 1,
            annotation_level: "failure",
            message: "stage must be a number",
          },
        ],
      },
    });
    const listed = await octokit.rest.checks.listForRef({
      owner: OWNER,
      repo: REPO,
      ref: "rollout/checkout",
    });
    expect(listed.data.total_count).toBe(1);
    expect(listed.data.check_runs[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { annotations_count: 1 },
    });
    expect(fake.state.repo(FULL).checkRuns[0]?.output.annotations[0]?.message).toBe("stage must be a number");
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("records workflow dispatches, and 404s a workflow file that is not on the default branch", async () => {
    await start();
    // Counts every request that arrived (refused ones too), but not faulted ones.
    fake.expectRequest("POST", "actions/create-workflow-dispatch", 4);
    const dispatched = await octokit.rest.actions.createWorkflowDispatch({
      owner: OWNER,
      repo: REPO,
      workflow_id: "rollback.yml",
      ref: "main",
      inputs: { rollout: "checkout", from: "25", to: "10", reason: "error rate" },
    });
    expect(dispatched.status).toBe(204);
    expect(fake.state.repo(FULL).dispatches).toEqual([
      expect.objectContaining({
        workflowId: "rollback.yml",
        ref: "main",
        inputs: expect.objectContaining({ to: "10" }),
      }),
    ]);
    const missing = await failure(
      octokit.rest.actions.createWorkflowDispatch({
        owner: OWNER,
        repo: REPO,
        workflow_id: "deploy.yml",
        ref: "main",
      }),
    );
    expect(missing.status).toBe(404);
    const typo = await failure(
      octokit.rest.actions.createWorkflowDispatch({
        owner: OWNER,
        repo: REPO,
        workflow_id: "rollback.yml",
        ref: "main",
        inputs: { rollout: "checkout", from: "25", too: "10" },
      }),
    );
    expect([typo.status, typo.message]).toEqual([
      422,
      expect.stringContaining('Unexpected inputs provided: ["too"]'),
    ]);
    const noTrigger = await failure(
      octokit.rest.actions.createWorkflowDispatch({
        owner: OWNER,
        repo: REPO,
        workflow_id: "ci.yml",
        ref: "main",
      }),
    );
    expect(noTrigger.message).toMatch(/does not have 'workflow_dispatch' trigger/);
    fake.assertClean();
  });

  it("refuses direct writes to a protected branch, and lets a PR merge into it", async () => {
    await start();
    fake.state.protectBranch(FULL, "main");
    const tip = fake.state.push(FULL, { branch: "rollout/checkout", files: { [ROLLOUT]: "stage: 0\n" } });
    const refused = await failure(
      octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: "heads/main", sha: tip.sha }),
    );
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(/^Protected branch update failed for refs\/heads\/main\./);
    const current = fake.state
      .repo(FULL)
      .objects.filesOf(fake.state.resolveRef(fake.state.repo(FULL), "main")!);
    const viaContents = await failure(
      octokit.rest.repos.createOrUpdateFileContents({
        owner: OWNER,
        repo: REPO,
        path: ROLLOUT,
        message: "rollback",
        content: b64("stage: 0\n"),
        sha: current.get(ROLLOUT)!,
      }),
    );
    expect(viaContents.status).toBe(409);
    expect(viaContents.message).toMatch(/Changes must be made through a pull request/);
    await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: "urgent",
      head: "rollout/checkout",
      base: "main",
    });
    await octokit.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: 1 });
    expect(fake.state.fileAt(FULL, "main", ROLLOUT)).toBe("stage: 0\n");
    const branch = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: "main" });
    expect(branch.data.protected).toBe(true);
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("answers collaborator permissions and team memberships", async () => {
    await start();
    fake.state.seedTeam(OWNER, "release-managers", { alice: "maintainer", dave: "member" });
    const permission = async (username: string) =>
      (await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: OWNER, repo: REPO, username })).data;
    expect((await permission("alice")).permission).toBe("admin");
    expect((await permission("bob")).permission).toBe("write");
    expect(await permission("carol")).toMatchObject({ permission: "read", role_name: "triage" });
    expect((await permission("mallory")).permission).toBe("none");
    const member = await octokit.rest.teams.getMembershipForUserInOrg({
      org: OWNER,
      team_slug: "release-managers",
      username: "dave",
    });
    expect(member.data).toMatchObject({ role: "member", state: "active" });
    const outsider = await failure(
      octokit.rest.teams.getMembershipForUserInOrg({
        org: OWNER,
        team_slug: "release-managers",
        username: "bob",
      }),
    );
    expect(outsider.status).toBe(404);
    expectFaithfulResponses();
    fake.assertClean();
  });

  it("mints installation tokens for the App (JWT only) and never faults that unless asked", async () => {
    await start({ faults: { rate: 1, status: 502 } });
    const app = new Octokit({
      auth: "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln",
      baseUrl: fake.url,
      log: quietLog,
    });
    const installations = await failure(app.rest.apps.listInstallations());
    expect(installations.status).toBe(502);
    fake.setFaults({ rate: 1, status: 502, only: ["apps/create-installation-access-token"] });
    const token = await app.rest.apps.createInstallationAccessToken({ installation_id: 1 });
    expect(token.data.token).toMatch(/^ghs_/);
    fake.setFaults(undefined);
    const wrongAuth = await failure(octokit.rest.apps.listInstallations());
    expect(wrongAuth.status).toBe(401);
    const asInstallation = new Octokit({ auth: token.data.token, baseUrl: fake.url, log: quietLog });
    const repos = await asInstallation.rest.apps.listReposAccessibleToInstallation();
    expect(repos.data.repositories.map((r) => r.full_name)).toEqual([FULL]);
    const installation = await app.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    expect(installation.data.id).toBe(1);
    fake.state.push(FULL, { branch: "b", files: { "x.txt": "x" } });
    const pr = await asInstallation.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: "t",
      head: "b",
      base: "main",
    });
    expect(pr.data.user?.login).toBe("rollout-bot[bot]");
    expect(fake.requests.filter((r) => r.faulted).map((r) => r.operationId)).toEqual([
      "apps/list-installations",
    ]);
    expectFaithfulResponses();
  });

  it("injects latency and faults in GitHub's shapes (Octokit without the retry plugin sees them)", async () => {
    await start({ latencyMs: 120 });
    const started = performance.now();
    await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    fake.setLatency(0);

    fake.setFaults({ rate: 1, status: 502 });
    expect((await failure(octokit.rest.repos.get({ owner: OWNER, repo: REPO }))).status).toBe(502);
    fake.setFaults({ rate: 1, status: 403, retryAfter: 7 });
    const secondary = await failure(octokit.rest.repos.get({ owner: OWNER, repo: REPO }));
    expect(secondary.status).toBe(403);
    expect(secondary.message).toMatch(/secondary rate limit/);
    expect(secondary.response?.headers["retry-after"]).toBe("7");
    fake.setFaults({ rate: 0.5, status: 429, times: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        await octokit.rest.repos.get({ owner: OWNER, repo: REPO }).then(
          (r) => r.status,
          (e: { status: number }) => e.status,
        ),
      );
    }
    expect(statuses).toEqual([200, 429, 200, 200]);
    expect(fake.requests.filter((r) => r.faulted).map((r) => r.status)).toEqual([502, 403, 429]);
    fake.assertClean();
  });

  it("makes assertClean() fail on a request the description rejects, an unimplemented route, or a missed expectation", async () => {
    await start();
    // A number where GitHub wants a string, and no head/base: what an untyped call site can send.
    const untypedRoute: string = "POST /repos/{owner}/{repo}/pulls";
    const malformed = await failure(octokit.request(untypedRoute, { owner: OWNER, repo: REPO, title: 5 }));
    expect(malformed.status).toBe(422);
    const unimplemented = await failure(
      octokit.request("GET /repos/{owner}/{repo}/releases", { owner: OWNER, repo: REPO }),
    );
    expect(unimplemented.status).toBe(501);
    expect((await failure(octokit.request("GET /definitely/not/github"))).status).toBe(404);
    await octokit.rest.repos.get({ owner: OWNER, repo: REPO, per_pgae: 2 } as never);
    fake.expectRequest("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge");

    let message = "";
    try {
      fake.assertClean();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("POST /repos/acme/app/pulls (pulls/create): body/title must be string");
    expect(message).toContain("body must have required property 'head'");
    expect(message).toContain(
      "GET /repos/acme/app/releases (repos/list-releases): repos/list-releases is not implemented",
    );
    expect(message).toContain("GET /definitely/not/github: no operation in GitHub's OpenAPI description");
    expect(message).toContain("query parameter 'per_pgae' is not declared for repos/get");
    expect(message).toContain(
      "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge: expected at least 1, got 0",
    );
  });

  it("serves the GitHub Enterprise prefix /api/v3, paginates with Link headers, and wants auth", async () => {
    await start();
    const ghe = new Octokit({ auth: "t", baseUrl: `${fake.url}/api/v3`, log: quietLog });
    for (let i = 0; i < 4; i++)
      fake.state.push(FULL, { branch: "main", files: { [`f${i}.txt`]: String(i) } });
    const commits = await ghe.paginate(ghe.rest.repos.listCommits, { owner: OWNER, repo: REPO, per_page: 2 });
    expect(commits).toHaveLength(5);
    expect(fake.requests.map((r) => r.path)).toEqual(Array(3).fill("/repos/acme/app/commits"));
    expect(commits[0]?.url).toMatch(/\/api\/v3\/repos\/acme\/app\/commits\//);
    const anonymous = new Octokit({ baseUrl: fake.url, log: quietLog });
    const denied = await failure(anonymous.rest.repos.get({ owner: OWNER, repo: REPO }));
    expect(denied.status).toBe(401);
    fake.assertClean();
  });
});

describe("the rest of the surface", () => {
  it("answers in GitHub's documented shapes", async () => {
    await start();
    const app = new Octokit({
      auth: "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln",
      baseUrl: fake.url,
      log: quietLog,
    });
    const root = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "" });
    expect((root.data as Array<{ name: string }>).map((e) => e.name)).toEqual([".github", "README.md"]);
    const top = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: "main" });
    const github = top.data.tree.find((e) => e.path === ".github");
    const sub = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: github!.sha! });
    expect(sub.data.tree.map((e) => e.path)).toEqual(["rollouts", "workflows"]);
    const blob = await octokit.rest.git.createBlob({
      owner: OWNER,
      repo: REPO,
      content: b64("bin"),
      encoding: "base64",
    });
    expect(
      (await octokit.rest.git.getBlob({ owner: OWNER, repo: REPO, file_sha: blob.data.sha })).data.size,
    ).toBe(3);
    fake.state.push(FULL, {
      branch: "rollout/checkout",
      files: { [ROLLOUT]: "name: checkout\nstage: 25\n" },
    });
    const refs = await octokit.rest.git.listMatchingRefs({ owner: OWNER, repo: REPO, ref: "heads/rollout/" });
    expect(refs.data.map((r) => r.ref)).toEqual(["refs/heads/rollout/checkout"]);
    const compared = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: OWNER,
      repo: REPO,
      basehead: "main...rollout/checkout",
    });
    expect(compared.data).toMatchObject({ status: "ahead", ahead_by: 1, behind_by: 0 });
    expect(compared.data.commits.map((c) => c.commit.message)).toEqual([`Update ${ROLLOUT}`]);

    const pr = await octokit.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: "t",
      head: "rollout/checkout",
      base: "main",
    });
    const files = await octokit.rest.pulls.listFiles({
      owner: OWNER,
      repo: REPO,
      pull_number: pr.data.number,
    });
    expect(files.data).toEqual([
      expect.objectContaining({ filename: ROLLOUT, status: "modified", additions: 1, deletions: 1 }),
    ]);
    fake.state.addToken("alice-token", "alice");
    const alice = new Octokit({ auth: "alice-token", baseUrl: fake.url, log: quietLog });
    await alice.rest.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 1, event: "APPROVE" });
    const own = await failure(
      octokit.rest.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 1, event: "APPROVE" }),
    );
    expect(own.message).toMatch(/Can not approve your own pull request/);

    const comment = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 1,
      body: "a",
    });
    await octokit.rest.issues.updateComment({
      owner: OWNER,
      repo: REPO,
      comment_id: comment.data.id,
      body: "b",
    });
    await octokit.rest.issues.addLabels({ owner: OWNER, repo: REPO, issue_number: 1, labels: ["rollout"] });
    const left = await octokit.rest.issues.removeLabel({
      owner: OWNER,
      repo: REPO,
      issue_number: 1,
      name: "rollout",
    });
    expect(left.data).toEqual([]);
    const check = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: "gate",
      head_sha: pr.data.head.sha,
      conclusion: "success",
    });
    const got = await octokit.rest.checks.get({ owner: OWNER, repo: REPO, check_run_id: check.data.id });
    expect(got.data.pull_requests.map((p) => p.number)).toEqual([1]);
    const run = await octokit.rest.actions.createWorkflowDispatch({
      owner: OWNER,
      repo: REPO,
      workflow_id: "rollback.yml",
      ref: "main",
      inputs: { rollout: "checkout", from: "25", to: "10" },
      return_run_details: true,
    });
    expect(run.status).toBe(200);
    await app.rest.apps.getAuthenticated();
    await app.rest.apps.getInstallation({ installation_id: 1 });
    await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    await octokit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: "heads/rollout/checkout" });
    expect(fake.state.openPulls(FULL)).toEqual([]);
    expectFaithfulResponses();
    fake.assertClean();
  });
});

describe("@octokit/webhooks-examples", () => {
  it("loads real webhook payloads for other tests", () => {
    const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
      name: string;
      examples: unknown[];
    }>;
    const names = examples.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(["pull_request", "pull_request_review", "check_run", "push"]),
    );
    expect(examples.find((e) => e.name === "pull_request")?.examples.length).toBeGreaterThan(0);
  });
});
