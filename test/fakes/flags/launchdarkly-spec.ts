import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * LaunchDarkly's REST API as its official TypeScript client (`launchdarkly-api-typescript`, generated
 * from LaunchDarkly's OpenAPI description) ships it in api.ts: every operation's method and path
 * template, its body parameter's type, and the interfaces. Parsed here so the fake can check every
 * request: the operation exists, and the body has each required field with the right type and no
 * field the type does not have.
 */

export interface LdOperation {
  name: string;
  method: string;
  template: string;
  regex: RegExp;
  bodyType?: string;
}

interface Field {
  optional: boolean;
  type: string;
}

const require = createRequire(import.meta.url);
let cache: { operations: LdOperation[]; interfaces: Map<string, Map<string, Field>> } | undefined;

export function launchDarklySpec() {
  if (cache) return cache;
  const source = readFileSync(require.resolve("launchdarkly-api-typescript/api.ts"), "utf8");
  const interfaces = new Map<string, Map<string, Field>>();
  for (const m of source.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const fields = new Map<string, Field>();
    for (const f of (m[2] ?? "").matchAll(/^\s+'([^']+)'(\?)?: (.+);$/gm)) {
      fields.set(f[1] ?? "", { optional: f[2] === "?", type: (f[3] ?? "").trim() });
    }
    interfaces.set(m[1] ?? "", fields);
  }
  const operations: LdOperation[] = [];
  const creator =
    /(\w+): async \(([^)]*)\): Promise<RequestArgs> => \{[\s\S]*?const localVarPath = `([^`]+)`[\s\S]*?method: '(\w+)'/g;
  for (const m of source.matchAll(creator)) {
    const template = m[3] ?? "";
    if (operations.some((o) => o.name === m[1])) continue;
    const params = (m[2] ?? "").split(",").map((p) => p.split(":")[1]?.replace(/=.*$/, "").trim() ?? "");
    const bodyType = params.find((t) => interfaces.has(t));
    const regex = new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`);
    const operation: LdOperation = { name: m[1] ?? "", method: m[4] ?? "", template, regex };
    if (bodyType) operation.bodyType = bodyType;
    operations.push(operation);
  }
  cache = { operations, interfaces };
  return cache;
}

/** Problems with a request against the description; empty when it is a valid call of an operation. */
export function checkLaunchDarklyRequest(method: string, path: string, body: unknown): string[] {
  const { operations } = launchDarklySpec();
  const operation = operations.find((o) => o.method === method && o.regex.test(path));
  if (!operation) return ["no operation in LaunchDarkly's API description"];
  if (!operation.bodyType) return body === undefined ? [] : [`${operation.name} takes no body`];
  return checkType(body, operation.bodyType, operation.bodyType);
}

function checkType(value: unknown, type: string, at: string): string[] {
  const { interfaces } = launchDarklySpec();
  const t = type.trim();
  if (t === "any" || t === "object" || t.includes("|") || t.startsWith("'")) return [];
  if (t === "string" || t === "number" || t === "boolean") {
    return typeof value === t ? [] : [`${at}: expected ${t}, got ${JSON.stringify(value)}`];
  }
  const array = /^Array<(.+)>$/.exec(t);
  if (array) {
    if (!Array.isArray(value)) return [`${at}: expected an array`];
    return value.flatMap((item, i) => checkType(item, array[1] ?? "any", `${at}[${i}]`));
  }
  const record = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (record) {
    if (!value || typeof value !== "object") return [`${at}: expected an object`];
    return Object.entries(value).flatMap(([k, v]) => checkType(v, record[1] ?? "any", `${at}.${k}`));
  }
  const fields = interfaces.get(t);
  if (!fields) return [];
  if (!value || typeof value !== "object" || Array.isArray(value)) return [`${at}: expected ${t}, an object`];
  const problems: string[] = [];
  for (const [name, field] of fields) {
    const present = (value as Record<string, unknown>)[name];
    if (present === undefined) {
      if (!field.optional) problems.push(`${at}.${name}: required by ${t}`);
    } else {
      problems.push(...checkType(present, field.type, `${at}.${name}`));
    }
  }
  for (const key of Object.keys(value))
    if (!fields.has(key)) problems.push(`${at}.${key}: not a field of ${t}`);
  return problems;
}
