import { distance } from "fastest-levenshtein";
import { parseRolloutFile, parseSettingsFile, type Rollout } from "../core/config/rollout-file.ts";
import { Settings } from "../core/config/settings-schema.ts";
import type { Diagnostic } from "../core/config/yaml-diagnostics.ts";
import { RolloutError } from "../core/errors.ts";
import type { RepoStore } from "../ports.ts";

/** Reads every rollout file and the settings of one repository; invalid files are reported, never fatal. */

export const SETTINGS_PATH = ".github/rollout-bot.yml";

export interface LoadedRollout extends Rollout {
  version?: string | undefined;
}

export interface LoadedRepo {
  name: string;
  settings: Settings;
  rollouts: LoadedRollout[];
  /** Files that failed validation, with every diagnostic. */
  invalid: { path: string; diagnostics: Diagnostic[] }[];
}

export async function loadRepo(store: RepoStore): Promise<LoadedRepo> {
  const [files, settingsFile] = await Promise.all([store.listRolloutFiles(), store.readFile(SETTINGS_PATH)]);
  const invalid: LoadedRepo["invalid"] = [];
  const policy = { repoMetricsUrls: store.repoMetricsUrls === true };
  let settings = Settings.parse({});
  if (settingsFile) {
    const parsed = parseSettingsFile(settingsFile.path, settingsFile.text, policy);
    if (parsed.ok) settings = parsed.value;
    else invalid.push({ path: settingsFile.path, diagnostics: parsed.diagnostics });
  }
  const rollouts: LoadedRollout[] = [];
  for (const file of files) {
    const parsed = parseRolloutFile(file.path, file.text, policy);
    if (parsed.ok) rollouts.push(await withStageStart(store, { ...parsed.value, version: file.version }));
    else invalid.push({ path: file.path, diagnostics: parsed.diagnostics });
  }
  rollouts.sort((a, b) => a.id.localeCompare(b.id));
  return { name: store.name, settings, rollouts, invalid };
}

/**
 * A merged bump PR writes no start time (the PR cannot know when it will merge): the stage started
 * when the file last changed on the default branch.
 */
async function withStageStart(store: RepoStore, rollout: LoadedRollout): Promise<LoadedRollout> {
  const state = rollout.file.state;
  if (!state || state.percent === 0 || state.started_at !== undefined || !store.stageStartedAt)
    return rollout;
  const at = await store.stageStartedAt(rollout.path, state.percent, rollout.version);
  if (!at) return rollout;
  const started_at = at.toISOString().replace(/\.\d{3}Z$/, "Z");
  return { ...rollout, file: { ...rollout.file, state: { ...state, started_at } } };
}

/** Finds a rollout by id; an unknown id is an error that suggests the closest ones. */
export function findRollout(repo: LoadedRepo, id: string): LoadedRollout {
  const found = repo.rollouts.find((r) => r.id === id);
  if (found) return found;
  const broken = repo.invalid.find((f) => f.path.endsWith(`/${id}.yml`) || f.path.endsWith(`/${id}.yaml`));
  if (broken) {
    throw new RolloutError("INVALID_FILE", `rollout '${id}' has an invalid file: ${broken.path}`, {
      details: broken.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
    });
  }
  const near = repo.rollouts
    .map((r) => ({ id: r.id, d: distance(r.id, id) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(id.length / 3)))
    .sort((a, b) => a.d - b.d)
    .map((c) => c.id);
  const known = repo.rollouts.map((r) => r.id);
  const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
  const list = known.length > 0 ? ` Known: ${known.join(", ")}.` : " No rollouts in .github/rollouts/.";
  throw new RolloutError(
    "NOT_FOUND",
    `no rollout '${id.slice(0, 64)}' in ${repo.name}.${hint}${near.length ? "" : list}`,
  );
}
