import type { Services } from "../../commands/services.ts";
import type { RepoStore } from "../../ports.ts";

/** What the GitHub App's handlers need, injected by the composition root (src/main/github.ts). */
export interface GitHubSurfaceDeps {
  services: Services;
  /** The repository a webhook is about, on the installation's client from the Probot context. */
  storeFor(
    octokit: unknown,
    repo: { owner: string; repo: string; defaultBranch?: string | undefined },
  ): RepoStore;
  /** Keeps the registry of served repositories in step with installations and pushes. */
  registry: {
    seen(installationId: number, owner: string, repo: string, defaultBranch?: string): void;
    forget(owner: string, repo: string): void;
    /** A push to the default branch changed these paths: what was read of them is stale. */
    changed?(owner: string, repo: string, paths: readonly string[]): void;
  };
}
