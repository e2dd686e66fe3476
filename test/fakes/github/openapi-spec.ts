import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import {
  createSchemaValidators,
  normaliseNullable,
  pointerToken,
  type SchemaValidators,
} from "./openapi-schemas.ts";

/**
 * Loading GitHub's official REST description (`@octokit/openapi`) and indexing it by operation
 * and path template. Only `generated/api.github.com.json` (13 MB) is read: the package root would
 * parse every variant (~400 MB).
 */

interface SpecParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: { type?: string | string[] };
  "x-multi-segment"?: boolean;
  $ref?: string;
}

interface SpecOperation {
  operationId: string;
  parameters?: SpecParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  externalDocs?: { url?: string };
}

export interface Operation {
  operationId: string;
  method: string;
  pathTemplate: string;
  /** Documentation link GitHub puts in its error bodies for this operation. */
  docsUrl: string;
  /** Parameters with `$ref`s resolved, each with the pointer to its schema. */
  parameters: Array<SpecParameter & { schemaPointer: string }>;
  requestBody: SpecOperation["requestBody"];
  /** JSON pointer to the operation, for compiling its body schema lazily. */
  pointer: string;
}

export type Segment = { literal: string } | { param: string; multi: boolean };

export interface Route {
  template: string;
  segments: Segment[];
  literals: number;
  byMethod: Map<string, Operation>;
}

export interface GitHubSpec {
  document: { paths: Record<string, Record<string, unknown>> };
  operations: Map<string, Operation>;
  routes: Route[];
  validators: SchemaValidators;
  /** Milliseconds spent reading, parsing and preparing the description. */
  loadMs: number;
}

let cached: GitHubSpec | undefined;

/** Read and prepare the description once per process (a vitest worker): ~0.2 s. */
export function loadGitHubSpec(): GitHubSpec {
  if (cached) return cached;
  const started = performance.now();
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const document = JSON.parse(readFileSync(file, "utf8")) as GitHubSpec["document"];
  normaliseNullable(document);
  const operations = new Map<string, Operation>();
  const routes: Route[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    const byMethod = new Map<string, Operation>();
    const multi = new Set<string>();
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as SpecOperation;
      if (typeof op?.operationId !== "string") continue;
      const pointer = `/paths/${pointerToken(template)}/${method}`;
      const parameters = (op.parameters ?? []).map((p, i) =>
        resolveParameter(document, p, `${pointer}/parameters/${i}`),
      );
      for (const p of parameters) if (p.in === "path" && p["x-multi-segment"]) multi.add(p.name);
      const operation: Operation = {
        operationId: op.operationId,
        method: method.toUpperCase(),
        pathTemplate: template,
        docsUrl: op.externalDocs?.url ?? "https://docs.github.com/rest",
        parameters,
        requestBody: op.requestBody,
        pointer,
      };
      byMethod.set(operation.method, operation);
      operations.set(operation.operationId, operation);
    }
    const segments: Segment[] = template
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        const m = /^\{(\w+)\}$/.exec(s);
        return m?.[1] ? { param: m[1], multi: multi.has(m[1]) } : { literal: s };
      });
    routes.push({ template, segments, literals: segments.filter((s) => "literal" in s).length, byMethod });
  }
  cached = {
    document,
    operations,
    routes,
    validators: createSchemaValidators(document),
    loadMs: performance.now() - started,
  };
  return cached;
}

function resolveParameter(
  document: object,
  parameter: SpecParameter,
  pointer: string,
): SpecParameter & { schemaPointer: string } {
  if (!parameter.$ref) return { ...parameter, schemaPointer: `${pointer}/schema` };
  const path = parameter.$ref.replace(/^#/, "");
  const resolved = path
    .split("/")
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document) as SpecParameter;
  return { ...resolved, schemaPointer: `${path}/schema` };
}
