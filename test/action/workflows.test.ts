import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ROOT } from "../helpers/examples.ts";

/** Every workflow we ship or run, and action.yml, parsed by GitHub's own workflow parser. */

type Parser = typeof import("@actions/workflow-parser") &
  Pick<typeof import("@actions/workflow-parser/actions/index"), "parseAction">;

/**
 * The package imports its JSON schemas without `with { type: "json" }`, which Node's loader refuses:
 * bundle it once (esbuild inlines the JSON) and import the bundle.
 */
async function loadParser(): Promise<Parser> {
  const outfile = join(mkdtempSync(join(tmpdir(), "workflow-parser-")), "parser.mjs");
  await build({
    stdin: {
      contents:
        'export * from "@actions/workflow-parser"; export { parseAction } from "@actions/workflow-parser/actions/index";',
      resolveDir: ROOT,
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "warning",
  });
  return (await import(pathToFileURL(outfile).href)) as Parser;
}

const { convertWorkflowTemplate, NoOperationTraceWriter, parseAction, parseWorkflow } = await loadParser();

const WORKFLOW_DIRS = ["examples/workflows", ".github/workflows"];
const workflows = WORKFLOW_DIRS.flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${dir}/${name}`),
);

async function workflowErrors(path: string): Promise<string[]> {
  const file = { name: path, content: readFileSync(join(ROOT, path), "utf8") };
  const parsed = parseWorkflow(file, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) return [...errors, "no workflow parsed"];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...errors, ...(template.errors ?? []).map((e) => e.Message)];
}

describe("workflow files", () => {
  it("finds the four example workflows and the project's CI", () => {
    expect(workflows).toEqual([
      "examples/workflows/rollback.yml",
      "examples/workflows/rollout-check.yml",
      "examples/workflows/rollout-tick.yml",
      "examples/workflows/rollout.yml",
      ".github/workflows/ci.yml",
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
