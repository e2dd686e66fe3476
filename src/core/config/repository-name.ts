/** GitHub repository names as users type them (`owner/name`), checked by GitHub's own rules. */

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

// Owners are 1-39 alphanumerics or inner hyphens; names 1-100 of [A-Za-z0-9._-].
const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)\/([A-Za-z0-9._-]{1,100})$/;

export interface RepositoryName {
  owner: string;
  repo: string;
}

/** `owner/name`, or undefined when it is not a GitHub repository name. */
export function parseRepositoryName(text: string): RepositoryName | undefined {
  const match = REPOSITORY.exec(text.trim());
  if (!match || match[2] === "." || match[2] === "..") return undefined;
  return { owner: match[1]!, repo: match[2]! };
}
