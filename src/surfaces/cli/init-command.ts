import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { parseRolloutFile, parseSettingsFile } from "../../core/config/rollout-file.ts";
import { formatDiagnostic } from "../../core/config/yaml-diagnostics.ts";
import {
  deployWorkflowTemplate,
  type InitAnswers,
  ON_CHANGE_WORKFLOW,
  ROLLBACK_WORKFLOW,
  rollbackWorkflowTemplate,
  rolloutTemplate,
  settingsTemplate,
} from "./init-templates.ts";

/**
 * `rollout init`: scaffolds a repository from a few answers (flags, or prompts on a terminal): a
 * rollout file, the settings file and the rollback and deploy workflows. Everything is validated
 * before anything is written; existing settings and workflows are kept, never overwritten.
 */

export const INIT_USAGE = `usage: rollout init [--id <id>] [--stages 5,25,50,100] [--bake 1d] [--channel '#name'] [--dir <path>] [--force] [--dry-run] [--json]

Writes .github/rollouts/<id>.yml, .github/rollout-bot.yml and the workflows rollout-bot dispatches
(.github/workflows/${ROLLBACK_WORKFLOW}, .github/workflows/${ON_CHANGE_WORKFLOW}), with inputs rollout, from, to, reason.
Existing settings and workflows are kept; an existing rollout file only with --force.

  --id <id>          the rollout's id (lowercase letters, digits, hyphens)
  --stages <list>    percentages, increasing, the last 100 (default 5,25,50,100)
  --bake <duration>  minimum time in each stage before the next (default 1d)
  --channel <name>   Slack channel for status posts
  --yes              take the defaults instead of asking`;

export interface InitValues {
  dir?: string | undefined;
  id?: string | undefined;
  stages?: string | undefined;
  bake?: string | undefined;
  channel?: string | undefined;
  force?: boolean | undefined;
  yes?: boolean | undefined;
  "dry-run"?: boolean | undefined;
}

export interface InitIo {
  cwd: string;
  /** Asks on a terminal; absent (scripts, CI): flags and defaults only. */
  prompt?: ((question: string, fallback: string) => Promise<string>) | undefined;
}

export type InitOutcome =
  | { ok: true; dryRun: boolean; written: string[]; kept: string[]; warnings: string[]; next: string[] }
  | { ok: false; usage: boolean; message: string; details: string[] };

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const WORKFLOW_INPUTS = ["rollout", "from", "to", "reason"];

function suggestedId(dir: string): string {
  const id = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return ID.test(id) ? id : "my-rollout";
}

/** Inputs an existing workflow lacks of those the bot sends (empty when it declares them all). */
function missingInputs(text: string): string[] {
  try {
    const doc = parse(text) as { on?: { workflow_dispatch?: { inputs?: Record<string, unknown> } } };
    const inputs = Object.keys(doc?.on?.workflow_dispatch?.inputs ?? {});
    return WORKFLOW_INPUTS.filter((name) => !inputs.includes(name));
  } catch {
    return WORKFLOW_INPUTS;
  }
}

export async function runInit(values: InitValues, io: InitIo): Promise<InitOutcome> {
  const dir = resolve(io.cwd, values.dir ?? ".");
  if (!existsSync(dir))
    return { ok: false, usage: true, message: `--dir ${dir}: no such directory`, details: [] };
  const ask = async (question: string, given: string | undefined, fallback: string) =>
    given ?? (io.prompt && !values.yes ? (await io.prompt(question, fallback)).trim() || fallback : fallback);
  const id = await ask("Rollout id", values.id, suggestedId(dir));
  if (!ID.test(id))
    return {
      ok: false,
      usage: true,
      message: `--id '${id.slice(0, 70)}': use lowercase letters, digits and hyphens (at most 63)`,
      details: [],
    };
  const stagesText = await ask("Stages (percentages)", values.stages, "5,25,50,100");
  const stages = stagesText
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (stages.length === 0 || stages.some((n) => !Number.isFinite(n)))
    return {
      ok: false,
      usage: true,
      message: `--stages '${stagesText.slice(0, 70)}': expected percentages like 5,25,50,100`,
      details: [],
    };
  const bake = await ask("Minimum bake per stage", values.bake, "1d");
  const channel = (await ask("Slack channel (empty: none)", values.channel, "")) || undefined;
  const answers: InitAnswers = {
    id,
    description: `Progressive rollout of ${id}`,
    stages,
    bake,
    channel,
    job: id,
  };

  const rolloutPath = `.github/rollouts/${id}.yml`;
  const files: { path: string; text: string; keepExisting: boolean }[] = [
    { path: rolloutPath, text: rolloutTemplate(answers), keepExisting: false },
    { path: ".github/rollout-bot.yml", text: settingsTemplate(answers), keepExisting: true },
    { path: `.github/workflows/${ROLLBACK_WORKFLOW}`, text: rollbackWorkflowTemplate(), keepExisting: true },
    { path: `.github/workflows/${ON_CHANGE_WORKFLOW}`, text: deployWorkflowTemplate(), keepExisting: true },
  ];
  // Validate first: a bad answer (stages, bake, channel) writes nothing.
  const rollout = parseRolloutFile(rolloutPath, files[0]!.text);
  const settings = parseSettingsFile(".github/rollout-bot.yml", files[1]!.text);
  const diagnostics = [
    ...(rollout.ok ? [] : rollout.diagnostics),
    ...(settings.ok ? [] : settings.diagnostics),
  ];
  if (diagnostics.length > 0)
    return {
      ok: false,
      usage: false,
      message: "these answers do not make a valid rollout; nothing was written",
      details: diagnostics.map(formatDiagnostic),
    };
  if (existsSync(join(dir, rolloutPath)) && !values.force)
    return {
      ok: false,
      usage: false,
      message: `${rolloutPath} exists: pass --force to replace it`,
      details: [],
    };

  const written: string[] = [];
  const kept: string[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const target = join(dir, file.path);
    if (file.keepExisting && existsSync(target)) {
      kept.push(file.path);
      if (file.path.startsWith(".github/workflows/")) {
        const missing = missingInputs(readFileSync(target, "utf8"));
        if (missing.length > 0)
          warnings.push(
            `${file.path} does not declare the inputs ${missing.join(", ")}: the bot's dispatch will be refused`,
          );
      }
      continue;
    }
    if (!values["dry-run"]) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.text);
    }
    written.push(file.path);
  }
  const at = values.dir ? ` --dir ${values.dir}` : "";
  return {
    ok: true,
    dryRun: values["dry-run"] ?? false,
    written,
    kept,
    warnings,
    next: [
      `edit the error_rate query in ${rolloutPath}`,
      `rollout validate${at}`,
      `rollout status ${id}${at}`,
      "commit .github/ and push; the bot picks the rollout up from the default branch",
    ],
  };
}

export function renderInit(outcome: Extract<InitOutcome, { ok: true }>): string {
  const verb = outcome.dryRun ? "would write" : "wrote";
  return [
    ...outcome.written.map((path) => `✓ ${verb} ${path}`),
    ...outcome.kept.map((path) => `· kept ${path} (exists)`),
    ...outcome.warnings.map((w) => `⚠ ${w}`),
    "",
    "next:",
    ...outcome.next.map((step) => `  ${step}`),
  ].join("\n");
}
