import type { RE2JS } from "re2js";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { applyFlagd } from "./flagd-weights.ts";
import type { TypedValue } from "./schema.ts";
import { compileSyncPattern, LINE_WORK, MAX_PATTERN_WORK, MAX_SYNC_LINE } from "./sync-pattern.ts";
import {
  describeValue,
  formatLike,
  formatTyped,
  parseNumber,
  type SyncEvent,
  type SyncTarget,
  sameTyped,
  syncValue,
  writesPercentage,
} from "./sync-value.ts";
import { walkYamlPath } from "./yaml-path.ts";
import { renderScalar } from "./yaml-scalar.ts";

/**
 * Keeps another file in the repo in step with the rollout: a line of code matched by a regex
 * (`v1_traffic_percentage = 10.0`, `create_receipt_place = True`), a `NAME=value` line of a
 * `.env`-style file (`FF_NEW_CHECKOUT=true`), a key in a YAML/JSON file (Helm values), or the
 * fractional weights of a flag in an OpenFeature flagd definition (flagd-weights.ts). It writes
 * the percentage, or typed values per stage and on rollback (sync-value.ts). Only the value's own
 * characters change, written in the style already there (decimals, quotes, `True` or `true`).
 */

export type { SyncEvent, SyncTarget } from "./sync-value.ts";
export { formatLike } from "./sync-value.ts";
export type SyncResult = { ok: true; text: string } | { ok: false; message: string };

export function applySyncTarget(
  fileText: string,
  target: SyncTarget,
  percent: number,
  event: SyncEvent = "advance",
): SyncResult {
  if ("flagd" in target) return applyFlagd(fileText, target.file, target.flagd, target.variant, percent);
  const value = syncValue(target, percent, event);
  if (value === undefined) return { ok: true, text: fileText };
  const numeric = writesPercentage(target);
  if ("key" in target) return applyKey(fileText, target.file, target.key, value, numeric);
  if ("env" in target) {
    return applyPattern(fileText, target.file, envPattern(target.env), `${target.env}=`, value, numeric);
  }
  return applyPattern(fileText, target.file, target.pattern, `/${target.pattern}/`, value, numeric);
}

/** `NAME=value`, `export NAME=value`, the value bare or quoted, a `# comment` after it left alone. */
function envPattern(name: string): string {
  return `^[ \\t]*(?:export[ \\t]+)?${name}[ \\t]*=[ \\t]*("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^ \\t#\\r]*)`;
}

/**
 * The pattern is matched within each line (`^` and `$` are the line's ends, a trailing `\r` is not part
 * of it) on RE2 (see sync-pattern.ts), so a repository's regex cannot freeze the server; the capture is
 * read from the one matching line, and after writing only that line can have changed.
 */
function applyPattern(
  text: string,
  file: string,
  pattern: string,
  shown: string,
  value: TypedValue,
  numeric: boolean,
): SyncResult {
  const compiled = compileSyncPattern(pattern);
  if (!compiled.ok) return { ok: false, message: `${file}: pattern ${shown} ${compiled.message}` };
  const { regex, program } = compiled.pattern;
  const work = searchWork(text, program);
  if (work > MAX_PATTERN_WORK) {
    return {
      ok: false,
      message: `${file}: pattern ${shown} is too complex for a file of ${Math.ceil(text.length / 1024)} KiB (${program} RE2 instructions; over ${MAX_PATTERN_WORK} steps to search): simplify the pattern, or sync the value with key:`,
    };
  }
  const { matching, long } = matchingLines(text, regex);
  if (matching.length !== 1) {
    const found =
      matching.length === 0
        ? `matches nothing${long.length > 0 ? ` (lines over ${MAX_SYNC_LINE} characters are not searched: ${listLines(long)})` : ""}`
        : `matches ${matching.length} times (lines ${listLines(matching)})`;
    return { ok: false, message: `${file}: pattern ${shown} ${found}; it must match exactly once` };
  }
  const line = matching[0]!;
  const spans = matchesIn(regex, line.text, 2);
  if (spans.length > 1) {
    return {
      ok: false,
      message: `${file}: pattern ${shown} matches more than once on line ${line.number}; it must match exactly once`,
    };
  }
  const span = spans[0];
  if (!span) return { ok: false, message: `${file}: the capture group of ${shown} did not capture anything` };
  const start = line.offset + span[0];
  const end = line.offset + span[1];
  const old = text.slice(start, end);
  const formatted =
    numeric && typeof value === "number" ? formatLike(old, value) : formatTyped(old, value, file);
  if (formatted === undefined) {
    const message = numeric
      ? `expected a number in the capture group, found '${old}'`
      : `cannot write ${describeValue(value)} in place of '${old.slice(0, 40)}'`;
    return { ok: false, message: `${file}:${line.number}: ${message}` };
  }
  const next = text.slice(0, start) + formatted + text.slice(end);
  const changed = line.text.slice(0, span[0]) + formatted + line.text.slice(span[1]);
  const again = matchesIn(regex, changed, 2);
  const [from, to] = again[0] ?? [0, 0];
  const captured = changed.slice(from, to);
  const same = numeric
    ? parseNumber(captured) === value
    : captured === formatted && sameTyped(captured, value);
  if (again.length !== 1 || !same) {
    return {
      ok: false,
      message: `${file}: after writing ${formatted}, ${shown} no longer captures exactly that value`,
    };
  }
  return { ok: true, text: next };
}

