import { silentLogger } from "../../src/adapters/log/logger.ts";
import { type Series, SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { type CommandOutcome, type CommandRequest, runCommand } from "../../src/commands/run-command.ts";
import { contextFor } from "../../src/commands/services.ts";
import type { Command } from "../../src/core/commands/command.ts";
import { localServices } from "../../src/main/coordination.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";

/** The command path over in-memory ports, with a settable clock. */
export function memoryContext(
  files: Record<string, string>,
  series: Record<string, Series> | undefined,
  start: Date,
  options: { store?: MemoryRepoStore } = {},
) {
  const clock = { time: start, now: () => clock.time };
  const store = options.store ?? new MemoryRepoStore("acme/shop", files, () => clock.time);
  if (options.store) for (const [path, text] of Object.entries(files)) store.files.set(path, text);
  const notifier = new RecordingNotifier();
  const metrics = series ? new SimulatedMetrics(series) : undefined;
  const services = localServices({ metrics: () => metrics, notifier, clock, logger: silentLogger });
  const ctx = contextFor(services, store, "alice");
  /** `command` through the one command path, as the local user `alice` on this store. */
  const run = (
    command: Command,
    request: Partial<Omit<CommandRequest, "command">> = {},
  ): Promise<CommandOutcome> =>
    runCommand(services, { principal: { kind: "local", user: "alice" }, scope: store, ...request, command });
  return { ctx, services, store, notifier, clock, metrics, run };
}

export const ROLLOUT_PATH = ".github/rollouts/checkout.yml";

export const CHECKOUT_PLAN = `# Checkout canary
metrics:
  queries:
    error_rate: { query: "sum(rate(errors[5m])) / sum(rate(requests[5m]))", unit: fraction }
stages:
  - percent: 10
    bake: 1h
    criteria:
      - { metric: error_rate, below: 1%, for: stage }
  - percent: 50
    bake: 2h
  - percent: 100
    bake: 1h
rollback:
  cooldown: 1d
  triggers:
    - { metric: error_rate, above: 5%, for: 5m }
workflows:
  rollback: rollback.yml
  on_change: deploy.yml
sync:
  - file: config.py
    pattern: "canary_percent = ([0-9.]+)"
automation:
  auto_advance: true
state:
  percent: 10
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

export const CONFIG_PY = "# traffic\ncanary_percent = 10.0\n";
