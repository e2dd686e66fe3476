import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConsoleNotifier } from "../adapters/console/console-notifier.ts";
import { LocalRepoStore } from "../adapters/local/local-repo-store.ts";
import { StaticRegistry } from "../adapters/local/static-registry.ts";
import { silentLogger } from "../adapters/log/logger.ts";
import { MemoryCollaborators, MemoryPullRequests } from "../adapters/memory/memory-pull-requests.ts";
import { SimulatedMetrics } from "../adapters/prometheus/simulated-metrics.ts";
import { bumpMerged } from "../commands/bump-merged.ts";
import { checkGate, GATE_CHECK } from "../commands/check-gate.ts";
import { runCommand } from "../commands/run-command.ts";
import type { Services } from "../commands/services.ts";
import type { CheckRun, DispatchOutcome } from "../ports.ts";
import { renderHuman } from "../surfaces/cli/cli-render.ts";
import { createApp } from "./app.ts";
import { localServices } from "./coordination.ts";
import { DEMO_ROLLOUT, DEMO_ROLLOUT_ID, DEMO_SYNC_FILE } from "./demo-plan.ts";
import { createWebSurface, liveUpdates } from "./web.ts";

/**
 * `npm run demo`: the bot's main job on an embedded plan, no accounts needed. The real server in
 * local mode on a loopback port, managing a throwaway git repository; its real evaluation loop on a
 * compressed clock (30 minutes per tick) against simulated metrics. Pull requests live in the same
 * process, standing in for GitHub: each advance is a bump PR whose gate check waits for approvals;
 * scripted reviewers approve one per evaluation, the review reaches the gate as GitHub's webhook
 * would, the bot merges once the gate opens, and the merge starts the stage. At 50% an incident starts and reaches the server as an Alertmanager webhook on its real
 * endpoint; the bot rolls back one stage and starts the cooldown. Every decision is a commit with
 * audit trailers; `git log` is the audit trail. The status page is served all along (local mode on
 * loopback: no sign-in); `--watch` paces the run for watching it (a second per evaluation) and keeps
 * the server up after the end, until Ctrl-C.
 */

const TICK_MINUTES = 30;
const REPO = "acme/checkout";
const watch = process.argv.includes("--watch");
const delayMs = Number(process.env.DEMO_DELAY_MS ?? (watch ? 1000 : 150));
const out = (text = "") => process.stdout.write(`${text}\n`);
const stampOf = (d: Date) => `── ${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
/** The demo's reviewers, in the order they get to a bump PR: one approval per evaluation. */
const REVIEWERS = ["alice", "bob"];
const dispatchText = (d: DispatchOutcome & { workflow: string }) =>
  `${d.workflow} ${d.dispatched ? "dispatched" : d.unsupported ? "(not dispatched: local)" : "(not dispatched)"}`;

/** The gate check the bot wrote on a bump PR, as a reviewer sees it: its verdict and what is missing. */
function checkText(check: CheckRun): string {
  const missing = [...check.summary.matchAll(/^- \[ \] \*\*\w+\*\*: (.*)$/gm)].map((m) => m[1]);
  return `${check.title}${missing.length > 0 ? ` — ${missing.join("; ")}` : ""}`;
}

/**
 * What GitHub does around the bot's bump PRs, in process: a reviewer's approval is delivered to the
 * gate check (the review webhook), a merge to the stage start (the merged webhook); the check runs
 * the bot writes are printed as they land.
 */
function pullRequestTraffic(services: Services, store: LocalRepoStore, pulls: MemoryPullRequests) {
  let checksShown = 0;
  let mergesDelivered = 0;
  const proposedAt = new Map<number, number>();
  const shown = new Map<number, string>();
  // The scheduled refresh rewrites an unchanged check: printed when its verdict says something new.
  const showChecks = () => {
    for (const check of pulls.checks.slice(checksShown)) {
      const pr = pulls.prs.find((p) => p.headSha === check.headSha);
      const text = checkText(check);
      if (check.name !== GATE_CHECK || !pr || shown.get(pr.number) === text) continue;
      shown.set(pr.number, text);
      out(`   ⇢ check "${GATE_CHECK}" on PR #${pr.number}: ${text}`);
    }
    checksShown = pulls.checks.length;
  };
  const deliverMerges = async () => {
    for (const number of pulls.merged.slice(mergesDelivered)) {
      mergesDelivered++;
      const pr = pulls.prs.find((p) => p.number === number);
      if (!pr?.mergeCommit) continue;
      const merged = { ...pulls.pullOf(pr), mergedBy: pulls.login, mergeCommit: pr.mergeCommit };
      out(`   ⇢ PR #${number} merged by ${merged.mergedBy}: commit ${pr.mergeCommit.slice(0, 8)}`);
      const started = await bumpMerged(services, store, merged);
      if (started?.dispatched.length) out(`   → start: ${started.dispatched.map(dispatchText).join(", ")}`);
    }
  };
  return {
    /** After an evaluation: the checks it wrote, the merges it made, the PRs it opened. */
    async afterPass(pass: number) {
      showChecks();
      await deliverMerges();
      for (const pr of pulls.prs) if (!proposedAt.has(pr.number)) proposedAt.set(pr.number, pass);
    },
    /** Before an evaluation: the next reviewer approves each PR opened by an earlier one. */
    async review(pass: number, stamp: () => void) {
      for (const pr of pulls.prs.filter((p) => p.open && (proposedAt.get(p.number) ?? pass) < pass)) {
        const given = pulls.reviewsOf.get(pr.number)?.length ?? 0;
        const reviewer = REVIEWERS[given];
        if (!reviewer) continue;
        stamp();
        out(`   ⇢ ${reviewer} approves PR #${pr.number}`);
        pulls.review(pr.number, reviewer);
        await checkGate(services, store, pulls.pullOf(pr));
        showChecks();
        await deliverMerges();
      }
    },
  };
}

