import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { ROOT } from "./examples.ts";

/** GitHub's own workflow parser (@actions/workflow-parser), for tests of the workflows we write. */

export type WorkflowParser = typeof import("@actions/workflow-parser") &
  Pick<typeof import("@actions/workflow-parser/actions/index"), "parseAction">;

/**
 * The package imports its JSON schemas without `with { type: "json" }`, which Node's loader refuses:
 * bundle it once (esbuild inlines the JSON) and import the bundle.
 */
export async function loadWorkflowParser(): Promise<WorkflowParser> {
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
  return (await import(pathToFileURL(outfile).href)) as WorkflowParser;
}

/** Every error GitHub's parser and template conversion report for a workflow's text. */
export async function workflowTextErrors(
  parser: WorkflowParser,
  name: string,
  content: string,
): Promise<string[]> {
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) return [...errors, "no workflow parsed"];
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  return [...errors, ...(template.errors ?? []).map((e) => e.Message)];
}