interface Line {
  number: number;
  /** Offset of the line's first character in the file. */
  offset: number;
  /** Without its `\n` and a `\r` before it. */
  text: string;
}

/** Steps the search below may take (stops counting past the limit): no allocation per line. */
function searchWork(text: string, program: number): number {
  let work = 0;
  for (let start = 0; start <= text.length && work <= MAX_PATTERN_WORK; ) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const length = end - start;
    if (length > 0 && length <= MAX_SYNC_LINE) work += length * program + LINE_WORK;
    start = end + 1;
  }
  return work;
}

/**
 * Lines where the pattern matches (not regex.test(): RE2's DFA can build a state per character for an
 * ambiguous pattern, a cost that grows with the square of its size; on lines this short find() runs
 * RE2's bit-state backtracker, linear in both). Empty lines cannot match: a pattern matching "" is refused.
 */
function matchingLines(text: string, regex: RE2JS): { matching: Line[]; long: Line[] } {
  const matching: Line[] = [];
  const long: Line[] = [];
  const matcher = regex.matcher("");
  for (let start = 0, number = 1; start <= text.length; number++) {
    const newline = text.indexOf("\n", start);
    let end = newline === -1 ? text.length : newline;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end - start > MAX_SYNC_LINE) long.push({ number, offset: start, text: "" });
    else if (end > start) {
      const line = text.slice(start, end);
      if (matcher.resetMatcherInput(line).find()) matching.push({ number, offset: start, text: line });
    }
    if (newline === -1) break;
    start = newline + 1;
  }
  return { matching, long };
}

function listLines(lines: Line[]): string {
  const shown = lines.slice(0, 10).map((line) => line.number);
  return `${shown.join(", ")}${lines.length > shown.length ? ", …" : ""}`;
}

/**
 * Up to `limit` matches in one line, each group 1's span (undefined: it matched without the group).
 * Empty matches that capture nothing are skipped; `\b(x)?` matches empty at every word: bounded.
 */
function matchesIn(regex: RE2JS, line: string, limit: number): ([number, number] | undefined)[] {
  const found: ([number, number] | undefined)[] = [];
  const matcher = regex.matcher(line);
  for (let tries = 0; tries < limit + 8 && found.length < limit && matcher.find(); tries++) {
    const start = matcher.start(1);
    if (start >= 0) found.push([start, matcher.end(1)]);
    else if (matcher.end() > matcher.start()) found.push(undefined);
  }
  return found;
}

function applyKey(text: string, file: string, key: string, value: TypedValue, numeric: boolean): SyncResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    return { ok: false, message: `${file}: cannot parse as YAML or JSON: ${doc.errors[0]?.message}` };
  const path = key.split(".");
  const steps = walkYamlPath(doc, path);
  if (steps.length !== path.length + 1) {
    const found = path.slice(0, steps.length - 1).join(".");
    return {
      ok: false,
      message: `${file}: key '${key}' not found${found ? ` (found up to '${found}')` : ""}`,
    };
  }
  const node = steps.at(-1)?.node;
  const range = node?.range;
  const old = range ? text.slice(range[0], range[1]) : "";
  if (!isScalar(node) || !range) {
    const kind = numeric ? "a number" : "a value (not a mapping or list)";
    return { ok: false, message: `${file}: key '${key}' must hold ${kind}, found '${old.slice(0, 40)}'` };
  }
  let formatted: string | undefined;
  if (numeric && typeof value === "number") {
    formatted = formatLike(old, value);
    if (formatted === undefined)
      return { ok: false, message: `${file}: key '${key}' must hold a number, found '${old.slice(0, 40)}'` };
  } else {
    const json = /\.json$/i.test(file) || /^\s*[{[]/.test(text);
    const inFlow = steps.some((s) => (isMap(s.node) || isSeq(s.node)) && s.node.flow === true);
    formatted =
      typeof value === "number"
        ? (formatLike(old, value) ?? String(value))
        : json
          ? JSON.stringify(value)
          : renderScalar(value, node.type, inFlow);
  }
  const next = text.slice(0, range[0]) + formatted + text.slice(range[1]);
  const check = walkYamlPath(parseDocument(next), path).at(-1)?.node;
  const read = isScalar(check) ? check.value : undefined;
  const same = typeof value === "number" ? parseNumber(String(read)) === value : read === value;
  if (!same) {
    return {
      ok: false,
      message: `${file}: writing ${formatted} at '${key}' did not produce ${describeValue(value)}`,
    };
  }
  return { ok: true, text: next };
}
