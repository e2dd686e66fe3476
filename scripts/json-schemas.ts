import { z } from "zod";
import { Criterion, RolloutFile, Trigger } from "../src/core/config/schema.ts";
import { Duration } from "../src/core/config/schema-parts.ts";
import { Settings } from "../src/core/config/settings-schema.ts";

/**
 * The JSON Schemas editors use to check rollout files, rendered from the zod schemas (the input side:
 * what users type, like `14d` and `1%`). Never edit `schema/*.json` by hand: run `npm run schema`.
 */

/** Where the published schemas live; `$id` is this plus the file name. */
export const SCHEMA_BASE_URL = "https://rollout-bot.dev/schema/";

export interface JsonSchemaSpec {
  file: string;
  schema: z.ZodType;
  title: string;
  description: string;
}

export const JSON_SCHEMAS: readonly JsonSchemaSpec[] = [
  {
    file: "rollout.schema.json",
    schema: RolloutFile,
    title: "rollout-bot rollout file",
    description:
      "A progressive rollout, .github/rollouts/<id>.yml: its stages, health criteria, rollback triggers and automation (written by you) and its state (written by rollout-bot).",
  },
  {
    file: "rollout-bot.schema.json",
    schema: Settings,
    title: "rollout-bot settings",
    description:
      "Repository-wide rollout-bot settings, .github/rollout-bot.yml: default Slack channel and schedule, metrics source, permissions, defaults and freeze windows.",
  },
];

const COMPARISONS = ["below", "at_most", "above", "at_least"] as const;

const same = (a: unknown, b: unknown): boolean => a === b;

/**
 * What zod checks in code but `toJSONSchema` cannot see, restated in JSON Schema so the editor agrees:
 * a duration is never empty, and a criterion or trigger has exactly one comparison.
 */
function restateRefinements(ctx: { zodSchema: unknown; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  if (same(ctx.zodSchema, Duration)) ctx.jsonSchema.minLength = 1;
  if (same(ctx.zodSchema, Criterion) || same(ctx.zodSchema, Trigger)) {
    ctx.jsonSchema.oneOf = COMPARISONS.map((key) => ({ required: [key] }));
  }
}

/**
 * Draft 2020-12 at `schema/<file>`; draft-07 at `schema/draft-07/<file>` for editors whose validator
 * stops at draft-07 (the YAML language server of vscode-yaml). Each `$id` is stable: the file's path.
 */
export type SchemaDraft = "draft-2020-12" | "draft-07";

export function renderJsonSchema(spec: JsonSchemaSpec, draft: SchemaDraft = "draft-2020-12"): string {
  const { $schema, ...body } = z.toJSONSchema(spec.schema, {
    io: "input",
    target: draft === "draft-07" ? "draft-7" : "draft-2020-12",
    override: restateRefinements,
  });
  const document = {
    $schema,
    $id: `${SCHEMA_BASE_URL}${draft === "draft-07" ? "draft-07/" : ""}${spec.file}`,
    title: spec.title,
    description: spec.description,
    ...body,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Path under `schema/` → its text. */
export function renderJsonSchemas(): Record<string, string> {
  return Object.fromEntries(
    JSON_SCHEMAS.flatMap((spec) => [
      [spec.file, renderJsonSchema(spec)],
      [`draft-07/${spec.file}`, renderJsonSchema(spec, "draft-07")],
    ]),
  );
}
