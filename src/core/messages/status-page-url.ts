/** Addresses on the status page, shared by the page itself and the messages that link to it. */

export const PAGE_PATHS = {
  list: "/",
  rollout: "/rollout",
} as const;

/** The page of one rollout (`/rollout?repo=acme/shop&id=checkout`), or the list, under the public URL. */
export function statusPageUrl(base: string, repo?: string, rollout?: string): string {
  const root = base.replace(/\/+$/, "");
  if (repo === undefined || rollout === undefined) return `${root}${PAGE_PATHS.list}`;
  return `${root}${PAGE_PATHS.rollout}?${new URLSearchParams({ repo, id: rollout })}`;
}
