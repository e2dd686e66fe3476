import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  buildSchema,
  type DocumentNode,
  execute,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  validate,
} from "graphql";
import type { Repo } from "./model.ts";
import { identityOf } from "./routes-git.ts";
import type { FakeGitHubState } from "./state.ts";

/**
 * GitHub's GraphQL API as far as the bot uses it — the `createCommitOnBranch` mutation — with every
 * query parsed and validated against GitHub's published schema (@octokit/graphql-schema), as REST
 * requests are checked against the OpenAPI description: a query, field or variable the schema
 * refuses is a violation (assertClean fails), and so is a root field the fake does not implement.
 * Errors have GitHub's shape: `{ data, errors: [{ type, path, locations, message }] }`, status 200.
 */

let cached: GraphQLSchema | undefined;
/** GitHub's schema (1.2 MB of SDL), built once per process on the first GraphQL request. */
export function githubGraphqlSchema(): GraphQLSchema {
  if (!cached) {
    // The package exports only its (eager, 5 MB JSON) index: find its SDL file where Node would look.
    const dirs = createRequire(import.meta.url).resolve.paths("@octokit/graphql-schema") ?? [];
    const file = dirs.map((d) => join(d, "@octokit/graphql-schema/schema.graphql")).find(existsSync);
    if (!file) throw new Error("@octokit/graphql-schema is not installed (a devDependency)");
    // GitHub's published SDL defines two fields twice (EnterpriseOwnerInfo.repositoryDeployKeySetting…),
    // which buildSchema's own check of the SDL refuses; queries are still validated against it.
    cached = buildSchema(readFileSync(file, "utf8"), { assumeValidSDL: true });
  }
  return cached;
}

/** An error GitHub answers with a `type` (STALE_DATA, NOT_FOUND, …). */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphqlContext {
  state: FakeGitHubState;
  actor: string;
  webUrl: string;
}

export interface GraphqlOutcome {
  body: { data?: unknown; errors?: unknown[] };
  /** Root fields asked for, for the request log (`createCommitOnBranch`). */
  fields: string[];
  /** What the schema (or the fake) refuses: recorded as violations. */
  problems: string[];
}

interface CommitInput {
  branch: { repositoryNameWithOwner?: string; branchName?: string; id?: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges?: { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] };
  clientMutationId?: string;
}

function createCommitOnBranch(ctx: GraphqlContext, input: CommitInput) {
  const { state } = ctx;
  const name = input.branch.repositoryNameWithOwner;
  if (!name || input.branch.id)
    throw new TypedError(
      "UNPROCESSABLE",
      "the fake GitHub resolves a branch by repositoryNameWithOwner and branchName only",
    );
  const repo: Repo | undefined = state.repos.get(name.toLowerCase());
  if (!repo) throw new TypedError("NOT_FOUND", `Could not resolve to a Repository with the name '${name}'.`);
  const branchName = input.branch.branchName ?? "";
  const head = repo.refs.get(`heads/${branchName}`);
  if (!head) throw new TypedError("NOT_FOUND", `A ref named "refs/heads/${branchName}" does not exist.`);
  // Classic branch protection refuses a direct commit with this type (rulesets answer in other words).
  if (repo.protectedBranches.has(branchName))
    throw new TypedError(
      "BRANCH_PROTECTION_RULE_VIOLATION",
      `protected branch '${branchName}' check failed:\n  Changes must be made through a pull request.`,
    );
  if (input.expectedHeadOid !== head)
    throw new TypedError(
      "STALE_DATA",
      `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
    );
  const files = new Map(repo.objects.filesOf(head));
  for (const { path } of input.fileChanges?.deletions ?? []) {
    if (!files.delete(path))
      throw new TypedError(
        "UNPROCESSABLE",
        `A path was requested for deletion which does not exist as of commit oid \`${head}\``,
      );
  }
  for (const { path, contents } of input.fileChanges?.additions ?? [])
    files.set(path, repo.objects.putBlob(Buffer.from(contents, "base64")));
  const { headline, body } = input.message;
  // GitHub signs what an App commits through the API, authored by the App's bot account.
  const commit = state.commit(repo, {
    files,
    parents: [head],
    message: body ? `${headline}\n\n${body}` : headline,
    author: identityOf(ctx.actor),
    signed: true,
  });
  state.moveBranch(repo, branchName, commit.sha);
  return {
    clientMutationId: input.clientMutationId ?? null,
    commit: {
      oid: commit.sha,
      abbreviatedOid: commit.sha.slice(0, 7),
      url: `${ctx.webUrl}/${repo.fullName}/commit/${commit.sha}`,
      message: commit.message,
      messageHeadline: headline,
      messageBody: body ?? "",
      committedDate: commit.committer.date,
    },
    ref: { name: branchName, prefix: "refs/heads/" },
  };
}

const ROOT_FIELDS: Record<string, (ctx: GraphqlContext, args: Record<string, unknown>) => unknown> = {
  createCommitOnBranch: (ctx, args) => createCommitOnBranch(ctx, args.input as CommitInput),
};

export function handleGraphql(ctx: GraphqlContext, body: unknown): GraphqlOutcome {
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== "string") {
    const message = "A query attribute must be specified and must be a string.";
    return { body: { errors: [{ message }] }, fields: [], problems: [message] };
  }
  const schema = githubGraphqlSchema();
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { body: { errors: [{ message }] }, fields: [], problems: [`query does not parse: ${message}`] };
  }
  const refused = validate(schema, document);
  const fields = document.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION
      ? d.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
      : [],
  );
  if (refused.length > 0) {
    return {
      body: { errors: refused.map((e) => ({ message: e.message, locations: e.locations })) },
      fields,
      problems: refused.map((e) => `GitHub's GraphQL schema refuses the query: ${e.message}`),
    };
  }
  const missing = fields.filter((f) => !ROOT_FIELDS[f]);
  if (missing.length > 0) {
    const message = `the fake GitHub does not implement ${missing.join(", ")}`;
    return { body: { errors: [{ message }] }, fields, problems: [message] };
  }
  const rootValue = Object.fromEntries(
    Object.entries(ROOT_FIELDS).map(([name, resolve]) => [
      name,
      (args: Record<string, unknown>) => resolve(ctx, args),
    ]),
  );
  const result = execute({ schema, document, rootValue, variableValues: variables ?? {} }) as {
    data?: unknown;
    errors?: readonly GraphQLError[];
  };
  const problems: string[] = [];
  const errors = result.errors?.map((e) => {
    const original = e.originalError;
    if (original instanceof TypedError)
      return { type: original.type, path: e.path, locations: e.locations, message: original.message };
    // Not an answer GitHub would give to a valid request: a variable the schema refuses, or a crash.
    problems.push(`GraphQL request refused: ${e.message}`);
    return { message: e.message, locations: e.locations, ...(e.path ? { path: e.path } : {}) };
  });
  return { body: { data: result.data ?? null, ...(errors ? { errors } : {}) }, fields, problems };
}
