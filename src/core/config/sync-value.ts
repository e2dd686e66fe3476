import type { RolloutFile, TypedValue } from "./schema.ts";

/**
 * What a sync target writes for a change: the percentage (or it as a fraction), or a typed value —
 * the one of the highest stage at or below the new percentage, or the rollback value on a rollback.
 * Undefined: this change writes nothing to the target (no value defined for it).
 */

export type SyncTarget = RolloutFile["sync"][number];
export type SyncEvent = "advance" | "rollback";

export function syncValue(target: SyncTarget, percent: number, event: SyncEvent): TypedValue | undefined {
  if (!("value" in target)) return percent;
  const spec = target.value;
  if (spec === "percent") return percent;
  if (spec === "fraction") return percent / 100;
  if (event === "rollback" && spec.rollback !== undefined) return spec.rollback;
  let best: { at: number; value: TypedValue } | undefined;
  for (const [key, value] of Object.entries(spec.stages ?? {})) {
    const at = Number(key);
    if (at <= percent && (!best || at > best.at)) best = { at, value };
  }
  return best?.value;
}

/** True when the target writes a number the old way (percent, fraction): the file must hold a number. */
export function writesPercentage(target: SyncTarget): boolean {
  return !("value" in target) || typeof target.value === "string";
}

/**
 * Writes `value` where `existing` stood, in its style: numbers keep decimals and quotes
 * (formatLike); booleans keep the spelling already there (`True` in Python, `true`, `TRUE`, `1`/`0`,
 * `yes`/`no`) or the file's language's; strings keep the quote style, or stay bare when safe.
 * Undefined when the value cannot be written in that style.
 */
export function formatTyped(existing: string, value: TypedValue, file: string): string | undefined {
  const quote = /^(["'])(.*)\1$/s.exec(existing);
  const inner = quote ? (quote[2] ?? "") : existing;
  if (typeof value === "number") {
    return formatLike(existing, value) ?? (quote ? undefined : numberText(value));
  }
  if (typeof value === "boolean") {
    const text = booleanLike(inner, value, file);
    return quote ? `${quote[1]}${text}${quote[1]}` : text;
  }
  if (quote?.[1] === '"') return JSON.stringify(value);
  if (quote?.[1] === "'") return /['\\\n\r]/.test(value) ? JSON.stringify(value) : `'${value}'`;
  return /^[\w.:/@+-]*$/.test(value) ? value : JSON.stringify(value);
}

function booleanLike(existing: string, value: boolean, file: string): string {
  const styles: [RegExp, string, string][] = [
    [/^(?:True|False)$/, "True", "False"],
    [/^(?:TRUE|FALSE)$/, "TRUE", "FALSE"],
    [/^(?:true|false)$/, "true", "false"],
    [/^[01]$/, "1", "0"],
    [/^(?:yes|no)$/, "yes", "no"],
    [/^(?:on|off)$/, "on", "off"],
  ];
  for (const [test, yes, no] of styles) if (test.test(existing)) return value ? yes : no;
  // Nothing boolean there yet: the language's own spelling.
  if (/\.py$/.test(file)) return value ? "True" : "False";
  return value ? "true" : "false";
}

/** Reads back what formatTyped wrote, for the check after an edit. */
export function sameTyped(text: string, value: TypedValue): boolean {
  const quote = /^(["'])(.*)\1$/s.exec(text);
  const inner = quote ? (quote[2] ?? "") : text;
  if (typeof value === "number") return parseNumber(text) === value;
  if (typeof value === "boolean") {
    const yes = /^(?:true|1|yes|on)$/i.test(inner);
    const no = /^(?:false|0|no|off)$/i.test(inner);
    return value ? yes : no;
  }
  if (quote?.[1] === '"') {
    try {
      return JSON.parse(text) === value;
    } catch {
      return false;
    }
  }
  return inner === value;
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

function numberText(value: number): string {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, "") : text;
}

export function parseNumber(text: string): number | undefined {
  const inner = text.replace(/^(["'])(.*)\1$/, "$2").trim();
  return inner !== "" && Number.isFinite(Number(inner)) ? Number(inner) : undefined;
}

export function describeValue(value: TypedValue): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
