import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";

/** The fake's GraphQL: every query checked against GitHub's schema; createCommitOnBranch as GitHub answers it. */

const MUTATION = `mutation ($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup() {
  fake = await startFakeGitHub();
  fake.state.seedRepo({ owner: "acme", name: "shop", files: { "a.txt": "a\n" } });
  const octokit = new Octokit({
    auth: "token",
    baseUrl: fake.url,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const head = () => fake!.state.resolveRef(fake!.state.repo("acme/shop"), "main")!;
  const input = (expectedHeadOid: string) => ({
    branch: { repositoryNameWithOwner: "acme/shop", branchName: "main" },
    message: { headline: "two files", body: "in one commit" },
    expectedHeadOid,
    fileChanges: {
      additions: [
        { path: "a.txt", contents: Buffer.from("A\n").toString("base64") },
        { path: "b.txt", contents: Buffer.from("B\n").toString("base64") },
      ],
    },
  });
  return { fake, octokit, head, input };
}

describe("the fake GitHub's GraphQL", () => {
  it("commits every file in one commit, only while the branch is at expectedHeadOid", async () => {
    const { fake, octokit, head, input } = await setup();
    const before = head();
    const result = await octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(MUTATION, {
      input: input(before),
    });
    expect(result.createCommitOnBranch.commit.oid).toBe(head());
    expect([
      fake.state.fileAt("acme/shop", "main", "a.txt"),
      fake.state.fileAt("acme/shop", "main", "b.txt"),
    ]).toEqual(["A\n", "B\n"]);
    expect(fake.state.commitsOn("acme/shop", "main")[0]).toMatchObject({
      message: "two files\n\nin one commit",
      signed: true,
    });
    await expect(octokit.graphql(MUTATION, { input: input(before) })).rejects.toMatchObject({
      errors: [
        {
          type: "STALE_DATA",
          message: `Expected branch to point to "${before}" but it did not. Pull and try again.`,
        },
      ],
    });
    fake.assertClean();
  });

  it("a query GitHub's schema refuses is a violation", async () => {
    const { fake, octokit, head } = await setup();
    await expect(
      octokit.graphql(
        `mutation { createCommitOnBranch(input: { expectedHeadOid: "${head()}" }) { commit { sha } } }`,
      ),
    ).rejects.toThrow();
    expect(() => fake.assertClean()).toThrow(/GitHub's GraphQL schema refuses the query/);
  });
});
