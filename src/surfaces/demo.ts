import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConsoleNotifier } from "../adapters/console-notifier.ts";
import { LocalRepoStore } from "../adapters/local-repo-store.ts";
import { silentLogger } from "../adapters/logger.ts";
import { SimulatedMetrics } from "../adapters/simulated-metrics.ts";
import type { CommandContext } from "../commands/context.ts";
import { runCommand } from "../commands/run-command.ts";
import { tick } from "../commands/tick.ts";
import { renderHuman } from "./cli-render.ts";
import { DEMO_ROLLOUT, DEMO_ROLLOUT_ID, DEMO_SYNC_FILE } from "./demo-plan.ts";

/**
 * `npm run demo`: the bot's main job on an embedded plan, no accounts needed. A throwaway git repo,
 * the real evaluation loop, simulated metrics on a compressed clock (30 minutes per tick): stages
 * advance as the gate opens, an incident at 50% turns health red, the bot rolls back one stage and
 * starts the cooldown. Every decision is a commit with audit trailers; `git log` is the audit trail.
 */

const TICK_MINUTES = 30;
const STATUS_EVERY_HOURS = 4;
const delayMs = Number(process.env.DEMO_DELAY_MS ?? 150);
const out = (text = "") => process.stdout.write(`${text}\n`);

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
    if (!stamped) out(`── ${now.toISOString().slice(0, 16).replace("T", " ")} UTC`);
    stamped = true;
  };
  const ctx: CommandContext = {
    store: new LocalRepoStore(dir, { commit: true, commitDate: () => now }),
    metrics: () => metrics,
    // Each tick's messages come under one timestamp line, as a channel would show them.
    notifier: {
      post: async (message) => {
        stampOnce();
        await channel.post(message);
      },
    },
    clock: { now: () => now },
    logger: silentLogger,
    actor: "rollout-bot",
    dryRun: false,
  };
  out(
    `rollout-bot demo — plan ${DEMO_ROLLOUT_ID}: 5% 1h → 25% 4h → 50% 8h → 100%, auto-advance, auto-rollback`,
  );
  out(`repository: ${dir}`);
  out(
    `clock: ${TICK_MINUTES} simulated minutes per evaluation; status every ${STATUS_EVERY_HOURS}h as a channel would get it\n`,
  );
  let lastStatus = Number.NEGATIVE_INFINITY;
  let rolledBackAt: Date | undefined;
  for (let i = 0; i < 64; i++) {
    stamped = false;
    const due = now.getTime() - lastStatus >= STATUS_EVERY_HOURS * 3_600_000;
    const decisions = await tick(ctx, { statusDue: () => due });
    if (due) lastStatus = now.getTime();
    for (const d of decisions) {
      if (d.outcome?.kind !== "applied") continue;
      const commit = d.outcome.commit?.slice(0, 8) ?? "";
      const dispatched = d.outcome.dispatches.map(
        (x) => `, ${x.workflow} ${x.dispatched ? "dispatched" : "(not dispatched: local)"}`,
      );
      out(`   → ${d.action}: commit ${commit}${dispatched.join("")}`);
      if (d.action === "advance" && d.outcome.plan.to.percent === 50 && incidentFrom === undefined) {
        incidentFrom = now.getTime() + 3 * 3_600_000; // the incident starts three hours into 50%
      }
      if (d.action === "rollback") {
        rolledBackAt = now;
        incidentUntil = now.getTime(); // less traffic on the bad version: the errors subside
      }
    }
    if (stamped) out();
    if (rolledBackAt && now.getTime() - rolledBackAt.getTime() >= 8 * 3_600_000) break;
    await sleep(delayMs);
    now = new Date(now.getTime() + TICK_MINUTES * 60_000);
  }
  out("── after the rollback: advancing is refused during the cooldown");
  const refused = await runCommand(
    { ...ctx, actor: "cli:alice", dryRun: true },
    {
      verb: "advance",
      rollout: { id: DEMO_ROLLOUT_ID },
    },
  );
  out(renderHuman(refused));
  out(`\n── the audit trail: git log in ${dir}`);
  out(git(dir, ["log", "--format=%h %ad %s", "--date=format:%a %H:%M"]).trimEnd());
  out(`\nexplore it:  cd ${dir} && git log -p  ·  npx rollout status --dir ${dir}`);
}

await runDemo();
