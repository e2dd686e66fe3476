import { isScalar, parseDocument } from "yaml";
import type { RolloutFile } from "./schema.ts";
import { walkYamlPath } from "./yaml-path.ts";

/**
 * Keeps another file in the repo in step with the rollout percentage: a line of code matched by a
 * regex (`v1_traffic_percentage = 10.0`) or a key in a YAML/JSON file (Helm values). Only the value's
 * own characters change, written in the style already there (decimals, quotes).
 */

export type SyncTarget = RolloutFile["sync"][number];
export type SyncResult = { ok: true; text: string } | { ok: false; message: string };

export function applySyncTarget(fileText: string, target: SyncTarget, percent: number): SyncResult {
  const value = target.value === "fraction" ? percent / 100 : percent;
  return "pattern" in target
    ? applyPattern(fileText, target.file, target.pattern, value)
    : applyKey(fileText, target, value);
}

/** `^` and `$` match at line ends (flag m): patterns are written against lines of a config file. */
function applyPattern(text: string, file: string, pattern: string, value: number): SyncResult {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "gmd");
  } catch (error) {
    return { ok: false, message: `${file}: invalid pattern /${pattern}/: ${(error as Error).message}` };
  }
  // An alternation with the empty string always matches, and reports every group the pattern has.
  const groups = (new RegExp(`${pattern}|`).exec("")?.length ?? 1) - 1;
  if (groups !== 1) {
    return {
      ok: false,
      message: `${file}: pattern /${pattern}/ must have exactly one capture group around the value, it has ${groups}`,
    };
  }
  const matches = [...text.matchAll(regex)].filter((m) => m[0] !== "" || m[1] !== undefined);
  if (matches.length !== 1) {
    const lines = matches.map((m) => lineOf(text, m.index)).join(", ");
    const found =
      matches.length === 0 ? "matches nothing" : `matches ${matches.length} times (lines ${lines})`;
    return { ok: false, message: `${file}: pattern /${pattern}/ ${found}; it must match exactly once` };
  }
  const span = matches[0]?.indices?.[1];
  if (!span)
    return { ok: false, message: `${file}: the capture group of /${pattern}/ did not capture anything` };
  const [start, end] = span;
  const formatted = formatLike(text.slice(start, end), value);
  if (formatted === undefined) {
    return {
      ok: false,
      message: `${file}:${lineOf(text, start)}: expected a number in the capture group, found '${text.slice(start, end)}'`,
    };
  }
  const next = text.slice(0, start) + formatted + text.slice(end);
  const again = [...next.matchAll(regex)];
  if (again.length !== 1 || parseNumber(again[0]?.[1] ?? "") !== value) {
    return {
      ok: false,
      message: `${file}: after writing ${formatted}, /${pattern}/ no longer captures exactly that value`,
    };
  }
  return { ok: true, text: next };
}

function applyKey(text: string, target: Extract<SyncTarget, { key: string }>, value: number): SyncResult {
  const { file, key } = target;
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
  const formatted = isScalar(node) && range ? formatLike(old, value) : undefined;
  if (!range || formatted === undefined) {
    return { ok: false, message: `${file}: key '${key}' must hold a number, found '${old.slice(0, 40)}'` };
  }
  const next = text.slice(0, range[0]) + formatted + text.slice(range[1]);
  const check = walkYamlPath(parseDocument(next), path).at(-1)?.node;
  if (!isScalar(check) || parseNumber(String(check.value)) !== value) {
    return { ok: false, message: `${file}: writing ${formatted} at '${key}' did not produce ${value}` };
  }
  return { ok: true, text: next };
}

/**
 * Writes `value` the way `existing` is written: same quotes, at least as many decimals
 * (`10.0` → `25.0`, `0.10` → `0.25`), but never fewer than the value needs (12.5 into `10` → `12.5`).
 * Undefined when `existing` is not a number.
 */
export function formatLike(existing: string, value: number): string | undefined {
  const quote = /^(["'])(.*)\1$/.exec(existing);
  const inner = quote ? (quote[2] ?? "") : existing;
  const number = /^[+-]?\d*(?:\.(\d*))?$/.exec(inner);
  if (!number || parseNumber(inner) === undefined) return undefined;
  const shortest = String(value);
  const needed = /e/i.test(shortest) ? 20 : (shortest.split(".")[1]?.length ?? 0);
  const decimals = Math.min(Math.max(number[1]?.length ?? 0, needed), 20);
  const text = value.toFixed(decimals);
  return quote ? `${quote[1]}${text}${quote[1]}` : text;
}

function parseNumber(text: string): number | undefined {
  const inner = text.replace(/^(["'])(.*)\1$/, "$2").trim();
  return inner !== "" && Number.isFinite(Number(inner)) ? Number(inner) : undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
