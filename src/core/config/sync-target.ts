import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { applyFlagd } from "./flagd-weights.ts";
import type { TypedValue } from "./schema.ts";
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

/**
 * Every sync pattern is compiled here and only here: `^` and `$` match at line ends (flag m),
 * since patterns are written against lines of a config file; `d` gives the capture's offsets.
 */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(pattern, "gmd");
}

/** `NAME=value`, `export NAME=value`, the value bare or quoted, a `# comment` after it left alone. */
function envPattern(name: string): string {
  return `^[ \\t]*(?:export[ \\t]+)?${name}[ \\t]*=[ \\t]*("(?:[^"\\\\\\n]|\\\\.)*"|'[^'\\n]*'|[^ \\t#\\r\\n]*)`;
}

function applyPattern(
  text: string,
  file: string,
  pattern: string,
  shown: string,
  value: TypedValue,
  numeric: boolean,
): SyncResult {
  let regex: RegExp;
  let groups: number;
  try {
    regex = compilePattern(pattern);
    // An alternation with the empty string always matches, and reports every group the pattern has.
    groups = (compilePattern(`${pattern}|`).exec("")?.length ?? 1) - 1;
  } catch (error) {
    return { ok: false, message: `${file}: invalid pattern ${shown}: ${(error as Error).message}` };
  }
  if (groups !== 1) {
    return {
      ok: false,
      message: `${file}: pattern ${shown} must have exactly one capture group around the value, it has ${groups}`,
    };
  }
  const matches = [...text.matchAll(regex)].filter((m) => m[0] !== "" || m[1] !== undefined);
  if (matches.length !== 1) {
    const lines = matches.map((m) => lineOf(text, m.index)).join(", ");
    const found =
      matches.length === 0 ? "matches nothing" : `matches ${matches.length} times (lines ${lines})`;
    return { ok: false, message: `${file}: pattern ${shown} ${found}; it must match exactly once` };
  }
  const span = matches[0]?.indices?.[1];
  if (!span) return { ok: false, message: `${file}: the capture group of ${shown} did not capture anything` };
  const [start, end] = span;
  const old = text.slice(start, end);
  const formatted =
    numeric && typeof value === "number" ? formatLike(old, value) : formatTyped(old, value, file);
  if (formatted === undefined) {
    const message = numeric
      ? `expected a number in the capture group, found '${old}'`
      : `cannot write ${describeValue(value)} in place of '${old.slice(0, 40)}'`;
    return { ok: false, message: `${file}:${lineOf(text, start)}: ${message}` };
  }
  const next = text.slice(0, start) + formatted + text.slice(end);
  const again = [...next.matchAll(compilePattern(pattern))];
  const captured = again[0]?.[1] ?? "";
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

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
