import { describeErrors } from "./openapi-schemas.ts";
import { loadGitHubSpec, type Operation, type Route, type Segment } from "./openapi-spec.ts";

/**
 * GitHub's official REST description, used two ways by the fake: to route a request to an
 * operation (`matchOperation`), and to reject requests GitHub's contract rejects
 * (`validateRequest`).
 */

export { type GitHubSpec, loadGitHubSpec, type Operation } from "./openapi-spec.ts";

export interface OperationMatch {
  operationId: string;
  pathTemplate: string;
  params: Record<string, string>;
  operation: Operation;
}

/**
 * Which documented operation a request is. Octokit percent-encodes `/` inside parameters
 * (`contents/a%2Fb.yml`, `git/ref/heads%2Fmain`) while people write them raw; segments are
 * decoded after splitting, and a parameter GitHub marks `x-multi-segment` (contents `path`, git
 * `ref`) may also span several raw segments. The template with the most literal segments wins
 * (`/commits/{ref}/check-runs` beats `/commits/{ref}`), then the one that needed fewer spans.
 */
export function matchOperation(method: string, pathname: string): OperationMatch | undefined {
  const spec = loadGitHubSpec();
  const raw = pathname.split("/").slice(1);
  if (raw[raw.length - 1] === "") raw.pop();
  const parts = raw.map(safeDecode);
  let best: { route: Route; params: Record<string, string>; spans: number } | undefined;
  for (const route of spec.routes) {
    if (!route.byMethod.has(method.toUpperCase())) continue;
    if (best && route.literals < best.route.literals) continue;
    const found = matchSegments(route.segments, parts);
    if (!found) continue;
    if (!best || route.literals > best.route.literals || found.spans < best.spans) {
      best = { route, ...found };
    }
  }
  if (!best) return undefined;
  const operation = best.route.byMethod.get(method.toUpperCase())!;
  return {
    operationId: operation.operationId,
    pathTemplate: best.route.template,
    params: best.params,
    operation,
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(
  segments: Segment[],
  parts: string[],
): { params: Record<string, string>; spans: number } | undefined {
  const params: Record<string, string> = {};
  const walk = (si: number, pi: number, spans: number): number | undefined => {
    const segment = segments[si];
    if (!segment) return pi === parts.length ? spans : undefined;
    if ("literal" in segment) return parts[pi] === segment.literal ? walk(si + 1, pi + 1, spans) : undefined;
    // The last multi-segment parameter may be empty: GitHub serves `GET …/contents` (Octokit
    // drops the trailing slash of `contents/`) as the root directory. It costs a span, so an
    // exact template (`/commits` over `/commits/{ref}`) still wins.
    if (segment.multi && si === segments.length - 1 && pi === parts.length) {
      params[segment.param] = "";
      return spans + 1;
    }
    const max = segment.multi ? parts.length - pi : Math.min(1, parts.length - pi);
    for (let take = max; take >= 1; take--) {
      const value = parts.slice(pi, pi + take).join("/");
      if (value === "") continue;
      params[segment.param] = value;
      const result = walk(si + 1, pi + take, spans + (take > 1 ? 1 : 0));
      if (result !== undefined) return result;
    }
    return undefined;
  };
  const spans = walk(0, 0, 0);
  return spans === undefined ? undefined : { params, spans };
}

/** Marks problems GitHub itself would let through: reported, but the request is still served. */
export const IGNORED_BY_GITHUB = " (GitHub ignores it)";

export interface RequestParts {
  query: Record<string, string>;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Everything about a request GitHub's description says is wrong, one line each. Stricter than
 * GitHub on one point, on purpose: a query parameter or top-level body field the operation does
 * not declare is reported, because GitHub silently ignores it and that hides typos in the app.
 */
export function validateRequest(match: OperationMatch | undefined, request: RequestParts): string[] {
  if (!match) return ["no operation in GitHub's OpenAPI description matches this method and path"];
  const { validators } = loadGitHubSpec();
  const { operation } = match;
  const problems: string[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in !== "path" && parameter.in !== "query") continue;
    const source = parameter.in === "path" ? match.params : request.query;
    const value = source[parameter.name];
    if (value === undefined || value === "") {
      if (parameter.required && !(parameter.in === "path" && value === "")) {
        problems.push(`missing required ${parameter.in} parameter '${parameter.name}'`);
      }
      continue;
    }
    const validate = validators.at(parameter.schemaPointer);
    if (!validate(coerce(value, parameter.schema?.type))) {
      problems.push(...describeErrors(validate, `${parameter.in} parameter '${parameter.name}'`));
    }
  }
  const declared = new Set(operation.parameters.filter((p) => p.in === "query").map((p) => p.name));
  for (const name of Object.keys(request.query)) {
    if (!declared.has(name))
      problems.push(
        `query parameter '${name}' is not declared for ${operation.operationId}${IGNORED_BY_GITHUB}`,
      );
  }
  problems.push(...validateBody(operation, request));
  return problems;
}

function coerce(value: string, type: string | string[] | undefined): unknown {
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.includes("array")) return value.split(",");
  return value;
}

function validateBody(operation: Operation, request: RequestParts): string[] {
  const declared = operation.requestBody;
  if (request.body === undefined) {
    return declared?.required ? [`missing request body for ${operation.operationId}`] : [];
  }
  if (!declared) return [`${operation.operationId} takes no request body`];
  const header = request.headers["content-type"];
  const mime = (Array.isArray(header) ? header[0] : header)?.split(";")[0]?.trim().toLowerCase() ?? "";
  const mediaTypes = Object.keys(declared.content);
  if (!mediaTypes.includes(mime)) {
    return [`content-type '${mime || "(none)"}' is not one of ${mediaTypes.join(", ")}`];
  }
  if (mime !== "application/json") return [];
  const { validators } = loadGitHubSpec();
  const pointer = `${operation.pointer}/requestBody/content/application~1json/schema`;
  const validate = validators.at(pointer);
  const problems = validate(request.body) ? [] : describeErrors(validate, "body");
  const schema = declared.content["application/json"]?.schema as
    | { type?: unknown; properties?: Record<string, unknown>; additionalProperties?: unknown }
    | undefined;
  const body = request.body;
  if (schema?.properties && schema.additionalProperties === undefined && isRecord(body)) {
    for (const key of Object.keys(body)) {
      if (!(key in schema.properties))
        problems.push(`body field '${key}' is not declared for ${operation.operationId}${IGNORED_BY_GITHUB}`);
    }
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Problems with a response body against the operation's documented response schema. The app's
 * requests are what the fake checks; this is for the fake's own tests, so its shapes stay true.
 */
export function responseProblems(operationId: string, status: number, body: unknown): string[] {
  const spec = loadGitHubSpec();
  const operation = spec.operations.get(operationId);
  if (!operation) return [`unknown operation ${operationId}`];
  const raw = spec.document.paths[operation.pathTemplate]?.[operation.method.toLowerCase()] as
    | { responses?: Record<string, { $ref?: string; content?: Record<string, unknown> }> }
    | undefined;
  const response = raw?.responses?.[String(status)];
  if (!response) return [`status ${status} is not documented for ${operationId}`];
  const base = response.$ref ? response.$ref.replace(/^#/, "") : `${operation.pointer}/responses/${status}`;
  const content = response.$ref ? undefined : response.content;
  if (!response.$ref && !content?.["application/json"]) return [];
  const validate = spec.validators.at(`${base}/content/application~1json/schema`);
  return validate(body) ? [] : describeErrors(validate, `${operationId} ${status} response`);
}
