import { z } from "zod";
import { BUCKETING_MODES } from "./bucketing-modes.ts";
import { promqlSyntaxError } from "./promql-syntax.ts";
import {
  Automation,
  Cron,
  Duration,
  EnvName,
  IsoTime,
  MetricsSourceRef,
  Notify,
  RollbackTarget,
  Threshold,
} from "./schema-parts.ts";
import { SyncPatternText } from "./sync-pattern.ts";

/** The rollout file `.github/rollouts/<id>.yml`: the plan a team writes, plus the state the bot writes. */

export const ROLLOUT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const METRIC_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

export const MetricUnit = z.enum(["fraction", "seconds", "milliseconds", "number"]);
export type MetricUnit = z.infer<typeof MetricUnit>;

export const Query = z
  .union([
    z.string().min(1),
    z.strictObject({
      query: z.string().min(1),
      unit: MetricUnit.default("number").meta({ description: "fraction is shown as a percentage." }),
      description: z.string().optional(),
    }),
  ])
  .superRefine((value, ctx) => {
    const query = typeof value === "string" ? value : value.query;
    const error = promqlSyntaxError(query);
    // `valueOffset`: where in the query text, so the diagnostic points at the very character.
    if (error)
      ctx.addIssue({
        code: "custom",
        message: error.message,
        path: typeof value === "string" ? [] : ["query"],
        params: { valueOffset: error.offset },
      });
  });

const comparisonFields = {
  below: Threshold.optional(),
  at_most: Threshold.optional(),
  above: Threshold.optional(),
  at_least: Threshold.optional(),
  vs: z.string().optional().meta({ description: "Name of a baseline query to compare against." }),
  compare: z
    .enum(["ratio", "increase", "difference"])
    .optional()
    .meta({ description: "With vs: value/baseline, value/baseline - 1 (default), or value - baseline." }),
};

const COMPARISON_KEYS = ["below", "at_most", "above", "at_least"] as const;
export type ComparisonKey = (typeof COMPARISON_KEYS)[number];

function exactlyOneComparison(
  value: Partial<Record<ComparisonKey, unknown>> & {
    metric?: string;
    vs?: string | undefined;
    compare?: unknown;
  },
  ctx: z.RefinementCtx,
): void {
  if (value.compare !== undefined && value.vs === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["compare"],
      message: "compare needs vs: the baseline query to compare with",
    });
  }
  if (value.vs !== undefined && value.vs === value.metric) {
    ctx.addIssue({
      code: "custom",
      path: ["vs"],
      message: "vs names the metric itself: use a baseline query",
    });
  }
  const present = COMPARISON_KEYS.filter((key) => value[key] !== undefined);
  if (present.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message:
        present.length === 0
          ? "needs one of below, at_most, above, at_least"
          : `has ${present.join(" and ")}: use exactly one of below, at_most, above, at_least`,
    });
  }
}

/** A success criterion of a stage: the gate to advance. */
export const Criterion = z
  .strictObject({
    metric: z.string().meta({ description: "Name of a query under metrics.queries." }),
    ...comparisonFields,
    for: z
      .union([z.literal("stage"), Duration])
      .optional()
      .meta({ description: "Must hold over this window, or over the whole stage; default: now." }),
  })
  .superRefine(exactlyOneComparison);

/** What a holding trigger or a firing alert does: roll back (red), pause (yellow), or tell people (yellow). */
export const TriggerAction = z.enum(["rollback", "pause", "notify"]);
export type TriggerAction = z.infer<typeof TriggerAction>;

function toNeedsRollback(value: { action?: string | undefined; to?: unknown }, ctx: z.RefinementCtx): void {
  if (value.to !== undefined && value.action !== undefined && value.action !== "rollback")
    ctx.addIssue({
      code: "custom",
      path: ["to"],
      message: `to needs action: rollback (this one is ${value.action})`,
    });
}

