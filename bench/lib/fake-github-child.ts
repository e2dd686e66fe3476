// The fake GitHub in its own process (bench/lib/fake-github-process.ts forks it), so its CPU and
// memory are not the bot's: the parent drives it over IPC (seed, latency, pushes, the request log).
import { type FakeGitHub, startFakeGitHub } from "../../test/fakes/github/fake-github.ts";

type Message = { id: number; op: string; args: Record<string, unknown> };

const fake: FakeGitHub = await startFakeGitHub();

const ops: Record<string, (args: Record<string, unknown>) => unknown> = {
  seed: (a) => {
    const repos = a.repos as { owner: string; name: string; files: Record<string, string> }[];
    for (const r of repos) fake.state.seedRepo(r);
    return repos.length;
  },
  latency: (a) => fake.setLatency(Number(a.ms)),
  clock: (a) => fake.state.clock.set(String(a.at)),
  push: (a) => fake.state.push(String(a.repo), a.options as never).sha,
  /** The request log from `from` on, compact: method, operation, status, arrival (ms), path. */
  requests: (a) =>
    fake.requests
      .slice(Number(a.from ?? 0))
      .map((r) => [r.method, r.operationId ?? r.path, r.status, r.at, r.path] as const),
  count: () => fake.requests.length,
  rateLimit: () => ({ ...fake.rateLimit }),
  dispatches: (a) => fake.state.repo(String(a.repo)).dispatches.length,
  openPull: (a) => {
    const repo = fake.state.repo(String(a.repo));
    const branch = String(a.branch);
    fake.state.push(repo.fullName, { branch, files: a.files as Record<string, string>, message: "bump" });
    const number = repo.nextNumber++;
    const now = fake.state.clock.stamp();
    repo.pulls.set(number, {
      id: fake.state.nextId(),
      number,
      title: String(a.title),
      body: String(a.body),
      state: "open",
      draft: false,
      user: fake.state.app.botLogin,
      head: { ref: branch, sha: fake.state.resolveRef(repo, branch) ?? "" },
      base: { ref: repo.defaultBranch },
      labels: ["rollout"],
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
      maintainerCanModify: false,
    });
    return number;
  },
  file: (a) => fake.state.fileAt(String(a.repo), String(a.ref ?? "main"), String(a.path)),
  addToken: (a) => fake.state.addToken(String(a.token), String(a.login)),
  violations: () => fake.violations.slice(0, 20),
  memory: () => process.memoryUsage().rss,
};

process.on("message", (message: Message) => {
  try {
    const result = ops[message.op]?.(message.args);
    process.send?.({ id: message.id, ok: true, result });
  } catch (error) {
    process.send?.({ id: message.id, ok: false, error: String(error) });
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true, url: fake.url, host: fake.host });
