import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ROOT } from "../helpers/examples.ts";
import { loadWorkflowParser, workflowTextErrors } from "../helpers/workflow-parser.ts";

/** Every workflow we ship or run, and action.yml, parsed by GitHub's own workflow parser. */

const parser = await loadWorkflowParser();
const { NoOperationTraceWriter, parseAction, parseWorkflow } = parser;

const WORKFLOW_DIRS = ["examples/workflows", ".github/workflows"];
const workflows = WORKFLOW_DIRS.flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${dir}/${name}`),
);

async function workflowErrors(path: string): Promise<string[]> {
  return workflowTextErrors(parser, path, readFileSync(join(ROOT, path), "utf8"));
}

describe("workflow files", () => {
  it("finds the four example workflows, the project's CI and its release", () => {
    expect(workflows).toEqual([
      "examples/workflows/rollback.yml",
      "examples/workflows/rollout-check.yml",
      "examples/workflows/rollout-tick.yml",
      "examples/workflows/rollout.yml",
      ".github/workflows/ci.yml",
      ".github/workflows/release.yml",
    ]);
  });

  it.each(workflows)("%s parses with no errors", async (path) => {
    expect(await workflowErrors(path)).toEqual([]);
  });

  it("the parser does report errors (a broken workflow is not silently accepted)", () => {
    const file = {
      name: "broken.yml",
      content: "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n",
    };
    const parsed = parseWorkflow(file, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("action.yml parses with no errors and declares what the entry reads", () => {
    const text = readFileSync(join(ROOT, "action.yml"), "utf8");
    const parsed = parseAction({ name: "action.yml", content: text }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const action = parseYaml(text) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(action.inputs).sort()).toEqual([
      "allow-repo-metrics-url",
      "command",
      "dry-run",
      "github-token",
      "interval",
      "reason",
      "rollout",
      "slack-channel",
      "slack-token",
      "to",
    ]);
    expect(Object.keys(action.outputs).sort()).toEqual(["changed", "health", "percent", "pr-url"]);
    expect(action.runs).toEqual({ using: "node24", main: "dist/action.js" });
  });

  it("no `run:` step interpolates an expression (script injection): inputs reach shells through env", () => {
    for (const path of workflows) {
      const doc = parseYaml(readFileSync(join(ROOT, path), "utf8")) as {
        jobs: Record<string, { steps?: { run?: string }[] }>;
      };
      for (const job of Object.values(doc.jobs)) {
        for (const step of job.steps ?? []) {
          expect(step.run ?? "", path).not.toContain("${{");
        }
      }
    }
  });

  it("the dispatch form offers every command the action takes except tick", () => {
    const doc = parseYaml(readFileSync(join(ROOT, "examples/workflows/rollout.yml"), "utf8")) as {
      on: { workflow_dispatch: { inputs: { command: { options: string[] } } } };
    };
    expect(doc.on.workflow_dispatch.inputs.command.options.sort()).toEqual([
      "advance",
      "history",
      "list",
      "pause",
      "resume",
      "rollback",
      "status",
      "validate",
    ]);
  });
});