/** A trigger: when it holds, it rolls back (health red), pauses or notifies (health yellow). */
export const Trigger = z
  .strictObject({
    metric: z.string(),
    ...comparisonFields,
    for: Duration.optional().meta({ description: "Must hold for this long; default: now." }),
    action: TriggerAction.default("rollback").meta({
      description:
        "rollback (default, health red), pause (stop advancing) or notify (a warning); both yellow.",
    }),
    to: RollbackTarget.optional().meta({
      description:
        "Rollback target for this trigger; 0 is an emergency: it acts even while a stage warms up.",
    }),
  })
  .superRefine((value, ctx) => {
    exactlyOneComparison(value, ctx);
    toNeedsRollback(value, ctx);
  });

export const Stage = z.strictObject({
  percent: z.number().gt(0).max(100),
  bake: Duration.optional().meta({ description: "Minimum time at this stage before advancing. Default: 0." }),
  approvals: z
    .int()
    .min(0)
    .max(20)
    .optional()
    .meta({ description: "Approvals needed on the PR entering it." }),
  approvals_from: z
    .array(z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "expected a team as org/team-slug"))
    .max(10)
    .optional()
    .meta({ description: "Teams (org/team-slug) that must each approve the PR entering this stage." }),
  criteria: z.array(Criterion).default([]),
  triggers: z.array(Trigger).optional().meta({
    description: "Triggers of this stage only, added to rollback.triggers (see inherit_triggers).",
  }),
  inherit_triggers: z.boolean().optional().meta({
    description: "false: at this stage only its own triggers count, not rollback.triggers. Default: true.",
  }),
  cooldown: Duration.optional().meta({
    description: "Cooldown after a rollback from this stage; default: rollback.cooldown.",
  }),
  schedule: Cron.optional().meta({
    description: "Status schedule while at this stage; default: notify.schedule.",
  }),
  warmup: Duration.optional().meta({ description: "Warm-up after entering this stage; default: warmup." }),
});

/** A value a sync target writes: a boolean, a number or a string. */
export const TypedValue = z.union([z.boolean(), z.number(), z.string().max(500)]);
export type TypedValue = z.output<typeof TypedValue>;

/** What a sync target writes: the percentage, it as a fraction, or typed values per stage and on rollback. */
export const SyncValue = z
  .union([
    z.enum(["percent", "fraction"]),
    z
      .strictObject({
        stages: z
          .record(z.string().regex(/^\d+(?:\.\d+)?$/, "a stage percentage, or 0"), TypedValue)
          .optional()
          .meta({
            description:
              "Value from each stage's percentage on (0: before the first stage), e.g. { 5: 3, 100: 10 }.",
          }),
        rollback: TypedValue.optional().meta({ description: "Value written by any rollback instead." }),
      })
      .refine((v) => v.stages !== undefined || v.rollback !== undefined, "needs stages or rollback"),
  ])
  .default("percent")
  .meta({ description: "percent (default), fraction, or { stages, rollback } with typed values." });

const syncFile = z.string().min(1);
export const SyncTargetSchema = z.union([
  z.strictObject({
    file: syncFile,
    pattern: SyncPatternText,
    value: SyncValue,
  }),
  z.strictObject({
    file: syncFile,
    key: z.string().min(1).meta({ description: "Dotted key path in a YAML or JSON file." }),
    value: SyncValue,
  }),
  z.strictObject({
    file: syncFile,
    env: EnvName.meta({ description: "A NAME=value line of a .env-style file, e.g. FF_NEW_CHECKOUT." }),
    value: SyncValue,
  }),
  z.strictObject({
    file: syncFile,
    flagd: z.string().min(1).meta({
      description:
        "Key of a flag in an OpenFeature flagd definition file: its fractional weights follow the percentage.",
    }),
    variant: z.string().min(1).default("on").meta({
      description: "The variant that gets the percentage (the first bucket); the other gets the rest.",
    }),
  }),
]);

/**
 * Flag, environment and project keys go into the path of requests made with the operator's token:
 * a plain charset, starting with a letter or digit, so no `..` or `/` can steer the request elsewhere.
 */
const FlagKey = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~:-]*$/, "letters, digits and . _ ~ : -, starting with a letter or digit");