function git(dir: string, args: string[], date?: Date): string {
  const env = date
    ? { ...process.env, GIT_AUTHOR_DATE: date.toISOString(), GIT_COMMITTER_DATE: date.toISOString() }
    : process.env;
  return execFileSync("git", args, { cwd: dir, env, encoding: "utf8" });
}

function createRepo(start: Date): string {
  const dir = process.env.DEMO_DIR ?? mkdtempSync(join(tmpdir(), "rollout-demo-"));
  mkdirSync(join(dir, ".github/rollouts"), { recursive: true });
  mkdirSync(join(dir, "deploy"), { recursive: true });
  writeFileSync(join(dir, `.github/rollouts/${DEMO_ROLLOUT_ID}.yml`), DEMO_ROLLOUT);
  writeFileSync(join(dir, "deploy/checkout.env"), DEMO_SYNC_FILE);
  git(dir, ["init", "--quiet", "--initial-branch=main"]);
  git(dir, ["config", "user.name", "rollout-bot"]);
  git(dir, ["config", "user.email", "rollout-bot@users.noreply.example"]);
  git(dir, ["add", "."]);
  git(dir, ["commit", "--quiet", "-m", "Add checkout-v2 rollout plan"], start);
  return dir;
}

/** The webhook Alertmanager would send for the demo's alert rule. */
function alertmanagerWebhook(status: "firing" | "resolved", startsAt: Date, value: string) {
  const labels = {
    alertname: "CheckoutV2ErrorRate",
    severity: "critical",
    rollout: DEMO_ROLLOUT_ID,
    repo: REPO,
  };
  return {
    version: "4",
    groupKey: `{}:{alertname="CheckoutV2ErrorRate"}`,
    status,
    receiver: "rollout-bot",
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts: [
      {
        status,
        labels,
        annotations: { summary: `checkout v2 5xx ratio ${value}` },
        startsAt: startsAt.toISOString(),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example:9090/graph",
        fingerprint: "5a1e5a1e5a1e5a1e",
      },
    ],
  };
}

