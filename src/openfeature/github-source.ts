import { type RolloutSource, rolloutPath, type SourceRead } from "./rollout-source.ts";

export interface GitHubSourceOptions {
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or sha; default: the repository's default branch. */
  ref?: string;
  /** A token with read access to the contents (private repositories). */
  token?: string;
  /** `https://api.github.com` unless GitHub Enterprise Server (`https://ghe.example.com/api/v3`). */
  apiUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const MAX_BYTES = 1024 * 1024;

/**
 * Rollout files read through GitHub's contents API with conditional requests: a refresh that finds
 * the file unchanged is a 304, which GitHub does not count against the rate limit.
 */
export function githubRolloutSource(options: GitHubSourceOptions): RolloutSource {
  if (!/^[\w.-]+\/[\w.-]+$/.test(options.repo))
    throw new TypeError(`repo must be owner/name, got '${options.repo}'`);
  const api = (options.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const name = `${options.repo}${options.ref ? `@${options.ref}` : ""}`;
  return {
    name,
    async read(id: string, known?: string): Promise<SourceRead> {
      const url = new URL(`${api}/repos/${options.repo}/contents/${rolloutPath(id)}`);
      if (options.ref) url.searchParams.set("ref", options.ref);
      const headers: Record<string, string> = {
        accept: "application/vnd.github.raw+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": "rollout-bot-openfeature",
      };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (known) headers["if-none-match"] = known;
      const response = await doFetch(url, {
        headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (response.status === 304) return { status: "unchanged" };
      if (response.status === 404) return { status: "missing" };
      if (!response.ok) {
        // The status only: a body could echo the request, token included.
        await response.body?.cancel();
        throw new Error(`${name}: GitHub answered ${response.status} for ${rolloutPath(id)}`);
      }
      const text = await response.text();
      if (text.length > MAX_BYTES) throw new Error(`${name}: ${rolloutPath(id)} is larger than 1 MiB`);
      return { status: "ok", text, version: response.headers.get("etag") ?? "" };
    },
  };
}