/** A flag in a service the operator defines (FLAG_TARGETS): the repo names it, never a URL or secret. */
export const FlagEntry = z.strictObject({
  target: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "a target name from the operator's FLAG_TARGETS file")
    .meta({ description: "Name of a flag service the operator defines (FLAG_TARGETS)." }),
  flag: FlagKey.meta({
    description: "Flag key (Unleash, LaunchDarkly, Flagsmith) or item key (Edge Config).",
  }),
  environment: FlagKey.optional().meta({
    description: "Environment key (Unleash, LaunchDarkly, Flagsmith).",
  }),
  project: FlagKey.optional().meta({ description: "Project key, where the service has projects." }),
  value: SyncValue,
});
/** What an alert of one severity does to this rollout. */
export const AlertAction = z
  .strictObject({
    action: TriggerAction,
    to: RollbackTarget.optional().meta({ description: "With rollback: where to (0 acts in any phase)." }),
  })
  .superRefine(toNeedsRollback);
export type AlertAction = z.output<typeof AlertAction>;

export const Phase = z.enum(["pending", "baking", "paused", "rolled_back", "complete"]);
export type Phase = z.infer<typeof Phase>;

/** Written by the bot; humans may edit it in a reviewed commit. */
export const State = z.strictObject({
  percent: z.number().min(0).max(100),
  phase: Phase.optional(),
  started_at: IsoTime.optional().meta({
    description: "When the current percentage reached the default branch.",
  }),
  cooldown_until: IsoTime.optional(),
  reason: z.string().optional().meta({ description: "Why it is paused or rolled back." }),
  paused_at: IsoTime.optional().meta({
    description: "When the current pause began: the bake clock stands still.",
  }),
  paused_seconds: z
    .int()
    .min(0)
    .optional()
    .meta({ description: "Time paused earlier in this stage, not counted as bake." }),
  rolled_back_from: z.number().gt(0).max(100).optional().meta({
    description:
      "The stage a rollback came down from: retrying it needs the cooldown and green health, not a new bake.",
  }),
});

export const RolloutFile = z
  .strictObject({
    description: z.string().optional(),
    owner: z.string().optional(),
    links: z
      .record(z.string(), z.url({ protocol: /^https?$/ }))
      .optional()
      .meta({ description: "Dashboards and docs, by name." }),
    metrics: z
      .strictObject({
        source: MetricsSourceRef.optional(),
        queries: z.record(z.string().regex(METRIC_NAME_PATTERN, "metric names are lower_snake_case"), Query),
      })
      .optional(),
    stages: z.array(Stage).min(1),
    warmup: Duration.optional().meta({
      description:
        "After every change of percentage, criteria and triggers count only after this long (emergency triggers at once). Default: 5m.",
    }),
    rollback: z
      .strictObject({
        target: RollbackTarget.default("previous"),
        cooldown: Duration.optional(),
        triggers: z.array(Trigger).default([]),
      })
      .optional(),
    alerts: z
      .strictObject({
        critical: AlertAction.optional().meta({ description: "Default: rollback (to rollback.target)." }),
        warning: AlertAction.optional().meta({ description: "Default: notify." }),
      })
      .optional()
      .meta({ description: "What a firing alert does to this rollout, by severity." }),
    automation: Automation.optional(),
    workflows: z
      .strictObject({
        rollback: z.string().min(1).optional().meta({ description: "Workflow file dispatched on rollback." }),
        on_change: z
          .string()
          .min(1)
          .optional()
          .meta({ description: "Workflow dispatched after any change." }),
        ref: z.string().min(1).optional(),
      })
      .optional(),
    sync: z.array(SyncTargetSchema).default([]),
    notify: Notify.optional(),
    flags: z.array(FlagEntry).default([]).meta({
      description: "Flags in flag services kept in step, written in the same decision as the commit.",
    }),
    bucketing: z
      .strictObject({
        salt: z.string().min(1).max(200).optional().meta({
          description:
            "Salt of the user split (rollout-bot/bucketing). Written once by the bot (the rollout id) when the rollout first takes traffic; never change it.",
        }),
        mode: z.enum(BUCKETING_MODES).default("rollout-bot").meta({
          description:
            "rollout-bot (default), md5 (RepTate's md5(user_id) % 100) or unleash (murmur3, salt = groupId).",
        }),
      })
      .optional()
      .meta({ description: "How applications split users for this rollout." }),
    state: State.optional(),
  })
  .superRefine(checkCrossReferences);

