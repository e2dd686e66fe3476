/** A pull request as the use-cases see it (the bump PR, an urgent rollback PR, any PR a check runs on). */
export interface PullRequest {
  number: number;
  title: string;
  body: string | null;
  /** Login of who opened it; `*[bot]` for apps. */
  author: string;
  authorIsBot: boolean;
  headRef: string;
  headSha: string;
  /** `owner/name` of the repository the head branch lives in (a fork's differs from the base's). */
  headRepo: string;
  baseRef: string;
  url: string;
}

/** The fields of GitHub's pull request JSON we read: the same in the REST API and in webhooks. */
export interface PullRequestJson {
  number: number;
  title: string;
  body: string | null;
  html_url: string;
  user: { login: string; type?: string } | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string };
}

export function pullRequestOf(pr: PullRequestJson): PullRequest {
  return {
    number: pr.number,
    title: pr.title,
    body: pr.body,
    author: pr.user?.login ?? "",
    authorIsBot: pr.user?.type === "Bot",
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    headRepo: pr.head.repo?.full_name ?? "",
    baseRef: pr.base.ref,
    url: pr.html_url,
  };
}

/** A commit of a pull request and who made it, to tell the bot's own commits from a person's. */
export interface CommitInfo {
  sha: string;
  authorLogin?: string | undefined;
  committerLogin?: string | undefined;
  /** GitHub signed it (commits an App makes through the API are signed by GitHub). */
  verified: boolean;
  message: string;
}
