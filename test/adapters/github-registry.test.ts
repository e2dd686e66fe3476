import type { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { GitHubRegistry } from "../../src/adapters/github/github-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import type { RepoStore } from "../../src/ports.ts";

/** A stand-in for Probot's `auth(installationId)`: a new client object per call, as Probot builds. */
function probotStandIn() {
  const minted: number[] = [];
  const probot = {
    auth: async (installationId?: number) => {
      minted.push(installationId ?? 0);
      return { installationId, client: minted.length };
    },
  } as unknown as Probot;
  return { probot, minted };
}

describe("GitHubRegistry", () => {
  it("builds one client per installation, shared by the stores of its repositories", async () => {
    const { probot, minted } = probotStandIn();
    const given: unknown[] = [];
    const registry = new GitHubRegistry(
      probot,
      (octokit, repo) => {
        given.push(octokit);
        return { name: `${repo.owner}/${repo.repo}` } as unknown as RepoStore;
      },
      silentLogger,
    );
    registry.seen(1, "acme", "shop", "main");
    registry.seen(1, "acme", "cart", "main");
    registry.seen(2, "other", "site", "main");
    const stores = await registry.repos();
    expect(stores.map((s) => s.name)).toEqual(["acme/shop", "acme/cart", "other/site"]);
    expect(minted.sort()).toEqual([1, 2]);
    expect(given[0]).toBe(given[1]);
    expect(given[2]).not.toBe(given[0]);
    // A repository seen later reuses its installation's client too.
    registry.seen(1, "acme", "docs", "main");
    await registry.find("acme/docs");
    expect(minted).toHaveLength(2);
    expect(given[3]).toBe(given[0]);
  });

  it("a client that could not be built is asked for again", async () => {
    let calls = 0;
    const probot = {
      auth: async () => {
        calls++;
        if (calls === 1) throw new Error("GitHub is down");
        return {};
      },
    } as unknown as Probot;
    const registry = new GitHubRegistry(probot, () => ({}) as RepoStore, silentLogger);
    registry.seen(1, "acme", "shop", "main");
    await expect(registry.find("acme/shop")).rejects.toThrow("GitHub is down");
    await expect(registry.find("acme/shop")).resolves.toBeDefined();
    expect(calls).toBe(2);
  });
});
