import {
  isFileOfRollout,
  parseRolloutFile,
  parseSettingsFile,
  type Rollout,
  SETTINGS_PATH,
} from "../core/config/rollout-file.ts";
import { Settings } from "../core/config/settings-schema.ts";
import type { Diagnostic } from "../core/config/yaml-diagnostics.ts";
import { nearest } from "../core/did-you-mean.ts";
import { RolloutError } from "../core/errors.ts";
import type { RepoStore } from "../ports.ts";

/** Reads every rollout file and the settings of one repository; invalid files are reported, never fatal. */

export { SETTINGS_PATH };

export interface LoadedRollout extends Rollout {
  version?: string | undefined;
}

export interface LoadedRepo {
  name: string;
  settings: Settings;
  /** Set when `.github/rollout-bot.yml` is invalid: the defaults are used for reading, mutations fail closed. */
  settingsProblem?: string | undefined;
  rollouts: LoadedRollout[];
  /** Files that failed validation, with every diagnostic. */
  invalid: { path: string; diagnostics: Diagnostic[] }[];
}

export const describeDiagnostic = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.message}`;

export async function loadRepo(store: RepoStore): Promise<LoadedRepo> {
  const [files, settingsFile] = await Promise.all([store.listRolloutFiles(), store.readFile(SETTINGS_PATH)]);
  const invalid: LoadedRepo["invalid"] = [];
  const policy = { repoMetricsUrls: store.repoMetricsUrls === true };
  let settings = Settings.parse({});
  let settingsProblem: string | undefined;
  if (settingsFile) {
    const parsed = parseSettingsFile(settingsFile.path, settingsFile.text, policy);
    if (parsed.ok) settings = parsed.value;
    else {
      invalid.push({ path: settingsFile.path, diagnostics: parsed.diagnostics });
      const [first] = parsed.diagnostics;
      settingsProblem = first ? describeDiagnostic(first) : "invalid";
    }
  }
  const rollouts: LoadedRollout[] = [];
  for (const file of files) {
    const parsed = parseRolloutFile(file.path, file.text, policy);
    if (parsed.ok) rollouts.push(await withStageStart(store, { ...parsed.value, version: file.version }));
    else invalid.push({ path: file.path, diagnostics: parsed.diagnostics });
  }
  rollouts.sort((a, b) => a.id.localeCompare(b.id));
  const repo: LoadedRepo = { name: store.name, settings, rollouts, invalid };
  if (settingsProblem !== undefined) repo.settingsProblem = settingsProblem;
  return repo;
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

/** The invalid file of rollout `id`, as an error that lists what is wrong with it; undefined when none. */
export function invalidFileError(repo: LoadedRepo, id: string): RolloutError | undefined {
  const broken = repo.invalid.find((f) => isFileOfRollout(f.path, id));
  return broken
    ? new RolloutError("INVALID_FILE", `rollout '${id}' has an invalid file: ${broken.path}`, {
        details: broken.diagnostics.map(describeDiagnostic),
      })
    : undefined;
}

/** Finds a rollout by id; an unknown id is an error that suggests the closest ones. */
export function findRollout(repo: LoadedRepo, id: string): LoadedRollout {
  const found = repo.rollouts.find((r) => r.id === id);
  if (found) return found;
  const broken = invalidFileError(repo, id);
  if (broken) throw broken;
  const near = nearest(id, repo.rollouts, (r) => r.id).map((r) => r.id);
  const known = repo.rollouts.map((r) => r.id);
  const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
  const list = known.length > 0 ? ` Known: ${known.join(", ")}.` : " No rollouts in .github/rollouts/.";
  throw new RolloutError(
    "NOT_FOUND",
    `no rollout '${id.slice(0, 64)}' in ${repo.name}.${hint}${near.length ? "" : list}`,
  );
}
