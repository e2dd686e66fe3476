import {
  isRolloutPath,
  parseRolloutFile,
  parseSettingsFile,
  SETTINGS_PATH,
} from "../core/config/rollout-file.ts";
import type { Diagnostic } from "../core/config/yaml-diagnostics.ts";
import { GATE_CHECK, GATE_NOT_REQUIRED } from "../core/messages/bump-pr.ts";
import type { PullRequest, RepoStore } from "../ports.ts";

/** The "rollout config" check run: every rollout file or settings file a PR touches, validated at its head. */

export const CONFIG_CHECK = "rollout config";

export function isConfigPath(path: string): boolean {
  return isRolloutPath(path) || path === SETTINGS_PATH;
}

export async function checkConfig(
  store: RepoStore,
  pull: Pick<PullRequest, "number" | "headSha">,
): Promise<{ conclusion: "success" | "failure"; diagnostics: Diagnostic[]; files: string[] } | undefined> {
  const pulls = store.pulls;
  if (!pulls) return undefined;
  const files = (await pulls.files(pull.number))
    .filter((f) => f.status !== "removed" && isConfigPath(f.path))
    .map((f) => f.path);
  if (files.length === 0) return undefined;
  const diagnostics: Diagnostic[] = [];
  for (const path of files) {
    const file = await store.readFile(path, pull.headSha);
    if (!file) continue;
    const parsed =
      path === SETTINGS_PATH ? parseSettingsFile(path, file.text) : parseRolloutFile(path, file.text);
    if (!parsed.ok) diagnostics.push(...parsed.diagnostics);
  }
  const conclusion = diagnostics.length === 0 ? "success" : "failure";
  const notRequired = (await pulls.requiredCheck?.(GATE_CHECK)) === false;
  await pulls.writeCheck({
    name: CONFIG_CHECK,
    headSha: pull.headSha,
    conclusion,
    title:
      conclusion === "success"
        ? `${files.length} rollout file(s) valid`
        : `${diagnostics.length} problem(s) in rollout files`,
    summary: [
      conclusion === "success"
        ? files.map((f) => `✓ ${f}`).join("\n")
        : diagnostics.map((d) => `- \`${d.file}:${d.line}:${d.column}\` ${d.message}`).join("\n"),
      ...(notRequired ? ["", `> [!WARNING]\n> ${GATE_NOT_REQUIRED}`] : []),
    ].join("\n"),
    annotations: diagnostics.map((d) => ({
      path: d.file,
      line: d.line,
      message: d.message,
      title: "invalid rollout file",
    })),
  });
  return { conclusion, diagnostics, files };
}
