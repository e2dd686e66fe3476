import {
  mayNameSource,
  SERVER_POLICY,
  type SourcePolicy,
  sourcePolicySchema,
} from "./metrics-source-policy.ts";
import { ROLLOUT_ID_PATTERN, RolloutFile } from "./schema.ts";
import { Settings } from "./settings-schema.ts";
import { type Diagnostic, type Parsed, parseWithSchema } from "./yaml-diagnostics.ts";

/** A parsed `.github/rollouts/<id>.yml`, with its source text kept for comment-preserving edits. */
export interface Rollout {
  id: string;
  path: string;
  text: string;
  file: RolloutFile;
}

/** Where rollout files live, and the repo-wide settings file: every module asks here. */
export const ROLLOUTS_DIR = ".github/rollouts";
export const SETTINGS_PATH = ".github/rollout-bot.yml";

/** A file name that can hold a rollout: `<name>.yml` or `<name>.yaml`. */
export function isRolloutFileName(name: string): boolean {
  return /^[^/]+\.ya?ml$/.test(name);
}

/** The path the bot writes for a new rollout (and links to): `.github/rollouts/<id>.yml`. */
export function rolloutPath(id: string): string {
  return `${ROLLOUTS_DIR}/${id}.yml`;
}

/** Whether a repository path is a rollout file: `.github/rollouts/<name>.yml` (or `.yaml`). */
export function isRolloutPath(path: string): boolean {
  return path.startsWith(`${ROLLOUTS_DIR}/`) && isRolloutFileName(path.slice(ROLLOUTS_DIR.length + 1));
}

/** Whether `path` is the file of rollout `id` (either extension). */
export function isFileOfRollout(path: string, id: string): boolean {
  return isRolloutPath(path) && rolloutIdFromPath(path) === id;
}

/** The rollout id is the file name without `.yml`/`.yaml`; undefined when it is not a YAML file name. */
export function rolloutIdFromPath(path: string): string | undefined {
  const name = path.split(/[\\/]/).at(-1) ?? "";
  return /^(.*)\.ya?ml$/.exec(name)?.[1];
}

/** The file's schema, then where its metrics source may point (SourcePolicy): both reported as file:line. */
function withPolicy<T>(parsed: Parsed<T>, path: string, text: string, policy: SourcePolicy): Parsed<T> {
  if (!mayNameSource(text)) return parsed;
  const checked = parseWithSchema(path, text, sourcePolicySchema(policy), { allowEmpty: true });
  if (checked.ok) return parsed;
  const known = new Set(parsed.ok ? [] : parsed.diagnostics.map((d) => JSON.stringify(d)));
  const extra = checked.diagnostics.filter((d) => !known.has(JSON.stringify(d)));
  return { ok: false, diagnostics: [...(parsed.ok ? [] : parsed.diagnostics), ...extra] };
}

export function parseRolloutFile(
  path: string,
  text: string,
  policy: SourcePolicy = SERVER_POLICY,
): Parsed<Rollout> {
  const parsed = withPolicy(parseWithSchema(path, text, RolloutFile), path, text, policy);
  const id = rolloutIdFromPath(path);
  const idProblem: Diagnostic[] = [];
  if (id === undefined) {
    idProblem.push({
      file: path,
      line: 1,
      column: 1,
      message: "a rollout file name must end in .yml or .yaml",
    });
  } else if (!ROLLOUT_ID_PATTERN.test(id)) {
    const message = `rollout id '${id}' (the file name) must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit`;
    idProblem.push({ file: path, line: 1, column: 1, message });
  }
  if (!parsed.ok) return { ok: false, diagnostics: [...idProblem, ...parsed.diagnostics] };
  if (id === undefined || idProblem.length > 0) return { ok: false, diagnostics: idProblem };
  return { ok: true, value: { id, path, text, file: parsed.value } };
}

/** `.github/rollout-bot.yml`: an empty file is valid and means "all defaults". */
export function parseSettingsFile(
  path: string,
  text: string,
  policy: SourcePolicy = SERVER_POLICY,
): Parsed<Settings> {
  return withPolicy(parseWithSchema(path, text, Settings, { allowEmpty: true }), path, text, policy);
}
