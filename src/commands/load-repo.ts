import {
  isFileOfRollout,
  parseRolloutFile,
  parseSettingsFile,
  type Rollout,
  rolloutPath,
  SETTINGS_PATH,
} from "../core/config/rollout-file.ts";
import { Settings } from "../core/config/settings-schema.ts";
import type { Diagnostic } from "../core/config/yaml-diagnostics.ts";
import { nearest } from "../core/did-you-mean.ts";
import { RolloutError } from "../core/errors.ts";
import type { RepoFile, RepoStore } from "../ports.ts";
import { parseCache } from "./parse-cache.ts";

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
  /** Other files read in the same wave (a rollout's sync files), for the decision that follows. */
  files?: ReadonlyMap<string, RepoFile | undefined>;
}

export interface LoadOptions {
  /**
   * Only this rollout: its file read by path beside the settings and the sync files its last version
   * named — one wave of reads, not the folder listing and every file after it.
   */
  only?: string;
  /** The scheduler's poll: the store may answer from what it read while no push said otherwise. */
  poll?: boolean;
}

export const describeDiagnostic = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.message}`;

export async function loadRepo(store: RepoStore, options: LoadOptions = {}): Promise<LoadedRepo> {
  const read = options.only === undefined ? undefined : await readOne(store, options.only);
  const { rollouts: files, settings: settingsFile } = read ?? (await readAll(store, options.poll === true));
  const invalid: LoadedRepo["invalid"] = [];
  const policy = { repoMetricsUrls: store.repoMetricsUrls === true };
  const policyKey = policy.repoMetricsUrls ? "repo-urls" : "server";
  let settings = Settings.parse({});
  let settingsProblem: string | undefined;
  if (settingsFile) {
    const parsed = parseCache.parse(store.name, settingsFile, policyKey, () =>
      parseSettingsFile(settingsFile.path, settingsFile.text, policy),
    );
    if (parsed.ok) settings = parsed.value;
    else {
      invalid.push({ path: settingsFile.path, diagnostics: parsed.diagnostics });
      const [first] = parsed.diagnostics;
      settingsProblem = first ? describeDiagnostic(first) : "invalid";
    }
  }
  const rollouts: LoadedRollout[] = [];
  for (const file of files) {
    const parsed = parseCache.parse(store.name, file, policyKey, () =>
      parseRolloutFile(file.path, file.text, policy),
    );
    if (parsed.ok) rollouts.push(await withStageStart(store, { ...parsed.value, version: file.version }));
    else invalid.push({ path: file.path, diagnostics: parsed.diagnostics });
  }
  rollouts.sort((a, b) => a.id.localeCompare(b.id));
  const repo: LoadedRepo = { name: store.name, settings, rollouts, invalid };
  if (settingsProblem !== undefined) repo.settingsProblem = settingsProblem;
  if (read?.files) repo.files = read.files;
  return repo;
}

async function readAll(
  store: RepoStore,
  poll: boolean,
): Promise<{ rollouts: RepoFile[]; settings: RepoFile | undefined }> {
  if (store.readConfiguration) return store.readConfiguration({ trustWebhooks: poll });
  const [rollouts, settings] = await Promise.all([store.listRolloutFiles(), store.readFile(SETTINGS_PATH)]);
  return { rollouts, settings };
}

/**
 * Rollout `id` alone, in one wave: its file by path, the settings, and the sync files the version
 * parsed last time named (read ahead: a rollback's sync edits then need no second wave). Undefined
 * when there is no `<id>.yml` (a `.yaml` file, or none): the caller lists the folder instead.
 */
async function readOne(store: RepoStore, id: string) {
  const path = rolloutPath(id);
  const last = parseCache.last<Rollout>(store.name, path);
  const ahead = last?.ok ? [...new Set(last.value.file.sync.map((t) => t.file))] : [];
  // A commit of several files needs the branch head: read with the files unless the last version
  // parsed showed one file only (a one-file commit swaps on the file's own sha).
  if (!last?.ok || ahead.length > 0) store.readHeadAhead?.();
  const [file, settings, ...synced] = await Promise.all([
    store.readFile(path),
    store.readFile(SETTINGS_PATH),
    ...ahead.map((p) => store.readFile(p)),
  ]);
  if (!file) return undefined;
  return { rollouts: [file], settings, files: new Map(ahead.map((p, i) => [p, synced[i]])) };
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
