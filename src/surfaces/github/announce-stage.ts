import type { CommandContext } from "../../commands/context.ts";
import { evaluateRollout } from "../../commands/evaluate.ts";
import type { LoadedRollout } from "../../commands/load-repo.ts";
import type { Settings } from "../../core/config/settings-schema.ts";
import { buildStatusMessage } from "../../core/messages/status-message.ts";
import type { StageView } from "../../core/rollout/stage-view.ts";

/** Announces that a stage started (a merged bump PR, a person's push): evaluated now, never blocking. */
export async function announceStageStart(
  ctx: CommandContext,
  rollout: LoadedRollout,
  settings: Settings,
  headline: (view: StageView) => string,
): Promise<void> {
  const { view, health } = await evaluateRollout(ctx, rollout, settings);
  const message = buildStatusMessage({
    id: rollout.id,
    repo: ctx.store.name,
    file: rollout.file,
    view,
    health,
    now: ctx.clock.now(),
    event: "started",
    headline: headline(view),
  });
  await ctx.notifier
    .post(message)
    .catch((error: unknown) => ctx.logger.warn({ err: String(error) }, "announcement failed"));
}
