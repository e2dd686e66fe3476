import type { z } from "zod";
import { didYouMean } from "../did-you-mean.ts";
import { knownKeys, type Schema, schemasAt, unionOptions } from "./schema-at-path.ts";

/** Turns zod issues into messages a person editing YAML can act on, with the path to point at. */

export type IssuePath = (string | number)[];

export interface IssueReport {
  path: IssuePath;
  /** "key": point at the key of the pair at `path` (unknown keys, bad record keys); else at its value. */
  at: "value" | "key";
  message: string;
}

export interface IssueContext {
  /** The whole input given to the schema, to show what was found. */
  data: unknown;
  /** The root schema, to look up known keys and friendlier expectations. */
  schema: z.ZodType;
}

type Issue = z.core.$ZodIssue;

export function describeIssue(issue: Issue, ctx: IssueContext, prefix: IssuePath = []): IssueReport[] {
  const path = [...prefix, ...issue.path.map((k) => (typeof k === "symbol" ? String(k) : k))];
  const value = valueAt(ctx.data, path);
  // Some schema messages already name their path ("state.percent 20 is not ..."): say it once.
  const named = (message: string) =>
    path.length === 0 || message.startsWith(`${renderPath(path)} `)
      ? message
      : `${renderPath(path)}: ${message}`;
  const report = (message: string, at: "value" | "key" = "value"): IssueReport[] => [
    { path, at, message: named(message) },
  ];
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(ctx.schema, path);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        const hint = guess === undefined ? "" : ` (did you mean '${guess}'?)`;
        const message = `${path.length > 0 ? `${renderPath(path)}: ` : ""}unknown key '${key}'${hint}`;
        return { path: [...path, key], at: "key" as const, message };
      });
    }
    case "invalid_key":
      return report(issue.issues.map((inner) => messageFor(inner, path.at(-1), ctx, path)).join("; "), "key");
    case "invalid_union":
      return describeUnion(issue, path, value, ctx);
    case "invalid_type":
      if (value === undefined && path.length > 0) {
        const parent = path.slice(0, -1);
        const message = `missing required key '${path.at(-1)}'`;
        return [
          { path, at: "value", message: parent.length > 0 ? `${renderPath(parent)}: ${message}` : message },
        ];
      }
      return report(messageFor(issue, value, ctx, path));
    default:
      return report(messageFor(issue, value, ctx, path));
  }
}

/** `stages[1].criteria[0].metric`; keys that are not identifiers are quoted: `links["on call"]`. */
export function renderPath(path: IssuePath): string {
  return path
    .map((seg, i) =>
      typeof seg === "number"
        ? `[${seg}]`
        : /^[A-Za-z_][\w-]*$/.test(seg)
          ? i === 0
            ? seg
            : `.${seg}`
          : `[${JSON.stringify(seg)}]`,
    )
    .join("");
}

/**
 * zod reports every branch of a failed union; "Invalid input" helps nobody. For objects we pick the
 * branch the user evidently meant (fewest unknown keys, then fewest issues); for scalars we keep the
 * branches whose type matched and otherwise list what each branch expects.
 */
function describeUnion(
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: IssuePath,
  value: unknown,
  ctx: IssueContext,
): IssueReport[] {
  const branches = issue.errors as Issue[][];
  if (branches.length === 0) return [{ path, at: "value", message: `${renderPath(path)}: ${issue.message}` }];
  const scalarLike = branches.every((b) =>
    b.every((i) => i.path.length === 0 && i.code !== "unrecognized_keys"),
  );
  const label = path.length > 0 ? `${renderPath(path)}: ` : "";
  if (!scalarLike) {
    const score = (b: Issue[]) =>
      b.reduce(
        (sum, i) => sum + (i.code === "unrecognized_keys" && i.path.length === 0 ? 10 * i.keys.length : 1),
        0,
      );
    const best = Math.min(...branches.map(score));
    const winners = branches.filter((b) => score(b) === best);
    const missing = winners.map((b) =>
      b.length === 1 && isMissingKey(b[0], value) ? b[0]?.path[0] : undefined,
    );
    if (winners.length > 1 && missing.every((k) => k !== undefined)) {
      const keys = missing.map((k) => `'${String(k)}'`);
      const which = keys.length > 2 ? `one of ${keys.join(", ")}` : keys.join(" or ");
      return [{ path, at: "value", message: `${label}missing required key ${which}` }];
    }
    return (winners[0] ?? []).flatMap((i) => describeIssue(i, ctx, path));
  }
  const options = unionOptions(ctx.schema, path);
  const matched = branches.filter((b) => b.every((i) => typeMatches(i, value)));
  if (matched.length === 1) return (matched[0] ?? []).flatMap((i) => describeIssue(i, ctx, path));
  const pool = matched.length > 1 ? matched : branches;
  const phrases = pool.map((b) => {
    const first = b[0];
    const option = options?.[branches.indexOf(b)];
    const probed = option && first?.code === "invalid_type" ? probe(option) : undefined;
    return (probed ?? (first ? messageFor(first, value, ctx, path, false) : "")).replace(/^expected /, "");
  });
  // "a number" adds nothing next to "a number or a percentage like 1.5%".
  const distinct = phrases.filter(
    (p, i) => p && !phrases.some((q, j) => j !== i && q.includes(p) && (q !== p || j < i)),
  );
  return [
    { path, at: "value", message: `${label}expected ${distinct.join(" or ")}, got ${describeValue(value)}` },
  ];
}

