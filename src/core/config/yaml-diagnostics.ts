import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from "yaml";
import type { z } from "zod";
import { errorMessage } from "../errors.ts";
import { describeIssue, type IssueReport } from "./describe-issue.ts";
import { walkYamlPath } from "./yaml-path.ts";

/** Parsing YAML files against a zod schema, reporting every problem as file:line:column. */

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

export const MAX_FILE_BYTES = 256 * 1024;

/** Aliases may expand to at most this many nodes: enough for reuse, too few for a "billion laughs". */
const MAX_ALIAS_COUNT = 50;

export type Parsed<T> = { ok: true; value: T } | { ok: false; diagnostics: Diagnostic[] };

export interface ParseOptions {
  /** An empty file (or only comments) parses as `{}` instead of being refused. */
  allowEmpty?: boolean;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.message}`;
}

export function parseWithSchema<S extends z.ZodType>(
  path: string,
  text: string,
  schema: S,
  options: ParseOptions = {},
): Parsed<z.output<S>> {
  const size = byteLength(text);
  if (size > MAX_FILE_BYTES) {
    const message = `file is ${Math.ceil(size / 1024)} KiB; the limit is ${MAX_FILE_BYTES / 1024} KiB`;
    return fail([{ file: path, line: 1, column: 1, message }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number, message: string): Diagnostic => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: path, line, column: col, message };
  };
  if (doc.errors.length > 0) return fail(doc.errors.map((e) => at(e.pos[0], yamlErrorMessage(e, text))));

  const converted = toData(doc, options, at);
  if (!converted.ok) return fail(converted.diagnostics);
  const data = converted.value;

  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  const reports = result.error.issues.flatMap((issue) =>
    describeIssue(issue, { data, schema }).map((report) => ({ report, inner: innerOffset(issue) })),
  );
  return fail(
    reports.map(({ report, inner }) =>
      at(
        inner === undefined ? offsetOf(doc, report) : scalarOffset(doc, text, report, inner),
        report.message,
      ),
    ),
  );
}

/** The document as plain data, refusing what is not one mapping and stopping alias bombs. */
function toData(
  doc: Document,
  options: ParseOptions,
  at: (offset: number, message: string) => Diagnostic,
): Parsed<unknown> {
  const contents = doc.contents as Node | null;
  const refuse = (offset: number, message: string): Parsed<unknown> => fail([at(offset, message)]);
  if (contents === null || (isScalar(contents) && contents.value === null && isEmptySource(contents))) {
    if (options.allowEmpty) return { ok: true, value: {} };
    return refuse(0, "the file is empty: expected a mapping of key: value pairs");
  }
  if (!isMap(contents)) {
    const found = kindOf(contents);
    return refuse(contents.range?.[0] ?? 0, `expected a mapping of key: value pairs, found ${found}`);
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
  } catch (error) {
    const message = errorMessage(error);
    if (/excessive alias count/i.test(message)) {
      const first = firstAlias(doc, () => true);
      return refuse(first, "too many aliases: the file expands to too much data (a YAML alias bomb?)");
    }
    const unresolved = firstAlias(doc, (alias) => alias.resolve(doc) === undefined);
    return refuse(unresolved, message.replace(/\.$/, ""));
  }
}

/** A refinement that knows where in a string value the problem is (`params.valueOffset`). */
function innerOffset(issue: z.core.$ZodIssue): number | undefined {
  const offset =
    issue.code === "custom"
      ? (issue.params as { valueOffset?: unknown } | undefined)?.valueOffset
      : undefined;
  return typeof offset === "number" ? offset : undefined;
}

/**
 * The source offset of character `inner` of a scalar's value: the value's characters are matched
 * in order against the source, which skips what the value does not contain (quotes, escapes,
 * block indicators, indentation, folded line breaks). Falls back to the scalar's start.
 */
function scalarOffset(doc: Document, text: string, report: IssueReport, inner: number): number {
  const start = offsetOf(doc, report);
  const node = walkYamlPath(doc, report.path, { resolveAliases: true }).at(-1)?.node;
  if (!isScalar(node) || typeof node.value !== "string" || !node.range) return start;
  const value = node.value;
  const end = node.range[1];
  let source = node.range[0];
  for (let i = 0; i < value.length && source < end; i++) {
    const want = value[i]!;
    const space = (c: string) => c === " " || c === "\n" || c === "\t" || c === "\r";
    while (source < end && text[source] !== want && !(space(want) && space(text[source]!))) source++;
    if (i === inner) return source;
    source++;
  }
  // Past the end of the value (an unfinished query): just after its last character.
  return inner >= value.length ? Math.min(source, end) : start;
}

/** Where to point for an issue: the node itself, its key, or the nearest ancestor that exists. */
function offsetOf(doc: Document, report: IssueReport): number {
  const steps = walkYamlPath(doc, report.path, { resolveAliases: true });
  const last = steps.at(-1);
  const complete = steps.length === report.path.length + 1;
  if (complete && report.at === "key" && last?.pair) return last.pair.key.range?.[0] ?? 0;
  for (const step of [...steps].reverse()) {
    const offset = step.node?.range?.[0] ?? step.pair?.key.range?.[0];
    // An empty value (`bake:`) has no text of its own: point at its key instead.
    if (isScalar(step.node) && isEmptySource(step.node) && step.pair) return step.pair.key.range?.[0] ?? 0;
    if (offset !== undefined) return offset;
  }
  return 0;
}

function yamlErrorMessage(error: YAMLError, text: string): string {
  if (error.code === "DUPLICATE_KEY") {
    const key = /^[^:\n]*/.exec(text.slice(error.pos[0], error.pos[0] + 80))?.[0].trim();
    return key ? `duplicate key '${key}'` : "duplicate key";
  }
  if (error.code === "MULTIPLE_DOCS") return "expected one YAML document, found a second one ('---')";
  return error.message.replace(/\.$/, "");
}

function firstAlias(doc: Document, predicate: (alias: Alias) => boolean): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      if (!predicate(node)) return undefined;
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

function kindOf(node: Node | null): string {
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return "an alias";
  if (!isScalar(node) || node.value === null) return "an empty value";
  return typeof node.value === "string" ? "a string" : `the ${typeof node.value} ${String(node.value)}`;
}

function isEmptySource(node: Node): boolean {
  return node.range !== null && node.range !== undefined && node.range[0] === node.range[1];
}

/** UTF-8 length, counted without allocating (no node:buffer in the core). */
function byteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = formatDiagnostic(d);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function fail(diagnostics: Diagnostic[]): { ok: false; diagnostics: Diagnostic[] } {
  return { ok: false, diagnostics: dedupe(diagnostics) };
}