function checkCrossReferences(
  file: {
    metrics?: { queries: Record<string, unknown> } | undefined;
    stages: {
      percent: number;
      criteria: { metric: string; vs?: string | undefined }[];
      triggers?: { metric: string; vs?: string | undefined }[] | undefined;
    }[];
    rollback?:
      | { target: "previous" | number; triggers: { metric: string; vs?: string | undefined }[] }
      | undefined;
    sync: { file: string }[];
    flags: { value: unknown }[];
    state?: { percent: number; rolled_back_from?: number | undefined } | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const queries = new Set(Object.keys(file.metrics?.queries ?? {}));
  const known = [...queries].join(", ") || "none defined";
  const checkRef = (name: string | undefined, path: (string | number)[]) => {
    if (name !== undefined && !queries.has(name)) {
      ctx.addIssue({ code: "custom", path, message: `unknown metric '${name}' (metrics.queries: ${known})` });
    }
  };
  file.stages.forEach((stage, i) => {
    const previous = file.stages[i - 1];
    if (previous && stage.percent <= previous.percent) {
      ctx.addIssue({
        code: "custom",
        path: ["stages", i, "percent"],
        message: `stage percentages must increase: ${stage.percent}% follows ${previous.percent}%`,
      });
    }
    stage.criteria.forEach((c, j) => {
      checkRef(c.metric, ["stages", i, "criteria", j, "metric"]);
      checkRef(c.vs, ["stages", i, "criteria", j, "vs"]);
    });
    stage.triggers?.forEach((t, j) => {
      checkRef(t.metric, ["stages", i, "triggers", j, "metric"]);
      checkRef(t.vs, ["stages", i, "triggers", j, "vs"]);
    });
  });
  file.rollback?.triggers.forEach((t, j) => {
    checkRef(t.metric, ["rollback", "triggers", j, "metric"]);
    checkRef(t.vs, ["rollback", "triggers", j, "vs"]);
  });
  const percents = file.stages.map((s) => s.percent);
  const target = file.rollback?.target;
  if (typeof target === "number" && target !== 0 && !percents.includes(target)) {
    ctx.addIssue({
      code: "custom",
      path: ["rollback", "target"],
      message: `rollback target ${target}% is not 0 or a stage (${percents.join(", ")})`,
    });
  }
  const typed: [string, number, unknown][] = [
    ...file.sync.map((t, i) => ["sync", i, "value" in t ? t.value : undefined] as [string, number, unknown]),
    ...file.flags.map((f, i) => ["flags", i, f.value] as [string, number, unknown]),
  ];
  typed.forEach(([section, i, value]) => {
    const stages = typeof value === "object" && value ? (value as { stages?: object }).stages : undefined;
    for (const key of Object.keys(stages ?? {})) {
      if (Number(key) !== 0 && !percents.includes(Number(key))) {
        ctx.addIssue({
          code: "custom",
          path: [section, i, "value", "stages", key],
          message: `${key} is not 0 or a stage percentage (${percents.join(", ")})`,
        });
      }
    }
  });
  const current = file.state?.percent;
  if (current !== undefined && current !== 0 && !percents.includes(current)) {
    ctx.addIssue({
      code: "custom",
      path: ["state", "percent"],
      message: `state.percent ${current} is not 0 or a stage percentage (${percents.join(", ")})`,
    });
  }
  const from = file.state?.rolled_back_from;
  if (from !== undefined && !percents.includes(from)) {
    ctx.addIssue({
      code: "custom",
      path: ["state", "rolled_back_from"],
      message: `state.rolled_back_from ${from} is not a stage percentage (${percents.join(", ")})`,
    });
  }
}

export type RolloutFile = z.output<typeof RolloutFile>;
export type RolloutFileInput = z.input<typeof RolloutFile>;
export type Stage = z.output<typeof Stage>;
export type Criterion = z.output<typeof Criterion>;
export type Trigger = z.output<typeof Trigger>;
export type TriggerInput = z.input<typeof Trigger>;
export type State = z.output<typeof State>;
export type FlagEntry = z.output<typeof FlagEntry>;
export type Query = z.output<typeof Query>;