function isMissingKey(issue: Issue | undefined, parent: unknown): boolean {
  return (
    issue?.code === "invalid_type" &&
    issue.path.length === 1 &&
    valueAt(parent, issue.path as IssuePath) === undefined
  );
}

function typeMatches(issue: Issue, value: unknown): boolean {
  if (issue.code === "invalid_type") return false;
  if (issue.code === "invalid_value") return issue.values.some((v) => typeof v === typeof value);
  return true;
}

function messageFor(
  issue: Issue,
  value: unknown,
  ctx: IssueContext,
  path: IssuePath,
  withGot = true,
): string {
  const got = withGot ? `, got ${describeValue(value)}` : "";
  switch (issue.code) {
    case "invalid_type": {
      const probed = schemasAt(ctx.schema, path)
        .map(probe)
        .find((m) => m !== undefined);
      return `${probed ?? `expected ${typePhrase(issue.expected)}`}${got}`;
    }
    case "invalid_value": {
      const values = issue.values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(", ")}`}${got}`;
    }
    case "too_small":
    case "too_big":
      return sizeMessage(issue);
    case "invalid_format":
      if (!isDefaultMessage(issue.message)) return issue.message;
      if (issue.format === "datetime") return "expected an ISO 8601 time like 2026-11-22T10:00:00Z";
      if (issue.format === "url") return "expected a URL like https://example.com";
      return issue.format === "regex"
        ? `expected text matching ${issue.pattern}`
        : `expected a ${issue.format}`;
    default:
      return issue.message;
  }
}

function sizeMessage(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const small = issue.code === "too_small";
  const limit = Number(
    small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum,
  );
  if (issue.origin === "string" && small && limit === 1) return "must not be empty";
  if (issue.origin === "string") return `must be ${small ? "at least" : "at most"} ${limit} characters`;
  if (issue.origin === "array" || issue.origin === "set") {
    return `needs ${small ? "at least" : "at most"} ${limit} item${limit === 1 ? "" : "s"}`;
  }
  if (issue.inclusive === false) return `must be ${small ? "greater" : "less"} than ${limit}`;
  return `must be ${small ? "at least" : "at most"} ${limit}`;
}

function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized)/.test(message);
}

function typePhrase(expected: string): string {
  const phrases: Record<string, string> = {
    number: "a number",
    int: "a whole number",
    string: "a string",
    boolean: "true or false",
    array: "a list",
    object: "a mapping",
    record: "a mapping",
  };
  return phrases[expected] ?? expected;
}

/** How a YAML value reads back to the user. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "string")
    return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** A string-based schema with a custom message (e.g. Duration) says what it wants better than "a string". */
function probe(schema: Schema): string | undefined {
  const parse = (schema as { safeParse?: (v: unknown) => { error?: { issues: Issue[] } } }).safeParse;
  if (typeof parse !== "function") return undefined;
  const message = parse.call(schema, "\u0000").error?.issues[0]?.message;
  return message?.startsWith("expected ") ? message : undefined;
}

function valueAt(data: unknown, path: IssuePath): unknown {
  let current = data;
  for (const seg of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[seg];
  }
  return current;
}