export async function runDemo(): Promise<void> {
  let now = new Date("2026-11-23T09:00:00Z");
  const dir = createRepo(now);
  let incidentFrom: number | undefined;
  let incidentUntil = Number.POSITIVE_INFINITY;
  const incident = (t: Date) =>
    incidentFrom !== undefined && t.getTime() >= incidentFrom && t.getTime() < incidentUntil;
  // Deterministic "noise" keeps the figures lively without making runs differ.
  const wave = (t: Date, scale: number) => scale * (1 + Math.sin(t.getTime() / 3_600_000));
  const metrics = new SimulatedMetrics({
    error_rate: (t) => (incident(t) ? 0.083 : 0.0018 + wave(t, 0.0006)),
    p99_latency: (t) => (incident(t) ? 1.4 : 0.31 + wave(t, 0.04)),
  });
  const channel = new ConsoleNotifier(out);
  let stamped = false;
  const stampOnce = () => {
    if (!stamped) out(stampOf(now));
    stamped = true;
  };
  // Pull requests in this process stand in for GitHub's; the reviewers have write access.
  const pulls = new MemoryPullRequests({ repo: REPO, land: (change) => store.commit(change) });
  const reviewers = new MemoryCollaborators(new Map(REVIEWERS.map((login) => [login, "write"])));
  const store: LocalRepoStore = new LocalRepoStore(dir, {
    commit: true,
    commitDate: () => now,
    name: REPO,
    pulls,
    collaborators: reviewers,
  });
  const token = randomBytes(24).toString("hex");
  const live = liveUpdates(silentLogger);
  const services = localServices({
    metrics: () => metrics,
    notifier: live.watch({
      // Each tick's messages come under one timestamp line, as a channel would show them.
      post: async (message) => {
        stampOnce();
        await channel.post(message);
      },
    }),
    clock: { now: () => now },
    logger: silentLogger,
  });
  const registry = new StaticRegistry([store]);
  const traffic = pullRequestTraffic(services, store, pulls);
  const web = createWebSurface({ env: {}, services, registry, live, localMode: true });
  const app = createApp({ services, registry, alertToken: token, extraRoutes: web.routes });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const sendAlert = async (status: "firing" | "resolved", startsAt: Date) => {
    out(
      `   ⇢ Alertmanager → POST ${url}/alerts/alertmanager (${status}, critical, rollout=${DEMO_ROLLOUT_ID})`,
    );
    const response = await fetch(`${url}/alerts/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(alertmanagerWebhook(status, startsAt, "0.083")),
    });
    const body = (await response.json()) as {
      outcomes: {
        result: string;
        commit?: string;
        dispatches?: (DispatchOutcome & { workflow: string })[];
      }[];
    };
    out(`   ⇠ ${response.status}: ${body.outcomes.map((o) => o.result).join(", ")}`);
    for (const o of body.outcomes.filter((x) => x.result === "rolled_back"))
      out(
        `   → rollback: commit ${o.commit?.slice(0, 8) ?? ""}${(o.dispatches ?? []).map((d) => `, ${dispatchText(d)}`).join("")}`,
      );
  };

  out(
    `rollout-bot demo — plan ${DEMO_ROLLOUT_ID}: 5% 1h → 25% 4h → 50% 8h → 100%, auto-advance, auto-rollback`,
  );
  out(`repository: ${dir}`);
  out(
    `server: ${url} (local mode) · clock: ${TICK_MINUTES} simulated minutes per evaluation · status on the plan's cron (every 4h)`,
  );
  out(
    `pull requests: in this process, standing in for GitHub's · reviewers: ${REVIEWERS.join(", ")} (write access)`,
  );
  out(`status page: ${url}/rollout?repo=${encodeURIComponent(REPO)}&id=${DEMO_ROLLOUT_ID}\n`);
  let rolledBackAt: Date | undefined;
  let alerted = false;
  for (let i = 0; i < 64; i++) {
    stamped = false;
    if (incidentFrom !== undefined && !alerted && now.getTime() >= incidentFrom) {
      // The alert rule fired: Alertmanager delivers it before the bot's own next evaluation.
      stampOnce();
      alerted = true;
      await sendAlert("firing", new Date(incidentFrom));
    }
    await traffic.review(i, stampOnce);
    const decisions = await app.scheduler.runOnce();
    live.changed(); // the open page shows each evaluation, not only the posted ones
    for (const d of decisions) {
      if (d.outcome?.kind === "proposed" && d.outcome.pr.created)
        out(`   → ${d.action}: bump PR #${d.outcome.pr.number} opened (${d.outcome.plan.summary})`);
      if (d.outcome?.kind !== "applied") continue;
      const commit = d.outcome.commit?.slice(0, 8) ?? "";
      out(
        `   → ${d.action}: commit ${commit}${d.outcome.dispatches.map((x) => `, ${dispatchText(x)}`).join("")}`,
      );
    }
    await traffic.afterPass(i);
    const state = git(dir, ["show", `HEAD:.github/rollouts/${DEMO_ROLLOUT_ID}.yml`]);
    if (incidentFrom === undefined && /^ {2}percent: 50$/m.test(state)) {
      incidentFrom = now.getTime() + 2 * 3_600_000; // the incident starts two hours into 50%
    }
    if (!rolledBackAt && state.includes("phase: rolled_back")) {
      rolledBackAt = now;
      incidentUntil = now.getTime(); // less traffic on the bad version: the errors subside
    } else if (rolledBackAt && now.getTime() - rolledBackAt.getTime() === 60 * 60_000) {
      stampOnce();
      await sendAlert("resolved", new Date(incidentFrom ?? now.getTime()));
    }
    if (stamped) out();
    if (rolledBackAt && now.getTime() - rolledBackAt.getTime() >= 8 * 3_600_000) break;
    await sleep(delayMs);
    now = new Date(now.getTime() + TICK_MINUTES * 60_000);
  }
  if (watch) {
    out(`── the rollout has run its course; the status page stays at ${url}/ — Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  }
  web.close();
  await app.close();
  out("── after the rollback: advancing is refused during the cooldown");
  const refused = await runCommand(
    { ...services, notifier: channel },
    {
      command: { verb: "advance", rollout: { id: DEMO_ROLLOUT_ID } },
      principal: { kind: "local", user: "cli:alice" },
      scope: store,
      dryRun: true,
    },
  );
  out(renderHuman(refused));
  out(`\n── the audit trail: git log in ${dir}`);
  out(git(dir, ["log", "--format=%h %ad %s", "--date=format:%a %H:%M"]).trimEnd());
  out(`\nexplore it:  cd ${dir} && git log -p  ·  node dist/cli.js history ${DEMO_ROLLOUT_ID} --dir ${dir}`);
}

await runDemo();
