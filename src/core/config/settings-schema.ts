import { z } from "zod";
import { Duration, IsoTime, MetricsSourceRef, Notify, RollbackTarget, TimeZone } from "./schema-parts.ts";

/** `.github/rollout-bot.yml`: repo-wide settings, read with Probot's config conventions. */

export const Principals = z
  .strictObject({
    slack_users: z.array(z.string()).default([]).meta({ description: "Slack user ids, e.g. U012AB3CD." }),
    slack_groups: z
      .array(z.string())
      .default([])
      .meta({ description: "Slack user group ids, e.g. S0614TZR7." }),
    github_users: z.array(z.string()).default([]),
    github_teams: z.array(z.string()).default([]).meta({ description: "org/team-slug." }),
  })
  .meta({ description: "Who may do it. Omitted: anyone with write access to the repository." });
export type Principals = z.output<typeof Principals>;

const WEEKLY_TIME = /^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$/;

export const FreezeWindow = z.union([
  z.strictObject({ name: z.string().min(1), start: IsoTime, end: IsoTime }),
  z.strictObject({
    name: z.string().min(1),
    weekly: z.strictObject({
      from: z.string().regex(WEEKLY_TIME, "expected a weekday and time like 'fri 17:00'"),
      to: z.string().regex(WEEKLY_TIME, "expected a weekday and time like 'mon 09:00'"),
    }),
    timezone: TimeZone.default("UTC"),
  }),
]);
export type FreezeWindow = z.output<typeof FreezeWindow>;

export const Settings = z.strictObject({
  _extends: z.string().optional().meta({ description: "Inherit from another repo's settings (Probot)." }),
  notify: Notify.optional(),
  slack: z
    .strictObject({
      workspace: z
        .string()
        .regex(/^T[A-Z0-9]{2,20}$/, "expected a Slack workspace (team) id like T0123ABCD")
        .meta({ description: "The Slack workspace whose members may see and act on these rollouts." }),
    })
    .optional(),
  metrics: z.strictObject({ source: MetricsSourceRef.optional() }).optional(),
  permissions: z
    .strictObject({
      advance: Principals.optional(),
      rollback: Principals.optional(),
      pause: Principals.optional(),
      resume: Principals.optional(),
      rollback_all: Principals.optional().meta({
        description: "Emergency: roll back every rollout at once.",
      }),
      force: Principals.optional().meta({
        description:
          "Advance past a closed gate or over a stage's bake (--force). Omitted: nobody on GitHub or Slack.",
      }),
    })
    .default({}),
  defaults: z
    .strictObject({
      approvals: z.int().min(0).max(20).default(1),
      cooldown: Duration.optional(),
      rollback_target: RollbackTarget.default("previous"),
    })
    .default({ approvals: 1, rollback_target: "previous" }),
  freeze: z.array(FreezeWindow).default([]),
});
export type Settings = z.output<typeof Settings>;
