import type { Octokit } from "@octokit/rest";
import { SETTINGS_PATH } from "../../commands/load-repo.ts";
import { isRolloutPath, parseRolloutFile, parseSettingsFile } from "../../core/config/rollout-file.ts";
import type { Diagnostic } from "../../core/config/yaml-diagnostics.ts";

/** The "rollout config" check run: every rollout file or settings file a PR touches, validated at its head. */

export const CONFIG_CHECK = "rollout config";

export function isConfigPath(path: string): boolean {
  return isRolloutPath(path) || path === SETTINGS_PATH;
}

export async function runConfigCheck(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  pull: { number: number; headSha: string },
): Promise<{ conclusion: "success" | "failure"; diagnostics: Diagnostic[]; files: string[] } | undefined> {
  const changed = await octokit.paginate(octokit.rest.pulls.listFiles, {
    ...repo,
    pull_number: pull.number,
    per_page: 100,
  });
  const files = changed
    .filter((f) => f.status !== "removed" && isConfigPath(f.filename))
    .map((f) => f.filename);
  if (files.length === 0) return undefined;
  const diagnostics: Diagnostic[] = [];
  for (const path of files) {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref: pull.headSha });
    if (Array.isArray(data) || data.type !== "file") continue;
    const text = Buffer.from(data.content ?? "", "base64").toString("utf8");
    const parsed = path === SETTINGS_PATH ? parseSettingsFile(path, text) : parseRolloutFile(path, text);
    if (!parsed.ok) diagnostics.push(...parsed.diagnostics);
  }
  const conclusion = diagnostics.length === 0 ? "success" : "failure";
  await octokit.rest.checks.create({
    ...repo,
    name: CONFIG_CHECK,
    head_sha: pull.headSha,
    status: "completed",
    conclusion,
    output: {
      title:
        conclusion === "success"
          ? `${files.length} rollout file(s) valid`
          : `${diagnostics.length} problem(s) in rollout files`,
      summary:
        conclusion === "success"
          ? files.map((f) => `✓ ${f}`).join("\n")
          : diagnostics
              .map((d) => `- \`${d.file}:${d.line}:${d.column}\` ${d.message}`)
              .join("\n")
              .slice(0, 60_000),
      // GitHub takes at most 50 annotations per request.
      annotations: diagnostics.slice(0, 50).map((d) => ({
        path: d.file,
        start_line: d.line,
        end_line: d.line,
        annotation_level: "failure" as const,
        message: d.message,
        title: "invalid rollout file",
      })),
    },
  });
  return { conclusion, diagnostics, files };
}
